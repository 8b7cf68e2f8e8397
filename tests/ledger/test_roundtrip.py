"""Export → import changes nothing: the standard template reads back as the same projects."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from tests import factories
from yinli.companies.uscc import generate_uscc
from yinli.core.models import Region
from yinli.ledger.export import LedgerExport, standard_template
from yinli.ledger.importer import commit_import
from yinli.ledger.models import ExportTemplate
from yinli.projects.models import Project, Stage


@pytest.fixture
def projects(city):
    return [
        factories.project(city, district=city.jingkou, name="京口年产5万吨锂电池项目",
                          total_wan="150000", foreign_investment=Decimal("1200"),
                          first_contact="张三"),
        factories.project(city, district=city.jingkou, name="京口精密光学项目",
                          total_wan="12345.6789", signed_on=datetime.date(2024, 11, 30)),
        factories.project(city, district=city.jingkai, name="经开生物医药研发中心",
                          total_wan="30000", stage=Stage.REGISTERED,
                          company=factories.company(uscc=generate_uscc(random.Random(7)))),
        factories.project(city, district=city.jingkai, name="经开智能装备线索", total_wan=None,
                          stage=Stage.LEAD, signed_on=None),
    ]  # fmt: skip


def snapshot():
    return list(
        Project.objects.order_by("pk").values(
            "pk", "name", "company_id", "district_id", "signing_region_id", "total_investment",
            "foreign_investment", "industry_id", "channel_id", "stage", "first_signed_on",
            "first_contact", "version",
        )
    )  # fmt: skip


def write(tmp_path, city, fmt: str, unit: str, template=None):
    export = LedgerExport(user=city.admin, template=template or standard_template(), unit=unit)
    path = tmp_path / f"台账-{unit}.{fmt}"
    if fmt == "xlsx":
        export.write_xlsx(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(export.csv_lines())
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("unit", ["yi", "wan"])
def test_export_then_import_changes_nothing(city, projects, tmp_path, fmt, unit):
    before = snapshot()
    path = write(tmp_path, city, fmt, unit)
    result = commit_import(path=path, user=city.admin)
    assert result.errors == []
    assert result.counts["create"] == 0 and result.counts["update"] == 0
    assert result.counts["unchanged"] == len(projects)
    assert snapshot() == before
    assert {c.field for c in result.columns} >= {
        "name",
        "company",
        "signing_region",
        "total_investment",
        "foreign_investment",
        "industry",
        "district",
        "signed_on",
        "stage",
        "first_contact",
        "channel",
    }


def test_a_templates_own_headers_are_recognised(city, projects, tmp_path):
    """An administrator's header that no ledger synonym knows still maps to its field."""
    template = ExportTemplate.objects.create(
        name="province",
        title="省重大项目表",
        columns=[
            {"field": "name", "header": "重大项目", "width": None, "unit": ""},
            {"field": "company", "header": "甲方单位", "width": None, "unit": ""},
            {"field": "district", "header": "所在县区", "width": None, "unit": ""},
            {"field": "total_investment", "header": "盘子", "width": None, "unit": ""},
            {"field": "stage", "header": "所处阶段", "width": None, "unit": ""},
        ],
    )
    before = snapshot()
    path = write(tmp_path, city, "xlsx", "wan", template)
    result = commit_import(path=path, user=city.admin)
    assert result.errors == []
    assert {c.header: c.field for c in result.columns} == {
        "重大项目": "name",
        "甲方单位": "company",
        "所在县区": "district",
        "盘子(万元)": "total_investment",
        "所处阶段": "stage",
    }
    assert result.counts["unchanged"] == len(projects) and snapshot() == before


def test_places_and_investors_a_ledger_cannot_tell_apart_are_no_change(city, tmp_path):
    """上海市 the city (310100) reads back as 上海市 the municipality (310000); a project whose
    investor shares its name with an older company record keeps its own investor."""
    shanghai_city = Region.objects.get(code="310100")
    older = factories.company("镇江同名精密科技有限公司")
    same_name = factories.company("镇江同名精密科技有限公司")
    assert older.pk < same_name.pk
    project = factories.project(
        city, district=city.jingkou, name="同名投资方项目", company=same_name
    )
    project.signing_region = shanghai_city
    project.save()
    before = snapshot()
    for fmt in ("xlsx", "csv"):
        result = commit_import(path=write(tmp_path, city, fmt, "yi"), user=city.admin)
        assert result.errors == [] and result.counts["update"] == 0, result.rows
        assert result.counts["unchanged"] == 1
    assert snapshot() == before
    # A ledger that names a really different place is still an update.
    project.signing_region = Region.objects.get(code="440300")
    project.save()
    path = write(tmp_path, city, "csv", "yi")
    project.signing_region = shanghai_city
    project.save()
    assert commit_import(path=path, user=city.admin).counts["update"] == 1
