"""Errors the kernel raises; views and the API map them to HTTP answers."""

from django.utils.translation import gettext_lazy as _


class StaleObjectError(Exception):
    """The object changed since the caller read it (optimistic lock lost): HTTP 409."""

    def __init__(self, obj=None):
        self.obj = obj
        super().__init__(
            _("This record was changed by someone else. Reload it and apply your changes again.")
        )


class ImmutableRecordError(Exception):
    """A log entry (change log, security event) was about to be edited or deleted."""

    def __init__(self, obj=None):
        self.obj = obj
        super().__init__(_("Log entries are permanent: they cannot be edited or deleted."))
