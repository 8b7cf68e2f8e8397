import pytest
from django.conf import settings

from tests import factories

# Real hashing costs half a second per password; the tests create many users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
