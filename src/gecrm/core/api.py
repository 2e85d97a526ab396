"""The API base every app's router builds on: input types, errors, pagination and filters.

Routers live in `<app>/api.py` and are assembled in `gecrm.api.main`. What they share lives
here so that every endpoint answers errors in one shape:

- 401 `{"detail": "Unauthorized"}` without valid credentials,
- 403 `{"detail": "..."}` for a create the caller's posts do not allow at all,
- 404 `{"detail": "Not Found"}` for unknown *and* out-of-scope objects (and a create whose
  parent, org unit or customer is outside the caller's change scope),
- 409 `{"detail": "..."}` for a stale `version`,
- 422 `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` for any invalid input, whether
  pydantic caught it or a model's `clean()` did (ninja's own shape, so clients parse one format).
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    WithJsonSchema,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .validation import CODE_MAX_LENGTH, CODE_PATTERN, choices_hint, code_error, control_error

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Far beyond any table, and small enough that the database never sees an out-of-range integer.
MAX_OFFSET = 1_000_000_000
MAX_VERSION = 2**31 - 1
MAX_QUERY_TEXT = 200

# Codes appear in URL paths and in materialised tree paths (`/A/B/`): one rule for every entry
# path (imports, API, forms), in `core.validation`.
USERNAME_PATTERN = r"^[\w.@+-]+$"
REGION_PATTERN = r"^[0-9]{6}$"


# --- who is asking ---------------------------------------------------------------------------


def acting_user(request):
    """The user the auth callbacks accepted (bearer token or session)."""
    return getattr(request, "auth", None) or request.user


# --- input types -----------------------------------------------------------------------------


def _plain_text(value: str) -> str:
    # PostgreSQL rejects NUL in text and UTF-8 cannot encode lone surrogates: both would be 500s.
    if "\x00" in value:
        raise PydanticCustomError("string_nul", _("Text must not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("string_unicode", _("Text must be valid Unicode.")) from None
    return value


Text = Annotated[str, AfterValidator(_plain_text)]


def _code(value: str) -> str:
    if error := code_error(value):
        raise PydanticCustomError("code", error)
    return value


Code = Annotated[
    Text,
    Field(min_length=1, max_length=CODE_MAX_LENGTH),
    AfterValidator(_code),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 64, "pattern": CODE_PATTERN}),
]
RegionCode = Annotated[str, Field(pattern=REGION_PATTERN, description="GB/T 2260 code")]
Version = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_VERSION,
        description="The version you read; a stale version answers 409 and changes nothing.",
    ),
]
Latitude = Annotated[
    Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6, allow_inf_nan=False)
]
Longitude = Annotated[
    Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6, allow_inf_nan=False)
]


def chinese_labels(choices: type[models.Choices]) -> dict[str, str]:
    """`{code: Chinese label}` regardless of the active language (labels' msgids are Chinese)."""
    with translation.override(None):
        return {value: str(label) for value, label in choices.choices}


def label_of(choices: type[models.Choices], value: str | None) -> str:
    if not value:
        return ""
    return chinese_labels(choices).get(value, value)


def choice_input(choices: type[models.Choices]) -> Any:
    """An enumeration input accepting the code or its Chinese label (`fin` or `金融`)."""
    labels = chinese_labels(choices)
    by_label = {label: code for code, label in labels.items()}
    codes = list(labels)
    hint = choices_hint(choices)

    def to_code(value):
        if isinstance(value, str):
            value = value.strip()
            return by_label.get(value, value)
        return value

    def check(value: str) -> str:
        if value not in labels:
            raise PydanticCustomError(
                "enum",
                _("Input should be one of: {expected}"),
                {"expected": hint},
            )
        return value

    enum = codes + [label for label in by_label if label not in labels]
    return Annotated[
        str,
        BeforeValidator(to_code),
        AfterValidator(check),
        WithJsonSchema({"type": "string", "enum": enum}),
    ]


def _control_characters(value):
    """The message for the first text (in lists too) holding a control character, or None."""
    if isinstance(value, str):
        return control_error(value)
    if isinstance(value, list | tuple):
        for item in value:
            if error := _control_characters(item):
                return error
    return None


class InputSchema(Schema):
    """Base of request bodies: unknown fields are errors, text is trimmed, and no text holds a
    control character (NUL, U+0007…: PostgreSQL or .xlsx exports could not hold it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value):
        if error := _control_characters(value):
            raise PydanticCustomError("control_character", error)
        return value


# --- output and error schemas ----------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ErrorItem]


READ_ERRORS = {401: ErrorOut, 422: ValidationErrorOut}
DETAIL_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# 403: the caller's posts create nothing of the kind; 404: the parent, org unit or customer
# referred to is outside their change scope (`gecrm.access.creating`). Nothing is written.
CREATE_ERRORS = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}
UPDATE_ERRORS = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def invalid(errors: dict[str, str], *, source: str = "body", param: str = "payload"):
    """A 422 naming each field: `invalid({"org_unit": "Unknown org unit"})`."""
    prefix = [source, param] if source == "body" else [source]
    return NinjaValidationError(
        [
            {"loc": [*prefix, field] if field else prefix, "msg": str(msg), "type": "value_error"}
            for field, msg in errors.items()
        ]
    )


def django_validation_errors(
    exc: DjangoValidationError, field_names: dict[str, str] | None = None
) -> list[dict]:
    """Ninja-shaped error items for a Django ValidationError from `clean()` or an action.

    `field_names` maps model field names to the API's (`parent` → `parent_code`).
    """
    field_names = field_names or {}
    items = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            loc = ["body", "payload"]
            if field != NON_FIELD_ERRORS:
                loc.append(field_names.get(field, field))
            for error in errors:
                items.append(_item(loc, error))
    else:
        for error in exc.error_list:
            items.append(_item(["body", "payload"], error))
    return items


def _item(loc: list, error: DjangoValidationError) -> dict:
    message = error.message % error.params if error.params else error.message
    return {"loc": loc, "msg": str(message), "type": error.code or "value_error"}


class ModelValidationError(Exception):
    """A Django ValidationError with the API field names to report it under."""

    def __init__(self, exc: DjangoValidationError, field_names: dict[str, str] | None = None):
        self.errors = django_validation_errors(exc, field_names)
        super().__init__(self.errors)


def run_action(action, *args, field_names: dict[str, str] | None = None, **kwargs):
    """Call a write action, turning its ValidationError into a 422 under the API's field names."""
    try:
        return action(*args, **kwargs)
    except DjangoValidationError as exc:
        raise ModelValidationError(exc, field_names) from exc


# --- localised validation messages -----------------------------------------------------------

# Pydantic words its messages in English only. These are the same checks Django's form fields make,
# so they reuse Django's msgids (translated by Django's own catalogues, zh-hans included); the few
# without a Django equivalent are ours. Custom errors (`enum`, `uscc`, `value_error` …) were
# translated when raised and keep their message.
_SAME_AS_DJANGO = {
    "missing": lambda ctx: _("This field is required."),
    "string_pattern_mismatch": lambda ctx: _("Enter a valid value."),
    "string_type": lambda ctx: _("Enter a valid value."),
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "int_from_float": lambda ctx: _("Enter a whole number."),
    "float_parsing": lambda ctx: _("Enter a number."),
    "float_type": lambda ctx: _("Enter a number."),
    "decimal_parsing": lambda ctx: _("Enter a number."),
    "decimal_type": lambda ctx: _("Enter a number."),
    "finite_number": lambda ctx: _("Enter a number."),
    "list_type": lambda ctx: _("Enter a list of values."),
    "json_invalid": lambda ctx: _("Enter a valid JSON."),
    "json_type": lambda ctx: _("Enter a valid JSON."),
    "literal_error": lambda ctx: _(
        "Select a valid choice. That choice is not one of the available choices."
    ),
    "greater_than_equal": lambda ctx: (
        _("Ensure this value is greater than or equal to %(limit_value)s.")
        % {"limit_value": ctx.get("ge")}
    ),
    "less_than_equal": lambda ctx: (
        _("Ensure this value is less than or equal to %(limit_value)s.")
        % {"limit_value": ctx.get("le")}
    ),
    "greater_than": lambda ctx: (
        _("Ensure this value is greater than %(limit_value)s.") % {"limit_value": ctx.get("gt")}
    ),
    "less_than": lambda ctx: (
        _("Ensure this value is less than %(limit_value)s.") % {"limit_value": ctx.get("lt")}
    ),
    "decimal_max_digits": lambda ctx: (
        ngettext(
            "Ensure that there are no more than %(max)s digit in total.",
            "Ensure that there are no more than %(max)s digits in total.",
            int(ctx.get("max_digits", 0)),
        )
        % {"max": ctx.get("max_digits")}
    ),
    "decimal_max_places": lambda ctx: (
        ngettext(
            "Ensure that there are no more than %(max)s decimal place.",
            "Ensure that there are no more than %(max)s decimal places.",
            int(ctx.get("decimal_places", 0)),
        )
        % {"max": ctx.get("decimal_places")}
    ),
    "decimal_whole_digits": lambda ctx: (
        ngettext(
            "Ensure that there are no more than %(max)s digit before the decimal point.",
            "Ensure that there are no more than %(max)s digits before the decimal point.",
            int(ctx.get("whole_digits", 0)),
        )
        % {"max": ctx.get("whole_digits")}
    ),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "bool_type": lambda ctx: _("Enter true or false."),
    "extra_forbidden": lambda ctx: _("Unknown field."),
    "model_attributes_type": lambda ctx: _("Enter a JSON object."),
    "model_type": lambda ctx: _("Enter a JSON object."),
    "dict_type": lambda ctx: _("Enter a JSON object."),
}


def _length(value) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def localized_message(error: dict) -> str:
    """The message of one pydantic error item in the active language."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind in ("string_too_short", "too_short"):
        limit = int(ctx.get("min_length", 0))
        actual = ctx.get("actual_length", _length(error.get("input")))
        return ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": actual}
    if kind in ("string_too_long", "too_long"):
        limit = int(ctx.get("max_length", 0))
        actual = ctx.get("actual_length", _length(error.get("input")))
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": actual}
    message = _SAME_AS_DJANGO.get(kind)
    return str(message(ctx)) if message else str(error.get("msg", ""))


def localized_errors(errors: Iterable[dict]) -> list[dict]:
    """Error items with `msg` in the active language; `input` dropped (it may echo secrets)."""
    items = []
    for error in errors:
        item = {key: value for key, value in error.items() if key not in ("input", "url")}
        item["msg"] = localized_message(error)
        if isinstance(item.get("ctx"), dict):
            item["ctx"] = {
                key: value if isinstance(value, str | int | float | bool | None) else str(value)
                for key, value in item["ctx"].items()
            }
        items.append(item)
    return items


# --- lookups ---------------------------------------------------------------------------------


def get_scoped(queryset: models.QuerySet, **lookup):
    """The object matching `lookup` in an already restricted queryset, or 404."""
    return get_object_or_404(queryset, **lookup)


def resolve(queryset: models.QuerySet, value, field: str, message: str, errors: dict, **lookup):
    """Look up a referenced object by code; record a field error instead of raising."""
    if value is None:
        return None
    obj = queryset.filter(**lookup).first()
    if obj is None:
        errors[field] = message % {"code": value}
    return obj


# --- pagination ------------------------------------------------------------------------------


class Pagination(LimitOffsetPagination):
    """`{"count": N, "items": [...]}` with `limit` (default 50, at most 500) and `offset`."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


# --- filters ---------------------------------------------------------------------------------


def filter_schema(filterset_class: type[django_filters.FilterSet], name: str) -> type[Schema]:
    """A query-parameter schema with exactly the filters of `filterset_class`.

    Choices and orderings become enums in the OpenAPI document; every other filter is a bounded
    string the filterset itself interprets (subtree codes, region prefixes, search text).
    """
    fields = {}
    with translation.override(None):
        for param, flt in filterset_class.base_filters.items():
            description = str(flt.label or param)
            if isinstance(flt, django_filters.OrderingFilter):
                options = [p for key in flt.param_map for p in (key, f"-{key}")]
                annotation = Literal[tuple(options)]
            elif isinstance(flt, django_filters.ChoiceFilter):
                annotation = Literal[tuple(value for value, _label in flt.extra["choices"])]
            elif isinstance(flt, django_filters.BooleanFilter):
                annotation = bool
            else:
                annotation = Annotated[Text, Field(max_length=MAX_QUERY_TEXT)]
            # Not `| None`: an absent parameter is simply not sent, and "null" is no query value.
            fields[param] = (annotation, Field(None, description=description))
    return create_model(name, __base__=Schema, **fields)


def apply_filters(
    filterset_class: type[django_filters.FilterSet],
    filters: Schema,
    queryset: models.QuerySet,
    tiebreak: Iterable[str] = ("pk",),
) -> models.QuerySet:
    """Filter a restricted queryset with the app's filterset; a stable order for pagination."""
    data = {}
    for key, value in filters.model_dump(exclude_none=True).items():
        data[key] = ("true" if value else "false") if isinstance(value, bool) else value
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise NinjaValidationError(
            [
                {"loc": ["query", field], "msg": str(message), "type": "value_error"}
                for field, messages in filterset.errors.items()
                for message in messages
            ]
        )
    qs = filterset.qs
    order = list(qs.query.order_by) or list(qs.model._meta.ordering)
    return qs.order_by(*order, *tiebreak)
