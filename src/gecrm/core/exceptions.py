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


class CreateForbidden(Exception):
    """The actor's posts may not create this kind of record at all: HTTP 403, nothing written."""

    def __init__(self, model=None, message=None):
        self.model = model
        super().__init__(
            message
            or _("Your posts do not allow you to create %(kind)s.")
            % {"kind": model._meta.verbose_name_plural if model is not None else _("records")}
        )


class OutsideScopeError(Exception):
    """The record would lie outside the actor's change scope (its parent, org unit or customer
    is one they may not edit): HTTP 404 in the API, an error on `field` in forms and imports;
    nothing written."""

    def __init__(self, field: str, message=None):
        self.field = field
        super().__init__(
            message
            or _(
                "You may not create this record here: you could not edit it afterwards (outside "
                "your data scope)."
            )
        )
