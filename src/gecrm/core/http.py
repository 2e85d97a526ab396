"""Facts about the HTTP request that more than one app needs."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address of the client, as far as it can be trusted.

    Without trusted proxies (`GECRM_TRUSTED_PROXIES=0`, the default) this is REMOTE_ADDR and any
    X-Forwarded-For header is ignored: a client could write anything there. Behind N proxies that
    each append the address they received from, the client is the N-th entry from the right; the
    entries further left were written by the client itself.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.GECRM_TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
