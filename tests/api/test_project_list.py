"""The project list: the page's filters (one FilterSet), pagination, and a constant query count."""

from datetime import date

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests import factories
from yinli.api.projects import ProjectQuery
from yinli.core import scoping
from yinli.projects.filters import ProjectFilter
from yinli.projects.models import Project, Stage


@pytest.fixture
def ledger(city):
    """A few projects in both districts, at different stages, with searchable names."""
    return [
        factories.project(city, district=city.jingkai, name="年产5万吨碳纤维项目"),
        factories.project(
            city, district=city.jingkai, name="生物医药产业园", stage=Stage.LEAD, signed_on=None
        ),
        factories.project(
            city,
            district=city.jingkou,
            name="智能装备制造基地",
            signed_on=date(2024, 6, 1),
            total_wan="320000",
        ),
        factories.project(
            city, district=city.jingkou, name="年产3000台新能源整车", stage=Stage.STARTED
        ),
        factories.project(city, district=city.jingkai, name="航空零部件项目", total_wan="5000"),
    ]


def api_ids(client, query: str) -> set[int]:
    body = client.get("/projects?" + query + "&page_size=500").json()
    assert body["count"] == len(body["items"]), body
    return {item["id"] for item in body["items"]}


def page_ids(user, query: str) -> set[int]:
    filterset = ProjectFilter(QueryDict(query), queryset=scoping.visible_projects(user))
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("id", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "stage=signed",
        "stage=lead&stage=started",
        "district={jingkou}",
        "q=nc",  # pinyin initials: 年产…
        "q=智能装备",
        "size=ge10",
        "signed_from=2025-01-01&signed_to=2025-12-31",
        "category=industrial&kind=new",
        "source=310000",
    ],
)
def test_the_api_filters_like_the_page(api_as, city, ledger, query):
    query = query.format(jingkou=city.jingkou.pk)
    for user in (city.analyst, city.jingkou_editor):
        assert api_ids(api_as(user), query) == page_ids(user, query), (user, query)


def test_filters_find_what_they_should(api_as, city, ledger):
    client = api_as(city.analyst)
    assert api_ids(client, "q=nc") == {ledger[0].pk, ledger[3].pk}
    assert api_ids(client, "stage=lead") == {ledger[1].pk}
    assert api_ids(client, f"district={city.jingkou.pk}") == {ledger[2].pk, ledger[3].pk}


def test_every_filter_of_the_page_is_documented_in_the_api():
    declared = set(ProjectQuery.model_fields)
    assert set(ProjectFilter.base_filters) <= declared, set(ProjectFilter.base_filters) - declared


def test_a_bad_filter_value_is_422(api_as, city, ledger):
    response = api_as(city.analyst).get("/projects", {"stage": "almost-signed"})
    assert response.status_code == 422
    assert "stage" in response.json()["fields"]


def test_a_filter_the_page_refuses_is_422_too(api_as, city, ledger):
    response = api_as(city.analyst).get("/projects", {"district": 999999})
    assert response.status_code == 422
    assert "district" in response.json()["fields"]


def test_pages_carry_count_and_number_of_pages(api_as, city):
    for _ in range(7):
        factories.project(city, district=city.jingkou)
    client = api_as(city.jingkou_editor)
    first = client.get("/projects", {"page_size": 3}).json()
    assert (first["count"], first["page"], first["page_size"], first["pages"]) == (7, 1, 3, 3)
    last = client.get("/projects", {"page_size": 3, "page": 3}).json()
    assert len(last["items"]) == 1
    beyond = client.get("/projects", {"page_size": 3, "page": 4}).json()
    assert (beyond["items"], beyond["count"]) == ([], 7)
    seen = [
        item["id"]
        for page in (1, 2, 3)
        for item in client.get("/projects", {"page_size": 3, "page": page}).json()["items"]
    ]
    assert len(set(seen)) == 7


def test_a_page_holds_at_most_500(api_as, city):
    client = api_as(city.analyst)
    assert client.get("/projects", {"page_size": 501}).status_code == 422
    assert client.get("/projects", {"page": 0}).status_code == 422
    assert client.get("/projects", {"page_size": 500}).status_code == 200


def test_the_list_is_ordered_as_asked(api_as, city, ledger):
    body = api_as(city.analyst).get("/projects", {"ordering": "-total_investment"}).json()
    assert body["items"][0]["id"] == ledger[2].pk


def test_a_page_of_50_takes_as_many_queries_as_a_page_of_5(
    api_as, city, django_assert_max_num_queries
):
    client = api_as(city.analyst)
    client.get("/projects")  # the token's last_used_at is written once a minute: not in the count
    for _ in range(5):
        factories.project(city, district=city.jingkai)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/projects", {"page_size": 50}).status_code == 200
    for _ in range(45):
        factories.project(city, district=city.jingkou)
    assert Project.objects.count() == 50
    with django_assert_max_num_queries(len(few)) as many:
        body = client.get("/projects", {"page_size": 50}).json()
    assert len(body["items"]) == 50
    assert len(many) <= 6, [q["sql"][:80] for q in many.captured_queries]
