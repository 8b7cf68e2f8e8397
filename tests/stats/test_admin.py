"""The administrator edits conversion rates and reads definition versions."""

import pytest

from yinli.core.models import User

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def admin_client(city, client):
    superuser = User.objects.create_superuser("root", "root@example.com", "pw-12345678")
    client.force_login(superuser, backend=BACKEND)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/stats/conversionrate/",
        "/admin/stats/conversionrate/1/change/",
        "/admin/stats/definition/",
        "/admin/stats/definition/1/change/",
    ],
)
def test_the_admin_pages_open(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_a_definition_cannot_be_added_or_deleted_in_the_admin(admin_client):
    assert admin_client.get("/admin/stats/definition/add/").status_code == 403
    assert admin_client.get("/admin/stats/definition/1/delete/").status_code == 403
