"""The demo enterprise base (yinli.demo.enterprises): invented, valid, deterministic, and loaded
through the enterprise-base import onto the chains."""

from __future__ import annotations

import pytest

from tests import factories
from yinli.chains.models import CompanyNode, CompanyProfile
from yinli.companies.models import Company
from yinli.companies.uscc import is_valid_uscc
from yinli.demo.enterprises import HEADER, SOURCE, build_enterprises, enterprise_rows
from yinli.demo.naming import names_a_real_company

pytestmark = pytest.mark.django_db


def test_the_same_seed_gives_the_same_rows_and_another_seed_others():
    first = list(enterprise_rows(200, seed=5))
    assert first == list(enterprise_rows(200, seed=5))
    assert first != list(enterprise_rows(200, seed=6))


def test_rows_are_invented_valid_and_spread_over_china():
    rows = list(enterprise_rows(800, seed=5))
    assert all(len(row) == len(HEADER) for row in rows)
    names = [row[0] for row in rows]
    assert len(set(names)) == len(names)
    assert not [name for name in names if names_a_real_company(name)]
    codes = [row[1] for row in rows]
    assert len(set(codes)) == len(codes) and all(is_valid_uscc(code) for code in codes)
    provinces = {row[6] for row in rows}
    assert len(provinces) >= 15 and "江苏省" in provinces


def test_names_already_taken_are_not_used_again():
    rows = list(enterprise_rows(50, seed=5))
    again = list(enterprise_rows(50, seed=5, taken={rows[0][0]}))
    assert rows[0][0] not in [row[0] for row in again]


def test_the_base_loads_through_the_import_and_lands_on_the_chains(db):
    admin = factories.build_city().admin
    counts = build_enterprises(seed=5, user=admin, count=600)
    assert counts["enterprise_base"] == 600 == Company.objects.count()
    assert CompanyProfile.objects.filter(source=SOURCE).count() == 600
    placed = CompanyNode.objects.values("company").distinct().count()
    assert placed == counts["enterprise_base_placed"]
    # Seven in ten are written from a chain's keywords; some of the rest land nowhere.
    assert 0.5 * 600 < placed < 0.95 * 600
    chains = set(CompanyNode.objects.values_list("node__chain__name", flat=True))
    assert {"光伏", "动力电池与储能", "生物医药及大健康"} <= chains
