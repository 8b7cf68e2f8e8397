from datetime import date

import pytest

from tests import factories
from yinli.targets.services import scheme_save, target_save


@pytest.fixture
def signed(city):
    """京口: three signed projects above the threshold in H1 2025 (1.5亿, 2亿, 12亿), one below;
    经开区: one (3亿) in H1 and one in 2024."""
    return {
        "jingkou": [
            factories.project(
                city, district=city.jingkou, signed_on=date(2025, 2, 10), total_wan="15000"
            ),
            factories.project(
                city, district=city.jingkou, signed_on=date(2025, 5, 20), total_wan="20000"
            ),
            factories.project(
                city, district=city.jingkou, signed_on=date(2025, 6, 30), total_wan="120000"
            ),
            factories.project(
                city, district=city.jingkou, signed_on=date(2025, 3, 1), total_wan="5000"
            ),
        ],
        "jingkai": [
            factories.project(
                city, district=city.jingkai, signed_on=date(2025, 4, 2), total_wan="30000"
            ),
            factories.project(
                city, district=city.jingkai, signed_on=date(2024, 4, 2), total_wan="30000"
            ),
        ],
    }


@pytest.fixture
def targets(city, signed):
    """2025: 京口 8 projects and 40亿; 经开区 4 projects and 20亿 (even by month)."""
    made = {}
    for unit, count, yi in ((city.jingkou, 8, 40), (city.jingkai, 4, 20)):
        made[(unit.code, "signed_count")] = target_save(
            year=2025, unit=unit, figure="signed_count", annual=count, by=city.admin
        )
        made[(unit.code, "signed_investment_yi")] = target_save(
            year=2025, unit=unit, figure="signed_investment_yi", annual=yi, by=city.admin
        )
    return made


@pytest.fixture
def scheme(city):
    return scheme_save(
        name="2025年考核办法",
        is_default=True,
        by=city.admin,
        items=[
            {"kind": "figure", "figure": "signed_count", "weight": "30", "cap": "1.2"},
            {"kind": "figure", "figure": "signed_investment_yi", "weight": "40", "cap": "1.2"},
            {"kind": "big_project", "points": "2", "threshold_yi": "10"},
            {"kind": "lost_project", "points": "-3"},
            {"kind": "conflict_against", "points": "-2"},
            {"kind": "late_report", "points": "-1"},
        ],
    )
