"""Template helpers for personal data: masked values, the reveal button, the log's rows."""

from django import template
from django.template.loader import render_to_string

from gecrm.audit.masking import can_view_personal_data, mask_value, personal_fields

register = template.Library()


@register.filter
def may_view_personal_data(user) -> bool:
    return can_view_personal_data(user)


@register.simple_tag
def personal(obj, field: str):
    """A personal value of `obj`, always masked, in an element the reveal action can fill."""
    from gecrm.audit.views import personal_element_id

    kind = personal_fields(obj)[field]
    value = getattr(obj, field)
    return render_to_string(
        "audit/personal_value.html",
        {
            "id": personal_element_id(obj._meta.label_lower, obj.pk, field),
            "value": mask_value(kind, value),
        },
    )


@register.simple_tag(takes_context=True)
def reveal_button(context, obj):
    """For users allowed to see personal data: a button that reveals `obj`'s clear values
    (a logged action). Nothing for everyone else."""
    if not can_view_personal_data(context["request"].user):
        return ""
    if not any(getattr(obj, name) for name in personal_fields(obj)):
        return ""
    return render_to_string(
        "audit/reveal_button.html",
        {"object_type": obj._meta.label_lower, "pk": obj.pk},
        request=context["request"],
    )


@register.filter
def log_rows(entries):
    from gecrm.audit.views import log_rows as rows

    return rows(entries)
