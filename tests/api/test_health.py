"""GET /api/v1/health: no authentication; 503 when the database does not answer."""

from unittest import mock

from django.db import OperationalError, connection

from yinli.api.api import yinli_version


def test_it_answers_without_authentication(anonymous):
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": connection.vendor,
        "version": yinli_version(),
    }


def test_the_version_is_the_package_version(anonymous):
    assert anonymous.get("/health").json()["version"][0].isdigit()


def test_it_is_503_when_the_database_is_unreachable(anonymous):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = anonymous.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
