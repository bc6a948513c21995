"""GB 32100-2015 unified social credit codes and GB 11643 ID numbers: check characters hold for every input."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.errors import DomainError
from ggzy.registry.credit_code import (
    ALPHABET,
    credit_code_make,
    credit_code_normalize,
    credit_code_parts,
    credit_code_validate,
)
from ggzy.registry.personal_id import id_number_make, id_number_validate

prefixes = st.text(alphabet=ALPHABET, min_size=17, max_size=17)
# Any character a person might type instead: the 31 allowed ones, the five left out, lower case, others.
replacements = st.sampled_from(ALPHABET + "IOSVZ" + "abcxyz" + "-* 中")


def test_published_example_is_valid():
    # given the example code printed in explanations of GB 32100-2015
    code = "91350100M000100Y43"
    # when it is checked and split
    parts = credit_code_parts(code)
    # then it is valid and its parts are where the standard puts them
    assert credit_code_validate(code) == code
    assert (parts.registration_authority, parts.entity_type, parts.region_code, parts.organisation_code) == (
        "9", "1", "350100", "M000100Y4")


@pytest.mark.parametrize(("code", "message"), [
    pytest.param("91350100M000100Y4", "统一社会信用代码应为18位（当前为17位）", id="too-short"),
    pytest.param("91350100M000100Y431", "统一社会信用代码应为18位（当前为19位）", id="too-long"),
    pytest.param("", "统一社会信用代码应为18位（当前为0位）", id="empty"),
    pytest.param("91350100M0001O0Y43", "统一社会信用代码第14位含非法字符“O”", id="letter-O"),
    pytest.param("91350100m000100Y43", "统一社会信用代码第9位含非法字符“m”", id="lower-case"),
    pytest.param("91350100M000100Y44", "统一社会信用代码校验位错误", id="wrong-check"),
])
def test_bad_codes_are_refused_with_their_reason(code, message):
    # when a bad code is checked
    with pytest.raises(DomainError) as refused:
        credit_code_validate(code)
    # then the message says what is wrong, under the field's name
    assert refused.value.errors == {"credit_code": [message]}


def test_normalize_trims_and_capitalises():
    assert credit_code_normalize("  91350100m000100y43 ") == "91350100M000100Y43"


def test_make_refuses_characters_outside_the_alphabet():
    with pytest.raises(ValueError):
        credit_code_make("91350100I00010000")


@given(prefixes)
def test_every_made_code_validates(prefix):
    # given any 17 characters of the alphabet, when the check character is appended, then the code is valid
    code = credit_code_make(prefix)
    assert credit_code_validate(code) == code


@given(prefixes, st.integers(min_value=0, max_value=17), replacements)
def test_any_single_character_change_is_refused(prefix, position, replacement):
    # given a valid code and one position changed to a different character
    code = credit_code_make(prefix)
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    changed = code[:position] + replacement + code[position + 1:]
    # then the changed code is refused (31 is prime and no weight is a multiple of it)
    with pytest.raises(DomainError):
        credit_code_validate(changed)


def test_published_id_number_example_is_valid():
    assert id_number_validate("11010519491231002X") == "11010519491231002X"


@pytest.mark.parametrize(("number", "message"), [
    pytest.param("1101051949123100", "身份证号码应为18位（当前为16位）", id="short"),
    pytest.param("11010519491231002Y", "身份证号码格式不正确（前17位应为数字，末位为数字或X）", id="bad-last"),
    pytest.param("110105194913310021", "身份证号码中的出生日期无效", id="month-13"),
    pytest.param("110105194912310021", "身份证号码校验位错误", id="wrong-check"),
])
def test_bad_id_numbers_are_refused(number, message):
    with pytest.raises(DomainError) as refused:
        id_number_validate(number)
    assert refused.value.errors == {"id_number": [message]}


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)), st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=17),
       st.sampled_from("0123456789X"))
def test_made_id_numbers_validate_and_one_changed_digit_is_refused(born, serial, position, replacement):
    # given a made ID number born on any date from 1900
    number = id_number_make(f"370102{born:%Y%m%d}{serial:03d}")
    assert id_number_validate(number) == number
    # when one character changes, then it is refused (birth date or check character no longer fit)
    if number[position] == replacement:
        return
    with pytest.raises(DomainError):
        id_number_validate(number[:position] + replacement + number[position + 1:])
