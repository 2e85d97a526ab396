"""Login-security middleware: response headers Django does not send, and the session idle limit.

Content-Security-Policy comes from django-csp; nosniff, Referrer-Policy, Cross-Origin-Opener-Policy
and HSTS from Django's SecurityMiddleware; X-Frame-Options from XFrameOptionsMiddleware; the login
lockout from django-axes. The settings are in `gecrm.settings` ("login security").
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url

LAST_SEEN_KEY = "_gecrm_last_seen"
# The time of the last request is written to the session at most this often (seconds).
LAST_SEEN_WRITE_EVERY = 60


class SecurityHeadersMiddleware:
    """Permissions-Policy: no page of gecrm uses the camera, microphone, location, payment or USB."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.GECRM_PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.GECRM_PERMISSIONS_POLICY)
        return response


class SessionIdleTimeoutMiddleware:
    """Sign a browser session out after GECRM_SESSION_IDLE_MINUTES without a request.

    SESSION_COOKIE_AGE bounds a session from sign-in; this ends it sooner when the desk is left.
    Bearer-token API calls carry no session and are not affected.

    An htmx request whose session has ended would otherwise follow the redirect and swap the
    sign-in page into a table cell; it gets an `HX-Redirect` to the sign-in page instead, which
    returns to the page the user was on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle_limit = settings.GECRM_SESSION_IDLE_SECONDS
        user = getattr(request, "user", None)
        if idle_limit and user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > idle_limit:
                logout(request)  # flushes the session: the view sees an anonymous user
            elif last_seen is None or now - last_seen >= LAST_SEEN_WRITE_EVERY:
                request.session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        if request.headers.get("HX-Request") and is_login_redirect(response):
            response = htmx_login_redirect(request)
        return response


def is_login_redirect(response) -> bool:
    if response.status_code != 302:
        return False
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def htmx_login_redirect(request):
    """A full-page visit of the sign-in page, coming back to the page (not the fragment)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    page = current.path or "/"
    if current.query:
        page += "?" + current.query
    response = HttpResponse()
    response["HX-Redirect"] = redirect_to_login(page)["Location"]
    return response


def mark_session_seen(sender, request, user, **kwargs):
    """On sign-in (user_logged_in): the idle clock starts now, without a write on the next page."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN_KEY] = int(time.time())
