"""The sign-in page's answer to a locked-out username and address (django-axes)."""

import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from gecrm.core.http import client_ip


def minutes_until_unlocked(request, username: str | None) -> int:
    """Whole minutes (at least 1) until the cool-off of this username at this address ends."""
    cool_off = get_cool_off(request)
    last_failure = AccessAttempt.objects.filter(
        username=username, ip_address=client_ip(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    if cool_off is None or last_failure is None:
        return math.ceil(cool_off.total_seconds() / 60) if cool_off else 1
    remaining = (last_failure + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining / 60))


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with the reason and how long to wait (429 Too Many Requests)."""
    username = get_client_username(request, credentials)
    minutes = minutes_until_unlocked(request, username)
    message = ngettext(
        "Too many failed sign-in attempts for this user from this address. "
        "Try again in %(minutes)d minute, or ask an administrator to unlock the account.",
        "Too many failed sign-in attempts for this user from this address. "
        "Try again in %(minutes)d minutes, or ask an administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}
    form = AuthenticationForm(request, initial={"username": username or ""})
    context = {
        "form": form,
        "lockout_message": message,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "web/login.html", context, status=429)
