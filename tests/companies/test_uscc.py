"""Specification of 统一社会信用代码 validation and generation."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from yinli.companies.uscc import (
    ALPHABET,
    REGISTRATION_KINDS,
    generate_uscc,
    is_valid_uscc,
    organisation_check_digit,
    uscc_check_character,
    uscc_region_code,
    validate_uscc,
)

# The example in python-stdnum's documentation of stdnum.cn.uscc.
STDNUM_EXAMPLE = "91110000600037341L"


@pytest.fixture(autouse=True, scope="module")
def _minimal_settings() -> None:
    """Messages go through gettext, which needs settings; run alone (``-p no:django``) the
    project's settings are not loaded, so configure the least that gettext needs."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def error_of(func: Callable[..., Any], *args: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(*args)
    return info.value


def with_char(code: str, position: int, char: str) -> str:
    return code[:position] + char + code[position + 1 :]


def test_the_python_stdnum_example_is_valid() -> None:
    assert validate_uscc(STDNUM_EXAMPLE) == STDNUM_EXAMPLE


@pytest.mark.parametrize(
    "typed",
    [
        "91110000600037341l",
        " 91110000600037341L ",
        "9111 0000 6000 3734 1L",
        "91110000-600037341L",
        "９１１１００００６０００３７３４１Ｌ",
    ],
)
def test_case_width_spaces_and_hyphens_are_tidied(typed: str) -> None:
    assert validate_uscc(typed) == STDNUM_EXAMPLE


def test_an_empty_code_is_refused() -> None:
    assert error_of(validate_uscc, "  ").code == "required"


@pytest.mark.parametrize("code", ["9111000060003734", "91110000600037341L1"])
def test_a_code_of_the_wrong_length_is_refused(code: str) -> None:
    error = error_of(validate_uscc, code)
    assert error.code == "invalid_length"
    assert code in error.messages[0]


@pytest.mark.parametrize("char", ["I", "O", "Z", "S", "V", "*"])
def test_a_character_outside_the_alphabet_is_refused(char: str) -> None:
    code = with_char(STDNUM_EXAMPLE, 12, char)
    error = error_of(validate_uscc, code)
    assert error.code == "invalid_character"
    assert error.params == {"code": code, "char": char}
    assert code in error.messages[0]


def test_a_letter_in_the_region_code_is_refused() -> None:
    code = with_char(STDNUM_EXAMPLE, 4, "A")
    assert error_of(validate_uscc, code).code == "invalid_region"


@pytest.mark.parametrize("prefix", ["94", "9A", "Y2", "B1", "00", "18"])
def test_an_unknown_authority_and_kind_pair_is_refused(prefix: str) -> None:
    code = prefix + STDNUM_EXAMPLE[2:]
    error = error_of(validate_uscc, code)
    assert error.code == "invalid_kind"
    assert error.params == {"code": code, "prefix": prefix}


def test_a_wrong_check_character_is_refused() -> None:
    code = with_char(STDNUM_EXAMPLE, 17, "M")
    error = error_of(validate_uscc, code)
    assert error.code == "invalid_checksum"
    assert code in error.messages[0]


def test_a_wrong_organisation_check_digit_is_refused_even_with_a_right_check_character() -> None:
    # python-stdnum alone accepts this code: its 18th character is recomputed.
    first_17 = STDNUM_EXAMPLE[:16] + "2"
    code = first_17 + uscc_check_character(first_17)
    error = error_of(validate_uscc, code)
    assert error.code == "invalid_organisation_code"
    assert code in error.messages[0]


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("60003734", "1"),  # 3·6+5·3+8·7+4·3+2·4 = 109, 109 mod 11 = 10, 11-10 = 1
        ("00000006", "X"),  # 2·6 = 12, 12 mod 11 = 1, 11-1 = 10 → X
        ("00000000", "0"),  # 0, 11-0 = 11 → 0
        ("MA2YJ1XR", "9"),  # letters count A=10 … Z=35
    ],
)
def test_organisation_check_digit_per_gb_11714(body: str, check: str) -> None:
    assert organisation_check_digit(body) == check


def test_is_valid_uscc() -> None:
    assert is_valid_uscc(STDNUM_EXAMPLE)
    assert not is_valid_uscc(with_char(STDNUM_EXAMPLE, 17, "M"))


def test_region_code_is_characters_3_to_8() -> None:
    assert uscc_region_code(STDNUM_EXAMPLE) == "110000"


def test_region_code_of_an_invalid_code_is_refused() -> None:
    with pytest.raises(ValidationError):
        uscc_region_code("12345")


def test_generated_codes_name_their_region_and_kind() -> None:
    code = generate_uscc(random.Random(1), region="321102", registration="5", kind="2")
    assert (code[:2], uscc_region_code(code)) == ("52", "321102")


def test_generation_is_repeatable_with_a_seed() -> None:
    assert generate_uscc(random.Random(7)) == generate_uscc(random.Random(7))


def test_generation_defaults_to_a_zhenjiang_enterprise() -> None:
    assert generate_uscc(random.Random(7)).startswith("91321100")


@pytest.mark.parametrize(
    "kwargs", [{"region": "32110"}, {"registration": "9", "kind": "4"}, {"registration": "Z"}]
)
def test_generation_refuses_impossible_parts(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        generate_uscc(random.Random(1), **kwargs)


PAIRS = [(authority, kind) for authority, kinds in REGISTRATION_KINDS.items() for kind in kinds]

generated_codes = st.builds(
    lambda seed, pair, region: generate_uscc(
        random.Random(seed), registration=pair[0], kind=pair[1], region=region
    ),
    st.integers(),
    st.sampled_from(PAIRS),
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
)


@given(generated_codes)
def test_every_generated_code_is_valid(code: str) -> None:
    assert validate_uscc(code) == code


@given(code=generated_codes, position=st.integers(0, 17), char=st.sampled_from(ALPHABET))
def test_every_single_character_change_is_caught(code: str, position: int, char: str) -> None:
    # The modulus-31 check with weights 3**i mod 31 catches every substitution among the first
    # 17 characters, and a changed 18th character no longer matches: no exceptions.
    changed = with_char(code, position, char)
    if changed != code:
        assert not is_valid_uscc(changed)


@given(code=generated_codes, position=st.integers(0, 15))
def test_every_swap_of_neighbours_in_the_first_17_is_caught(code: str, position: int) -> None:
    # Neighbouring weights differ by a factor 3, so a swap changes the sum by 2·w·(a-b) ≠ 0
    # mod 31. A swap involving the 18th character is not always caught.
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        assert not is_valid_uscc(swapped)
