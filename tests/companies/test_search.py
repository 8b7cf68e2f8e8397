"""Specification of candidate search: which registered companies a name or a credit code may mean."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.utils import timezone, translation

from tests import factories
from yinli.companies.models import Company
from yinli.companies.search import (
    MatchKind,
    looks_like_uscc,
    repair_search_index,
    score_names,
    search_candidates,
)
from yinli.companies.uscc import generate_uscc

pytestmark = pytest.mark.django_db

HENGYUAN = "恒远光电科技（常州）有限公司"


def top(text: str, **kwargs):
    found = search_candidates(text, **kwargs)
    assert found, f"nothing found for {text!r}"
    return found[0]


@pytest.fixture
def registry():
    """A registry with the investor, its near namesakes and unrelated firms."""
    names = [
        HENGYUAN,
        "恒远电子有限公司",
        "恒远新材料科技有限公司",
        "远大光电设备有限公司",
        "华裕光电科技有限公司",
        "镇江市润扬食品有限公司",
        "常州天合储能科技有限公司",
        "苏州博思生物医药有限公司",
    ]
    return {name: factories.company(name) for name in names}


@pytest.mark.parametrize(
    "variant",
    [
        "恒远光电科技(常州)有限公司",  # half-width brackets
        "恒远光电科技【常州】有限公司",
        "江苏恒远光电科技有限公司",  # a leading province
        "江苏省恒远光电科技有限公司",
        "常州市恒远光电科技有限公司",  # with 市
        "常州恒远光电科技有限公司",  # 市 dropped
        "恒远光电科技股份有限公司",  # 股份有限公司 for 有限公司
        "恒远光电科技有限责任公司",
        "恒远光电科技（常州）有限公司   ",  # trailing spaces
        "  恒远光电科技 （常州） 有限公司",
        "恒远光电科技有限公司镇江分公司",  # a branch
        "恒远光电科技",
        "恒远光电",  # the short form people type
    ],
)
def test_a_variant_of_a_name_finds_the_company_first(registry, variant):
    assert top(variant).company_id == registry[HENGYUAN].pk


def test_an_exact_variant_scores_100(registry):
    assert top("江苏恒远光电科技股份有限公司").score == 100


def test_the_short_form_is_a_strong_match(registry):
    assert top("恒远光电").score >= 90


def test_a_near_miss_does_not_take_the_top_place(registry):
    found = search_candidates("恒远光电")
    assert found[0].company_id == registry[HENGYUAN].pk
    other = next(c for c in found if c.company_id == registry["恒远电子有限公司"].pk)
    assert other.score < found[0].score


def test_the_near_miss_itself_wins_when_it_is_meant(registry):
    assert top("恒远电子").company_id == registry["恒远电子有限公司"].pk


def test_a_different_firm_of_the_same_trade_is_no_strong_match(registry):
    found = search_candidates("华裕光电科技有限公司")
    assert found[0].company_id == registry["华裕光电科技有限公司"].pk
    assert all(c.score < 90 for c in found[1:])


def test_candidates_come_best_first_within_the_limit(registry):
    found = search_candidates("恒远光电科技", limit=3)
    assert len(found) == 3
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_scores_are_integers_from_0_to_100(registry):
    for candidate in search_candidates("恒远光电", limit=20):
        assert isinstance(candidate.score, int)
        assert 0 <= candidate.score <= 100


def test_a_name_match_gives_its_similarity_as_the_reason(registry):
    with translation.override("en"):
        candidate = top("恒远光电")
    assert candidate.match == MatchKind.NAME
    assert candidate.reason == f"Name {candidate.score}% similar"


def test_the_reason_reads_in_chinese_by_default(registry):
    candidate = top("恒远光电")
    assert candidate.reason == f"名称相似 {candidate.score}%"


def test_a_credit_code_finds_its_company(registry):
    code = generate_uscc(random.Random(5))
    company = factories.company("润州恒达机械有限公司", uscc=code)
    with translation.override("en"):
        found = search_candidates(code)
    assert [(c.company_id, c.score, c.reason, c.match) for c in found] == [
        (company.pk, 100, "Same credit code", MatchKind.CODE)
    ]


def test_a_credit_code_is_found_as_people_type_it(registry):
    code = generate_uscc(random.Random(6))
    company = factories.company("润州恒达机械有限公司", uscc=code)
    typed = f" {code[:6].lower()} {code[6:12]}-{code[12:]} "
    assert top(typed).company_id == company.pk


def test_the_reason_of_a_code_reads_in_chinese_by_default(registry):
    code = generate_uscc(random.Random(7))
    factories.company("润州恒达机械有限公司", uscc=code)
    assert top(code).reason == "同一信用代码"


def test_an_unknown_credit_code_finds_nothing(registry):
    assert search_candidates(generate_uscc(random.Random(8))) == []


def test_a_code_shaped_text_is_not_searched_as_a_name():
    assert looks_like_uscc("91321100MA1XYZ0000") is None  # Z is no code character
    assert looks_like_uscc("9132110060003734X1") == "9132110060003734X1"
    assert looks_like_uscc("恒远光电") is None


@pytest.mark.parametrize("text", ["恒", "恒远", "光电"])
def test_a_query_of_one_or_two_characters_still_finds_companies(registry, text):
    found = search_candidates(text)
    assert registry[HENGYUAN].pk in {c.company_id for c in found}


def test_pinyin_initials_find_a_company(registry):
    found = search_candidates("hygd")
    assert found[0].company_id == registry[HENGYUAN].pk
    assert found[0].match == MatchKind.INITIALS


def test_pinyin_initials_in_capitals_find_a_company(registry):
    assert top("HYGDKJ").company_id == registry[HENGYUAN].pk


def test_pinyin_initials_inside_a_name_find_it(registry):
    # 天合储能 → "thcn…"; "cnkj" is 储能科技, the middle of it.
    found = search_candidates("hcnkj")
    assert registry["常州天合储能科技有限公司"].pk in {c.company_id for c in found}


def test_the_initials_reason_names_them(registry):
    with translation.override("en"):
        assert top("hygd").reason == "Pinyin initials hygd"


def test_a_soft_deleted_company_is_never_a_candidate(registry):
    company = registry[HENGYUAN]
    Company.all_objects.filter(pk=company.pk).update(deleted_at=timezone.now())
    assert company.pk not in {c.company_id for c in search_candidates("恒远光电科技", limit=50)}


def test_a_merged_company_is_left_out(registry):
    merged = factories.company("恒远光电科技(常州)有限公司")
    merged.merged_into = registry[HENGYUAN]
    merged.save()
    assert merged.pk not in {c.company_id for c in search_candidates("恒远光电科技", limit=50)}


def test_a_merged_company_is_found_when_asked_for(registry):
    merged = factories.company("恒远光电科技(常州)有限公司")
    merged.merged_into = registry[HENGYUAN]
    merged.save()
    found = search_candidates("恒远光电科技", limit=50, exclude_merged=False)
    assert merged.pk in {c.company_id for c in found}


def test_a_merged_company_is_left_out_of_a_code_search():
    code = generate_uscc(random.Random(9))
    kept = factories.company("恒远光电科技有限公司")
    factories.company("恒远光电科技(常州)有限公司", uscc=code, merged_into=kept)
    assert search_candidates(code) == []


def test_a_renamed_company_is_found_by_its_new_name_only(registry):
    company = registry["镇江市润扬食品有限公司"]
    company.name = "镇江金山云计算有限公司"
    company.save()
    assert top("金山云计算").company_id == company.pk
    assert company.pk not in {c.company_id for c in search_candidates("润扬食品")}


def test_a_hard_deleted_company_leaves_the_index(registry):
    company = registry["苏州博思生物医药有限公司"]
    pk = company.pk
    company.delete()
    assert pk not in {c.company_id for c in search_candidates("博思生物医药")}


def test_nothing_near_finds_nothing(registry):
    assert search_candidates("瑞士罗氏制药") == []


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_text_finds_nothing(registry, text):
    assert search_candidates(text) == []


def test_quotes_and_signs_in_a_query_do_no_harm(registry):
    assert top('恒远"光电" OR *科技').company_id == registry[HENGYUAN].pk


def test_the_scorer_ranks_the_short_form_above_a_near_miss():
    assert score_names("恒远光电", "恒远光电科技") > score_names("恒远光电", "恒远电子")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 triggers exist on SQLite")
def test_the_index_is_repaired_when_a_table_rebuild_dropped_its_triggers(registry):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER companies_company_search_insert")
    factories.company("丹阳明辉眼镜有限公司")
    assert repair_search_index(connection) is True
    assert top("明辉眼镜").name == "丹阳明辉眼镜有限公司"
    assert repair_search_index(connection) is False
