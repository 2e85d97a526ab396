"""Personal data (phone numbers, e-mail addresses, ID numbers) and how it is masked.

A user without the `audit.view_personal_data` permission never receives a clear value: pages,
API answers, exports and the change log show `138****1234` and `z***@example.cn`. Users with the
permission see the same masked values by default and reveal the clear ones with an explicit,
logged action (see `gecrm.audit.actions.do_reveal_personal_data`).

A model's personal fields are declared once, in `PERSONAL_FIELDS`; a new field (an ID number of
a contact, say) is one more entry there and reuses the maskers below.
"""

from collections.abc import Callable

MASK = "****"


def mask_phone(value) -> str:
    """`13812341234` → `138****1234`; shorter numbers keep at most their last four digits."""
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) >= 11:
        return f"{text[:3]}{MASK}{text[-4:]}"
    if len(text) >= 8:
        return f"{MASK}{text[-4:]}"
    if len(text) >= 5:
        return f"{MASK}{text[-2:]}"
    return MASK


def mask_email(value) -> str:
    """`zhang@example.cn` → `z***@example.cn`: the first character of the mailbox and the domain."""
    text = str(value or "").strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at:
        return f"{text[:1]}***"
    return f"{local[:1]}***@{domain}"


def mask_id_number(value) -> str:
    """A resident ID (18 characters) keeps its first three and last four: `110***********123X`."""
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) >= 12:
        return f"{text[:3]}{'*' * (len(text) - 7)}{text[-4:]}"
    return mask_phone(text)


MASKERS: dict[str, Callable[[object], str]] = {
    "phone": mask_phone,
    "email": mask_email,
    "id_number": mask_id_number,
}

# model label → {field name: kind of personal data}. Staff phone and e-mail are colleagues' work
# contacts (a hotline agent must reach the account manager), so they are not listed here.
PERSONAL_FIELDS: dict[str, dict[str, str]] = {
    "customers.contact": {"phone": "phone", "email": "email"},
}


def mask_value(kind: str, value) -> str:
    return MASKERS[kind](value)


def personal_fields(model_or_label) -> dict[str, str]:
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower
    return PERSONAL_FIELDS.get(label, {})


def mask_changes(object_type: str, changes: dict) -> dict:
    """A change log entry's `{field: [before, after]}` with personal values masked."""
    fields = PERSONAL_FIELDS.get(object_type)
    if not fields or not changes:
        return changes
    masked = dict(changes)
    for name, kind in fields.items():
        if name not in masked:
            continue
        values = masked[name]
        if isinstance(values, list):
            masked[name] = [None if v is None else mask_value(kind, v) for v in values]
        elif values is not None:
            masked[name] = mask_value(kind, values)
    return masked


PERMISSION = "audit.view_personal_data"


def can_view_personal_data(user) -> bool:
    """Superusers and holders of `audit.view_personal_data` (directly or through a group)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_perm(PERMISSION)
