"""The pages: quick entry, forms with Chinese errors, the summary, calendar, channels, panel."""

from __future__ import annotations

from datetime import date

import pytest

from yinli.fieldwork.models import Trip, Visit

from .helpers import trip, visit

pytestmark = pytest.mark.django_db


def test_the_quick_entry_logs_a_visit(city, as_user):
    client = as_user(city.team_member)
    response = client.post(
        "/fieldwork/visits/quick/",
        {
            "company_name": "杭州快录新能源有限公司",
            "outcome": "follow_up",
            "place": "杭州滨江",
            "purpose": "了解储能项目",
            "next_step": "寄送园区资料",
            "next_step_on": "2025-07-01",
            "visited_on": "2025-06-20",
            "unit": city.team.pk,
        },
    )
    saved = Visit.objects.get(company_name="杭州快录新能源有限公司")
    assert response.status_code == 302 and response["Location"].endswith(f"/{saved.pk}/")
    assert (saved.unit, saved.place.code, saved.created_by) == (
        city.team,
        "330108",
        city.team_member,
    )


def test_a_bad_place_is_explained_next_to_the_field(city, as_user):
    response = as_user(city.team_member).post(
        "/fieldwork/visits/quick/",
        {
            "company_name": "某公司",
            "outcome": "follow_up",
            "place": "不存在的地方甲乙丙",
            "visited_on": "2025-06-20",
            "unit": city.team.pk,
        },
    )
    assert response.status_code == 200
    assert "不存在的地方甲乙丙" in response.context["form"].errors["place"][0]
    assert not Visit.objects.exists()


def test_a_viewer_cannot_open_the_entry_form(city, as_user):
    assert as_user(city.outsider).get("/fieldwork/visits/quick/").status_code == 403


def test_the_trip_form_reads_the_stops(city, as_user):
    response = as_user(city.jingkai_editor).post(
        "/fieldwork/trips/new/",
        {
            "unit": city.bureau.pk,
            "title": "赴深圳招商",
            "start_on": "2025-06-02",
            "end_on": "2025-06-04",
            "stops_text": "深圳南山区 2025-06-02 1250\n深圳宝安区 2025-06-03 30",
            "return_km": "1260",
        },
    )
    saved = Trip.objects.get(title="赴深圳招商")
    assert response.status_code == 302
    assert [s.place.code for s in saved.stops.all()] == ["440305", "440306"]
    assert saved.reported_total_km == 2540
    page = as_user(city.jingkai_editor).get(f"/fieldwork/trips/{saved.pk}/").content.decode()
    assert "trip-chart" in page and "echarts" in page


def test_the_summary_page_gives_the_sentence(city, as_user):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305"], km="2600")
    visit(city, city.team)
    response = as_user(city.jingkai_editor).get(
        "/fieldwork/summary/",
        {"unit": city.jingkai.pk, "start": "2025-06-01", "end": "2025-06-30"},
    )
    assert "2天内奔赴1个重点城市、1个重点区域，开展1次拜访，累计行程约2600公里" in (
        response.content.decode()
    )


def test_the_summary_refuses_a_unit_outside_the_scope(city, as_user):
    response = as_user(city.jingkou_editor).get(
        "/fieldwork/summary/", {"unit": city.jingkai.pk, "start": "2025-06-01"}
    )
    assert response.context["summary"] is None
    assert "unit" in response.context["form"].errors


def test_the_calendar_shows_the_month(city, as_user):
    visit(city, city.team, on=date(2025, 6, 12), company_name="日历里的走访企业")
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305"])
    page = as_user(city.jingkai_editor).get("/fieldwork/calendar/", {"month": "2025-06"})
    assert page.context["counts"] == {"visits": 1, "trips": 1, "events": 0}
    assert "日历里的走访企业" in page.content.decode()
    other = as_user(city.jingkou_editor).get("/fieldwork/calendar/", {"month": "2025-06"})
    assert other.context["counts"]["visits"] == 0


def test_the_home_page_flags_overdue_next_steps(city, as_user):
    visit(
        city,
        city.team,
        next_step="报送资料",
        next_step_on=date(2025, 6, 10),
        company_name="逾期跟进企业",
    )
    assert "逾期跟进企业" in as_user(city.team_member).get("/").content.decode()
    assert "逾期跟进企业" not in as_user(city.jingkou_editor).get("/").content.decode()


def test_the_navigation_links_to_field_work(city, as_user):
    assert 'href="/fieldwork/"' in as_user(city.analyst).get("/").content.decode()


def test_every_page_opens(city, as_user):
    saved = visit(city, city.team)
    journey = trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305"])
    client = as_user(city.admin)
    for path in [
        "/fieldwork/",
        "/fieldwork/visits/",
        "/fieldwork/visits/new/",
        f"/fieldwork/visits/{saved.pk}/",
        f"/fieldwork/visits/{saved.pk}/edit/",
        "/fieldwork/trips/",
        f"/fieldwork/trips/{journey.pk}/edit/",
        "/fieldwork/events/",
        "/fieldwork/events/new/",
        "/fieldwork/channels/",
        "/fieldwork/summary/",
    ]:
        assert client.get(path).status_code == 200, path


def test_a_visit_logged_at_a_trip_stop_belongs_to_it(city, as_user):
    journey = trip(
        city, city.team, date(2025, 6, 2), date(2025, 6, 4), [("440305", date(2025, 6, 3))]
    )
    stop = journey.stops.get()
    client = as_user(city.team_member)
    form = client.get("/fieldwork/visits/quick/", {"stop": stop.pk}).context["form"]
    assert form.initial["visited_on"] == date(2025, 6, 3)
    assert form.initial["unit"] == city.team.pk
    client.post(
        f"/fieldwork/visits/quick/?stop={stop.pk}",
        {
            "company_name": "深圳站点走访企业",
            "outcome": "follow_up",
            "place": "深圳南山区",
            "visited_on": "2025-06-03",
            "unit": city.team.pk,
            "stop": stop.pk,
        },
    )
    assert Visit.objects.get(company_name="深圳站点走访企业").stop == stop
    page = client.get(f"/fieldwork/trips/{journey.pk}/").content.decode()
    assert "深圳站点走访企业" in page


def test_a_visit_to_a_company_with_a_project_warns_of_it(city, as_user):
    from tests import factories

    investor = factories.company("镇江撞车提示测试有限公司", region="321102")
    factories.project(city, district=city.jingkou, company=investor)
    saved = visit(city, city.team, company=investor)
    page = as_user(city.jingkai_editor).get(f"/fieldwork/visits/{saved.pk}/").content.decode()
    assert 'id="duplicate-warnings"' in page and "京口区" in page


def test_the_project_page_links_to_its_channel_details(city, as_user):
    from tests import factories

    project = factories.project(city)
    page = as_user(city.jingkai_editor).get(f"/projects/{project.pk}/").content.decode()
    assert f"/fieldwork/projects/{project.pk}/channel/" in page
    assert f"/fieldwork/projects/{project.pk}/channel/" not in (
        as_user(city.analyst).get(f"/projects/{project.pk}/").content.decode()
    )
    assert (
        as_user(city.jingkou_editor).get(f"/fieldwork/projects/{project.pk}/channel/").status_code
        == 404
    )
