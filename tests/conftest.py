import pytest
from django.conf import settings

from tests import factories

# Real hashing costs half a second per password; the tests create many users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The demo city is built by several test modules; its enterprise base (30,000 companies by
# default) is tested on its own in tests/chains/test_enterprise_demo.py, so the others build a
# smaller one. An explicit YINLI_DEMO_ENTERPRISES still wins.
settings.DEMO_ENTERPRISES = 2000


@pytest.fixture
def city(db):
    """A small city: 京口区 and 镇江经开区 (with a bureau and a team), a Beijing office, the personas."""
    return factories.build_city()


@pytest.fixture
def as_user(client):
    """The test client logged in as a given user: `as_user(city.jingkou_editor).get(...)`."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login
