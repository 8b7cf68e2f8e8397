"""Every figure links to the project list filtered to exactly the projects it counts."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.stats.conftest import signed
from tests.stats.test_figures import half_year  # noqa: F401  (the fixture)
from yinli.fieldwork.models import Event, EventKind
from yinli.projects.filters import ProjectFilter
from yinli.projects.models import Project
from yinli.stats.report import build_report

BACKEND = "django.contrib.auth.backends.ModelBackend"


def figures_with_links(node, path=""):
    """(where, url, count, investment) of every figure in a report that links to its projects."""
    if isinstance(node, dict):
        if "url" in node and "count" in node:
            yield path, node["url"], node["count"], node.get("investment_yi")
        for key in ("started", "fulfilled", "producing"):
            if f"{key}_url" in node:
                yield f"{path}.{key}", node[f"{key}_url"], node[f"{key}_count"], None
        for key, value in node.items():
            yield from figures_with_links(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from figures_with_links(value, f"{path}[{i}]")


def list_totals(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    totals = response.context["totals"]
    total = Decimal(totals["total"] or 0) / 10000
    return totals["count"], float(total.quantize(Decimal("0.1"), ROUND_HALF_UP))


@pytest.fixture
def richer_half_year(half_year, city):  # noqa: F811
    event = Event.objects.create(
        name="镇深互动推介会", kind=EventKind.PROMOTION, held_on=date(2025, 5, 22)
    )
    signed(city, wan="350000", source="810000", ownership="central_soe", event=event)
    signed(city, wan="3000", foreign_investment="1500", foreign_currency="USD", source="DE-MUNICH")
    bare = signed(city, wan="20000")
    Project.objects.filter(pk=bare.pk).update(channel=None, industry=None)
    return half_year


def test_every_figure_lists_the_same_count_and_total(richer_half_year, city, client):
    client.force_login(city.analyst, backend=BACKEND)
    report = build_report(user=city.analyst, period="2025H1")
    checked = 0
    for where, url, count, investment in figures_with_links(report):
        listed_count, listed_total = list_totals(client, url)
        assert listed_count == count, where
        if investment is not None:
            assert listed_total == investment, where
        checked += 1
    assert checked > 40


def test_a_district_figure_keeps_its_district_in_the_link(richer_half_year, city, client):
    client.force_login(city.analyst, backend=BACKEND)
    report = build_report(user=city.analyst, period="2025H1", district=city.jingkou)
    assert parse_qs(urlsplit(report["signed"]["url"]).query)["district"] == [str(city.jingkou.pk)]
    assert list_totals(client, report["signed"]["url"]) == (
        report["signed"]["count"],
        report["signed"]["investment_yi"],
    )


def test_a_district_editor_follows_her_own_links(richer_half_year, city, client):
    client.force_login(city.jingkou_editor, backend=BACKEND)
    report = build_report(user=city.jingkou_editor, period="2025H1")
    for where, url, count, _investment in figures_with_links(report):
        assert list_totals(client, url)[0] == count, where


def test_a_link_names_its_definition_version(richer_half_year, city):
    report = build_report(user=city.analyst, period="2025H1")
    query = parse_qs(urlsplit(report["signed"]["url"]).query)
    assert query["definition"] == ["1"] and query["period"] == ["2025H1"]


@pytest.mark.parametrize(
    "query",
    [
        {"stat": "signed", "period": "2025H9"},
        {"stat": "signed", "period": "2025H1", "definition": "99"},
        {"stat": "signed", "period": "2025H1", "by": "horoscope", "key": "1"},
        {"stat": "everything"},
    ],
)
def test_a_bad_link_lists_nothing_rather_than_everything(richer_half_year, query):
    assert ProjectFilter(query, queryset=Project.objects.all()).qs.count() == 0


def test_the_api_lists_a_figures_projects_too(richer_half_year, city, client):
    from urllib.parse import parse_qsl

    from yinli.core.models import ApiToken

    report = build_report(user=city.analyst, period="2025H1")
    row = next(g for g in report["by_region_group"] if g["name"] == "粤港澳大湾区")
    query = dict(parse_qsl(urlsplit(row["url"]).query))
    token = ApiToken.for_user(city.analyst)
    response = client.get("/api/v1/projects", query, HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert response.status_code == 200
    assert response.json()["count"] == row["count"] == 2
