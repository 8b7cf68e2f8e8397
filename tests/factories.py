"""Test data built by hand: a small city with the personas of DESIGN.md."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yinli.companies.models import Company
from yinli.core.models import OrgKind, OrgUnit, Region, Role, User
from yinli.fieldwork.models import Channel
from yinli.projects.models import Agreement, Category, Industry, Project, Stage, StageChange

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def unit(code: str, name: str, kind: str, parent: OrgUnit | None = None, region: str | None = None):
    return OrgUnit.objects.create(
        code=code,
        name=name,
        short_name=name,
        kind=kind,
        parent=parent,
        region=Region.objects.filter(code=region).first() if region else None,
    )


def user(username: str, role: str, org_unit: OrgUnit | None, **extra) -> User:
    person = User.objects.create_user(
        username=username, password=PASSWORD, role=role, org_unit=org_unit, **extra
    )
    return person


@dataclass
class City:
    city: OrgUnit
    jingkou: OrgUnit
    jingkai: OrgUnit
    bureau: OrgUnit
    team: OrgUnit
    office: OrgUnit
    admin: User
    analyst: User
    jingkou_editor: User
    jingkai_editor: User
    team_member: User
    outsider: User
    industry: Industry
    channel: Channel


def build_city() -> City:
    city = unit("city", "镇江市", OrgKind.CITY, region="321100")
    jingkou = unit("jingkou", "京口区", OrgKind.DISTRICT, city, region="321102")
    jingkai = unit("jingkai", "镇江经开区", OrgKind.DISTRICT, city, region="321100")
    runzhou = unit("runzhou", "润州区", OrgKind.DISTRICT, city, region="321111")
    bureau = unit("jingkai-bio", "生物医药及大健康产业招商局", OrgKind.BUREAU, jingkai)
    team = unit("jingkai-bio-1", "生物医药第一产业组", OrgKind.TEAM, bureau)
    office = unit("beijing-office", "央企(北京)招商代表处", OrgKind.OFFICE, city)
    industry = Industry.objects.create(name="生物医药及大健康", category=Category.INDUSTRIAL)
    return City(
        city=city,
        jingkou=jingkou,
        jingkai=jingkai,
        bureau=bureau,
        team=team,
        office=office,
        admin=user("cityadmin", Role.CITY_ADMIN, city),
        analyst=user("cityanalyst", Role.CITY_ANALYST, city),
        jingkou_editor=user("jk_editor", Role.DISTRICT_EDITOR, jingkou),
        jingkai_editor=user("jkq_editor", Role.DISTRICT_EDITOR, jingkai),
        team_member=user("bio_team", Role.TEAM_MEMBER, team),
        outsider=user("runzhou_viewer", Role.VIEWER, runzhou),
        industry=industry,
        channel=Channel.objects.get(code="business"),
    )


def company(name: str | None = None, region: str = "310115", **extra) -> Company:
    n = next(_seq)
    return Company.objects.create(
        name=name or f"测试新材料科技{n}有限公司",
        region=Region.objects.get(code=region),
        **extra,
    )


def project(
    city: City,
    *,
    district: OrgUnit | None = None,
    name: str | None = None,
    stage: str = Stage.SIGNED,
    signed_on: date | None = date(2025, 3, 12),
    total_wan: str | None = "15000",
    **extra,
) -> Project:
    """A project written straight to the database (bypassing services), with its stage log."""
    n = next(_seq)
    district = district or city.jingkai
    investor = extra.pop("company", None) or company()
    signed = stage not in (Stage.LEAD, Stage.NEGOTIATING)
    record = Project.objects.create(
        name=name or f"年产{n}万吨新材料项目",
        company=investor,
        signing_region=investor.region,
        district=district,
        responsible_unit=extra.pop("responsible_unit", district),
        industry=city.industry,
        channel=city.channel,
        stage=stage,
        stage_on=signed_on,
        agreement=Agreement.FORMAL if signed else "",
        first_signed_on=signed_on if signed else None,
        total_investment=Decimal(total_wan) if total_wan is not None else None,
        category=extra.pop("category", Category.INDUSTRIAL),
        **extra,
    )
    StageChange.objects.create(project=record, stage=stage, on=signed_on or date(2025, 1, 1))
    return record
