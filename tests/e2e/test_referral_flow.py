"""A referral in a real browser: the Beijing office refers a lead on a phone, the district
acknowledges, evaluates and decides.

Fixtures (browser, page, phone_page, login, live_server) come from tests/e2e/conftest.py.
"""

from decimal import Decimal

import pytest

from tests import factories
from tests.referrals.conftest import lead, profile
from yinli.core.models import Role
from yinli.referrals.models import Evaluation, Referral, TargetStatus


@pytest.fixture
def city(transactional_db):
    city = factories.build_city()
    city.office_user = factories.user("bj_office", Role.TEAM_MEMBER, city.office)
    profile(city.jingkai, industries=[city.industry], land="300", price="28")
    profile(city.jingkou, land="50")
    city.lead = lead(city, city.office, name="央企创新药产业化基地项目", land_mu=Decimal("120"))
    return city


def test_the_office_refers_and_the_district_evaluates(phone_page, page, login, city):
    phone = login(phone_page, city.office_user.username)
    phone.goto(f"/referrals/new/?lead={city.lead.pk}")
    suggestions = phone.inner_text("#suggestions")
    assert suggestions.index("镇江经开区") < suggestions.index("京口区")
    assert "产业方向包含生物医药及大健康" in suggestions
    width, viewport = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport
    phone.check(f"#district-{city.jingkai.pk}")
    phone.fill("#id_note", "请经开区研判")
    with phone.expect_navigation():
        phone.click("#referral-form button[type=submit]:not([formmethod])")
    referral = Referral.objects.get()
    assert phone.url.endswith(f"/referrals/{referral.pk}/")
    assert "镇江经开区" in phone.inner_text(f"#target-{referral.targets.get().pk}")
    assert phone.js_errors == []

    desk = login(page, city.jingkai_editor.username)
    desk.goto(f"/referrals/{referral.pk}/")
    target = referral.targets.get()
    with desk.expect_navigation():
        desk.click(f"#target-{target.pk} button:has-text('签收')")
    target.refresh_from_db()
    assert target.status == TargetStatus.ACKNOWLEDGED
    with desk.expect_navigation():
        desk.click(f"#target-{target.pk} button:has-text('评估')")
    evaluation = Evaluation.objects.get()
    values = {
        "投资强度": "450",
        "亩均税收": "30",
        "亩均产出": "350",
        "容积率": "1.3",
        "科技含量": "80",
        "产业契合度": "90",
        "能耗": "0.2",
    }
    for criterion in evaluation.scorecard.criteria.all():
        desk.fill(f"#id_c{criterion.pk}", values[criterion.name])
    with desk.expect_navigation():
        desk.click("#score-card button[type=submit]")
    assert desk.inner_text("#total").strip() != "—"
    desk.select_option("#decision-card select[name=decision]", "advance")
    with desk.expect_navigation():
        desk.click("#decision-card button[type=submit]")
    assert "推进" in desk.inner_text("#decision")
    target.refresh_from_db()
    assert target.status == TargetStatus.EVALUATED
    assert desk.js_errors == [] and desk.failed_responses == []
