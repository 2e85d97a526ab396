"""Notifications: a message to some users, in the app and (where configured) by e-mail.

`notify()` is called inside an action's transaction and defers everything to
`transaction.on_commit`: a rolled-back action notifies nobody. In-app notifications are rows of
`core.Notification` (the bell in the top bar, the /notifications/ page); e-mail goes to the
recipients with an address when `GECRM_NOTIFY_EMAIL` is on (see the settings), and a failing mail
server never undoes or breaks the action that notified.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from .models import Notification

logger = logging.getLogger(__name__)

MESSAGE_LENGTH = Notification._meta.get_field("message").max_length
URL_LENGTH = Notification._meta.get_field("url").max_length


def notify(recipients: Iterable, message: str, url: str = "", *, actor=None) -> None:
    """Tell `recipients` (users or user ids) `message`, linking to `url`, once the current
    transaction commits. The actor is never notified of their own action."""
    actor_id = getattr(actor, "pk", actor)
    ids = sorted({getattr(r, "pk", r) for r in recipients} - {actor_id, None})
    if not ids:
        return
    message = str(message)[:MESSAGE_LENGTH]
    url = (url or "")[:URL_LENGTH]
    transaction.on_commit(lambda: deliver(ids, message, url, actor_id=actor_id))


def deliver(user_ids: list[int], message: str, url: str, *, actor_id=None) -> list[Notification]:
    """Write the notifications now and send the e-mails (called on commit)."""
    users = [
        (pk, staff_email or email)  # the staff profile's address first, else the login's
        for pk, email, staff_email in get_user_model()
        ._default_manager.filter(pk__in=user_ids, is_active=True)
        .order_by("pk")
        .values_list("pk", "email", "staff__email")
    ]
    created = Notification.objects.bulk_create(
        Notification(recipient_id=pk, actor_id=actor_id, message=message, url=url)
        for pk, _email in users
    )
    if settings.GECRM_NOTIFY_EMAIL:
        send_emails([email for _pk, email in users if email], message, url)
    return created


def send_emails(addresses: list[str], message: str, url: str) -> int:
    """One e-mail per address (recipients do not see each other); errors are logged."""
    if not addresses:
        return 0
    link = f"{settings.GECRM_SITE_URL}{url}" if url else ""
    body = f"{message}\n\n{link}\n" if link else f"{message}\n"
    subject = f"[gecrm] {message}"[:120]
    try:
        connection = get_connection()
        emails = [
            EmailMessage(
                subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection
            )
            for address in addresses
        ]
        return connection.send_messages(emails) or 0
    except Exception:  # noqa: BLE001 - a broken mail server must not break the action
        logger.exception("notification e-mail to %d recipients failed", len(addresses))
        return 0


def unread_count(user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
