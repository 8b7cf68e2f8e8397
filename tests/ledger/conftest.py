import pytest

from yinli.projects.models import Category, Industry


@pytest.fixture
def industries(city):
    """The industry directions the sample ledgers name (the city fixture has 生物医药及大健康)."""
    made = {"生物医药及大健康": city.industry}
    for name, category in [
        ("新能源及新型电力装备", Category.INDUSTRIAL),
        ("智能装备及涉港产业", Category.INDUSTRIAL),
        ("新材料及精细化工", Category.INDUSTRIAL),
        ("现代物流", Category.SERVICE),
    ]:
        made[name] = Industry.objects.create(name=name, category=category)
    return made
