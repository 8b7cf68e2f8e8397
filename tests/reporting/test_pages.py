"""The report cycle's pages as each persona sees them; guessed URLs are 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from yinli.reporting import selectors
from yinli.reporting.models import ProjectComment, Report, ReportState


@pytest.fixture(autouse=True)
def reference_day(monkeypatch):
    monkeypatch.setattr(selectors, "reference_day", lambda: date(2025, 4, 9))


def detail(code, district):
    return reverse("reporting:detail", args=[code, district])


def test_the_city_sees_every_districts_state(city, cycle, as_user):
    cycle.accepted(city.jingkou, "2025-03")
    page = as_user(city.analyst).get(reverse("reporting:index"), {"period": "2025-03"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-district="jingkou"' in text and 'data-district="jingkai"' in text
    assert 'data-district="runzhou"' in text
    assert "table-danger" in text  # jingkai and runzhou overdue


def test_the_index_opens_on_the_month_most_recently_due(city, as_user):
    page = as_user(city.analyst).get(reverse("reporting:index"))
    assert page.context["period"].code == "2025-03"


def test_a_bad_period_is_explained(city, as_user):
    page = as_user(city.analyst).get(reverse("reporting:index"), {"period": "2025-13"})
    assert page.status_code == 200 and "2025-07" in page.context["error"]


def test_a_district_sees_only_its_own(city, cycle, as_user):
    cycle.accepted(city.jingkou, "2025-03")
    cycle.submitted(city.jingkai, "2025-03")
    client = as_user(city.jingkou_editor)
    page = client.get(reverse("reporting:index"), {"period": "2025-03"})
    text = page.content.decode()
    assert 'data-district="jingkou"' in text and 'data-district="jingkai"' not in text
    assert [r.district.code for r in page.context["own_reports"]] == ["jingkou"]
    assert client.get(detail("2025-03", "jingkai")).status_code == 404
    assert client.get(detail("2025-03", "jingkou")).status_code == 200


def test_an_outsider_sees_nothing_of_others(city, cycle, as_user):
    cycle.accepted(city.jingkou, "2025-03")
    client = as_user(city.outsider)
    page = client.get(reverse("reporting:index"), {"period": "2025-03"})
    assert 'data-district="jingkou"' not in page.content.decode()
    for district in ("jingkou", "jingkai", "nowhere"):
        assert client.get(detail("2025-03", district)).status_code == 404
    assert client.get(detail("not-a-period", "runzhou")).status_code == 404


def test_submit_return_and_accept_through_the_pages(city, as_user):
    project = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 5))
    editor, analyst = as_user(city.jingkou_editor), None
    page = editor.get(detail("2025-03", "jingkou"))
    assert page.context["may_submit"] and 'id="submit-report"' in page.content.decode()
    editor.post(reverse("reporting:submit", args=["2025-03", "jingkou"]), {"note": "三月月报"})
    report = Report.objects.get(district=city.jingkou, period__code="2025-03")
    assert report.state == ReportState.SUBMITTED and report.note == "三月月报"

    analyst = as_user(city.analyst)
    page = analyst.get(detail("2025-03", "jingkou"))
    assert page.context["reviewing"] and f'name="comment_{project.pk}"' in page.content.decode()
    analyst.post(
        reverse("reporting:return", args=["2025-03", "jingkou"]),
        {"version": report.version, "comment": "请核实", f"comment_{project.pk}": "金额不对"},
    )
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert ProjectComment.objects.get().text == "金额不对"
    editor = as_user(city.jingkou_editor)
    page = editor.get(detail("2025-03", "jingkou"))
    assert "金额不对" in page.content.decode() and "请核实" in page.content.decode()
    editor.post(
        reverse("reporting:submit", args=["2025-03", "jingkou"]), {"version": report.version}
    )
    report.refresh_from_db()
    analyst = as_user(city.analyst)
    analyst.post(
        reverse("reporting:accept", args=["2025-03", "jingkou"]), {"version": report.version}
    )
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    page = analyst.get(detail("2025-03", "jingkou"))
    text = page.content.decode()
    assert 'id="locked-notice"' in text and text.count('data-action="submit"') == 2


def test_the_wrong_persona_cannot_take_a_step(city, cycle, as_user):
    cycle.submitted(city.jingkou, "2025-03")
    report = Report.objects.get()
    response = as_user(city.jingkou_editor).post(
        reverse("reporting:accept", args=["2025-03", "jingkou"]), {"version": report.version}
    )
    assert response.status_code == 403
    for user in (city.jingkai_editor, city.team_member, city.outsider):  # not their district
        response = as_user(user).post(
            reverse("reporting:accept", args=["2025-03", "jingkou"]), {"version": report.version}
        )
        assert response.status_code == 404
    response = as_user(city.analyst).post(reverse("reporting:submit", args=["2025-03", "jingkou"]))
    assert response.status_code == 403
    assert Report.objects.get().state == ReportState.SUBMITTED


def test_a_stale_step_shows_a_message(city, cycle, as_user):
    report = cycle.submitted(city.jingkou, "2025-03")
    client = as_user(city.analyst)
    response = client.post(
        reverse("reporting:accept", args=["2025-03", "jingkou"]),
        {"version": report.version - 1},
        follow=True,
    )
    assert "其他人" in response.content.decode() or "someone else" in response.content.decode()
    assert Report.objects.get().state == ReportState.SUBMITTED


def test_changes_are_highlighted(city, cycle, as_user):
    kept = factories.project(city, district=city.jingkou, signed_on=date(2025, 1, 20))
    cycle.accepted(city.jingkou, "2025-02")
    new = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 3))
    kept.total_investment = Decimal("22000")
    kept.save()
    page = as_user(city.jingkou_editor).get(detail("2025-03", "jingkou"))
    text = page.content.decode()
    assert f'data-project="{new.pk}" data-change="new"' in text
    assert f'data-project="{kept.pk}" data-change="changed"' in text
    assert "15,000 → 22,000" in text
    assert page.context["baseline_code"] == "2025-02"


def test_the_admin_reopens_a_locked_month_from_its_page(city, cycle, as_user):
    report = cycle.accepted(city.jingkou, "2025-03")
    analyst = as_user(city.analyst)
    assert not analyst.get(detail("2025-03", "jingkou")).context["may_reopen"]
    admin = as_user(city.admin)
    assert admin.get(detail("2025-03", "jingkou")).context["may_reopen"]
    admin.post(
        reverse("reporting:reopen", args=["2025-03", "jingkou"]),
        {"version": report.version, "reason": "补录三月签约项目"},
    )
    report.refresh_from_db()
    assert report.state == ReportState.REOPENED
    text = admin.get(detail("2025-03", "jingkou")).content.decode()
    assert 'id="reopened-notice"' in text and "补录三月签约项目" in text


def test_the_calendar_page_and_its_deadline_setting(city, as_user):
    page = as_user(city.jingkou_editor).get(reverse("reporting:calendar"), {"year": "2024"})
    text = page.content.decode()
    assert 'data-period="2024-02"' in text and "2024-03-05" in text
    assert not page.context["may_edit"]
    schedule = page.context["monthly"]
    response = as_user(city.jingkou_editor).post(
        reverse("reporting:calendar"), {"schedule": schedule.pk, "due_days": "7"}
    )
    assert response.status_code == 403
    admin = as_user(city.admin)
    admin.post(reverse("reporting:calendar"), {"schedule": schedule.pk, "due_days": "7"})
    schedule.refresh_from_db()
    assert schedule.due_days == 7
    response = admin.post(
        reverse("reporting:calendar"), {"schedule": schedule.pk, "due_days": "七天"}, follow=True
    )
    assert "七天" in response.content.decode()


def test_the_overdue_page_gives_the_notice_text(city, cycle, as_user):
    cycle.submitted(city.jingkou, "2025-03")
    page = as_user(city.analyst).get(reverse("reporting:overdue"))
    text = page.content.decode()
    assert "镇江经开区：2025年3月月报（截止2025-04-05），已逾期4天" in text
    assert 'id="reminder-text"' in text


def test_home_panels_flag_overdue_districts(city, cycle, as_user):
    cycle.submitted(city.jingkou, "2025-03")
    city_home = as_user(city.analyst).get("/").content.decode()
    assert 'id="overdue-reports-panel"' in city_home and "镇江经开区" in city_home
    district_home = as_user(city.jingkai_editor).get("/").content.decode()
    assert 'id="overdue-reports-panel"' in district_home
    done_home = as_user(city.jingkou_editor).get("/").content.decode()
    assert 'id="overdue-reports-panel"' not in done_home


def test_a_project_page_names_its_locked_months(city, cycle, as_user):
    locked = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 5))
    open_one = factories.project(city, district=city.jingkou, signed_on=date(2025, 4, 5))
    cycle.accepted(city.jingkou, "2025-03")
    client = as_user(city.jingkou_editor)
    text = client.get(reverse("projects:detail", args=[locked.pk])).content.decode()
    assert 'id="project-report-lock"' in text and "京口区 2025年3月" in text
    text = client.get(reverse("projects:detail", args=[open_one.pk])).content.decode()
    assert 'id="project-report-lock"' not in text
