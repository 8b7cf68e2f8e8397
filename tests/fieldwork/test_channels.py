"""Channel attribution: what each channel must name, figures by channel, rankings."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from yinli.core.services import PermissionDeniedError
from yinli.fieldwork import selectors, services
from yinli.fieldwork.models import Channel

H1 = (date(2025, 1, 1), date(2025, 6, 30))


def channel(code):
    return Channel.objects.get(code=code)


def signed(city, code: str, **extra):
    """A signed project of the given channel (the factory gives every project 以商引商)."""
    project = factories.project(city, **extra)
    project.channel = channel(code)
    project.save(update_fields=["channel"])
    return project


def test_introduced_by_a_business_needs_the_local_company(city):
    project = signed(city, "business")
    with pytest.raises(ValidationError) as error:
        services.attribution_set(project=project, data={}, by=city.jingkai_editor)
    assert error.value.code == "incomplete"
    local = factories.company("镇江本地引荐科技有限公司", region="321102")
    attribution = services.attribution_set(
        project=project, data={"introducer_company": local}, by=city.jingkai_editor
    )
    assert project.attribution == attribution
    assert attribution.introducer_company == local


@pytest.mark.parametrize("code", ["commissioned", "agency"])
def test_an_agent_channel_needs_the_agent_and_the_agreement(city, code):
    project = signed(city, code)
    with pytest.raises(ValidationError):
        services.attribution_set(
            project=project, data={"agent": "上海镇江商会"}, by=city.jingkai_editor
        )
    attribution = services.attribution_set(
        project=project,
        data={"agent": "上海镇江商会", "agreement": "委托招商协议（2025）第3号"},
        by=city.jingkai_editor,
    )
    assert attribution.version == 1
    changed = services.attribution_set(
        project=project, data={"agent": "深圳镇江商会"}, by=city.jingkai_editor, version=1
    )
    assert (changed.agent, changed.version) == ("深圳镇江商会", 2)


def test_an_event_channel_needs_the_project_s_event(city):
    project = signed(city, "event")
    with pytest.raises(ValidationError):
        services.attribution_set(project=project, data={}, by=city.jingkai_editor)


def test_another_district_may_not_attribute_the_project(city):
    project = signed(city, "agency")
    with pytest.raises(PermissionDeniedError):
        services.attribution_set(
            project=project,
            data={"agent": "某招商咨询服务有限公司", "agreement": "协议"},
            by=city.jingkou_editor,
        )


def test_figures_by_channel_count_signings_and_those_above_the_threshold(city):
    signed(city, "business", total_wan="20000")
    signed(city, "business", total_wan="5000")
    signed(city, "agency", total_wan="30000")
    signed(city, "agency", total_wan="30000", signed_on=date(2024, 3, 1))
    rows = {
        r["code"]: r for r in selectors.channel_figures(user=city.admin, start=H1[0], end=H1[1])
    }
    assert (rows["business"]["count"], rows["business"]["total_wan"]) == (2, 25000)
    assert rows["business"]["counted"] == 1
    assert (rows["agency"]["count"], rows["agency"]["counted"]) == (1, 1)
    assert rows["online"]["count"] == 0


def test_introducers_and_agents_are_ranked_by_the_investment_they_brought(city):
    big = factories.company("镇江大引荐机械有限公司", region="321102")
    small = factories.company("镇江小引荐电子有限公司", region="321102")
    for wan, introducer in (("20000", small), ("15000", big), ("30000", big)):
        project = signed(city, "business", total_wan=wan)
        services.attribution_set(
            project=project, data={"introducer_company": introducer}, by=city.admin
        )
    for wan, agent in (("8000", "甲招商咨询"), ("90000", "乙招商咨询")):
        project = signed(city, "agency", total_wan=wan)
        services.attribution_set(
            project=project, data={"agent": agent, "agreement": "协议"}, by=city.admin
        )
    introducers = selectors.introducer_ranking(user=city.admin, start=H1[0], end=H1[1])
    assert [(r["name"], r["count"], r["total_wan"]) for r in introducers] == [
        (big.name, 2, 45000),
        (small.name, 1, 20000),
    ]
    agents = selectors.agent_ranking(user=city.admin, start=H1[0], end=H1[1])
    assert [r["name"] for r in agents] == ["乙招商咨询", "甲招商咨询"]
    assert selectors.agent_ranking(user=city.jingkou_editor, start=H1[0], end=H1[1]) == []
