"""The referral pages, as each persona sees them."""

from datetime import date

import pytest

from tests import factories
from tests.referrals.test_evaluations import GOOD
from tests.referrals.test_referrals import refer, target_of
from yinli.referrals import services
from yinli.referrals.models import Evaluation, Referral, Scorecard, TargetStatus


def test_the_navigation_shows_the_section(as_user, city):
    page = as_user(city.jingkou_editor).get("/")
    assert 'href="/referrals/"' in page.content.decode()


def test_a_district_lists_what_was_referred_to_it_only(as_user, city, ref):
    refer(city, ref)
    page = as_user(city.jingkou_editor).get("/referrals/").content.decode()
    assert "创新药研发及产业化基地项目" in page
    assert "京口区" in page and "镇江经开区</td>" not in page
    assert (
        "创新药研发及产业化基地项目"
        not in as_user(city.outsider).get("/referrals/").content.decode()
    )


def test_the_detail_shows_a_district_its_own_part_and_the_office_every_part(as_user, city, ref):
    referral = refer(city, ref)
    mine = as_user(city.jingkou_editor).get(f"/referrals/{referral.pk}/").content.decode()
    assert 'data-district="jingkou"' in mine and 'data-district="jingkai"' not in mine
    office = as_user(ref.office_user).get(f"/referrals/{referral.pk}/").content.decode()
    assert 'data-district="jingkou"' in office and 'data-district="jingkai"' in office
    assert 'id="current-fit"' in office


def test_a_guessed_referral_is_404(as_user, city, ref):
    referral = refer(city, ref, districts=[city.jingkai])
    assert as_user(city.jingkou_editor).get(f"/referrals/{referral.pk}/").status_code == 404
    assert as_user(city.outsider).get(f"/referrals/{referral.pk}/").status_code == 404
    target = target_of(referral, city.jingkai)
    response = as_user(city.jingkou_editor).post(f"/referrals/targets/{target.pk}/acknowledge/")
    assert response.status_code == 404


def test_the_office_refers_from_the_form_with_the_suggestions(as_user, city, ref):
    client = as_user(ref.office_user)
    page = client.get("/referrals/new/", {"lead": ref.lead.pk}).content.decode()
    assert page.index('data-district="jingkai"') < page.index('data-district="jingkou"')
    response = client.post(
        "/referrals/new/",
        {
            "lead": ref.lead.pk,
            "districts": [city.jingkai.pk, city.jingkou.pk],
            "referred_on": "2025-06-02",
            "note": "请两板块研判",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == f"/referrals/{referral.pk}/"
    assert referral.targets.count() == 2


def test_the_form_shows_errors_in_chinese(as_user, city, ref):
    response = as_user(ref.office_user).post(
        "/referrals/new/", {"lead": ref.lead.pk, "referred_on": "2025-06-02"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_district_editor_may_not_open_the_referral_form(as_user, city, ref):
    assert as_user(city.jingkou_editor).get("/referrals/new/").status_code == 403


def test_the_district_acknowledges_and_feeds_back_on_the_page(as_user, city, ref):
    target = target_of(refer(city, ref), city.jingkou)
    client = as_user(city.jingkou_editor)
    client.post(f"/referrals/targets/{target.pk}/acknowledge/", {"version": target.version})
    target.refresh_from_db()
    assert target.status == TargetStatus.ACKNOWLEDGED
    response = client.post(
        f"/referrals/targets/{target.pk}/feedback/",
        {"feedback": "decline", "reason": "", "version": target.version},
    )
    assert response.status_code == 200
    assert "请填写婉拒理由" in response.content.decode()
    client.post(
        f"/referrals/targets/{target.pk}/feedback/",
        {"feedback": "decline", "reason": "无可用工业用地", "version": target.version},
    )
    target.refresh_from_db()
    assert target.status == TargetStatus.DECLINED and target.feedback_reason == "无可用工业用地"


def test_another_district_gets_403_on_a_part_it_sees_but_does_not_own(as_user, city, ref):
    # The office sees every part but answers for none.
    target = target_of(refer(city, ref), city.jingkou)
    response = as_user(ref.office_user).post(f"/referrals/targets/{target.pk}/acknowledge/")
    assert response.status_code == 403


def test_evaluating_on_the_page_with_two_evaluators(as_user, city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    client = as_user(city.jingkai_editor)
    response = client.post(f"/referrals/targets/{target.pk}/evaluate/")
    evaluation = Evaluation.objects.get()
    assert response.url == f"/referrals/evaluations/{evaluation.pk}/"
    criteria = {c.name: c.pk for c in evaluation.scorecard.criteria.all()}
    form = {f"c{criteria[name]}": value for name, value in GOOD.items()}
    client.post(response.url, {"action": "score", **form})
    form[f"c{criteria['科技含量']}"] = "60"
    as_user(city.team_member).post(response.url, {"action": "score", **form})
    page = as_user(city.analyst).get(response.url).content.decode()
    assert 'id="total"' in page
    assert evaluation.scores.count() == 14
    assert as_user(city.jingkou_editor).get(response.url).status_code == 404
    client = as_user(city.jingkai_editor)
    client.post(
        response.url, {"action": "decide", "decision": "advance", "reason": "", "version": 3}
    )
    evaluation.refresh_from_db()
    assert evaluation.decision == "advance"


def test_a_score_that_is_not_a_number_is_shown_in_the_form(as_user, city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    evaluation = services.evaluation_create(referral_target=target, by=city.jingkai_editor)
    criterion = evaluation.scorecard.criteria.get(name="能耗")
    response = as_user(city.jingkai_editor).post(
        f"/referrals/evaluations/{evaluation.pk}/", {"action": "score", f"c{criterion.pk}": "很低"}
    )
    assert response.status_code == 200
    assert "很低" in response.content.decode()
    assert evaluation.scores.count() == 0


def test_overdue_items_show_on_the_home_page_and_their_list(as_user, city, ref):
    refer(city, ref, referred_on=date(2025, 6, 2))
    home = as_user(city.jingkou_editor).get("/").content.decode()
    assert 'data-panel="overdue-referrals"' in home
    assert "创新药研发及产业化基地项目" in home
    city_home = as_user(city.analyst).get("/").content.decode()
    assert 'data-panel="overdue-referrals"' in city_home
    assert 'data-panel="overdue-referrals"' not in as_user(city.outsider).get("/").content.decode()
    page = as_user(city.jingkou_editor).get("/referrals/overdue/").content.decode()
    assert page.count('data-step="') == 3


def test_the_lead_card_include_shows_referrals_and_overdue_flags(rf, city, ref):
    from django.template import Context, Template

    refer(city, ref, referred_on=date(2025, 6, 2))
    request = rf.get("/")
    request.user = ref.office_user
    html = Template("{% load referrals %}{% lead_referrals project %}").render(
        Context({"request": request, "project": ref.lead})
    )
    assert 'id="lead-referrals"' in html
    assert "京口区" in html and "镇江经开区" in html
    request.user = city.jingkou_editor
    html = Template("{% load referrals %}{% lead_referrals project %}").render(
        Context({"request": request, "project": ref.lead})
    )
    assert "京口区" in html and "镇江经开区" not in html
    request.user = city.outsider
    html = Template("{% load referrals %}{% lead_referrals project %}").render(
        Context({"request": request, "project": ref.lead})
    )
    assert html.strip() == ""


def test_profiles_are_edited_by_the_city_only(as_user, city, ref):
    url = f"/referrals/profiles/{city.jingkou.pk}/"
    assert as_user(city.jingkou_editor).get(url).status_code == 403
    response = as_user(city.analyst).post(
        url,
        {
            "industries": [ref.energy.pk, city.industry.pk],
            "land_available_mu": "650",
            "land_price_wan_per_mu": "31.5",
            "notes": "新增工业用地",
            "version": city.jingkou.referral_profile.version,
        },
    )
    assert response.status_code == 302
    profile = city.jingkou.referral_profile
    profile.refresh_from_db()
    assert profile.land_available_mu == 650
    assert profile.industries.count() == 2
    assert profile.version == 2
    listing = as_user(city.jingkou_editor).get("/referrals/profiles/").content.decode()
    assert "650" in listing


def test_a_negative_land_is_refused_with_the_value(as_user, city, ref):
    response = as_user(city.analyst).post(
        f"/referrals/profiles/{city.jingkou.pk}/",
        {"land_available_mu": "-5", "version": city.jingkou.referral_profile.version},
    )
    assert response.status_code == 200
    assert "-5" in response.content.decode()


def test_scorecards_are_listed_for_everyone(as_user, city):
    page = as_user(city.jingkou_editor).get("/referrals/scorecards/").content.decode()
    for name in ["投资强度", "亩均税收", "亩均产出", "容积率", "科技含量", "产业契合度", "能耗"]:
        assert name in page
    assert "≥1.2，&lt;1.5 → 80" in page  # numbers as written, not 1.2000
    assert "0.0500" not in page and "0.05 – 0.5" in page


def test_the_meeting_page_is_printable_and_scoped(as_user, city, ref):
    client = as_user(city.analyst)
    response = client.post(
        "/referrals/meetings/new/",
        {"title": "6月信息过堂会", "held_on": "2025-06-20", "organiser": city.city.pk},
    )
    assert response.status_code == 302
    url = response.url
    client.post(
        url,
        {
            "lead": ref.lead.pk,
            "decision": "advance",
            "follow_up_unit": city.jingkai.pk,
            "follow_up_person": "周立新",
            "follow_up_due": "2025-07-10",
        },
    )
    page = client.get(url).content.decode()
    assert "创新药研发及产业化基地项目" in page and "周立新" in page
    assert "window.print()" in page
    assert "创新药研发及产业化基地项目" in as_user(city.jingkai_editor).get(url).content.decode()
    assert as_user(city.jingkou_editor).get(url).status_code == 404
    assert as_user(city.jingkai_editor).post(url, {"lead": ref.lead.pk}).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/referrals/",
        "/referrals/overdue/",
        "/referrals/evaluations/",
        "/referrals/scorecards/",
        "/referrals/profiles/",
        "/referrals/meetings/",
    ],
)
def test_every_list_page_opens_for_every_persona(as_user, city, ref, url):
    refer(city, ref)
    for person in [city.admin, city.analyst, city.jingkou_editor, ref.office_user, city.outsider]:
        response = as_user(person).get(url)
        assert response.status_code == 200, (person, url)
        assert 'id="referral-tabs"' in response.content.decode()


def test_a_district_evaluates_a_lead_of_its_own_without_a_referral(as_user, city, ref):
    own = factories.project(city, district=city.jingkou, stage="negotiating", signed_on=None)
    client = as_user(city.jingkou_editor)
    page = client.get("/referrals/evaluations/new/").content.decode()
    assert own.name in page and ref.lead.name not in page  # only leads she sees
    scorecard = Scorecard.objects.get(is_default=True)
    response = client.post(
        "/referrals/evaluations/new/", {"lead": own.pk, "scorecard": scorecard.pk}
    )
    evaluation = Evaluation.objects.get()
    assert response.url == f"/referrals/evaluations/{evaluation.pk}/"
    assert evaluation.unit == city.jingkou and evaluation.referral_target is None
    refused = client.post(
        "/referrals/evaluations/new/", {"lead": ref.lead.pk, "scorecard": scorecard.pk}
    )
    assert refused.status_code == 200 and Evaluation.objects.count() == 1
    assert as_user(city.outsider).get("/referrals/evaluations/new/").status_code == 403
