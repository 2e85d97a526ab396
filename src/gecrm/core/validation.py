"""Rules on raw text every entry path shares: imports, the API and the web forms.

- **Codes** name records in URL paths (`/api/v1/customers/<code>`), in materialised tree paths
  (`/A/B/`) and in exchange files: no white space, no control characters, none of
  `/ \\ ? # % " '`, and not starting with a dot (`.`/`..` are path segments to a client).
  `CODE_PATTERN` is the rule as a regular expression (the API's path parameters and OpenAPI),
  `code_error` the same rule with a message (imports, API bodies, forms).
- **Control characters** (U+0000–U+001F except tab, line feed and carriage return, and U+007F)
  are refused in any text: PostgreSQL cannot store NUL, and .xlsx cannot hold the others.
- **Numbers** in files: full-width digits and signs (`１２３．４５`, typed with a Chinese input
  method) are read as their ASCII forms (Unicode NFKC); digits of other scripts (Arabic-Indic
  `١٢٣`, …) are refused rather than guessed at.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

CODE_MAX_LENGTH = 64
CODE_PATTERN = r"^[^/\\?#%\"'\s.\x00-\x1f\x7f][^/\\?#%\"'\s\x00-\x1f\x7f]*$"
_CODE = re.compile(CODE_PATTERN)

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same set as bytes (UTF-8 never uses these bytes inside a multi-byte character).
_CONTROL_BYTE_SET = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def has_control_bytes(data: bytes) -> bool:
    """Whether UTF-8 `data` holds a control character (twice as fast as a regex search)."""
    return len(data.translate(None, _CONTROL_BYTE_SET)) != len(data)


def choices_hint(choices_cls) -> str:
    """An enumeration's codes with their Chinese labels, for error messages (imports and API):
    `gov (党政军), fin (金融), …`."""
    with translation.override(None):
        return ", ".join(f"{value} ({label})" for value, label in choices_cls.choices)


def code_error(code: str, max_length: int = CODE_MAX_LENGTH) -> str | None:
    """The message for a code that breaks the rule, or None."""
    if len(code) > max_length:
        return _("At most %(n)d characters.") % {"n": max_length}
    if not _CODE.match(code):
        return str(code_rule_message())
    return None


def code_rule_message() -> str:
    return _(
        "A code may not contain white space, control characters, quotes, a percent sign or any "
        "of / \\ ? #, nor start with a dot."
    )


def validate_code(value: str) -> None:
    """Django validator (web forms) for `code_error`."""
    if error := code_error(value):
        raise ValidationError(error, code="code")


def control_error(text: str) -> str | None:
    """The message for text holding a control character, or None."""
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    return _("Contains the control character U+%(code)04X, which is not allowed.") % {
        "code": ord(found.group())
    }


def strip_controls(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


_FULL_WIDTH = re.compile("[\uff0b-\uff1a\u3000]")


def ascii_number(text: str) -> str:
    """A number's text with full-width digits and signs made ASCII; ValueError (with a user
    message) for digits of any other script."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text) if _FULL_WIDTH.search(text) else text
    if not text.isascii():
        raise ValueError(
            _("Write numbers with the digits 0–9 (full-width digits are accepted too).")
        )
    return text


def escape_controls(text: str) -> str:
    """Text with its control characters shown as `\\x07` (for reports that must not hold them)."""
    if CONTROL_CHARACTERS.search(text) is None:
        return text
    return CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
