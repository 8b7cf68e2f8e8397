"""Companies: the shared registry, searched by name, pinyin initials or credit code."""

import pytest

from tests import factories
from tests.api.helpers import uscc
from yinli.companies.models import Company, Ownership


@pytest.fixture
def registry(city):
    return {
        "hengyuan": factories.company(
            "恒远光电科技（常州）有限公司", region="320400", uscc=uscc(7, "320400")
        ),
        "zhongke": factories.company(
            "中科航发动力股份有限公司", region="110105", ownership=Ownership.CENTRAL_SOE
        ),
        "hanwha": factories.company(
            "韩华新能源有限公司", region="310115", ownership=Ownership.FOREIGN
        ),
    }


def names(body) -> set[str]:
    return {item["name"] for item in body["items"]}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("恒远光电", {"恒远光电科技（常州）有限公司"}),
        ("恒远光电科技有限公司", {"恒远光电科技（常州）有限公司"}),  # normalized name
        ("hygd", {"恒远光电科技（常州）有限公司"}),  # pinyin initials
        ("HYGD", {"恒远光电科技（常州）有限公司"}),
        ("zkhf", {"中科航发动力股份有限公司"}),
    ],
)
def test_search_finds_a_company_by_name_or_initials(api_as, city, registry, q, expected):
    assert names(api_as(city.jingkou_editor).get("/companies", {"q": q}).json()) == expected


def test_search_finds_a_company_by_credit_code(api_as, city, registry):
    code = registry["hengyuan"].uscc
    body = api_as(city.jingkou_editor).get("/companies", {"q": code.lower()}).json()
    assert names(body) == {"恒远光电科技（常州）有限公司"}


def test_companies_filter_by_ownership_and_region(api_as, city, registry):
    client = api_as(city.analyst)
    assert names(client.get("/companies", {"ownership": "central_soe"}).json()) == {
        "中科航发动力股份有限公司"
    }
    assert names(client.get("/companies", {"region": "320000"}).json()) == {
        "恒远光电科技（常州）有限公司"
    }


def test_a_company_carries_its_region_and_ownership(api_as, city, registry):
    body = api_as(city.analyst).get(f"/companies/{registry['zhongke'].pk}").json()
    assert body["region"] == {"code": "110105", "name": "朝阳区"}
    assert body["ownership"] == "central_soe"
    assert "央企" in body["ownership_label"]
    assert (body["projects"], body["other_projects"]) == ([], 0)


def test_a_company_is_created_with_a_checked_credit_code(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/companies",
        {
            "name": "镇江华科新材料有限公司",
            "uscc": uscc(11, "321100"),
            "region": "江苏省镇江市",
            "registered_capital_wan": "1.2亿",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["region"]["code"], body["registered_capital_wan"], body["version"]) == (
        "321100",
        12000,
        1,
    )
    assert Company.objects.get(pk=body["id"]).created_by == city.jingkou_editor


def test_a_wrong_credit_code_is_422_naming_it(api_as, city):
    bad = uscc(11, "321100")[:-1] + ("0" if uscc(11, "321100")[-1] != "0" else "1")
    response = api_as(city.jingkou_editor).post("/companies", {"name": "测试公司", "uscc": bad})
    assert response.status_code == 422
    assert bad in response.json()["fields"]["uscc"][0]
    assert not Company.objects.filter(name="测试公司").exists()


def test_a_credit_code_already_taken_is_422(api_as, city, registry):
    response = api_as(city.jingkou_editor).post(
        "/companies", {"name": "另一家公司", "uscc": registry["hengyuan"].uscc}
    )
    assert response.status_code == 422
    assert "恒远光电" in response.json()["fields"]["uscc"][0]


def test_a_company_update_needs_the_current_version(api_as, city):
    company = factories.company("镇江恒顺新材料有限公司", region="321100")
    client = api_as(city.admin)
    assert (
        client.patch(f"/companies/{company.pk}", {"address": "丁卯路1号", "version": 1}).status_code
        == 200
    )
    stale = client.patch(f"/companies/{company.pk}", {"address": "丁卯路2号", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    company.refresh_from_db()
    assert company.address == "丁卯路1号"


def test_a_district_cannot_change_a_company_of_another_districts_projects(api_as, city):
    project = factories.project(city, district=city.jingkai)
    response = api_as(city.jingkou_editor).patch(
        f"/companies/{project.company.pk}", {"address": "改地址", "version": 1}
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    project.company.refresh_from_db()
    assert project.company.address == ""


def test_the_registry_needs_authentication(anonymous):
    assert anonymous.get("/companies").status_code == 401
