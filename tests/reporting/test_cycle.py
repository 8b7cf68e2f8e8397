"""The report cycle: submit, return with comments, correct, submit again, accept; the log; who
may take which step; the changes since the last accepted report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.projects.models import Project, Stage
from yinli.projects.services import project_advance_stage, project_update
from yinli.reporting import calendar, selectors, services
from yinli.reporting.models import Action, ProjectComment, Report, ReportState


def test_submit_return_correct_accept_is_logged(city, cycle):
    project = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 5))
    report = cycle.submitted(city.jingkou)
    assert report.state == ReportState.SUBMITTED
    assert str(project.pk) in report.snapshot
    first = report.first_submitted_at

    report = services.return_report(
        report=report,
        by=city.analyst,
        version=report.version,
        comment="请核实投资额",
        project_comments={project.pk: "总投资与协议不符"},
    )
    assert report.state == ReportState.RETURNED
    assert ProjectComment.objects.get(project=project).text == "总投资与协议不符"

    project_update(
        project=project,
        data={"total_investment": Decimal("18000")},
        version=project.version,
        by=city.jingkou_editor,
    )
    report = services.submit(report=report, by=city.jingkou_editor, version=report.version)
    assert report.snapshot[str(project.pk)]["total_investment"] == "18000"
    assert report.first_submitted_at == first  # the first submission stays
    report = services.accept(report=report, by=city.admin, version=report.version)
    assert report.state == ReportState.ACCEPTED and report.is_locked

    log = list(report.events.values_list("action", "by__username"))
    assert log == [
        (Action.SUBMIT, "jk_editor"),
        (Action.RETURN, "cityanalyst"),
        (Action.SUBMIT, "jk_editor"),
        (Action.ACCEPT, "cityadmin"),
    ]
    rows = {row.pk: row for row in selectors.report_rows(report)}
    assert [c.text for c in rows[project.pk].comments] == ["总投资与协议不符"]


def test_a_district_submits_only_its_own(city):
    period = calendar.period_for("2025-03")
    report = services.open_report(district=city.jingkou, period=period)
    for someone in (city.jingkai_editor, city.team_member, city.analyst, city.outsider):
        with pytest.raises(PermissionDeniedError):
            services.submit(report=report, by=someone)
    assert Report.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_only_the_city_accepts_or_returns(city, cycle):
    report = cycle.submitted(city.jingkou)
    for someone in (city.jingkou_editor, city.jingkai_editor, city.team_member, city.outsider):
        with pytest.raises(PermissionDeniedError):
            services.accept(report=report, by=someone, version=report.version)
        with pytest.raises(PermissionDeniedError):
            services.return_report(report=report, by=someone, version=report.version, comment="x")
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_a_return_says_what_to_correct(city, cycle):
    report = cycle.submitted(city.jingkou)
    with pytest.raises(ValidationError) as error:
        services.return_report(report=report, by=city.analyst, version=report.version)
    assert "请说明" in " ".join(error.value.messages) or error.value.messages
    other = factories.project(city, district=city.jingkai)
    with pytest.raises(ValidationError) as error:
        services.return_report(
            report=report,
            by=city.analyst,
            version=report.version,
            project_comments={other.pk: "不是本报告的项目"},
        )
    assert f"#{other.pk}" in error.value.messages[0]


def test_steps_follow_the_state(city, cycle):
    report = cycle.accepted(city.jingkou)
    with pytest.raises(ValidationError) as error:
        services.submit(report=report, by=city.jingkou_editor)
    assert "京口区" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.return_report(report=report, by=city.analyst, version=report.version, comment="x")


def test_a_stale_step_is_refused(city, cycle):
    report = cycle.submitted(city.jingkou)
    with pytest.raises(StaleWriteError):
        services.accept(report=report, by=city.analyst, version=report.version - 1)


def test_changes_since_the_last_accepted_report(city, cycle):
    kept = factories.project(city, district=city.jingkou, signed_on=date(2025, 1, 15))
    moving = factories.project(city, district=city.jingkou, stage=Stage.NEGOTIATING, signed_on=None)
    Project.objects.filter(pk=moving.pk).update(created_at=selectors._end_moment(date(2025, 1, 9)))
    cycle.accepted(city.jingkou, "2025-02")
    new = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 9))
    project_update(
        project=kept,
        data={"total_investment": Decimal("25000")},
        version=kept.version,
        by=city.jingkou_editor,
    )
    moving.agreement = "formal"
    moving.save()
    project_advance_stage(
        project=moving,
        stage=Stage.SIGNED,
        on=date(2025, 3, 20),
        by=city.jingkou_editor,
        version=moving.version,
    )
    report = cycle.submitted(city.jingkou, "2025-03")
    assert report.baseline_code == "2025-02"
    rows = {row.pk: row for row in selectors.report_rows(report)}
    assert rows[new.pk].change == "new"
    assert rows[kept.pk].change == "changed"
    assert rows[kept.pk].changed["total_investment"] == ("15000", "25000")
    assert rows[moving.pk].changed["stage"] == (Stage.NEGOTIATING, Stage.SIGNED)
    assert rows[moving.pk].changed["first_signed_on"] == (None, "2025-03-20")
    # changed rows come first
    assert [r.change for r in selectors.report_rows(report)][:3] == ["new", "changed", "changed"]


def test_a_first_report_has_nothing_to_compare(city, cycle):
    factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 5))
    report = cycle.submitted(city.jingkou)
    assert report.baseline_code == ""
    assert all(row.change == "" for row in selectors.report_rows(report))


def test_a_project_signed_after_the_period_is_not_in_its_report(city, cycle):
    later = factories.project(city, district=city.jingkou, signed_on=date(2025, 4, 2))
    inside = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 31))
    report = cycle.submitted(city.jingkou, "2025-03")
    assert str(inside.pk) in report.snapshot and str(later.pk) not in report.snapshot


def test_a_weekly_report_lists_the_major_projects(city):
    big = factories.project(city, district=city.jingkou, total_wan="120000")
    small = factories.project(city, district=city.jingkou, total_wan="20000")
    chosen = factories.project(city, district=city.jingkou, total_wan="30000")
    period = calendar.period_for("2025-W20")
    period.schedule.projects.add(chosen)
    ids = set(
        selectors.report_projects(district=city.jingkou, period=period).values_list("pk", flat=True)
    )
    assert big.pk in ids and chosen.pk in ids and small.pk not in ids
    report = services.open_report(district=city.jingkou, period=period)
    report = services.submit(report=report, by=city.jingkou_editor)
    report = services.accept(report=report, by=city.analyst, version=report.version)
    assert not report.is_locked  # a weekly report locks no figures


def test_submissions_for_the_ranking(city, cycle, monkeypatch):
    monkeypatch.setattr(selectors, "reference_day", lambda: date(2025, 4, 12))
    report = cycle.accepted(city.jingkou, "2025-03")
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=selectors._end_moment(date(2025, 4, 7))  # 04-08 00:00, 3 days late
    )
    found = {
        (s.district.code, s.period): s
        for s in selectors.submissions(start=date(2025, 1, 1), end=date(2025, 3, 31))
    }
    mine = found[("jingkou", "2025-03")]
    assert mine.deadline == date(2025, 4, 5)
    assert mine.submitted_on == date(2025, 4, 8) and mine.days_late == 3
    assert mine.accepted_on is not None
    missing = found[("jingkai", "2025-03")]
    assert missing.submitted_on is None and missing.days_late == 7  # 04-05 → 04-12
    only = selectors.submissions(
        start=date(2025, 3, 1), end=date(2025, 3, 31), district=city.jingkai
    )
    assert {s.district.code for s in only} == {"jingkai"}


def test_an_on_time_submission_is_not_late(city, cycle, monkeypatch):
    monkeypatch.setattr(selectors, "reference_day", lambda: date(2025, 5, 20))
    report = cycle.accepted(city.jingkou, "2025-03")
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=selectors._end_moment(date(2025, 4, 4))  # 04-05 00:00: the deadline
    )
    found = selectors.submissions(
        start=date(2025, 3, 1), end=date(2025, 3, 31), district=city.jingkou
    )
    assert found[0].submitted_on == date(2025, 4, 5)
    assert found[0].days_late is None
