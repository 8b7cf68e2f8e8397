"""Districts suggested for a lead, ranked by fit, each with its reasons."""

from decimal import Decimal

from tests import factories
from tests.referrals.conftest import lead
from yinli.referrals.selectors import suggest_districts


def _by_code(suggestions):
    return {s.district.code: s for s in suggestions}


def test_the_district_with_the_industry_the_land_and_the_record_ranks_first(city, ref):
    suggestions = suggest_districts(lead=ref.lead)
    assert [s.district.code for s in suggestions] == ["jingkai", "runzhou", "jingkou"]
    scores = _by_code(suggestions)
    # 经开区: industry 50 + land 30 + record 20 (it has the most 生物医药 projects).
    assert scores["jingkai"].score == 100
    # 润州: industry 50 + land 30 × 20/80 + record 20 × 1/2 = 67.5 → 68.
    assert scores["runzhou"].score == 68
    # 京口: land only.
    assert scores["jingkou"].score == 30


def test_each_suggestion_says_why_in_chinese(city, ref):
    scores = _by_code(suggest_districts(lead=ref.lead))
    jingkai = " ".join(scores["jingkai"].reasons)
    assert "产业方向包含生物医药及大健康" in jingkai
    assert "100亩" in jingkai and "80亩" in jingkai
    assert "30万元/亩" in jingkai
    assert "2个" in jingkai and "1个已签约" in jingkai
    runzhou = " ".join(scores["runzhou"].reasons)
    assert "不足" in runzhou and "20亩" in runzhou
    jingkou = " ".join(scores["jingkou"].reasons)
    assert "不在" in jingkou
    assert "暂无" in jingkou


def test_a_bigger_land_need_moves_the_ranking(city, ref):
    # Needing 400亩, only 京口 (500亩) has the land: 经开区 keeps its industry and record.
    scores = _by_code(suggest_districts(lead=ref.lead, land_need=Decimal("400")))
    assert scores["jingkou"].score == 30
    assert scores["jingkai"].score == round(50 + 30 * 100 / 400 + 20)  # 77.5 → 78
    assert scores["jingkai"].score == 78


def test_the_record_counts_come_from_the_projects_in_the_database(city, ref):
    runzhou = city.outsider.org_unit
    for _ in range(3):
        factories.project(city, district=runzhou)
    scores = _by_code(suggest_districts(lead=ref.lead))
    # 润州 now has the most 生物医药 projects (4 against 2): it earns the whole record share.
    assert "4个" in " ".join(scores["runzhou"].reasons)
    assert scores["runzhou"].score == round(50 + 7.5 + 20)  # 77.5 → 78
    assert scores["jingkai"].score == round(50 + 30 + 20 * 2 / 4)


def test_merged_projects_and_the_lead_itself_are_not_counted(city, ref):
    jingkai_before = _by_code(suggest_districts(lead=ref.lead))["jingkai"].reasons
    kept = factories.project(city, district=city.jingkai)
    factories.project(city, district=city.jingkai, merged_into=kept)
    after = " ".join(_by_code(suggest_districts(lead=ref.lead))["jingkai"].reasons)
    assert "2个" in " ".join(jingkai_before)
    assert "3个" in after


def test_a_district_without_a_profile_falls_back_on_its_industry_directions(city, ref):
    city.jingkou.referral_profile.delete()
    city.jingkou.industry_directions = "生物医药及大健康\n新材料"
    city.jingkou.save()
    scores = _by_code(suggest_districts(lead=ref.lead))
    assert "产业方向包含" in " ".join(scores["jingkou"].reasons)
    assert "未登记可供土地" in " ".join(scores["jingkou"].reasons)
    assert scores["jingkou"].score == 50


def test_a_lead_without_industry_or_land_says_so(city, ref):
    bare = lead(city, city.office, industry=None, land_mu=None)
    suggestions = suggest_districts(lead=bare)
    assert all(s.score == 0 for s in suggestions)
    reasons = " ".join(suggestions[0].reasons)
    assert "未填产业方向" in reasons and "未填用地需求" in reasons


def test_ended_districts_are_not_suggested(city, ref):
    from datetime import date

    city.jingkou.valid_to = date(2025, 1, 1)
    city.jingkou.save()
    codes = [s.district.code for s in suggest_districts(lead=ref.lead)]
    assert "jingkou" not in codes
