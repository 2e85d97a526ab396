"""Unified social credit code (统一社会信用代码) validation, GB 32100-2015.

18 characters from the 31-symbol alphabet below. Positions 1–17 carry weights 3^(i-1) mod 31;
the check character is the symbol of value (31 − Σ(value × weight) mod 31) mod 31. The
registration-authority letter (1st) and the division code (3rd–8th) are not checked against
current tables on purpose: codes issued under abolished divisions stay valid for life.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """Why `code` is not a valid USCC, or None if it is valid."""
    if len(code) != 18:
        return str(_("must be 18 characters, not %(n)d") % {"n": len(code)})
    bad = sorted({ch for ch in code if ch not in VALUES})
    if bad:
        return str(
            _("contains characters not allowed in a USCC: %(chars)s") % {"chars": "".join(bad)}
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return str(
            _("check character is %(got)s but should be %(expected)s")
            % {"got": code[17], "expected": expected}
        )
    return None


def normalize_uscc(raw: str) -> str:
    return raw.strip().upper()


def validate_uscc(value: str) -> None:
    error = uscc_error(value)
    if error:
        raise ValidationError(
            _("Invalid unified social credit code: %(reason)s"),
            params={"reason": error},
            code="uscc",
        )


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (for tests and demo data)."""
    return first17 + check_character(first17)
