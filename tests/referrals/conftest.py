"""Referral test data on the personas' city: a Beijing-office member, industries, district
profiles and a lead logged by the office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from tests import factories
from yinli.core.models import Role
from yinli.projects.models import Category, Industry, Stage
from yinli.referrals.models import DistrictProfile


@dataclass
class Referrals:
    office_user: object
    energy: Industry
    lead: object


def profile(district, *, industries=(), land=None, price=None, notes=""):
    record = DistrictProfile.objects.create(
        district=district,
        land_available_mu=None if land is None else Decimal(land),
        land_price_wan_per_mu=None if price is None else Decimal(price),
        notes=notes,
    )
    record.industries.set(industries)
    return record


def lead(city, office, **extra):
    """A lead the Beijing office logged (filed under 经开区 for now, the office responsible)."""
    extra.setdefault("district", city.jingkai)
    extra.setdefault("land_mu", Decimal("80"))
    industry = extra.pop("industry", city.industry)
    record = factories.project(
        city,
        stage=Stage.LEAD,
        signed_on=date(2025, 6, 2),
        responsible_unit=office,
        **extra,
    )
    if industry != record.industry:
        record.industry = industry
        record.save()
    return record


@pytest.fixture
def ref(city):
    """京口: 新能源, 500亩; 经开区: 生物医药, 100亩 at 30万元/亩; 润州: 生物医药, 20亩.
    Past 生物医药 projects: 经开区 two (one signed), 润州 one lead."""
    office_user = factories.user("bj_office", Role.TEAM_MEMBER, city.office)
    energy = Industry.objects.create(name="新能源及新型电力装备", category=Category.INDUSTRIAL)
    runzhou = city.outsider.org_unit
    profile(city.jingkou, industries=[energy], land="500", price="32")
    profile(city.jingkai, industries=[city.industry], land="100", price="30")
    profile(runzhou, industries=[city.industry], land="20")
    factories.project(city, district=city.jingkai)
    factories.project(city, district=city.jingkai, stage=Stage.LEAD, signed_on=None)
    factories.project(city, district=runzhou, stage=Stage.LEAD, signed_on=None)
    return Referrals(
        office_user=office_user,
        energy=energy,
        lead=lead(city, city.office, name="创新药研发及产业化基地项目"),
    )
