"""Template helpers for the web UI: icons, sortable column headers, Tabler form fields."""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Outline icons in the style of Tabler Icons (MIT): 24x24, stroke-width 2, path data only.
ICONS = {
    "home": "M5 12l-2 0l9 -9l9 9l-2 0|M5 12v7a2 2 0 0 0 2 2h10a2 2 0 0 0 2 -2v-7"
    "|M9 21v-6a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v6",
    "sitemap": "M3 17a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v2a2 2 0 0 1 -2 2h-2a2 2 0 0 1 -2 -2z"
    "|M15 17a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v2a2 2 0 0 1 -2 2h-2a2 2 0 0 1 -2 -2z"
    "|M9 5a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v2a2 2 0 0 1 -2 2h-2a2 2 0 0 1 -2 -2z"
    "|M6 15v-1a2 2 0 0 1 2 -2h8a2 2 0 0 1 2 2v1|M12 9l0 3",
    "users": "M5 7a4 4 0 1 0 8 0a4 4 0 1 0 -8 0|M3 21v-2a4 4 0 0 1 4 -4h4a4 4 0 0 1 4 4v2"
    "|M16 3.13a4 4 0 0 1 0 7.75|M21 21v-2a4 4 0 0 0 -3 -3.85",
    "user": "M8 7a4 4 0 1 0 8 0a4 4 0 0 0 -8 0|M6 21v-2a4 4 0 0 1 4 -4h4a4 4 0 0 1 4 4v2",
    "building": "M3 21l18 0|M9 8l1 0|M9 12l1 0|M9 16l1 0|M14 8l1 0|M14 12l1 0|M14 16l1 0"
    "|M5 21v-16a2 2 0 0 1 2 -2h10a2 2 0 0 1 2 2v16",
    "package": "M12 3l8 4.5l0 9l-8 4.5l-8 -4.5l0 -9l8 -4.5|M12 12l8 -4.5|M12 12l0 9|M12 12l-8 -4.5",
    "upload": "M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2 -2v-2|M7 9l5 -5l5 5|M12 4l0 12",
    "download": "M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2 -2v-2|M7 11l5 5l5 -5|M12 4l0 12",
    "code": "M7 8l-4 4l4 4|M17 8l4 4l-4 4|M14 4l-4 16",
    "shield": "M12 3a12 12 0 0 0 8.5 3a12 12 0 0 1 -8.5 15a12 12 0 0 1 -8.5 -15a12 12 0 0 0 8.5 -3",
    "logout": "M14 8v-2a2 2 0 0 0 -2 -2h-7a2 2 0 0 0 -2 2v12a2 2 0 0 0 2 2h7a2 2 0 0 0 2 -2v-2"
    "|M9 12h12l-3 -3|M18 15l3 -3",
    "language": "M4 5h7|M9 3v2c0 4.418 -2.239 8 -5 8|M5 9c0 2.144 2.952 3.908 6.7 4"
    "|M12 20l4 -9l4 9|M19.1 18h-6.2",
    "search": "M3 10a7 7 0 1 0 14 0a7 7 0 1 0 -14 0|M21 21l-6 -6",
    "plus": "M12 5l0 14|M5 12l14 0",
    "edit": "M7 7h-1a2 2 0 0 0 -2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2 -2v-1"
    "|M20.385 6.585a2.1 2.1 0 0 0 -2.97 -2.97l-8.415 8.385v3h3l8.415 -8.415z|M16 5l3 3",
    "chevron-right": "M9 6l6 6l-6 6",
    "filter": "M4 4h16v2.172a2 2 0 0 1 -.586 1.414l-4.414 4.414v7l-6 2v-8.5l-4.48 -4.928"
    "a2 2 0 0 1 -.52 -1.345v-2.227z",
    "history": "M12 8l0 4l2 2|M3.05 11a9 9 0 1 1 .5 4m-.5 5v-5h5",
    "map-pin": "M9 11a3 3 0 1 0 6 0a3 3 0 0 0 -6 0"
    "|M17.657 16.657l-4.243 4.243a2 2 0 0 1 -2.827 0l-4.244 -4.243a8 8 0 1 1 11.314 0z",
    "hierarchy": "M10 5a2 2 0 1 0 4 0a2 2 0 1 0 -4 0|M3 19a2 2 0 1 0 4 0a2 2 0 1 0 -4 0"
    "|M17 19a2 2 0 1 0 4 0a2 2 0 1 0 -4 0|M6.5 17.5l5.5 -4.5l5.5 4.5|M12 7l0 6",
    "chart-pie": "M10 3.2a9 9 0 1 0 10.8 10.8a1 1 0 0 0 -1 -1h-6.8a2 2 0 0 1 -2 -2v-7"
    "a.9 .9 0 0 0 -1 -.8|M15 3.5a9 9 0 0 1 5.5 5.5h-4.5a1 1 0 0 1 -1 -1v-4.5",
    "alert": "M12 9v4|M10.363 3.591l-8.106 13.534a1.914 1.914 0 0 0 1.636 2.871h16.214"
    "a1.914 1.914 0 0 0 1.636 -2.87l-8.106 -13.536a1.914 1.914 0 0 0 -3.274 0z|M12 16h.01",
    "check": "M5 12l5 5l10 -10",
    "info": "M3 12a9 9 0 1 0 18 0a9 9 0 0 0 -18 0|M12 9h.01|M11 12h1v4h1",
    "x": "M18 6l-12 12|M6 6l12 12",
    "briefcase": "M3 9a2 2 0 0 1 2 -2h14a2 2 0 0 1 2 2v9a2 2 0 0 1 -2 2h-14a2 2 0 0 1 -2 -2z"
    "|M8 7v-2a2 2 0 0 1 2 -2h4a2 2 0 0 1 2 2v2|M12 12l0 .01|M3 13a20 20 0 0 0 18 0",
    "crown": "M12 6l4 6l5 -4l-2 10h-14l-2 -10l5 4z",
    "bell": "M10 5a2 2 0 1 1 4 0a7 7 0 0 1 4 6v3a4 4 0 0 0 2 3h-16a4 4 0 0 0 2 -3v-3a7 7 0 0 1 4 -6"
    "|M9 17v1a3 3 0 0 0 6 0v-1",
    "menu": "M4 6l16 0|M4 12l16 0|M4 18l16 0",
    "external": "M12 6h-6a2 2 0 0 0 -2 2v10a2 2 0 0 0 2 2h10a2 2 0 0 0 2 -2v-6|M11 13l9 -9|M15 4h5v5",
    "mail": "M3 7a2 2 0 0 1 2 -2h14a2 2 0 0 1 2 2v10a2 2 0 0 1 -2 2h-14a2 2 0 0 1 -2 -2v-10z"
    "|M3 7l9 6l9 -6",
    "phone": "M5 4h4l2 5l-2.5 1.5a11 11 0 0 0 5 5l1.5 -2.5l5 2v4a2 2 0 0 1 -2 2"
    "a16 16 0 0 1 -15 -15a2 2 0 0 1 2 -2",
    "arrow-left": "M5 12l14 0|M5 12l6 6|M5 12l6 -6",
    "database": "M4 6a8 3 0 1 0 16 0a8 3 0 1 0 -16 0|M4 6v6a8 3 0 0 0 16 0v-6"
    "|M4 12v6a8 3 0 0 0 16 0v-6",
    "eye": "M10 12a2 2 0 1 0 4 0a2 2 0 0 0 -4 0"
    "|M21 12c-2.4 4 -5.4 6 -9 6c-3.6 0 -6.6 -2 -9 -6c2.4 -4 5.4 -6 9 -6c3.6 0 6.6 2 9 6",
}


@register.simple_tag
def icon(name: str, css: str = ""):
    paths = format_html_join("", '<path d="{}"/>', ((d,) for d in ICONS[name].split("|")))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="icon {}" width="24" height="24" '
        'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg>',
        css,
        paths,
    )


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str):
    """A column header that sorts by `field`; a second click reverses, the page resets."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == field:
        params["ordering"] = f"-{field}"
        state = "asc"
    elif current == f"-{field}":
        params["ordering"] = field
        state = "desc"
    else:
        params["ordering"] = field
        state = ""
    return format_html(
        '<a class="table-sort {}" href="?{}" data-sort="{}">{}</a>',
        state,
        params.urlencode(),
        field,
        label,
    )


def _widget_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.NullBooleanSelect):
        return "form-select"
    return "form-control"


@register.simple_tag
def tabler_widget(bound_field, size: str = ""):
    """Render a bound field's widget with Tabler's classes (and `is-invalid` on errors)."""
    css = [_widget_class(bound_field.field.widget)]
    if size and css[0] != "form-check-input":
        css.append(f"{css[0]}-{size}")
    if bound_field.errors:
        css.append("is-invalid")
    return bound_field.as_widget(attrs={"class": " ".join(css)})


@register.inclusion_tag("web/includes/form_field.html")
def form_field(bound_field):
    return {
        "field": bound_field,
        "is_checkbox": isinstance(bound_field.field.widget, forms.CheckboxInput),
        "is_multi_checkbox": isinstance(bound_field.field.widget, forms.CheckboxSelectMultiple),
        "is_hidden": bound_field.is_hidden,
    }


# Where a change came from (ObjectChange.source), as users read it.
SOURCE_LABELS = {
    "web": _("web"),
    "api": _("API"),
    "import": _("import"),
    "cli": _("command line"),
    "demo": _("demo data"),
    "test": _("test"),
}


@register.filter
def source_label(source: str):
    return SOURCE_LABELS.get(source, source)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def nbsp_indent(depth: int):
    return mark_safe("&emsp;" * int(depth or 0))  # noqa: S308 - constant markup


@register.simple_tag(takes_context=True)
def may_create(context, model_label: str) -> bool:
    """`{% may_create "customers.customer" as can_add %}`: whether the page's user may create
    some record of the model (their posts allow it; `gecrm.core.querysets.may_create`)."""
    from django.apps import apps

    from gecrm.core.querysets import may_create as allowed

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return allowed(apps.get_model(model_label), user)
