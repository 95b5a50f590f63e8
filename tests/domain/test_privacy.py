"""Masking never shows more than its rule; resident IDs are checked by python-stdnum."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cscdesk.domain.models import Sex
from cscdesk.domain.privacy import (
    InvalidIdNumber,
    is_valid_mobile,
    mask_bank_account,
    mask_id_number,
    mask_mobile,
    mask_name,
    normalise_mobile,
    validate_resident_id,
)

# GB 11643 sample number (female, born 1949-12-31, 北京市朝阳区) and one with check character X
SAMPLE_FEMALE = "11010519491231002X"
SAMPLE_MALE = "44030419900307123X"  # 17th digit 3: odd → male


def test_masks_follow_the_house_rules() -> None:
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_mobile("+86 138-1234-1234") == "138****1234"
    assert mask_id_number(SAMPLE_FEMALE) == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"  # old 15-digit number
    assert mask_bank_account("6222 0212 3456 7890 123") == "***************0123"
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "*"


@pytest.mark.parametrize("masker", [mask_mobile, mask_id_number, mask_bank_account, mask_name])
def test_empty_and_missing_values(masker: object) -> None:
    assert masker(None) == ""  # type: ignore[operator]
    assert masker("") == ""  # type: ignore[operator]


def test_country_code_is_dropped_before_masking() -> None:
    assert mask_mobile("8613812341234") == "138****1234"


def test_short_and_odd_input_stays_hidden() -> None:
    assert mask_mobile("12345") == "****5"  # too short for 3 + 4: head dropped first
    assert mask_mobile("1234") == "****"
    assert mask_mobile("abc") == "***"
    assert mask_id_number("12345678") == "****5678"  # head gives way before the tail
    assert mask_bank_account("1234") == "****"


digits = st.text(alphabet="0123456789", min_size=8, max_size=40)


@given(digits)
def test_mobile_mask_keeps_length_and_hides_the_middle(value: str) -> None:
    assume(normalise_mobile(value) == value)  # "86" + 11 digits loses its country code
    masked = mask_mobile(value)
    assert len(masked) == len(value)
    assert masked != value
    assert sum(ch != "*" for ch in masked) <= 7  # at most 3 + 4 shown
    assert masked.count("*") >= 4


@given(digits)
def test_id_mask_never_shows_more_than_six_plus_four(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert value not in masked
    assert sum(ch != "*" for ch in masked) <= 10
    if len(value) >= 14:
        assert masked[:6] == value[:6] and masked[-4:] == value[-4:]


@given(digits)
def test_bank_mask_shows_only_the_last_four(value: str) -> None:
    masked = mask_bank_account(value)
    assert len(masked) == len(value)
    assert masked[-4:] == value[-4:]
    assert set(masked[:-4]) == {"*"}


@given(st.text(min_size=2, max_size=12).filter(lambda s: s.strip() == s and s))
def test_name_mask_keeps_only_the_first_character(value: str) -> None:
    masked = mask_name(value)
    assert len(masked) == len(value)
    assert masked[0] == value[0] and set(masked[1:]) == {"*"}


@pytest.mark.parametrize(
    ("raw", "normal", "valid"),
    [
        ("13812341234", "13812341234", True),
        ("+86 138 1234 1234", "13812341234", True),
        ("0086-19912341234", "19912341234", True),
        ("(138)1234-1234", "13812341234", True),
        ("12812341234", "12812341234", False),  # 12x is not a mobile prefix
        ("1381234123", "1381234123", False),  # 10 digits
        ("010-12345678", "01012345678", False),  # a landline
        (None, "", False),
    ],
)
def test_mobile_normalising_and_validation(raw: str | None, normal: str, valid: bool) -> None:
    assert normalise_mobile(raw) == normal
    assert is_valid_mobile(raw) is valid


def test_resident_id_gives_birth_date_and_sex() -> None:
    female = validate_resident_id(SAMPLE_FEMALE.lower())
    assert female.number == SAMPLE_FEMALE  # compact, upper-case X
    assert female.birth_date == date(1949, 12, 31)
    assert female.sex is Sex.FEMALE
    assert female.region_code == "110105"
    male = validate_resident_id(SAMPLE_MALE)
    assert (male.birth_date, male.sex) == (date(1990, 3, 7), Sex.MALE)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002Y", "check character"),
        ("110105194912310021", "check character"),
        ("1101051949123100", "must be 18 characters, got 16"),
        ("A1010519491231002X", "first 17 characters must be digits"),
        ("110105194913310021", "not a real birth date"),  # month 13, valid check digit
        ("999999194912310025", "not a known region code"),  # valid check digit
        ("11000119900101001X", "not a known region code"),  # a province's code, no county
        (None, "got 0"),
    ],
)
def test_invalid_resident_ids_say_what_is_wrong(number: str | None, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason) as caught:
        validate_resident_id(number)
    if number and len(number) == 18:
        # the message names the number only in masked form (it may end up in a log)
        assert number not in str(caught.value)
        assert mask_id_number(number) in str(caught.value)
