"""Forms that show personal data: masked and read-only for users without the right."""

from django.utils.translation import gettext_lazy as _

from .masking import can_view_personal_data, mask_value, personal_fields


def protect_personal_fields(form, obj, user) -> bool:
    """On the edit form of `obj`, make its personal fields read-only and masked for a `user`
    without the right; True when it did.

    A disabled field is never read from the submitted data and never reaches the action, so the
    masked text cannot be saved over the clear value.
    """
    if obj is None or can_view_personal_data(user):
        return False
    for name, kind in personal_fields(obj).items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.disabled = True
        field.required = False
        field.help_text = _("Only users allowed to view personal data may see or change this.")
        form.initial[name] = mask_value(kind, getattr(obj, name))
    return True
