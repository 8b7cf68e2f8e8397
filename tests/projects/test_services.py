"""Project writes: creation, stages, status, stale versions, soft delete; all recorded."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from yinli.core.models import Region
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.projects import services
from yinli.projects.models import Agreement, Project, Stage, StageChange, Status


def lead_data(city, **extra):
    return {"name": "年产5万吨高性能碳纤维项目", "district": city.jingkai, **extra}


def test_a_district_editor_creates_a_lead_in_her_district(city):
    project = services.project_create(data=lead_data(city), by=city.jingkai_editor)
    assert project.stage == Stage.LEAD
    assert project.version == 1
    assert project.created_by == city.jingkai_editor
    assert project.history.count() == 1
    assert project.history.first().history_user == city.jingkai_editor
    assert list(project.stage_changes.values_list("stage", flat=True)) == [Stage.LEAD]


def test_it_refuses_to_file_under_another_district(city):
    with pytest.raises(PermissionDeniedError):
        services.project_create(data=lead_data(city), by=city.jingkou_editor)
    assert not Project.all_objects.exists()


def test_a_signed_project_needs_what_signing_requires(city):
    with pytest.raises(ValidationError) as raised:
        services.project_create(
            data=lead_data(city),
            by=city.jingkai_editor,
            stage=Stage.SIGNED,
            stage_on=date(2025, 3, 1),
        )
    assert "total investment" in str(raised.value) or "总投资" in str(raised.value)


def signed_project(city):
    investor = factories.company("恒远光电科技（常州）有限公司", region="320400")
    return services.project_create(
        data=lead_data(
            city,
            company=investor,
            industry=city.industry,
            responsible_unit=city.jingkai,
            agreement=Agreement.FORMAL,
            total_investment=Decimal("35000"),
            signing_region=Region.objects.get(code="320400"),
            channel=city.channel,
        ),
        by=city.jingkai_editor,
        stage=Stage.SIGNED,
        stage_on=date(2025, 3, 12),
    )


def test_first_signing_sets_first_signed_on(city):
    project = signed_project(city)
    assert project.first_signed_on == date(2025, 3, 12)


def test_first_signed_on_never_moves_even_when_signed_again(city):
    project = signed_project(city)
    services.project_advance_stage(
        project=project,
        stage=Stage.NEGOTIATING,
        on=date(2025, 4, 1),
        by=city.admin,
        version=project.version,
        note="协议被撤回，重新洽谈",
    )
    services.project_advance_stage(
        project=project,
        stage=Stage.SIGNED,
        on=date(2025, 5, 20),
        by=city.admin,
        version=project.version,
    )
    project.refresh_from_db()
    assert project.first_signed_on == date(2025, 3, 12)
    assert project.stage_on == date(2025, 5, 20)


def test_a_stage_cannot_be_reached_without_its_fields(city):
    project = services.project_create(
        data=lead_data(city), by=city.jingkai_editor, stage_on=date(2025, 1, 5)
    )
    with pytest.raises(ValidationError) as raised:
        services.project_advance_stage(
            project=project,
            stage=Stage.SIGNED,
            on=date(2025, 3, 1),
            by=city.jingkai_editor,
            version=project.version,
        )
    assert raised.value.code == "incomplete"
    project.refresh_from_db()
    assert project.stage == Stage.LEAD


def test_a_framework_agreement_is_not_a_signing(city):
    project = signed_project(city)
    other = services.project_create(
        data=lead_data(
            city,
            name="框架协议项目",
            company=project.company,
            industry=city.industry,
            responsible_unit=city.jingkai,
            agreement=Agreement.FRAMEWORK,
            total_investment=Decimal("50000"),
            signing_region=project.signing_region,
            channel=city.channel,
        ),
        by=city.jingkai_editor,
        stage=Stage.NEGOTIATING,
        stage_on=date(2025, 2, 1),
    )
    with pytest.raises(ValidationError):
        services.project_advance_stage(
            project=other,
            stage=Stage.SIGNED,
            on=date(2025, 3, 1),
            by=city.jingkai_editor,
            version=other.version,
        )


def test_advancing_logs_the_stage_with_its_date_and_person(city):
    project = services.project_create(
        data=lead_data(
            city, company=factories.company(), industry=city.industry, responsible_unit=city.jingkai
        ),
        by=city.jingkai_editor,
        stage_on=date(2025, 1, 5),
    )
    services.project_advance_stage(
        project=project,
        stage=Stage.NEGOTIATING,
        on=date(2025, 2, 1),
        by=city.jingkai_editor,
        version=project.version,
        note="首次洽谈",
    )
    log = list(StageChange.objects.filter(project=project).values_list("stage", "on", "by"))
    assert log[-1] == (Stage.NEGOTIATING, date(2025, 2, 1), city.jingkai_editor.pk)


def test_a_stale_version_is_refused_and_nothing_is_overwritten(city):
    project = services.project_create(data=lead_data(city), by=city.jingkai_editor)
    opened_version = project.version
    first = Project.objects.get(pk=project.pk)
    services.project_update(
        project=first, data={"notes": "第一位编辑"}, version=opened_version, by=city.jingkai_editor
    )
    second = Project.objects.get(pk=project.pk)
    with pytest.raises(StaleWriteError):
        services.project_update(
            project=second, data={"notes": "第二位编辑"}, version=opened_version, by=city.admin
        )
    assert Project.objects.get(pk=project.pk).notes == "第一位编辑"


def test_a_stage_cannot_go_back_for_a_district_editor(city):
    project = signed_project(city)
    with pytest.raises(ValidationError) as raised:
        services.project_advance_stage(
            project=project,
            stage=Stage.NEGOTIATING,
            on=date(2025, 3, 20),
            by=city.jingkai_editor,
            version=project.version,
        )
    assert raised.value.code == "backwards"


def test_lost_needs_a_reason_and_a_place(city):
    project = services.project_create(data=lead_data(city), by=city.jingkai_editor)
    with pytest.raises(ValidationError):
        services.project_set_status(
            project=project,
            status=Status.LOST,
            reason="",
            by=city.jingkai_editor,
            version=project.version,
        )
    services.project_set_status(
        project=project,
        status=Status.LOST,
        reason="落户常州",
        by=city.jingkai_editor,
        version=project.version,
        lost_to=Region.objects.get(code="320400"),
    )
    project.refresh_from_db()
    assert (project.status, project.lost_to.code) == (Status.LOST, "320400")


def test_delete_is_soft_and_restorable_with_history(city):
    project = services.project_create(data=lead_data(city), by=city.jingkai_editor)
    services.project_delete(project=project, by=city.jingkai_editor, version=project.version)
    assert not Project.objects.filter(pk=project.pk).exists()
    kept = Project.all_objects.get(pk=project.pk)
    assert kept.deleted_at is not None
    services.project_restore(project=kept, by=city.jingkai_editor)
    assert Project.objects.filter(pk=project.pk).exists()
    reasons = list(
        kept.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["delete", "restore"]


def test_another_district_cannot_delete(city):
    project = services.project_create(data=lead_data(city), by=city.jingkai_editor)
    with pytest.raises(PermissionDeniedError):
        services.project_delete(project=project, by=city.jingkou_editor, version=project.version)
    assert Project.objects.filter(pk=project.pk).exists()
