"""The company pages: a shared registry, but a company's projects only as far as the reader may see."""

import random
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from yinli.companies import services
from yinli.companies.models import Company, Ownership
from yinli.companies.uscc import generate_uscc


@pytest.fixture
def investor(city):
    return factories.company(
        "华为技术测试有限公司",
        region="440305",
        uscc=generate_uscc(random.Random(3), region="440300"),
        ownership=Ownership.PRIVATE,
    )


def url(name, company=None, **params):
    path = reverse(f"companies:{name}", args=[company.pk] if company is not None else [])
    if params:
        from urllib.parse import urlencode

        path += "?" + urlencode(params, doseq=True)
    return path


def form_data(company, **changes):
    data = {
        "name": company.name,
        "uscc": company.uscc or "",
        "ownership": company.ownership,
        "region": company.region.code if company.region_id else "",
        "address": company.address,
        "parent_name": "",
        "legal_representative": "",
        "registered_capital": "",
        "established_on": "",
        "registration_status": "",
        "industry_code": "",
        "insured_staff": "",
        "business_scope": "",
        "notes": "",
        "version": company.version,
    }
    data.update(changes)
    return data


def test_every_signed_in_user_reads_the_registry(city, as_user, investor):
    response = as_user(city.outsider).get(url("list"))
    assert investor.name in response.content.decode()


@pytest.mark.parametrize("text", ["华为技术", "hwjs", "华为技术测试"])
def test_the_registry_is_searched_by_name_and_pinyin_initials(city, as_user, investor, text):
    factories.company("宁德时代测试新能源有限公司", region="350900")
    response = as_user(city.jingkou_editor).get(url("list", q=text))
    body = response.content.decode()
    assert investor.name in body
    assert "宁德时代测试新能源有限公司" not in body


def test_the_registry_is_searched_by_credit_code(city, as_user, investor):
    response = as_user(city.jingkou_editor).get(url("list", q=investor.uscc.lower()))
    assert investor.name in response.content.decode()


def test_the_registry_filters_by_ownership_and_region(city, as_user, investor):
    soe = factories.company(
        "中国测试建筑集团有限公司", region="110105", ownership=Ownership.CENTRAL_SOE
    )
    client = as_user(city.jingkou_editor)
    body = client.get(url("list", ownership=Ownership.CENTRAL_SOE)).content.decode()
    assert soe.name in body and investor.name not in body
    body = client.get(url("list", region="深圳")).content.decode()
    assert investor.name in body and soe.name not in body


def test_a_company_page_shows_only_the_projects_the_reader_may_see(city, as_user, investor):
    own = factories.project(city, district=city.jingkou, company=investor, name="京口研发中心项目")
    factories.project(city, district=city.jingkai, company=investor, name="经开区生产基地项目")
    response = as_user(city.jingkou_editor).get(url("detail", investor))
    body = response.content.decode()
    assert own.name in body
    assert "经开区生产基地项目" not in body
    assert response.context["hidden_count"] == 1
    assert 'id="hidden-projects"' in body


def test_the_analyst_sees_every_project_of_a_company(city, as_user, investor):
    factories.project(city, district=city.jingkou, company=investor)
    factories.project(city, district=city.jingkai, company=investor)
    response = as_user(city.analyst).get(url("detail", investor))
    assert response.context["hidden_count"] == 0
    assert len(response.context["projects"]) == 2


def test_it_refuses_to_let_another_district_edit_a_company_with_projects_there(
    city, as_user, investor
):
    factories.project(city, district=city.jingkai, company=investor)
    client = as_user(city.jingkou_editor)
    assert client.get(url("edit", investor)).status_code == 403
    response = client.post(url("edit", investor), form_data(investor, address="京口路1号"))
    assert response.status_code == 403
    investor.refresh_from_db()
    assert investor.address == ""


def test_the_analyst_may_not_edit_a_company(city, as_user, investor):
    assert as_user(city.analyst).get(url("edit", investor)).status_code == 403


def test_an_edit_writes_a_history_record_by_the_editor(city, as_user, investor):
    factories.project(city, district=city.jingkai, company=investor)
    records = investor.history.count()
    response = as_user(city.jingkai_editor).post(
        url("edit", investor),
        form_data(investor, address="深圳市龙岗区坂田街道", registered_capital="4.1亿元"),
    )
    assert response.status_code == 302, response.context["form"].errors
    investor.refresh_from_db()
    assert investor.address == "深圳市龙岗区坂田街道"
    assert investor.registered_capital == Decimal("41000")
    assert investor.history.count() == records + 1
    assert investor.history.first().history_user == city.jingkai_editor


def test_a_bad_credit_code_is_explained_next_to_its_field(city, as_user, investor):
    factories.project(city, district=city.jingkai, company=investor)
    response = as_user(city.jingkai_editor).post(
        url("edit", investor), form_data(investor, uscc="91440300123456789X")
    )
    assert response.status_code == 200
    assert "uscc" in response.context["form"].errors


def test_a_stale_company_edit_is_refused(city, as_user, investor):
    factories.project(city, district=city.jingkai, company=investor)
    services.company_update(company=investor, data={"address": "坂田"}, version=1, by=city.admin)
    response = as_user(city.jingkai_editor).post(
        url("edit", investor), form_data(investor, version=1, address="龙岗")
    )
    assert response.status_code == 200
    assert response.context["stale"] is not None
    investor.refresh_from_db()
    assert investor.address == "坂田"


def test_a_parent_company_is_named_by_its_name(city, as_user, investor):
    parent = factories.company("华为投资控股测试有限公司", region="440305")
    factories.project(city, district=city.jingkai, company=investor)
    as_user(city.jingkai_editor).post(
        url("edit", investor), form_data(investor, parent_name=parent.name)
    )
    investor.refresh_from_db()
    assert investor.parent == parent
    body = as_user(city.jingkai_editor).get(url("detail", parent)).content.decode()
    assert investor.name in body  # listed among the subsidiaries


def test_a_district_editor_adds_a_company(city, as_user):
    response = as_user(city.jingkou_editor).post(
        url("create"),
        {"name": "镇江测试精密机械有限公司", "ownership": Ownership.PRIVATE, "region": "京口区"},
    )
    assert response.status_code == 302, response.context["form"].errors
    company = Company.objects.get(name="镇江测试精密机械有限公司")
    assert company.created_by == city.jingkou_editor


def test_the_analyst_may_not_add_a_company(city, as_user):
    assert as_user(city.analyst).get(url("create")).status_code == 403


def test_the_company_box_suggests_matches(city, as_user, investor):
    response = as_user(city.jingkou_editor).get(
        url("search", company_name="hwjs"), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert f'data-pick-company="{investor.pk}"' in body


def test_a_deleted_company_is_not_found(city, as_user, investor):
    services.company_delete(company=investor, by=city.admin, version=1)
    assert as_user(city.admin).get(url("detail", investor)).status_code == 404


def test_the_company_page_shows_its_change_history(city, as_user, investor):
    services.company_update(company=investor, data={"address": "坂田"}, version=1, by=city.admin)
    response = as_user(city.analyst).get(url("detail", investor))
    entries = response.context["history"]
    assert entries[0].changes[0].label
    assert entries[0].changes[0].after == "坂田"
