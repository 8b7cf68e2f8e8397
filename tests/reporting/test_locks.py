"""定版锁库: an accepted month refuses edits that would change its figures; a city admin's
correction reopens it, is recorded and shows on the published report; late additions go where
YINLI_LATE_ADDITIONS says; the ledger import refuses rows that touch a locked month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.ledger.builders import HEADER, write_csv
from yinli.ledger.importer import commit_import, preview_import
from yinli.projects.merge import project_merge
from yinli.projects.models import Agreement, Project, Stage
from yinli.projects.services import (
    project_advance_stage,
    project_create,
    project_delete,
    project_restore,
    project_update,
)
from yinli.reporting import locks, selectors, services
from yinli.reporting.models import Correction, Report, ReportedPeriod, ReportState


@pytest.fixture
def locked_march(city, cycle):
    """京口区's March 2025 accepted (locked), with one project signed in it."""
    project = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 12))
    report = cycle.accepted(city.jingkou, "2025-03")
    project.refresh_from_db()
    return project, report


def _update(project, by, **data):
    project.refresh_from_db()
    return project_update(project=project, data=data, version=project.version, by=by)


def test_a_counted_edit_of_a_locked_month_is_refused_naming_it(city, locked_march):
    project, _report = locked_march
    for by in (city.jingkou_editor, city.admin):
        with pytest.raises(locks.PeriodLockedError) as error:
            _update(project, by, total_investment=Decimal("9000"))
        assert "京口区2025年3月" in error.value.messages[0]
    project.refresh_from_db()
    assert project.total_investment == Decimal("15000")


@pytest.mark.parametrize(
    "data",
    [
        {"category": "other"},
        {"kind": "expansion"},
        {"foreign_investment": Decimal("2000")},
        {"fai_on": date(2025, 5, 3)},
    ],
)
def test_every_counted_field_is_guarded(city, locked_march, data):
    project, _report = locked_march
    with pytest.raises(locks.PeriodLockedError):
        _update(project, city.jingkou_editor, **data)


def test_a_field_no_figure_reads_may_change(city, locked_march):
    project, _report = locked_march
    saved = _update(project, city.jingkou_editor, notes="补充联系人", responsible_person="王")
    assert saved.notes == "补充联系人"


def test_other_months_and_districts_stay_open(city, locked_march):
    april = factories.project(city, district=city.jingkou, signed_on=date(2025, 4, 2))
    march_elsewhere = factories.project(city, district=city.jingkai, signed_on=date(2025, 3, 2))
    _update(april, city.jingkou_editor, total_investment=Decimal("30000"))
    _update(march_elsewhere, city.jingkai_editor, total_investment=Decimal("30000"))


def test_moving_a_project_into_a_locked_month_is_refused(city, locked_march):
    incoming = factories.project(city, district=city.jingkai, signed_on=date(2025, 3, 20))
    with pytest.raises(locks.PeriodLockedError) as error:
        _update(incoming, city.admin, district=city.jingkou)
    assert "京口区2025年3月" in error.value.messages[0]


def test_a_stage_reached_in_a_locked_month_is_refused(city, locked_march):
    lead = factories.project(city, district=city.jingkou, stage=Stage.NEGOTIATING, signed_on=None)
    Project.objects.filter(pk=lead.pk).update(agreement=Agreement.FORMAL)
    lead.refresh_from_db()
    with pytest.raises(locks.PeriodLockedError):
        project_advance_stage(
            project=lead, stage=Stage.SIGNED, on=date(2025, 3, 28), by=city.jingkou_editor,
            version=lead.version,
        )  # fmt: skip
    lead.refresh_from_db()
    project_advance_stage(
        project=lead, stage=Stage.SIGNED, on=date(2025, 4, 3), by=city.jingkou_editor,
        version=lead.version,
    )  # fmt: skip
    assert lead.first_signed_on == date(2025, 4, 3)


def test_delete_restore_and_merge_of_a_counted_project_are_refused(city, locked_march):
    project, report = locked_march
    with pytest.raises(locks.PeriodLockedError):
        project_delete(project=project, by=city.jingkou_editor, version=project.version)
    other = factories.project(city, district=city.jingkai, signed_on=date(2025, 4, 1))
    with pytest.raises(locks.PeriodLockedError):
        project_merge(kept=other, merged=project, by=city.admin)
    # a project deleted while the month was reopened cannot come back once it is locked again
    with locks.correction(by=city.admin, reason="重复录入"):
        project_delete(project=project, by=city.admin, version=project.version)
    report.refresh_from_db()
    services.accept(report=report, by=city.analyst, version=report.version)
    deleted = Project.all_objects.get(pk=project.pk)
    with pytest.raises(locks.PeriodLockedError):
        project_restore(project=deleted, by=city.admin, version=deleted.version)


def test_an_admin_correction_reopens_the_period_and_is_recorded(city, locked_march):
    project, report = locked_march
    with locks.correction(by=city.admin, reason="合同金额录入错误"):
        _update(project, city.admin, total_investment=Decimal("16000"))
    report.refresh_from_db()
    assert report.state == ReportState.REOPENED and not report.is_locked
    correction = Correction.objects.get(report=report)
    assert correction.reason == "合同金额录入错误" and correction.by == city.admin
    assert correction.project == project and "修改项目" in correction.what
    assert report.events.last().action == "reopen"
    # accepted again, the month is locked with the corrected figures
    report = services.accept(report=report, by=city.analyst, version=report.version)
    assert report.snapshot[str(project.pk)]["total_investment"] == "16000"
    with pytest.raises(locks.PeriodLockedError):
        _update(project, city.admin, total_investment=Decimal("17000"))


def test_only_a_city_admin_corrects_and_only_with_a_reason(city, locked_march):
    _project, report = locked_march
    for someone in (city.analyst, city.jingkou_editor):
        with pytest.raises(ValidationError):
            with locks.correction(by=someone, reason="x"):
                pass
        with pytest.raises(ValidationError):
            services.reopen(report=report, by=someone, reason="x")
    with pytest.raises(ValidationError):
        services.reopen(report=report, by=city.admin, reason="  ")
    assert Report.objects.get(pk=report.pk).state == ReportState.ACCEPTED


def test_a_reopened_period_takes_the_districts_edit(city, locked_march):
    project, report = locked_march
    services.reopen(report=report, by=city.admin, reason="区里补报投资额")
    _update(project, city.jingkou_editor, total_investment=Decimal("15500"))
    assert Correction.objects.filter(report=report, reason="区里补报投资额").exists()


def test_corrections_after_publication_show_on_the_published_report(city, locked_march, as_user):
    from yinli.stats.publish import publish_report

    project, _report = locked_march
    published = publish_report(period="2025Q1", user=city.admin)
    assert selectors.corrections_for_published(published) == []
    with locks.correction(by=city.admin, reason="投资额更正为协议金额"):
        _update(project, city.admin, total_investment=Decimal("16000"))
    assert [c.reason for c in selectors.corrections_for_published(published)] == [
        "投资额更正为协议金额"
    ]
    assert selectors.corrections_after(timezone.now(), later_period(published)) == []
    assert selectors.corrections_after(published.published_at, later_period(published),
                                       city.jingkai) == []  # fmt: skip
    page = as_user(city.analyst).get(reverse("stats:published-detail", args=[published.pk]))
    assert page.status_code == 200
    assert "投资额更正为协议金额" in page.content.decode()


def later_period(published):
    from types import SimpleNamespace

    return SimpleNamespace(start=published.period_start, end=published.period_end)


# --- late additions -------------------------------------------------------------------------


def _new_project(city, by, signed_on):
    investor = factories.company()
    return project_create(
        data={
            "name": "迟报的新能源项目",
            "company": investor,
            "signing_region": investor.region,
            "district": city.jingkou,
            "responsible_unit": city.jingkou,
            "industry": city.industry,
            "channel": city.channel,
            "agreement": Agreement.FORMAL,
            "total_investment": Decimal("20000"),
        },
        by=by,
        stage=Stage.SIGNED,
        stage_on=signed_on,
    )


def test_late_addition_in_the_signing_month_is_refused(city, locked_march, settings):
    settings.YINLI_LATE_ADDITIONS = "signing_month"
    with pytest.raises(locks.PeriodLockedError):
        _new_project(city, city.jingkou_editor, date(2025, 3, 25))
    assert not Project.objects.filter(name="迟报的新能源项目").exists()
    with locks.correction(by=city.admin, reason="三月漏报"):
        project = _new_project(city, city.admin, date(2025, 3, 25))
    assert not ReportedPeriod.objects.filter(project=project).exists()
    assert Correction.objects.get(project=project).reason == "三月漏报"


def test_late_addition_counts_in_the_reported_month(city, cycle, locked_march, settings):
    settings.YINLI_LATE_ADDITIONS = "reported_month"
    cycle.accepted(city.jingkou, "2025-04")
    project = _new_project(city, city.jingkou_editor, date(2025, 3, 25))
    reported = ReportedPeriod.objects.get(project=project)
    assert (reported.signed_month, reported.month) == (date(2025, 3, 1), date(2025, 5, 1))
    # its later edits touch May (open), not the locked March
    _update(project, city.jingkou_editor, total_investment=Decimal("21000"))
    report = cycle.submitted(city.jingkou, "2025-05")
    assert [r.project for r in selectors.late_additions_of(report)] == [project]
    march = Report.objects.get(district=city.jingkou, period__code="2025-03")
    assert march.state == ReportState.ACCEPTED  # not reopened


def test_an_imported_late_addition_is_recorded_when_reported(city, cycle, locked_march, settings):
    settings.YINLI_LATE_ADDITIONS = "reported_month"
    march = Report.objects.get(district=city.jingkou, period__code="2025-03")
    late = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 30))
    assert late.created_at > march.accepted_at
    report = cycle.submitted(city.jingkou, "2025-04")
    assert ReportedPeriod.objects.get(project=late).month == date(2025, 4, 1)
    assert [r.project for r in selectors.late_additions_of(report)] == [late]


# --- the ledger import ------------------------------------------------------------------------


def _row(n, signed="2025-03-12", total="15000", district="京口区"):
    values = [n, f"年产{n}万吨锂电池材料项目", f"江苏恒远新能源{n}科技有限公司", "", "上海",
              total, "新能源", signed, "签约", "以商引商", district]  # fmt: skip
    return dict(zip(HEADER, values, strict=True))


def _ledger(tmp_path, rows, name="台账.csv"):
    return write_csv(tmp_path / name, [HEADER, *[[r[h] for h in HEADER] for r in rows]])


def test_the_import_refuses_rows_that_touch_a_locked_month(
    city,
    cycle,
    industries,
    tmp_path,
    settings,
):
    settings.YINLI_LATE_ADDITIONS = "signing_month"
    commit_import(path=_ledger(tmp_path, [_row(1), _row(2)]), user=city.jingkou_editor)
    cycle.accepted(city.jingkou, "2025-03")
    changed = _ledger(
        tmp_path,
        [_row(1, total="18000"), _row(2), _row(3), _row(4, signed="2025-04-08")],
        name="改.csv",
    )
    preview = preview_import(path=changed, user=city.jingkou_editor)
    errors = {e.row: e for e in preview.errors}
    assert set(errors) == {2, 4}  # row 1 changes a March amount, row 3 is a March late addition
    assert "京口区2025年3月" in errors[2].message and errors[2].column == "总投资(万元)"
    assert errors[4].column == "签约时间"
    assert not commit_import(path=changed, user=city.jingkou_editor).committed
    assert Project.objects.get(name="年产1万吨锂电池材料项目").total_investment == Decimal("15000")
    result = commit_import(path=changed, user=city.jingkou_editor, skip_invalid=True)
    assert result.committed and Project.objects.filter(name="年产4万吨锂电池材料项目").exists()
    assert not Project.objects.filter(name="年产3万吨锂电池材料项目").exists()


def test_under_reported_month_the_import_takes_a_late_addition(
    city,
    cycle,
    industries,
    tmp_path,
    settings,
):
    settings.YINLI_LATE_ADDITIONS = "reported_month"
    cycle.accepted(city.jingkou, "2025-03")
    result = commit_import(path=_ledger(tmp_path, [_row(5)]), user=city.jingkou_editor)
    assert result.committed
    late = Project.objects.get(name="年产5万吨锂电池材料项目")
    cycle.submitted(city.jingkou, "2025-04")
    assert ReportedPeriod.objects.get(project=late).month == date(2025, 4, 1)


def test_a_conflict_transfer_into_a_locked_month_is_refused(city, cycle):
    from yinli.projects import conflicts
    from yinli.projects.models import ConflictOrigin, Ruling

    investor = factories.company("恒远光电科技（常州）有限公司")
    a = factories.project(city, district=city.jingkai, company=investor, signed_on=date(2025, 3, 3))
    b = factories.project(city, district=city.jingkou, company=investor, signed_on=date(2025, 4, 8))
    conflict = conflicts.conflict_open(
        project_a=a, project_b=b, by=city.jingkou_editor, origin=ConflictOrigin.ENTRY,
        check_permission=False,
    )  # fmt: skip
    cycle.accepted(city.jingkou, "2025-03")
    with pytest.raises(locks.PeriodLockedError):
        conflicts.conflict_rule(
            conflict=conflict, ruling=Ruling.TRANSFER, side="b", reason="落地京口", by=city.analyst
        )
    a.refresh_from_db()
    assert a.district == city.jingkai and not Project.objects.get(pk=b.pk).merged_into


def test_the_figures_count_a_late_addition_where_the_setting_says(
    city, cycle, locked_march, settings
):
    from yinli.stats.definitions import current_definition
    from yinli.stats.selectors import counted_projects

    settings.YINLI_LATE_ADDITIONS = "reported_month"
    late = _new_project(city, city.jingkou_editor, date(2025, 3, 25))
    on_time, _report = locked_march

    def counted(start, end):
        return set(
            counted_projects(
                definition=current_definition(), start=start, end=end, district=city.jingkou
            ).values_list("pk", flat=True)
        )

    assert counted(date(2025, 3, 1), date(2025, 3, 31)) == {on_time.pk}
    assert late.pk in counted(date(2025, 4, 1), date(2025, 4, 30))
    assert {on_time.pk, late.pk} <= counted(date(2025, 1, 1), date(2025, 6, 30))
    settings.YINLI_LATE_ADDITIONS = "signing_month"
    assert counted(date(2025, 3, 1), date(2025, 3, 31)) == {on_time.pk, late.pk}
    assert late.pk not in counted(date(2025, 4, 1), date(2025, 4, 30))
