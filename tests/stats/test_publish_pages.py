"""The published report pages, per persona: list, detail with changes, frozen lists, downloads,
the publish form, and the home panel."""

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tests.stats.conftest import signed
from yinli.projects import services as project_services
from yinli.stats.models import PublishedReport
from yinli.stats.publish import publish_report


@pytest.fixture
def projects(city):
    return [
        signed(city, wan="20000", source="440300", district=city.jingkou),
        signed(city, wan="15000", district=city.jingkai),
    ]


@pytest.fixture
def published(projects, city):
    return publish_report(user=city.analyst, period="2025H1", title="上半年招商通报")


def test_every_district_lists_published_reports(published, city, as_user):
    for persona in ("analyst", "jingkou_editor", "jingkai_editor", "outsider"):
        page = as_user(getattr(city, persona)).get(reverse("stats:published-list"))
        assert page.status_code == 200
        assert "上半年招商通报" in page.content.decode()


def test_only_city_roles_see_the_publish_button(published, city, as_user):
    assert (
        'id="publish-link"'
        in as_user(city.analyst).get(reverse("stats:published-list")).content.decode()
    )
    assert (
        'id="publish-link"'
        not in as_user(city.jingkou_editor).get(reverse("stats:published-list")).content.decode()
    )


def test_the_detail_shows_the_bulletin_tables_and_downloads(published, city, as_user):
    page = as_user(city.jingkou_editor).get(reverse("stats:published-detail", args=[published.pk]))
    html = page.content.decode()
    assert published.report["bulletin"] in html
    assert 'data-table="by_district"' in html
    for fmt in ("docx", "xlsx", "json"):
        assert reverse("stats:published-download", args=[published.pk, fmt]) in html
    # a district does not see today's city figures beside it
    assert 'id="changes"' not in html


def test_the_detail_shows_what_changed_since_to_the_city(published, projects, city, as_user):
    project = projects[1]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("9000")},
        version=project.version,
        by=city.admin,
    )
    html = (
        as_user(city.analyst)
        .get(reverse("stats:published-detail", args=[published.pk]))
        .content.decode()
    )
    assert 'id="changes"' in html and 'id="no-changes"' not in html
    assert 'class="change-removed"' in html and project.name in html
    assert "15000 → 9000" in html


def test_nothing_changed_says_so(published, city, as_user):
    html = (
        as_user(city.analyst)
        .get(reverse("stats:published-detail", args=[published.pk]))
        .content.decode()
    )
    assert 'id="no-changes"' in html


def test_the_frozen_list_shows_what_was_counted(published, projects, city, as_user):
    url = reverse("stats:published-projects", args=[published.pk, "signed"])
    html = as_user(city.analyst).get(url).content.decode()
    assert all(p.name in html for p in projects)
    html = as_user(city.jingkou_editor).get(url).content.decode()
    assert projects[0].name in html and projects[1].name not in html
    assert 'id="hidden-count"' in html


def test_an_unknown_figure_or_report_is_404(published, city, as_user):
    client = as_user(city.analyst)
    assert client.get(f"/stats/published/{published.pk}/projects/nothing/").status_code == 404
    assert client.get("/stats/published/999/").status_code == 404
    assert client.get(f"/stats/published/{published.pk}/download.pdf").status_code == 404


def test_a_user_outside_the_organisation_gets_404(published, city, as_user):
    city.team_member.org_unit = None
    city.team_member.save()
    client = as_user(city.team_member)
    assert client.get(reverse("stats:published-detail", args=[published.pk])).status_code == 404
    assert published.title not in client.get(reverse("stats:published-list")).content.decode()


def test_downloads_hold_the_published_report(published, projects, city, as_user):
    project = projects[1]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("45000")},
        version=project.version,
        by=city.admin,
    )
    client = as_user(city.jingkai_editor)
    body = client.get(reverse("stats:published-download", args=[published.pk, "json"]))
    assert json.loads(body.content)["signed"]["investment_yi"] == 3.5
    word = client.get(reverse("stats:published-download", args=[published.pk, "docx"]))
    assert "attachment" in word["Content-Disposition"]
    assert Document(io.BytesIO(word.content)).paragraphs[0].text == "上半年招商通报"
    excel = client.get(reverse("stats:published-download", args=[published.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(excel.content)).worksheets[0]
    assert sheet["B6"].value == 3.5


def test_the_city_publishes_on_the_form(projects, city, as_user):
    client = as_user(city.analyst)
    assert client.get(reverse("stats:publish")).status_code == 200
    response = client.post(
        reverse("stats:publish"),
        {"period": "2025H1", "district": city.jingkou.pk, "definition": 1, "title": ""},
    )
    published = PublishedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("stats:published-detail", args=[published.pk])
    assert published.district == city.jingkou and published.report["signed"]["count"] == 1
    assert published.title.startswith("京口区2025年上半年")


def test_the_form_refuses_a_bad_period_in_chinese(projects, city, as_user):
    response = as_user(city.analyst).post(
        reverse("stats:publish"), {"period": "2025H3", "definition": 1}
    )
    assert response.status_code == 200
    assert "2025H3" in response.content.decode() and "无法识别" in response.content.decode()
    assert not PublishedReport.objects.exists()


@pytest.mark.parametrize("persona", ["jingkou_editor", "team_member", "outsider"])
def test_others_may_not_publish(projects, city, as_user, persona):
    client = as_user(getattr(city, persona))
    assert client.get(reverse("stats:publish")).status_code == 403
    assert (
        client.post(reverse("stats:publish"), {"period": "2025H1", "definition": 1}).status_code
        == 403
    )
    assert not PublishedReport.objects.exists()


def test_the_home_page_lists_the_latest_published_reports(published, city, as_user):
    html = as_user(city.jingkou_editor).get("/").content.decode()
    assert 'data-panel="published-reports"' in html and "上半年招商通报" in html


def test_no_panel_before_anything_is_published(projects, city, as_user):
    html = as_user(city.jingkou_editor).get("/").content.decode()
    assert 'data-panel="published-reports"' not in html


def test_the_navigation_links_the_published_reports(projects, city, as_user):
    response = as_user(city.jingkou_editor).get(reverse("stats:published-list"))
    active = [item["url"] for item in response.context["NAVIGATION"] if item["active"]]
    assert active == [reverse("stats:published-list")]
