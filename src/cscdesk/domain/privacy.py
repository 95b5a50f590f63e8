"""Personal data on screen: masking by default, and resident ID validation.

Masks follow DESIGN.md (and JR/T 0171 practice): mobile ``138****1234``, ID number first 6 +
last 4, bank account last 4, names by their first character. Every mask keeps the length (so
columns line up and a person can still tell numbers apart) and degrades safely on short or odd
input: whatever comes in, at least four characters — or all of a shorter value — stay hidden.

Resident ID checks come from ``python-stdnum`` (``stdnum.cn.ric``: check digit ISO 7064 MOD
11-2, birth date, region code); this module only turns its errors into messages for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from cscdesk.domain.models import Sex

MASK = "*"
MIN_HIDDEN = 4
_SEPARATORS = re.compile(r"[\s\-()（）]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def _mask(value: str | None, head: int, tail: int) -> str:
    """Show at most ``head`` leading and ``tail`` trailing characters, hide the rest.

    When the value is too short for that, the head goes first, then the tail, until at least
    ``MIN_HIDDEN`` characters (or all of a shorter value) are hidden.
    """
    if not value:
        return ""
    size = len(value)
    hidden_needed = min(MIN_HIDDEN, size)
    while size - head - tail < hidden_needed and head > 0:
        head -= 1
    while size - head - tail < hidden_needed and tail > 0:
        tail -= 1
    return value[:head] + MASK * (size - head - tail) + value[size - tail :]


def normalise_mobile(value: str | None) -> str:
    """Drop spaces, dashes, brackets and a +86 / 0086 / 86 country prefix: ``13812341234``."""
    if not value:
        return ""
    digits = _SEPARATORS.sub("", value)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def is_valid_mobile(value: str | None) -> bool:
    """A mainland mobile number (1[3-9] and nine more digits), after normalising."""
    return bool(_MAINLAND_MOBILE.fullmatch(normalise_mobile(value)))


def mask_mobile(value: str | None) -> str:
    """``138****1234``; odd input is masked as it is, never shown whole."""
    if not value:
        return ""
    normal = normalise_mobile(value)
    return _mask(normal if normal.isdigit() else value, 3, 4)


def mask_id_number(value: str | None) -> str:
    """First 6 (region) + asterisks + last 4, same length: ``110105********002X``."""
    if not value:
        return ""
    return _mask(value.strip().upper(), 6, 4)


def mask_bank_account(value: str | None) -> str:
    """Only the last 4 digits: ``***************1234``."""
    if not value:
        return ""
    return _mask(_SEPARATORS.sub("", value), 0, 4)


def mask_name(value: str | None) -> str:
    """Family name only: ``张三丰`` → ``张**``; a one-character name is hidden entirely."""
    if not value or not value.strip():
        return ""
    name = value.strip()
    if len(name) == 1:
        return MASK
    return name[0] + MASK * (len(name) - 1)


class InvalidIdNumber(ValueError):
    """A resident ID number that fails validation; the message says which part is wrong."""


@dataclass(frozen=True, slots=True)
class ResidentId:
    """What a valid 居民身份证号码 tells about its holder."""

    number: str  # compact, upper-case check character
    region_code: str  # 行政区划代码 (first 6 digits)
    birth_date: date
    sex: Sex


def validate_resident_id(number: str | None) -> ResidentId:
    """Check an 18-character resident ID number and read its birth date and sex.

    The 17th digit is the sequence code: odd for men, even for women.
    """
    text = (number or "").strip()
    shown = mask_id_number(text)
    try:
        compact = ric.validate(text)
    except InvalidLength:
        size = len(ric.compact(text)) if text else 0
        raise InvalidIdNumber(
            f"ID number {shown or '(empty)'}: must be 18 characters, got {size}"
        ) from None
    except InvalidFormat:
        raise InvalidIdNumber(
            f"ID number {shown}: the first 17 characters must be digits"
        ) from None
    except InvalidChecksum:
        raise InvalidIdNumber(
            f"ID number {shown}: the check character (last) does not match; is a digit mistyped?"
        ) from None
    except (InvalidComponent, KeyError):
        # stdnum raises KeyError, not InvalidComponent, for a code that names a province or
        # city in its table but no county (110001, 310001): the same mistake to the person
        try:
            ric.get_birth_date(text)
        except InvalidComponent:
            raise InvalidIdNumber(
                f"ID number {shown}: characters 7–14 are not a real birth date (YYYYMMDD)"
            ) from None
        raise InvalidIdNumber(
            f"ID number {shown}: the first 6 digits are not a known region code"
        ) from None
    except ValidationError as error:  # any future stdnum check
        raise InvalidIdNumber(f"ID number {shown}: {error}") from None
    sex = Sex.MALE if int(compact[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(
        number=compact,
        region_code=compact[:6],
        birth_date=ric.get_birth_date(compact),
        sex=sex,
    )


_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# A mobile as people and systems write it: 13812345678, 138 1234 5678, 138-1234-5678, with
# +86 / 86 / 0086 in front (also URL-encoded, %2B86, as a request URL in a debug log has it),
# in full-width digits from a Chinese input method (\d is any Unicode digit).
_MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+|%2[Bb])?86[- ]?|0086[- ]?)?([1１][3-9３-９]\d(?:[- ]?\d{4}){2})(?!\d)"
)


def mask_numbers_in_text(text: str) -> str:
    """Mask resident ID numbers and mainland mobiles wherever they appear in ``text`` (log
    lines, stored vendor payloads)."""
    text = _ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m[1]), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(m[1]), text)
