"""The fast parsers of the customer hot path agree with the careful ones."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gecrm.core.importing import coordinate_text, parse_decimal
from gecrm.customers.importers import uscc_valid
from gecrm.customers.uscc import ALPHABET, make_uscc, uscc_error

symbols = st.text(alphabet=ALPHABET + "IOSVZa-", min_size=16, max_size=19)


@given(symbols)
def test_uscc_valid_agrees_with_uscc_error(code):
    assert uscc_valid(code) == (uscc_error(code) is None)


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_every_completed_code_is_valid(first17):
    assert uscc_valid(make_uscc(first17))


def careful(raw, low, high):
    return f"{parse_decimal(raw, 6, low, high):.6f}"


@given(st.decimals(min_value=-180, max_value=180, places=7, allow_nan=False))
def test_coordinate_text_agrees_with_parse_decimal(value):
    raw = str(value)
    assert coordinate_text(raw, -180, 180) == careful(raw, -180, 180)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("22.5", "22.500000"),
        ("-0.5", "-0.500000"),
        ("-0", "0.000000"),
        ("0.0000001", "0.000000"),
        ("-0.0000001", "0.000000"),
        ("022.5", "22.500000"),
        ("1e1", "10.000000"),
        ("22,5", "22.500000"),
        ("114.0579005", "114.057901"),
    ],
)
def test_coordinate_text_canonical_forms(raw, expected):
    assert coordinate_text(raw, -180, 180) == expected


@pytest.mark.parametrize("raw", ["abc", "", "nan", "inf", "181", "-180.0000001"])
def test_coordinate_text_rejects_bad_values(raw):
    with pytest.raises(ValueError):
        coordinate_text(raw, -180, 180)
