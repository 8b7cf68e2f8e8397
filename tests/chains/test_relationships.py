"""Company relationships: by hand, from a sheet (all or nothing), on the company and node pages."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from tests import factories
from yinli.chains import relationships
from yinli.chains.models import CompanyNode, Relationship
from yinli.core.services import PermissionDeniedError

pytestmark = pytest.mark.django_db

LOCAL = "321102"


@pytest.fixture
def firms(db):
    return {
        "local": factories.company("镇江本地储能有限公司", region=LOCAL, uscc="91321100MA1XYZ0011"),
        "shanghai": factories.company("上海电芯科技有限公司", region="310115"),
        "suzhou": factories.company("苏州隔膜材料有限公司", region="320505"),
    }


def write_xlsx(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_a_relationship_is_recorded_by_hand(city, firms):
    rel = relationships.relationship_create(
        company=firms["shanghai"],
        other=firms["local"],
        kind="supplier",
        by=city.team_member,
        started_on=date(2023, 1, 1),
    )
    assert rel.version == 1 and rel.created_by == city.team_member
    assert relationships.describe(rel) == "上海电芯科技有限公司 是 镇江本地储能有限公司 的供应商"
    assert rel.history.count() == 1


def test_a_company_is_not_related_to_itself(city, firms):
    with pytest.raises(ValidationError, match="自身"):
        relationships.relationship_create(
            company=firms["local"], other=firms["local"], kind="partner", by=city.admin
        )


def test_the_same_relationship_is_not_recorded_twice(city, firms):
    relationships.relationship_create(
        company=firms["shanghai"], other=firms["local"], kind="customer", by=city.admin
    )
    with pytest.raises(ValidationError, match="已登记"):
        relationships.relationship_create(
            company=firms["shanghai"], other=firms["local"], kind="customer", by=city.admin
        )


def test_an_outsider_records_no_relationship(city, firms):
    with pytest.raises(PermissionDeniedError):
        relationships.relationship_create(
            company=firms["shanghai"], other=firms["local"], kind="partner", by=city.outsider
        )


def test_a_sheet_is_imported_by_name_or_credit_code(city, firms, tmp_path):
    path = write_xlsx(
        tmp_path / "关系.xlsx",
        [
            ["企业关系表"],
            ["企业A", "企业B", "关系", "开始日期", "备注"],
            ["上海电芯科技有限公司", "91321100MA1XYZ0011", "供应商", "2022-05-01", "电芯供货"],
            ["苏州隔膜材料有限公司", "上海电芯科技有限公司", "股东", None, None],
            ["镇江本地储能有限公司", "苏州隔膜材料有限公司", "合作", None, None],
        ],
    )
    result = relationships.relationships_import(path=path, by=city.admin)
    assert (result.rows, result.created, result.skipped) == (3, 3, 0)
    supply = Relationship.objects.get(kind="supplier")
    assert supply.company == firms["shanghai"] and supply.other == firms["local"]
    assert supply.started_on == date(2022, 5, 1) and supply.note == "电芯供货"
    assert supply.source == "sheet"
    assert Relationship.objects.get(kind="shareholder").other == firms["shanghai"]


def test_an_import_is_all_or_nothing_and_names_row_column_and_value(city, firms, tmp_path):
    path = write_csv(
        tmp_path / "关系.csv",
        [
            ["企业A", "企业B", "关系", "开始日期"],
            ["上海电芯科技有限公司", "镇江本地储能有限公司", "供应商", "2022-05-01"],
            ["查无此司有限公司", "镇江本地储能有限公司", "客户", ""],
            ["上海电芯科技有限公司", "苏州隔膜材料有限公司", "亲戚", "明年"],
        ],
    )
    with pytest.raises(ValidationError) as caught:
        relationships.relationships_import(path=path, by=city.admin)
    messages = caught.value.messages
    assert any("第 3 行 A 列（企业A）" in m and "查无此司有限公司" in m for m in messages)
    assert any("第 4 行 C 列（关系）" in m and "亲戚" in m for m in messages)
    assert any("第 4 行 D 列（开始日期）" in m and "明年" in m for m in messages)
    assert not Relationship.objects.exists()


def test_a_pair_already_recorded_is_skipped(city, firms, tmp_path):
    Relationship.objects.create(company=firms["shanghai"], other=firms["local"], kind="supplier")
    path = write_csv(
        tmp_path / "关系.csv",
        [
            ["企业A", "企业B", "关系"],
            ["上海电芯科技有限公司", "镇江本地储能有限公司", "供应商"],
            ["上海电芯科技有限公司", "镇江本地储能有限公司", "客户"],
            ["上海电芯科技有限公司", "镇江本地储能有限公司", "客户"],
        ],
    )
    result = relationships.relationships_import(path=path, by=city.admin)
    assert (result.created, result.skipped) == (1, 2)
    assert Relationship.objects.count() == 2


def test_a_sheet_without_the_columns_is_refused(city, firms, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["公司", "对方"], ["上海电芯科技有限公司", "甲"]])
    with pytest.raises(ValidationError, match="企业A"):
        relationships.relationships_import(path=path, by=city.admin)


def test_a_merged_company_stands_for_the_one_it_was_merged_into(city, firms, tmp_path):
    old = factories.company("上海电芯科技（旧）有限公司", region="310115")
    old.merged_into = firms["shanghai"]
    old.save()
    path = write_csv(
        tmp_path / "关系.csv",
        [
            ["企业A", "企业B", "关系"],
            ["上海电芯科技（旧）有限公司", "镇江本地储能有限公司", "客户"],
        ],
    )
    relationships.relationships_import(path=path, by=city.admin)
    assert Relationship.objects.get().company == firms["shanghai"]


# --- pages ------------------------------------------------------------------------------


def test_the_company_page_shows_its_relationships(city, firms, as_user):
    Relationship.objects.create(company=firms["shanghai"], other=firms["local"], kind="supplier")
    page = as_user(city.outsider).get(reverse("companies:detail", args=[firms["local"].pk]))
    text = page.content.decode()
    assert "上海电芯科技有限公司 是 镇江本地储能有限公司 的供应商" in text
    assert "登记关系" not in text  # an outsider reads, does not enter


def test_a_relationship_is_entered_on_the_company_page(city, firms, as_user):
    client = as_user(city.team_member)
    url = reverse("companies:detail", args=[firms["local"].pk])
    response = client.post(
        reverse("chains:relationship_create"),
        {
            "company": firms["local"].uscc,
            "kind": "customer",
            "other": "苏州隔膜材料有限公司",
            "next": url,
        },
    )
    assert response.status_code == 302 and response.url == url
    rel = Relationship.objects.get()
    assert (rel.company, rel.other, rel.kind) == (firms["local"], firms["suzhou"], "customer")


def test_an_unknown_company_on_the_form_gets_a_chinese_error(city, firms, as_user):
    client = as_user(city.team_member)
    response = client.post(
        reverse("chains:relationship_create"),
        {"company": "不存在有限公司", "kind": "customer", "other": "苏州隔膜材料有限公司"},
        follow=True,
    )
    assert "企业库中没有该名称的企业" in response.content.decode()
    assert not Relationship.objects.exists()


def test_the_import_page_lists_every_error(city, firms, as_user, tmp_path):
    path = write_csv(
        tmp_path / "关系.csv",
        [["企业A", "企业B", "关系"], ["查无此司有限公司", "镇江本地储能有限公司", "客户"]],
    )
    with open(path, "rb") as handle:
        response = as_user(city.admin).post(reverse("chains:relationship_import"), {"file": handle})
    assert response.status_code == 400
    assert "第 2 行 A 列（企业A）" in response.content.decode()


def test_the_node_page_lists_the_partners_elsewhere_of_local_companies(
    city, firms, test_chain, as_user
):
    CompanyNode.objects.create(company=firms["local"], node=test_chain.cells, score=1)
    Relationship.objects.create(company=firms["shanghai"], other=firms["local"], kind="supplier")
    Relationship.objects.create(company=firms["suzhou"], other=firms["shanghai"], kind="partner")
    partners = relationships.node_partners_elsewhere(node=test_chain.cells)
    assert [(p["local"], p["partner"]) for p in partners] == [(firms["local"], firms["shanghai"])]
    page = as_user(city.analyst).get(reverse("chains:node", args=[test_chain.cells.pk]))
    assert "上海电芯科技有限公司" in page.content.decode()
    assert relationships.node_partners_elsewhere(node=test_chain.pcs) == []
