"""The maskers: the clear value never survives, and the familiar shapes come out."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gecrm.audit.masking import mask_changes, mask_email, mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("clear", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+8613812341234", "+86****1234"),
        ("020-12345678", "020****5678"),
        ("87654321", "****4321"),
        ("12345", "****45"),
        ("110", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_phone_numbers(clear, masked):
    assert mask_phone(clear) == masked


@pytest.mark.parametrize(
    ("clear", "masked"),
    [
        ("zhang@example.cn", "z***@example.cn"),
        ("z@example.cn", "z***@example.cn"),
        ("wang.fang+crm@corp.example.cn", "w***@corp.example.cn"),
        ("no-at-sign", "n***"),
        ("", ""),
    ],
)
def test_it_masks_email_addresses(clear, masked):
    assert mask_email(clear) == masked


def test_it_masks_id_numbers_keeping_length():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert len(mask_id_number("11010519491231002X")) == 18
    assert mask_id_number("") == ""


@given(st.text(alphabet="0123456789+- ", min_size=3, max_size=20))
def test_a_masked_phone_never_contains_the_clear_number(phone):
    phone = phone.strip()
    if len(phone) >= 3:
        assert phone not in mask_phone(phone)


@given(st.emails())
def test_a_masked_email_never_contains_the_clear_address(email):
    # A mailbox of asterisks (`*@a.ae`) is spelled by the mask's own characters: nothing to hide.
    assume(set(email.rpartition("@")[0]) != {"*"})
    assert email not in mask_email(email)


def test_change_log_values_of_contacts_are_masked():
    changes = {"phone": [None, "13812341234"], "email": ["a@b.cn", "zhang@example.cn"]}
    assert mask_changes("customers.contact", changes) == {
        "phone": [None, "138****1234"],
        "email": ["a***@b.cn", "z***@example.cn"],
    }
    # Other models' fields (a colleague's work phone) are not personal data here.
    assert mask_changes("org.staff", {"phone": [None, "13812341234"]}) == {
        "phone": [None, "13812341234"]
    }
