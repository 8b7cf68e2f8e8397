"""The chain map: local coverage, projects on a node, and the strength of each node (gaps)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories
from yinli.chains import selectors, services
from yinli.chains.models import CompanyNode
from yinli.projects.models import Stage

pytestmark = pytest.mark.django_db

ZHENJIANG_JINGKOU = "321102"
SHANGHAI_PUDONG = "310115"


def place(node, company):
    return CompanyNode.objects.create(company=company, node=node, score=1)


def local(n, **extra):
    return factories.company(f"镇江本地{n}有限公司", region=ZHENJIANG_JINGKOU, **extra)


def by_name(data):
    return {v.node.name: v for v in data["nodes"]}


@pytest.mark.parametrize(
    ("companies", "projects", "expected"),
    [
        (5, 0, "strong"),
        (2, 0, "present"),
        (4, 3, "present"),
        (1, 0, "weak"),
        (0, 1, "weak"),
        (0, 0, "missing"),
    ],
)
def test_the_strength_rule(companies, projects, expected):
    assert selectors.strength(companies, projects) == expected


def test_gap_detection_on_a_hand_built_chain(city, test_chain):
    for n in range(5):
        place(test_chain.cells, local(n))
    place(test_chain.pcs, local(10))
    outsider = factories.company("上海储能变流器有限公司", region=SHANGHAI_PUDONG)
    place(test_chain.recycling, outsider)
    factories.project(city, company=outsider, stage=Stage.NEGOTIATING, signed_on=None)
    data = selectors.chain_map(chain=test_chain.chain, user=city.admin)
    nodes = by_name(data)
    assert {name: v.strength for name, v in nodes.items()} == {
        "储能电芯": "strong",
        "变流器": "weak",
        "电池再生": "weak",  # no local company, a project under negotiation
        "充电服务": "missing",
    }
    assert (nodes["电池再生"].local, nodes["电池再生"].projects, nodes["电池再生"].elsewhere) == (
        0,
        1,
        1,
    )
    assert data["counts"] == {"strong": 1, "present": 0, "weak": 2, "missing": 1}
    assert data["local_companies"] == 6


def test_an_overridden_company_does_not_count(city, test_chain):
    companies = [local(n) for n in range(2)]
    for company in companies:
        place(test_chain.pcs, company)
    services.override_placement(company=companies[0], node=test_chain.pcs, by=city.analyst)
    assert (
        by_name(selectors.chain_map(chain=test_chain.chain, user=city.admin))["变流器"].local == 1
    )


def test_size_sums_registered_capital_and_insured_staff_when_known(city, test_chain):
    place(test_chain.pcs, local(1, registered_capital=Decimal("5000"), insured_staff=120))
    place(test_chain.pcs, local(2, registered_capital=Decimal("2000")))
    view = by_name(selectors.chain_map(chain=test_chain.chain, user=city.admin))["变流器"]
    assert (view.capital_wan, view.staff) == (Decimal("7000"), 120)


def test_a_company_without_region_is_local_once_it_registered_a_project_here(city, test_chain):
    company = factories.company("无地区储能有限公司")
    company.region = None
    company.save()
    place(test_chain.pcs, company)
    assert (
        by_name(selectors.chain_map(chain=test_chain.chain, user=city.admin))["变流器"].local == 0
    )
    factories.project(city, company=company, stage=Stage.REGISTERED)
    assert (
        by_name(selectors.chain_map(chain=test_chain.chain, user=city.admin))["变流器"].local == 1
    )


def test_a_company_without_region_is_local_when_its_registry_record_says_so(city, test_chain):
    from yinli.chains.models import CompanyProfile
    from yinli.core.models import Region

    company = factories.company("登记地镇江有限公司")
    company.region = None
    company.save()
    place(test_chain.pcs, company)
    CompanyProfile.objects.create(
        company=company, registry_region=Region.objects.get(code="321112")
    )
    assert (
        by_name(selectors.chain_map(chain=test_chain.chain, user=city.admin))["变流器"].local == 1
    )


def test_projects_on_a_node_are_only_those_the_reader_may_see(city, test_chain):
    investor = factories.company("深圳储能集团有限公司", region="440300")
    place(test_chain.pcs, investor)
    factories.project(city, company=investor, district=city.jingkai)
    admin_view = by_name(selectors.chain_map(chain=test_chain.chain, user=city.admin))["变流器"]
    jingkou_view = by_name(selectors.chain_map(chain=test_chain.chain, user=city.jingkou_editor))[
        "变流器"
    ]
    assert (admin_view.projects, jingkou_view.projects) == (1, 0)
    assert (admin_view.strength, jingkou_view.strength) == ("weak", "missing")


def test_lost_and_lead_projects_are_not_under_way(city, test_chain):
    investor = factories.company("深圳储能集团有限公司", region="440300")
    place(test_chain.pcs, investor)
    factories.project(city, company=investor, stage=Stage.LEAD, signed_on=None)
    factories.project(city, company=investor, status="lost")
    assert (
        by_name(selectors.chain_map(chain=test_chain.chain, user=city.admin))["变流器"].projects
        == 0
    )


def test_projects_of_the_chain_industry_whose_company_is_on_no_node_are_listed(city, test_chain):
    stray = factories.project(city, name="未归链项目")
    data = selectors.chain_map(chain=test_chain.chain, user=city.admin)
    assert list(data["unplaced_projects"]) == [stray]


def test_the_one_pass_over_every_chain_agrees_with_each_chain_and_with_local_companies(
    city, test_chain
):
    from yinli.chains.models import Decision
    from yinli.companies.models import Company

    for n in range(3):
        place(test_chain.cells, local(n))
    # A company without a region is local when a project of it registered here.
    no_region = factories.company("无地区储能有限公司")
    no_region.region = None
    no_region.save()
    factories.project(city, company=no_region, stage=Stage.REGISTERED)
    place(test_chain.pcs, no_region)
    place(test_chain.pcs, factories.company("上海储能变流器有限公司", region=SHANGHAI_PUDONG))
    rejected = place(test_chain.charging, local(9))
    rejected.decision = Decision.REJECTED
    rejected.save()
    merged = local(8)
    merged.merged_into = Company.objects.get(name="镇江本地0有限公司")
    merged.save()
    place(test_chain.recycling, merged)

    every = selectors.placements_by_chain()
    one = selectors.placements_by_chain(test_chain.chain)
    assert every[test_chain.chain.pk].local == one[test_chain.chain.pk].local
    local_ids = set(selectors.local_companies().values_list("pk", flat=True))
    expected = {}
    for row in selectors.placed_rows(test_chain.chain):
        if row.company_id in local_ids:
            expected.setdefault(row.node_id, set()).add(row.company_id)
    assert dict(one[test_chain.chain.pk].local) == expected
    assert one[test_chain.chain.pk].elsewhere == {test_chain.pcs.pk: 1}
    summaries = {s["chain"].pk: s for s in selectors.chain_summaries(user=city.admin)}
    data = selectors.chain_map(chain=test_chain.chain, user=city.admin)
    assert summaries[test_chain.chain.pk]["counts"] == data["counts"]
    assert summaries[test_chain.chain.pk]["local_companies"] == 4
