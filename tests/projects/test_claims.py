"""首报首谈: a claim opens with every project and lapses after months without progress."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from yinli.projects import claims, services
from yinli.projects.models import Claim, EvidenceKind, Stage, StageChange


def new_lead(city, user=None, **data):
    data.setdefault("name", "高端装备零部件项目")
    data.setdefault("district", city.jingkai)
    return services.project_create(data=data, by=user or city.jingkai_editor)


def test_a_new_project_opens_a_first_report_claim_for_the_unit_that_entered_it(city):
    project = new_lead(city, user=city.team_member)
    [claim] = project.claims.all()
    assert claim.unit == city.team
    assert claim.district == city.jingkai
    assert claim.claimed_on == timezone.localdate()
    assert claim.evidence_kind == EvidenceKind.REPORT
    assert claims.holding_claim(project).claim == claim


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert claims.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert claims.add_months(date(2025, 8, 10), 6) == date(2026, 2, 10)


def old_claim(city, *, claimed_on, stage_on):
    project = factories.project(city, stage=Stage.NEGOTIATING, signed_on=stage_on)
    return Claim.objects.create(
        project=project, unit=city.jingkai, district=city.jingkai, claimed_on=claimed_on
    )


def test_six_months_without_progress_ends_a_claim(city):
    today = date(2025, 8, 10)
    claim = old_claim(city, claimed_on=date(2025, 1, 5), stage_on=date(2025, 2, 9))
    state = claims.state_of(claim, today=today)
    assert state.last_progress_on == date(2025, 2, 9)
    assert state.valid_until == date(2025, 8, 9)
    assert state.expired is True
    assert state.label == "已失效"


def test_a_claim_is_still_valid_on_its_last_day(city):
    claim = old_claim(city, claimed_on=date(2025, 1, 5), stage_on=date(2025, 2, 10))
    assert claims.state_of(claim, today=date(2025, 8, 10)).expired is False


def test_a_stage_change_is_progress_that_renews_the_claim(city):
    claim = old_claim(city, claimed_on=date(2025, 1, 5), stage_on=date(2025, 1, 5))
    assert claims.state_of(claim, today=date(2025, 8, 10)).expired is True
    StageChange.objects.create(project=claim.project, stage=Stage.SIGNED, on=date(2025, 7, 1))
    state = claims.state_of(Claim.objects.get(pk=claim.pk), today=date(2025, 8, 10))
    assert state.last_progress_on == date(2025, 7, 1)
    assert state.expired is False


def test_the_validity_is_a_setting(city, settings):
    claim = old_claim(city, claimed_on=date(2025, 1, 5), stage_on=date(2025, 2, 9))
    settings.CLAIM_VALID_MONTHS = 12
    assert claims.state_of(claim, today=date(2025, 8, 10)).expired is False


def test_the_annotated_read_gives_the_same_answer(city):
    claim = old_claim(city, claimed_on=date(2025, 1, 5), stage_on=date(2025, 2, 9))
    [annotated] = claims.with_progress(Claim.objects.filter(pk=claim.pk))
    today = date(2025, 8, 10)
    assert claims.state_of(annotated, today=today) == claims.state_of(claim, today=today)


def test_expired_claims_lists_only_those_past_their_time_and_in_scope(city):
    today = date(2025, 8, 10)
    expired = old_claim(city, claimed_on=date(2024, 1, 5), stage_on=date(2024, 1, 5))
    old_claim(city, claimed_on=date(2025, 6, 1), stage_on=date(2025, 6, 1))
    found = claims.expired_claims(today=today)
    assert [state.claim for state in found] == [expired]
    assert claims.expired_claims(user=city.jingkou_editor, today=today) == []


def test_a_claim_needs_evidence_unless_it_is_the_first_report(city):
    project = new_lead(city)
    with pytest.raises(Exception) as error:
        claims.claim_create(project=project, by=city.jingkai_editor, evidence_kind="visit")
    assert "证据" in str(error.value) or "evidence" in str(error.value)


def test_another_district_may_not_claim_a_project_it_cannot_change(city):
    from yinli.core.services import PermissionDeniedError

    project = new_lead(city)
    with pytest.raises(PermissionDeniedError):
        claims.claim_create(
            project=project, by=city.jingkou_editor, evidence_kind="visit", evidence="拜访"
        )


def test_an_expired_claim_shows_as_expired_on_the_project_page(city, as_user):
    claim = old_claim(
        city,
        claimed_on=timezone.localdate() - timedelta(days=400),
        stage_on=timezone.localdate() - timedelta(days=400),
    )
    page = as_user(city.jingkai_editor).get(reverse("projects:detail", args=[claim.project_id]))
    states = page.context["claims"]
    assert [s.expired for s in states] == [True]
    assert "已失效" in page.content.decode()


def test_recording_a_claim_from_the_page(city, as_user):
    project = new_lead(city)
    response = as_user(city.jingkai_editor).post(
        reverse("projects:claim-add", args=[project.pk]),
        {
            "claimed_on": "2025-06-01",
            "evidence_kind": "meeting",
            "evidence": "与企业董事长在上海会面",
            "document_ref": "会议纪要〔2025〕12号",
        },
    )
    assert response.status_code == 302
    claim = project.claims.get(evidence_kind="meeting")
    assert claim.document_ref == "会议纪要〔2025〕12号"
    assert claim.created_by == city.jingkai_editor


def test_a_visit_to_the_project_is_progress_too(city):
    from yinli.fieldwork.models import Visit

    claim = old_claim(city, claimed_on=date(2025, 1, 5), stage_on=date(2025, 1, 5))
    Visit.objects.create(
        visited_on=date(2025, 6, 20),
        unit=city.team,
        company=claim.project.company,
        project=claim.project,
        outcome="follow_up",
    )
    state = claims.state_of(Claim.objects.get(pk=claim.pk), today=date(2025, 8, 10))
    assert state.last_progress_on == date(2025, 6, 20)
    assert state.expired is False
    [annotated] = claims.with_progress(Claim.objects.filter(pk=claim.pk))
    assert claims.state_of(annotated, today=date(2025, 8, 10)).last_progress_on == date(2025, 6, 20)
