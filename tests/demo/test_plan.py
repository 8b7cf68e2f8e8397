"""The demo plan, in memory: deterministic, and the report's figures hold for any seed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yinli.companies.uscc import generate_uscc, is_valid_uscc
from yinli.core.names import normalize_company_name
from yinli.demo import targets as T
from yinli.demo.naming import Namer, names_a_place, names_a_real_company
from yinli.demo.plan import plan_demo
from yinli.demo.regions import city_of

REF = date(2025, 8, 10)


def digest(plan) -> list[tuple]:
    return [
        (p.name, p.company.name, p.district, p.total, p.signed_on, p.stage, p.fai_on, p.foreign)
        for p in plan.projects
    ]


def counted(plan, start, end):
    return [
        p
        for p in plan.projects
        if p.signed_on
        and start <= p.signed_on <= end
        and p.merged_into is None
        and not p.deleted
        and p.category in ("industrial", "service")
        and ((p.total or 0) >= 10000 or (p.currency == "USD" and (p.foreign or 0) >= 1000))
    ]


@pytest.fixture(scope="module")
def plan():
    return plan_demo(seed=321100, reference_date=REF)


def test_the_same_seed_plans_the_same_city(plan):
    assert digest(plan_demo(seed=321100, reference_date=REF)) == digest(plan)


def test_another_seed_plans_another_city(plan):
    assert digest(plan_demo(seed=7, reference_date=REF)) != digest(plan)


@pytest.mark.parametrize("seed", [1, 2, 2025])
def test_the_figures_hold_for_any_seed(seed):
    plan = plan_demo(seed=seed, reference_date=REF)
    for target in (T.SIGNED_2025_H1, T.SIGNED_2024_H1):
        signed = counted(plan, target.start, target.end)
        assert len(signed) == target.count
        assert sum(p.total for p in signed) == target.total_wan
    signed = counted(plan, T.SIGNED_2025_H1.start, T.SIGNED_2025_H1.end)
    gba = [p for p in signed if p.source.gba]
    assert (len(gba), sum(p.total for p in gba)) == (20, Decimal(1150000))
    foreign = sum(p.total for p in signed if p.ownership in ("foreign", "hmt"))
    assert foreign == T.FOREIGN_2025_H1_WAN
    for (start, end), wanted in [
        ((date(2025, 1, 1), date(2025, 6, 30)), T.IN_STATISTICS_2025_H1_WAN),
        ((date(2024, 1, 1), date(2024, 6, 30)), T.IN_STATISTICS_2024_H1_WAN),
    ]:
        assert (
            sum(
                p.total
                for p in plan.projects
                if p.fai_on and start <= p.fai_on <= end and p.merged_into is None
            )
            == wanted
        )
    zone = [
        p
        for p in plan.projects
        if p.district == "jingkai"
        and p.signed_on
        and date(2025, 1, 1) <= p.signed_on <= REF
        and p.merged_into is None
    ]
    assert sum(1 for p in zone if p.total >= T.BIG_WAN) == 7
    assert sum(1 for p in zone if p.total >= T.HUGE_WAN) == 2
    assert sum(1 for p in zone if p.ownership in ("central_soe", "local_soe")) == 3


def test_a_later_reference_date_keeps_the_half_year_figures():
    plan = plan_demo(seed=321100, reference_date=date(2025, 12, 31))
    signed = counted(plan, T.SIGNED_2025_H1.start, T.SIGNED_2025_H1.end)
    assert (len(signed), sum(p.total for p in signed)) == (267, Decimal(11588000))
    assert max(p.signed_on for p in plan.projects if p.signed_on) > date(2025, 11, 1)


def test_a_reference_date_before_the_half_year_ends_is_refused():
    with pytest.raises(ValueError):
        plan_demo(seed=1, reference_date=date(2025, 5, 1))


def test_shanghai_is_the_top_source_city(plan):
    from collections import Counter

    cities = Counter(
        city_of((p.controller or p.company).region)
        for p in counted(plan, T.FIRST_DAY, REF)
        if p.source.kind != "local"
    )
    assert cities.most_common(1)[0][0] == T.TOP_SOURCE_CITY


def test_amounts_are_long_tailed(plan):
    signed = counted(plan, T.FIRST_DAY, REF)
    amounts = sorted(p.total for p in signed)
    share_under_5 = sum(1 for a in amounts if a < 50000) / len(amounts)
    assert 0.6 < share_under_5 < 0.95
    assert sum(1 for a in amounts if a >= T.HUGE_WAN) >= 2
    assert any(p.total < 10000 for p in plan.projects if p.signed_on)


def test_brands_name_no_place_and_no_real_firm():
    import random

    namer = Namer(random.Random(3))
    for _i in range(300):
        brand = namer.brand()
        assert not names_a_place(brand)
        assert not names_a_real_company(brand)


def test_the_name_checks_catch_real_firms_and_places():
    assert names_a_real_company("华为技术有限公司")
    assert names_a_real_company("镇江贝斯特新材料股份有限公司")
    assert names_a_place("丹阳")
    assert not names_a_real_company("恒远光电科技有限公司")


def test_duplicate_investors_share_a_normalized_name(plan):
    variants = [p for p in plan.projects if p.group == "variant"]
    assert len(variants) >= 5
    originals = {normalize_company_name(c.name) for c in plan.companies if c.uscc}
    for p in variants:
        assert normalize_company_name(p.company.name) in originals


def test_generated_credit_codes_are_valid():
    import random

    rng = random.Random(1)
    assert all(is_valid_uscc(generate_uscc(rng, region="321181")) for _i in range(200))
