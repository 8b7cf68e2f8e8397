import pytest

from tests import factories


@pytest.fixture
def city(db):
    """A small city: 京口区 and 镇江经开区 (with a bureau and a team), a Beijing office, the personas."""
    return factories.build_city()
