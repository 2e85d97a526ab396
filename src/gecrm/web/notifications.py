"""The signed-in user's notifications (`core.Notification`): the bell in the top bar, the list,
and marking them read. Each user sees and changes only their own."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from gecrm.core.models import Notification

PER_PAGE = 25


def _mine(request):
    return Notification.objects.filter(recipient_id=request.user.pk)


@login_required
@require_GET
def notification_list(request):
    notifications = _mine(request).select_related("actor__staff")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/notifications.html",
        {
            "page": page,
            "notifications": page.object_list,
            "only_unread": only_unread,
            "unread": _mine(request).filter(read_at__isnull=True).count(),
        },
    )


@login_required
@require_GET
def notification_bell(request):
    """The bell with the unread count (loaded by htmx, so pages pay no query for it)."""
    unread = _mine(request).filter(read_at__isnull=True).count()
    return render(request, "web/includes/notification_bell.html", {"unread": unread})


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one notification read and follow its link (a local path only)."""
    notification = get_object_or_404(_mine(request), pk=pk)
    if notification.read_at is None:
        _mine(request).filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    url = notification.url
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect(url)
    return redirect("web:notifications")


@login_required
@require_POST
def notification_read_all(request):
    _mine(request).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("web:notifications")
