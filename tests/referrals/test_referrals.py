"""Referring a lead, the districts' responses, their deadlines, and who sees what."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from tests import factories
from yinli.core.models import Role
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.projects.models import Stage
from yinli.referrals import selectors, services
from yinli.referrals.models import Feedback, ReferralTarget, TargetStatus

REFERRED = date(2025, 6, 2)


def refer(city, ref, districts=None, **extra):
    return services.referral_create(
        lead=ref.lead,
        districts=[city.jingkai, city.jingkou] if districts is None else districts,
        by=ref.office_user,
        referred_on=extra.pop("referred_on", REFERRED),
        **extra,
    )


def target_of(referral, district) -> ReferralTarget:
    return referral.targets.get(district=district)


def test_a_referral_records_who_to_whom_when_and_each_fit(city, ref):
    referral = refer(city, ref, note="请研判")
    assert referral.referring_unit == city.office
    assert referral.referred_by == ref.office_user
    assert referral.referred_on == REFERRED
    assert referral.land_need == Decimal("80")  # the project's land
    parts = {t.district.code: t for t in referral.targets.all()}
    assert set(parts) == {"jingkai", "jingkou"}
    assert parts["jingkai"].fit_score == 100
    assert parts["jingkou"].fit_score == 30
    assert parts["jingkai"].fit_reasons  # kept as they were when referred
    assert all(t.status == TargetStatus.REFERRED for t in parts.values())
    assert referral.history.first().history_user == ref.office_user


def test_the_land_given_on_the_referral_overrides_the_project(city, ref):
    referral = refer(city, ref, land_needed_mu=Decimal("400"))
    assert referral.land_need == Decimal("400")
    assert target_of(referral, city.jingkai).fit_score == 78


def test_only_leads_and_negotiations_are_referred(city, ref):
    signed = factories.project(city, responsible_unit=city.office)
    with pytest.raises(ValidationError) as error:
        services.referral_create(lead=signed, districts=[city.jingkou], by=ref.office_user)
    assert "线索" in error.value.messages[0]


def test_a_district_editor_cannot_refer(city, ref):
    with pytest.raises(PermissionDeniedError):
        services.referral_create(lead=ref.lead, districts=[city.jingkou], by=city.jingkai_editor)


def test_the_same_district_is_not_referred_the_same_lead_twice_while_open(city, ref):
    refer(city, ref, districts=[city.jingkou])
    with pytest.raises(ValidationError) as error:
        refer(city, ref, districts=[city.jingkou, city.jingkai])
    assert "京口区" in str(error.value)


def test_a_declined_district_may_be_referred_again(city, ref):
    referral = refer(city, ref, districts=[city.jingkou])
    target = target_of(referral, city.jingkou)
    services.referral_feedback(
        target=target,
        feedback=Feedback.DECLINE,
        reason="用地不足",
        by=city.jingkou_editor,
        version=target.version,
    )
    again = refer(city, ref, districts=[city.jingkou])
    assert again.targets.count() == 1


def test_no_district_and_a_future_date_are_refused(city, ref):
    with pytest.raises(ValidationError) as error:
        refer(city, ref, districts=[])
    assert "districts" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        refer(city, ref, referred_on=timezone.localdate() + timedelta(days=1))
    assert "referred_on" in error.value.error_dict


def test_the_district_acknowledges_and_feeds_back(city, ref):
    referral = refer(city, ref)
    target = target_of(referral, city.jingkai)
    target = services.referral_acknowledge(
        target=target, by=city.jingkai_editor, version=target.version
    )
    assert target.status == TargetStatus.ACKNOWLEDGED
    assert target.acknowledged_by == city.jingkai_editor
    target = services.referral_feedback(
        target=target,
        feedback=Feedback.ACCEPT,
        reason="",
        by=city.team_member,  # a team member of the district answers too
        version=target.version,
    )
    assert target.status == TargetStatus.ACCEPTED
    assert target.fed_back_by == city.team_member
    with pytest.raises(ValidationError):
        services.referral_feedback(
            target=target,
            feedback=Feedback.DECLINE,
            reason="x",
            by=city.jingkai_editor,
            version=target.version,
        )


def test_declining_needs_a_reason(city, ref):
    target = target_of(refer(city, ref), city.jingkou)
    with pytest.raises(ValidationError) as error:
        services.referral_feedback(
            target=target,
            feedback=Feedback.DECLINE,
            reason="  ",
            by=city.jingkou_editor,
            version=target.version,
        )
    assert "feedback_reason" in error.value.error_dict


def test_a_district_cannot_answer_for_another(city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    with pytest.raises(PermissionDeniedError):
        services.referral_acknowledge(target=target, by=city.jingkou_editor, version=1)
    with pytest.raises(PermissionDeniedError):
        services.referral_feedback(
            target=target, feedback=Feedback.ACCEPT, reason="", by=city.outsider, version=1
        )


def test_a_stale_version_is_refused(city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    services.referral_acknowledge(target=target, by=city.jingkai_editor, version=target.version)
    with pytest.raises(StaleWriteError):
        services.referral_feedback(
            target=target_of(target.referral, city.jingkai),
            feedback=Feedback.ACCEPT,
            reason="",
            by=city.jingkai_editor,
            version=1,
        )


# --- Who sees what ----------------------------------------------------------------------------


def test_a_district_sees_only_its_own_part(city, ref):
    referral = refer(city, ref)
    mine = selectors.visible_targets(city.jingkou_editor)
    assert [t.district for t in mine] == [city.jingkou]
    assert list(selectors.visible_referrals(city.jingkou_editor)) == [referral]
    assert list(selectors.visible_referrals(city.outsider)) == []
    assert selectors.visible_targets(city.outsider).count() == 0


def test_the_office_sees_every_part_of_what_it_referred_and_the_city_everything(city, ref):
    refer(city, ref)
    assert selectors.visible_targets(ref.office_user).count() == 2
    assert selectors.visible_targets(city.analyst).count() == 2
    other_office = factories.unit("shanghai-office", "上海招商代表处", "office", city.city)
    stranger = factories.user("sh_office", Role.TEAM_MEMBER, other_office)
    assert selectors.visible_targets(stranger).count() == 0


# --- Deadlines ----------------------------------------------------------------------------------


def _steps(user, today):
    return sorted(
        (item.target.district.code, item.step)
        for item in selectors.overdue_targets(user=user, today=today)
    )


def test_responses_are_overdue_the_day_after_their_deadline(city, ref):
    refer(city, ref, districts=[city.jingkou])
    # Referred 06-02: acknowledge by 06-03, evaluate by 06-05, feed back by 06-09.
    assert _steps(city.analyst, date(2025, 6, 3)) == []
    assert _steps(city.analyst, date(2025, 6, 4)) == [("jingkou", "acknowledge")]
    assert _steps(city.analyst, date(2025, 6, 5)) == [("jingkou", "acknowledge")]
    assert _steps(city.analyst, date(2025, 6, 6)) == [
        ("jingkou", "acknowledge"),
        ("jingkou", "evaluate"),
    ]
    assert _steps(city.analyst, date(2025, 6, 10)) == [
        ("jingkou", "acknowledge"),
        ("jingkou", "evaluate"),
        ("jingkou", "feedback"),
    ]
    late = selectors.overdue_targets(user=city.analyst, today=date(2025, 6, 10))
    assert late[0].days_late == 7 and late[0].step == "acknowledge"
    assert late[0].due_on == date(2025, 6, 3)


def test_a_done_step_is_no_longer_overdue_and_feedback_closes_the_rest(city, ref):
    target = target_of(refer(city, ref, districts=[city.jingkou]), city.jingkou)
    target = services.referral_acknowledge(
        target=target, by=city.jingkou_editor, version=target.version
    )
    assert _steps(city.analyst, date(2025, 6, 6)) == [("jingkou", "evaluate")]
    services.referral_feedback(
        target=target,
        feedback=Feedback.DECLINE,
        reason="产业不符",
        by=city.jingkou_editor,
        version=target.version,
    )
    assert _steps(city.analyst, date(2025, 7, 1)) == []


@override_settings(YINLI_REFERRAL_DEADLINES={"acknowledge": 2, "evaluate": 5, "feedback": 10})
def test_the_deadlines_are_a_setting(city, ref):
    refer(city, ref, districts=[city.jingkou])
    assert _steps(city.analyst, date(2025, 6, 4)) == []
    assert _steps(city.analyst, date(2025, 6, 5)) == [("jingkou", "acknowledge")]


def test_a_district_sees_its_own_overdue_items_only(city, ref):
    refer(city, ref)
    day = date(2025, 6, 4)
    assert _steps(city.jingkou_editor, day) == [("jingkou", "acknowledge")]
    assert _steps(city.jingkai_editor, day) == [("jingkai", "acknowledge")]
    assert len(_steps(ref.office_user, day)) == 2
    assert _steps(city.outsider, day) == []


def test_the_negotiating_stage_is_referable_too(city, ref):
    ref.lead.stage = Stage.NEGOTIATING
    ref.lead.save()
    assert refer(city, ref).targets.count() == 2


def test_acknowledged_time_is_recorded(city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    moment = timezone.make_aware(datetime(2025, 6, 3, 9, 30))
    target = services.referral_acknowledge(
        target=target, by=city.jingkai_editor, version=target.version, now=moment
    )
    assert target.acknowledged_at == moment


def test_the_home_panel_groups_the_late_steps_of_a_district(city, ref):
    refer(city, ref)
    items = selectors.overdue_targets(user=city.analyst, today=date(2025, 6, 6))
    groups = selectors.overdue_by_target(items)
    assert len(items) == 4 and len(groups) == 2
    assert [item.step for item in groups[0].steps] == ["acknowledge", "evaluate"]
    assert groups[0].days_late == 3  # the acknowledgement, due 06-03


def test_the_demo_city_judges_deadlines_on_its_reference_date(city, settings):
    from django.core.cache import cache

    from yinli.demo.services import DEMO_MARKER_KEY

    assert selectors.reference_day() == timezone.localdate()
    city.city.code = "demo-city"
    city.city.save()
    cache.delete(DEMO_MARKER_KEY)
    settings.DEMO_REFERENCE_DATE = "2025-08-10"
    try:
        assert selectors.reference_day() == date(2025, 8, 10)
    finally:
        cache.delete(DEMO_MARKER_KEY)


def test_the_districts_and_then_the_office_are_notified_in_the_app(city, ref):
    from yinli.core.notifications import notifications_for

    referral = refer(city, ref)
    mine = list(notifications_for(city.jingkou_editor))
    assert len(mine) == 1
    assert "创新药研发及产业化基地项目" in mine[0].text and "2025-06-03" in mine[0].text
    assert mine[0].link == f"/referrals/{referral.pk}/"
    assert not notifications_for(city.outsider).exists()
    target = target_of(referral, city.jingkou)
    services.referral_feedback(
        target=target,
        feedback=Feedback.DECLINE,
        reason="无可用工业用地",
        by=city.jingkou_editor,
        version=target.version,
    )
    office = [n.text for n in notifications_for(ref.office_user)]
    assert len(office) == 1 and "京口区" in office[0] and "无可用工业用地" in office[0]
