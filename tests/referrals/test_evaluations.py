"""Evaluations of a lead: who scores, several evaluators, the decision and its reasons."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.referrals.test_referrals import refer, target_of
from yinli.core.models import Role
from yinli.core.services import PermissionDeniedError
from yinli.referrals import services
from yinli.referrals.models import Decision, Score, TargetStatus
from yinli.referrals.scoring import evaluation_result

# A lead that passes every threshold of the default scorecard.
GOOD = {
    "投资强度": 450,
    "亩均税收": 30,
    "亩均产出": 350,
    "容积率": "1.3",
    "科技含量": 80,
    "产业契合度": 90,
    "能耗": "0.2",
}


@pytest.fixture
def evaluation(city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    return services.evaluation_create(referral_target=target, by=city.jingkai_editor)


def test_a_referred_district_opens_its_evaluation_on_the_default_scorecard(evaluation, city):
    assert evaluation.unit == city.jingkai
    assert evaluation.scorecard.is_default
    assert evaluation.lead.name == "创新药研发及产业化基地项目"


def test_a_district_cannot_evaluate_for_another(city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    with pytest.raises(PermissionDeniedError):
        services.evaluation_create(referral_target=target, by=city.jingkou_editor)
    with pytest.raises(PermissionDeniedError):
        services.evaluation_create(lead=ref.lead, unit=city.jingkai, by=city.jingkou_editor)


def test_a_district_cannot_score_or_decide_another_districts_evaluation(evaluation, city):
    with pytest.raises(PermissionDeniedError):
        services.evaluation_score(evaluation=evaluation, by=city.jingkou_editor, values=GOOD)
    with pytest.raises(PermissionDeniedError):
        services.evaluation_decide(
            evaluation=evaluation,
            decision=Decision.REJECT,
            reason="x",
            by=city.jingkou_editor,
            version=evaluation.version,
        )


def test_several_evaluators_each_score_for_themselves(evaluation, city, ref):
    services.evaluation_score(evaluation=evaluation, by=city.jingkai_editor, values=GOOD)
    services.evaluation_score(
        evaluation=evaluation, by=city.team_member, values={**GOOD, "科技含量": 60}
    )
    # The referring office joins the joint evaluation (综合评估).
    services.evaluation_score(
        evaluation=evaluation, by=ref.office_user, values={**GOOD, "科技含量": 70}
    )
    assert Score.objects.filter(evaluation=evaluation).count() == 21
    result = evaluation_result(evaluation)
    row = {r.criterion.name: r for r in result.criteria}
    assert row["科技含量"].mean == 70
    assert len(result.evaluators) == 3
    # Scoring again corrects one's own values, never another's.
    services.evaluation_score(evaluation=evaluation, by=city.team_member, values={"科技含量": 90})
    assert evaluation_result(evaluation).criteria[4].values[city.team_member.pk] == 90
    assert Score.objects.filter(evaluation=evaluation).count() == 21


def test_an_unknown_criterion_or_a_bad_number_is_named(evaluation, city):
    with pytest.raises(ValidationError) as error:
        services.evaluation_score(
            evaluation=evaluation, by=city.jingkai_editor, values={"带动就业": 3, "能耗": "很低"}
        )
    text = " ".join(error.value.messages)
    assert "带动就业" in text
    assert "很低" in text
    assert Score.objects.filter(evaluation=evaluation).count() == 0  # nothing half-written


def test_advancing_needs_every_criterion_scored(evaluation, city):
    services.evaluation_score(
        evaluation=evaluation, by=city.jingkai_editor, values={"投资强度": 450}
    )
    with pytest.raises(ValidationError) as error:
        services.evaluation_decide(
            evaluation=evaluation,
            decision=Decision.ADVANCE,
            reason="",
            by=city.jingkai_editor,
            version=evaluation.version,
        )
    assert "亩均税收" in str(error.value)


def test_the_decision_keeps_the_result_and_marks_the_referral_evaluated(evaluation, city):
    services.evaluation_score(evaluation=evaluation, by=city.jingkai_editor, values=GOOD)
    evaluation.refresh_from_db()
    services.evaluation_decide(
        evaluation=evaluation,
        decision=Decision.ADVANCE,
        reason="",
        by=city.jingkai_editor,
        version=evaluation.version,
    )
    evaluation.refresh_from_db()
    assert evaluation.decision == Decision.ADVANCE
    assert evaluation.total_at_decision == evaluation_result(evaluation).total
    assert evaluation.failed_at_decision == []
    target = evaluation.referral_target
    target.refresh_from_db()
    assert target.status == TargetStatus.EVALUATED
    assert target.evaluated_at is not None
    assert target.acknowledged_at is not None  # evaluating implies it was received
    with pytest.raises(ValidationError):
        services.evaluation_score(evaluation=evaluation, by=city.jingkai_editor, values=GOOD)


def test_a_failed_threshold_must_be_answered_to_advance(evaluation, city):
    services.evaluation_score(
        evaluation=evaluation, by=city.jingkai_editor, values={**GOOD, "投资强度": 250}
    )
    evaluation.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.evaluation_decide(
            evaluation=evaluation,
            decision=Decision.ADVANCE,
            reason="",
            by=city.jingkai_editor,
            version=evaluation.version,
        )
    assert "投资强度" in str(error.value)
    services.evaluation_decide(
        evaluation=evaluation,
        decision=Decision.ADVANCE,
        reason="市重大项目，投资强度按政策放宽",
        by=city.jingkai_editor,
        version=evaluation.version,
    )
    evaluation.refresh_from_db()
    assert evaluation.failed_at_decision == ["投资强度"]


def test_holding_or_rejecting_needs_a_reason(evaluation, city):
    with pytest.raises(ValidationError) as error:
        services.evaluation_decide(
            evaluation=evaluation,
            decision=Decision.REJECT,
            reason="",
            by=city.jingkai_editor,
            version=evaluation.version,
        )
    assert "decision_reason" in error.value.error_dict
    services.evaluation_decide(
        evaluation=evaluation,
        decision=Decision.REJECT,
        reason="能耗过高",
        by=city.jingkai_editor,
        version=evaluation.version,
    )
    evaluation.refresh_from_db()
    assert evaluation.decision_reason == "能耗过高"


def test_a_second_open_evaluation_of_the_same_lead_by_the_same_unit_is_refused(evaluation, city):
    with pytest.raises(ValidationError):
        services.evaluation_create(lead=evaluation.lead, unit=city.jingkai, by=city.jingkai_editor)


def test_the_evaluation_step_closes_the_evaluate_deadline(evaluation, city):
    from yinli.referrals.selectors import overdue_targets

    day = date(2025, 6, 6)
    before = {
        (i.target.district.code, i.step) for i in overdue_targets(user=city.analyst, today=day)
    }
    assert ("jingkai", "evaluate") in before
    services.evaluation_decide(
        evaluation=evaluation,
        decision=Decision.HOLD,
        reason="待补充能评材料",
        by=city.jingkai_editor,
        version=evaluation.version,
    )
    after = {
        (i.target.district.code, i.step) for i in overdue_targets(user=city.analyst, today=day)
    }
    assert ("jingkai", "evaluate") not in after
    assert ("jingkai", "acknowledge") not in after
    assert ("jingkou", "evaluate") in after


def test_a_viewer_never_scores(evaluation, city):
    viewer = factories.user("jkq_viewer", Role.VIEWER, city.jingkai)
    with pytest.raises(PermissionDeniedError):
        services.evaluation_score(evaluation=evaluation, by=viewer, values=GOOD)
