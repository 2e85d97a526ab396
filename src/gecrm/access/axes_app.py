"""django-axes (the sign-in lockout) in Chinese: axes ships no Simplified Chinese catalogue.

`AxesConfig` gives the app a translatable name in the admin (axes' own is the bare label
"Axes"; settings install axes through it). Its model, field and admin strings are listed here,
exactly as axes writes them, so that `make messages` extracts them into the project catalogue,
which comes first (`LOCALE_PATHS`): the admin's axes pages are in Chinese. When a new axes
version changes a string, add it here (tests/security/test_admin_i18n.py checks the models).
"""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop


class AxesConfig(AppConfig):
    verbose_name = gettext_lazy("Sign-in lockout")


AXES_STRINGS = (
    # models (verbose names)
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # fields
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    # admin
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
)
