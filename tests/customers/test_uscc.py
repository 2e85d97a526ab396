import pytest
from hypothesis import given
from hypothesis import strategies as st

from gecrm.customers.uscc import ALPHABET, check_character, make_uscc, uscc_error

# The worked example of GB 32100-2015, and codes with a letter authority (N, Y, A) or a division
# code that is no longer current (abolished divisions stay valid for life).
VALID = [
    "91350100M000100Y43",
    make_uscc("N2110100MC0014466"),
    make_uscc("Y1440300MJL000012"),
    make_uscc("A1000000MA0000001"),
    make_uscc("91429004MA4900000"),  # 429004 仙桃 is a province-administered code
    make_uscc("91220000MA0000000"),
]


@pytest.mark.parametrize("code", VALID)
def test_it_accepts_valid_codes(code):
    assert uscc_error(code) is None


def test_reference_check_character():
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", [make_uscc("91350100M000100Y4"), make_uscc("N2110100MC0014466")])
def test_it_catches_every_single_character_corruption(code):
    assert uscc_error(code) is None
    for position in range(18):
        for ch in ALPHABET:
            if ch == code[position]:
                continue
            corrupted = code[:position] + ch + code[position + 1 :]
            assert uscc_error(corrupted) is not None, corrupted


@pytest.mark.parametrize(
    "code",
    ["", "91350100M000100Y4", "91350100M000100Y433", "91350100I000100Y43", "9135010OM00100Y43X"],
)
def test_it_rejects_wrong_length_or_alphabet(code):
    assert uscc_error(code) is not None


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_made_codes_always_validate(body):
    assert uscc_error(make_uscc(body)) is None


@given(st.text(max_size=30))
def test_validator_never_crashes(text):
    assert uscc_error(text) is None or isinstance(uscc_error(text), str)
