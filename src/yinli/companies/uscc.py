"""统一社会信用代码 (unified social credit code): validation, parts, and codes for the demo.

Structure (GB 32100-2015, 法人和其他组织统一社会信用代码编码规则), 18 characters from
``0-9 A-Z`` without I, O, Z, S, V:

====== =====================================================================
1      registration authority (登记管理部门代码): 9 市场监管 (工商), 5 民政, 1 机构编制 …
2      kind of organisation (机构类别代码) within that authority: 91 企业, 92 个体工商户 …
3–8    the 6-digit administrative-division code (adcode) of the registering authority
9–17   the organisation code (主体标识码/组织机构代码, GB 11714-1997), whose 9th character
       is its own check digit
18     the check character over characters 1–17 (GB 32100, ISO 7064 style, modulus 31)
====== =====================================================================

python-stdnum (``stdnum.cn.uscc``) computes the 18th character; it does not check the embedded
organisation code nor the authority/kind pair, which this module adds.
"""

from __future__ import annotations

import random
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc

__all__ = [
    "ALPHABET",
    "REGISTRATION_AUTHORITIES",
    "REGISTRATION_KINDS",
    "generate_uscc",
    "is_valid_uscc",
    "organisation_check_digit",
    "uscc_check_character",
    "uscc_region_code",
    "validate_uscc",
]

#: The characters a credit code is written in (GB 32100-2015: digits and capitals but I O Z S V).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ALPHABET_SET = frozenset(ALPHABET)

# Registration authorities (登记管理部门) and, for each, its kinds of organisation (机构类别).
# Source: GB 32100-2015 附录A, with the authorities assigned since (A 中央军委改革和编制办公室,
# N 农业); the table as reproduced in zh.wikipedia.org "统一社会信用代码".
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
REGISTRATION_KINDS: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地(大陆)代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}

# GB 11714-1997: weights of the 8 body characters of the organisation code; a letter counts as
# its position in the Latin alphabet plus 9 (A=10 … Z=35); check = 11 - (sum mod 11), with
# 10 written "X" and 11 written "0".
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _character_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def organisation_check_digit(body: str) -> str:
    """The GB 11714-1997 check digit of an 8-character organisation-code body."""
    if len(body) != 8:
        raise ValueError(f"an organisation-code body has 8 characters, not {len(body)}")
    total = sum(_character_value(c) * w for c, w in zip(body, _ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_character(first_17: str) -> str:
    """The 18th character (GB 32100-2015) for the first 17 characters (via python-stdnum)."""
    return stdnum_uscc.calc_check_digit(first_17)


# GB 32100-2015: the weight of each of the first 17 characters is 3**i mod 31.
_CHECK_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CHARACTER_VALUES = {char: value for value, char in enumerate(ALPHABET)}


def _check_character(first_17: str) -> str:
    """:func:`uscc_check_character` for 17 canonical characters of the alphabet, computed here
    (python-stdnum cleans the text first, which costs the ledger import more than the sum):
    tests/ledger/test_import_speed.py checks that the two agree."""
    values = _CHARACTER_VALUES
    total = sum(
        values[char] * weight for char, weight in zip(first_17, _CHECK_WEIGHTS, strict=True)
    )
    return ALPHABET[-total % 31]


def _error(message: str, code: str, shown: str, **params: str) -> ValidationError:
    return ValidationError(message, code=code, params={"code": shown, **params})


def _canonical(code: str) -> str:
    """Half-width, capitals, without the spaces and hyphens people type in long numbers."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", code)).upper()


def validate_uscc(code: str) -> str:
    """Check a credit code and return it in canonical form (18 capitals, no spaces).

    Lower case, full-width characters, spaces and hyphens are accepted and removed. Checked in
    order: length; alphabet; digits in positions 3–8; the authority/kind pair of positions 1–2;
    the 18th check character; the organisation code's check digit (position 17). Raises
    ``ValidationError`` with codes ``required``, ``invalid_length``, ``invalid_character``,
    ``invalid_region``, ``invalid_kind``, ``invalid_checksum`` or ``invalid_organisation_code``;
    the message quotes the code as given.
    """
    if not isinstance(code, str):
        code = str(code)
    shown = code.strip()
    text = _canonical(code)
    if not text:
        raise ValidationError(
            _("The credit code is empty."), code="required", params={"code": shown}
        )
    if len(text) != 18:
        raise _error(
            _('"%(code)s" is not 18 characters long.'),
            "invalid_length",
            shown,
            length=str(len(text)),
        )
    for char in text:
        if char not in _ALPHABET_SET:
            raise _error(
                _('"%(code)s" contains "%(char)s", which a credit code never uses.'),
                "invalid_character",
                shown,
                char=char,
            )
    if not text[2:8].isdigit():
        raise _error(
            _('Characters 3 to 8 of "%(code)s" must be digits: they are the region code.'),
            "invalid_region",
            shown,
        )
    if text[1] not in REGISTRATION_KINDS.get(text[0], {}):
        raise _error(
            _(
                '"%(code)s" begins with "%(prefix)s", which is no registration authority and '
                "kind of organisation that credit codes use."
            ),
            "invalid_kind",
            shown,
            prefix=text[:2],
        )
    if _check_character(text[:17]) != text[17]:
        raise _error(_('The check character of "%(code)s" is wrong.'), "invalid_checksum", shown)
    if organisation_check_digit(text[8:16]) != text[16]:
        raise _error(
            _('The organisation code inside "%(code)s" has a wrong check digit.'),
            "invalid_organisation_code",
            shown,
        )
    return text


def is_valid_uscc(code: str) -> bool:
    """Whether :func:`validate_uscc` accepts the code."""
    try:
        validate_uscc(code)
    except ValidationError:
        return False
    return True


def uscc_region_code(code: str) -> str:
    """The 6-digit adcode of the registering authority (positions 3–8) of a valid code."""
    return validate_uscc(code)[2:8]


def generate_uscc(
    rng: random.Random,
    *,
    region: str = "321100",
    registration: str = "9",
    kind: str = "1",
) -> str:
    """A valid credit code for demo data and tests, both check characters computed.

    The organisation code is either 8 digits (older codes) or "MA" and 6 characters, as market
    regulators have issued since 2015. ``region`` is the adcode (default 321100, 镇江市).
    """
    if not re.fullmatch(r"\d{6}", region):
        raise ValueError(f"region must be a 6-digit adcode, not {region!r}")
    if kind not in REGISTRATION_KINDS.get(registration, {}):
        raise ValueError(f"{registration!r}{kind!r} is not a GB 32100 authority and kind")
    if rng.random() < 0.5:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    else:
        body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    first_17 = registration + kind + region + body + organisation_check_digit(body)
    return first_17 + uscc_check_character(first_17)
