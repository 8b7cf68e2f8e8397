"""Review meetings (信息过堂会): a dated list of leads, each with its decision and follow-up."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.referrals.test_referrals import refer
from yinli.core.services import PermissionDeniedError
from yinli.referrals import selectors, services
from yinli.referrals.models import Decision


@pytest.fixture
def meeting(city):
    return services.meeting_save(
        by=city.analyst,
        data={
            "title": "2025年6月招商信息过堂会",
            "held_on": date(2025, 6, 20),
            "chair": "分管局长",
        },
    )


def test_the_city_holds_a_meeting_with_a_list_of_leads(meeting, city, ref):
    assert meeting.organiser == city.city  # the analyst's unit
    item = services.meeting_item_save(
        meeting=meeting,
        lead=ref.lead,
        by=city.analyst,
        decision=Decision.ADVANCE,
        follow_up_unit=city.jingkai,
        follow_up_person="周立新",
        follow_up_due=date(2025, 7, 10),
    )
    assert list(meeting.items.all()) == [item]
    # Saving the same lead again changes its line, it does not add one.
    services.meeting_item_save(
        meeting=meeting,
        lead=ref.lead,
        by=city.analyst,
        decision=Decision.HOLD,
        decision_reason="等待央企总部决策",
    )
    assert meeting.items.get().decision == Decision.HOLD


def test_a_district_cannot_organise_a_meeting(city):
    with pytest.raises(PermissionDeniedError):
        services.meeting_save(
            by=city.jingkou_editor, data={"title": "x", "held_on": date(2025, 6, 20)}
        )


def test_bad_follow_ups_are_refused(meeting, city, ref):
    with pytest.raises(ValidationError) as error:
        services.meeting_item_save(
            meeting=meeting,
            lead=ref.lead,
            by=city.analyst,
            follow_up_due=date(2025, 6, 1),
            follow_up_unit=city.jingkai,
        )
    assert "follow_up_due" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.meeting_item_save(
            meeting=meeting, lead=ref.lead, by=city.analyst, follow_up_person="某人"
        )
    assert "follow_up_unit" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.meeting_save(by=city.analyst, data={"title": "", "held_on": date(2025, 6, 1)})
    assert "title" in error.value.error_dict


def test_a_district_sees_the_items_that_concern_it_only(meeting, city, ref):
    other = factories.project(city, district=city.jingkou, stage="lead", signed_on=None)
    services.meeting_item_save(
        meeting=meeting,
        lead=ref.lead,
        by=city.analyst,
        follow_up_unit=city.jingkai,
        follow_up_due=date(2025, 7, 1),
    )
    services.meeting_item_save(meeting=meeting, lead=other, by=city.analyst)
    assert list(selectors.visible_meetings(city.jingkou_editor)) == [meeting]
    assert [i.lead for i in selectors.visible_items(city.jingkou_editor)] == [other]
    assert [i.lead for i in selectors.visible_items(city.jingkai_editor)] == [ref.lead]
    assert selectors.visible_items(city.analyst).count() == 2
    assert list(selectors.visible_meetings(city.outsider)) == []


def test_a_lead_referred_to_a_district_brings_its_meeting_line(meeting, city, ref):
    refer(city, ref, districts=[city.jingkou])
    services.meeting_item_save(meeting=meeting, lead=ref.lead, by=city.analyst)
    assert [i.lead for i in selectors.visible_items(city.jingkou_editor)] == [ref.lead]


def test_follow_ups_are_overdue_after_their_deadline_until_done(meeting, city, ref):
    services.meeting_item_save(
        meeting=meeting,
        lead=ref.lead,
        by=city.analyst,
        follow_up_unit=city.jingkai,
        follow_up_due=date(2025, 7, 1),
    )
    assert not selectors.overdue_follow_ups(user=city.jingkai_editor, today=date(2025, 7, 1))
    assert (
        selectors.overdue_follow_ups(user=city.jingkai_editor, today=date(2025, 7, 2)).count() == 1
    )
    services.meeting_item_save(
        meeting=meeting,
        lead=ref.lead,
        by=city.analyst,
        follow_up_unit=city.jingkai,
        follow_up_due=date(2025, 7, 1),
        follow_up_done_on=date(2025, 6, 30),
    )
    assert not selectors.overdue_follow_ups(user=city.jingkai_editor, today=date(2025, 7, 2))
