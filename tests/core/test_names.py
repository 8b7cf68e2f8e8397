"""Specification of company-name normalization (the key used to match companies)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yinli.core.names import (
    load_region_names,
    normalize_company_name,
    pinyin_full,
    pinyin_initials,
    split_branch,
)

HENGYUAN = "恒远光电科技"


@pytest.mark.parametrize(
    "name",
    [
        "恒远光电科技（常州）有限公司",
        "恒远光电科技(常州)有限公司",
        "恒远光电科技 (常州) 有限公司 ",
        "恒远光电科技【常州】有限公司",
        "江苏恒远光电科技股份有限公司",
        "恒远光电科技有限公司",
        "常州恒远光电科技有限公司",
        "江苏省常州市恒远光电科技有限责任公司",
        "恒远光电科技有限公司(常州)",
        "恒远·光电科技有限公司",
    ],
)
def test_variants_of_one_firm_meet(name: str) -> None:
    assert normalize_company_name(name) == HENGYUAN


def test_a_near_miss_stays_apart() -> None:
    assert normalize_company_name("恒远电子有限公司") != normalize_company_name(
        "恒远光电科技有限公司"
    )


@pytest.mark.parametrize(
    "name",
    [
        "恒远光电科技股份有限公司",
        "恒远光电科技有限责任公司",
        "恒远光电科技有限公司",
        "恒远光电科技股份公司",
        "恒远光电科技公司",
    ],
)
def test_chinese_legal_forms_are_dropped(name: str) -> None:
    assert normalize_company_name(name) == HENGYUAN


def test_a_partnership_form_is_dropped() -> None:
    assert normalize_company_name("镇江恒远创业投资合伙企业（有限合伙）") == "恒远创业投资"


def test_a_general_partnership_mark_is_dropped() -> None:
    assert normalize_company_name("恒远会计师事务所(普通合伙)") == "恒远会计师事务所"


def test_group_stays_part_of_the_name() -> None:
    assert normalize_company_name("恒远集团有限公司") == "恒远集团"


def test_group_in_brackets_matches_group_without() -> None:
    assert normalize_company_name("恒远（集团）有限公司") == normalize_company_name(
        "恒远集团有限公司"
    )


def test_china_in_brackets_is_dropped() -> None:
    assert normalize_company_name("恒远(中国)投资有限公司") == "恒远投资"


def test_several_leading_regions_are_dropped() -> None:
    assert normalize_company_name("广东省深圳市恒远科技有限公司") == "恒远科技"


@pytest.mark.parametrize(
    ("name", "key"),
    [("北京银行股份有限公司", "北京银行"), ("上海电气有限公司", "上海电气")],
)
def test_a_leading_region_stays_when_too_little_would_remain(name: str, key: str) -> None:
    assert normalize_company_name(name) == key


def test_a_name_that_is_only_a_legal_form_is_kept() -> None:
    assert normalize_company_name("有限公司") == "有限公司"


def test_a_bracketed_region_with_only_a_legal_form_keeps_the_region() -> None:
    assert normalize_company_name("(常州)有限公司") == "常州"


@pytest.mark.parametrize(
    "name",
    [
        "Hengyuan Optoelectronics Technology Co., Ltd.",
        "HENGYUAN OPTOELECTRONICS TECHNOLOGY CO LTD",
        "Hengyuan Optoelectronics Technology Co.,Ltd",
        "Hengyuan Optoelectronics Technology Limited",
        "Ｈｅｎｇｙｕａｎ Optoelectronics Technology Inc.",
        "Hengyuan Optoelectronics Technology Corporation",
        "Hengyuan Optoelectronics Technology Pte. Ltd.",
    ],
)
def test_latin_legal_forms_case_and_width_are_ignored(name: str) -> None:
    assert normalize_company_name(name) == "hengyuanoptoelectronicstechnology"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Siemens AG", "siemens"),
        ("Bosch GmbH", "bosch"),
        ("Tesla LLC", "tesla"),
        ("Nestlé S.A.", "nestlé"),
        ("恒远 Co., Ltd.", "恒远"),
    ],
)
def test_foreign_legal_forms_are_dropped(name: str, key: str) -> None:
    assert normalize_company_name(name) == key


def test_a_latin_word_ending_like_a_legal_form_is_kept() -> None:
    assert normalize_company_name("Pepsico") == "pepsico"


def test_a_branch_normalizes_to_its_parent() -> None:
    branch = "恒远光电科技有限公司镇江分公司"
    assert normalize_company_name(branch) == normalize_company_name("恒远光电科技有限公司")


def test_split_branch_separates_parent_and_branch() -> None:
    assert split_branch("恒远光电科技有限公司镇江分公司") == ("恒远光电科技有限公司", "镇江分公司")


def test_split_branch_of_a_bank_branch() -> None:
    assert split_branch("华信银行股份有限公司镇江分行") == ("华信银行股份有限公司", "镇江分行")


def test_split_branch_reads_full_width_brackets() -> None:
    assert split_branch("恒远光电科技（常州）有限公司镇江分公司") == (
        "恒远光电科技(常州)有限公司",
        "镇江分公司",
    )


def test_split_branch_without_a_legal_form_cuts_before_the_place() -> None:
    assert split_branch("恒远光电科技镇江分公司") == ("恒远光电科技", "镇江分公司")


def test_split_branch_of_a_company_that_is_no_branch() -> None:
    assert split_branch("恒远光电科技有限公司") == ("恒远光电科技有限公司", None)


def test_an_office_on_its_own_is_no_branch() -> None:
    assert split_branch("镇江市驻北京办事处") == ("镇江市驻北京办事处", None)


def test_a_representative_office_of_a_company_is_a_branch() -> None:
    assert split_branch("恒远控股有限公司上海代表处") == ("恒远控股有限公司", "上海代表处")


def test_pinyin_initials_of_the_normalized_name() -> None:
    assert pinyin_initials("江苏恒远光电科技股份有限公司") == "hygdkj"


def test_pinyin_initials_keep_latin_letters_and_digits() -> None:
    assert pinyin_initials("ABC科技有限公司") == "abckj"
    assert pinyin_initials("恒远三六零科技有限公司") == "hysllkj"


def test_pinyin_full_of_the_normalized_name() -> None:
    assert pinyin_full("恒远光电科技有限公司") == "hengyuanguangdiankeji"


# ---------------------------------------------------------------------------
# Region names from the division table
# ---------------------------------------------------------------------------


@pytest.fixture
def regions_csv(tmp_path: Path) -> Path:
    path = tmp_path / "regions_cn.csv"
    path.write_text(
        "code,name,short_name,level\n"
        "321100,镇江市,镇江,city\n"
        "321102,京口区,京口,county\n"
        "130105,新华区,新华,county\n"
        "542500,阿里地区,阿里,city\n",
        encoding="utf-8",
    )
    return path


def test_county_names_from_the_table_are_dropped(regions_csv: Path) -> None:
    regions = load_region_names(regions_csv)
    assert normalize_company_name("京口区恒远光电科技有限公司", regions=regions) == HENGYUAN


def test_county_short_names_are_not_dropped(regions_csv: Path) -> None:
    regions = load_region_names(regions_csv)
    assert normalize_company_name("新华书店有限公司", regions=regions) == "新华书店"


def test_short_names_of_non_city_prefectures_are_not_dropped(regions_csv: Path) -> None:
    regions = load_region_names(regions_csv)
    assert normalize_company_name("阿里巴巴网络技术有限公司", regions=regions) == "阿里巴巴网络技术"


def test_without_the_table_the_built_in_names_still_work(tmp_path: Path) -> None:
    regions = load_region_names(tmp_path / "missing.csv")
    assert normalize_company_name("江苏恒远光电科技股份有限公司", regions=regions) == HENGYUAN


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@given(st.text(max_size=40))
def test_normalizing_twice_changes_nothing(name: str) -> None:
    once = normalize_company_name(name)
    assert normalize_company_name(once) == once


@given(st.text(max_size=40).filter(lambda s: any(c.isalnum() for c in s)))
def test_a_name_with_letters_or_digits_never_normalizes_to_nothing(name: str) -> None:
    assert normalize_company_name(name)


# At least three characters: a leading region is kept when less would remain ("北京银行").
TRADE_NAMES = st.text(alphabet="恒远华信瑞丰光电科技智能新材料", min_size=3, max_size=8)
LEGAL_FORMS = st.sampled_from(["有限公司", "股份有限公司", "有限责任公司", ""])
REGIONS = st.sampled_from(["", "江苏", "江苏省", "镇江", "镇江市", "上海市", "广东省深圳市"])
BRACKETS = st.sampled_from(["()", "（）", "【】", "〔〕", "[]", "{}"])
FULL_WIDTH = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ０１２３４５６７８９",
)


def _with_spaces(text: str, positions: list[int]) -> str:
    chars = list(text)
    for position in sorted(positions, reverse=True):
        chars.insert(position % (len(chars) + 1), " ")
    return "".join(chars)


@given(
    trade=TRADE_NAMES,
    form=LEGAL_FORMS,
    region=REGIONS,
    bracketed_region=st.sampled_from(["", "常州", "中国", "上海"]),
    brackets=BRACKETS,
    spaces=st.lists(st.integers(min_value=0, max_value=60), max_size=5),
)
def test_spelling_variants_normalize_alike(
    trade: str,
    form: str,
    region: str,
    bracketed_region: str,
    brackets: str,
    spaces: list[int],
) -> None:
    inner = f"{brackets[0]}{bracketed_region}{brackets[1]}" if bracketed_region else ""
    variant = _with_spaces(f"{region}{trade}{inner}{form}", spaces)
    assert normalize_company_name(variant) == normalize_company_name(f"{trade}有限公司")


@given(trade=TRADE_NAMES, code=st.text(alphabet="ABC0123", min_size=1, max_size=4))
def test_full_width_and_case_do_not_matter(trade: str, code: str) -> None:
    name = f"{code}{trade}有限公司"
    assert normalize_company_name(name.translate(FULL_WIDTH)) == normalize_company_name(
        name.lower()
    )


def _by_passes_alone(name: str) -> str:
    """normalize_company_name without its shortcut (_is_reduced): pass after pass."""
    from yinli.core.names import _clean, _default_region_names, _one_pass

    regions = _default_region_names()
    text = name
    for _ in range(20):
        reduced = _one_pass(text, regions)
        if reduced == text:
            break
        text = reduced
    return text or _clean(name)


NAME_PARTS = st.sampled_from(
    ["恒远", "光电", "年产", "万件", "项目", "江苏", "镇江市", "上海", "有限公司", "股份有限公司",
     "公司", "分公司", "办事处", "集团", "(", ")", "（常州）", " ", "·", "Co.", "Ltd", "ＡＢ",
     "ab", "7", "２", "Ⅻ", "ｶ", "e\u0301", "İ", "K"]
)  # fmt: skip


@given(st.lists(NAME_PARTS, max_size=8).map("".join) | st.text(max_size=30))
def test_the_shortcut_gives_what_the_passes_give(name: str) -> None:
    assert normalize_company_name(name) == _by_passes_alone(name)


def test_the_clean_name_shortcut_gives_the_keys_of_the_full_clean_up(db, monkeypatch):
    """A name already clean skips the clean-up of each pass (names._is_clean): for generated
    company names and variants of them (brackets, full-width letters, Latin forms, spaces,
    branches, upper case) the keys are those of the full clean-up."""
    from yinli.core import names
    from yinli.demo.enterprises import enterprise_rows

    generated = [row[0] for row in enterprise_rows(2000, seed=11)]
    variants = []
    for name in generated[:300]:
        variants += [
            name.replace("有限公司", "（有限公司）"),
            "Ａ" + name,
            name + "镇江分公司",
            " " + name,
            name.replace("科技", "科技(上海)"),
            "上海" + name + "北京分公司",
            name + " Co., Ltd.",
            "ABC" + name,
        ]
    every = generated + variants
    quick = [normalize_company_name(name) for name in every]
    monkeypatch.setattr(names, "_is_clean", lambda text: False)
    assert [normalize_company_name(name) for name in every] == quick
