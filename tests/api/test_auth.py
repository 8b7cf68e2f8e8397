"""Who may call the API: a bearer token of an active user, or a signed-in browser session."""

from datetime import timedelta

from django.middleware.csrf import get_token
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.api.conftest import ApiClient
from yinli.core.models import ApiToken


def test_it_refuses_a_request_without_a_token(anonymous):
    response = anonymous.get("/projects")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in response.json()["detail"]


def test_it_refuses_a_wrong_token(city):
    ApiToken.for_user(city.jingkou_editor)
    response = ApiClient(token="not-a-real-token").get("/projects")
    assert response.status_code == 401


def test_it_refuses_a_header_that_is_not_bearer(city):
    token = ApiToken.for_user(city.jingkou_editor).key
    response = ApiClient(HTTP_AUTHORIZATION=f"Token {token}").get("/projects")
    assert response.status_code == 401


def test_it_accepts_a_good_token(api_as, city):
    response = api_as(city.jingkou_editor).get("/projects")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_it_refuses_the_token_of_an_inactive_user(city):
    token = ApiToken.for_user(city.jingkou_editor).key
    city.jingkou_editor.is_active = False
    city.jingkou_editor.save()
    assert ApiClient(token=token).get("/projects").status_code == 401


def test_a_bad_token_on_a_write_is_401_not_a_csrf_complaint(city):
    response = ApiClient(token="nope").post("/projects", {"name": "x", "district": "jingkou"})
    assert response.status_code == 401


def test_it_notes_when_a_token_was_last_used_at_most_once_a_minute(api_as, city):
    client = api_as(city.jingkou_editor)
    token = ApiToken.objects.get(user=city.jingkou_editor)
    assert token.last_used_at is None
    client.get("/projects")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/projects")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/projects")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_a_signed_in_page_reads_with_its_session(city):
    browser = Client()
    browser.force_login(city.jingkou_editor)
    response = browser.get("/api/v1/projects")
    assert response.status_code == 200


def test_a_session_write_without_csrf_is_refused(city):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city.jingkou_editor)
    response = browser.post(
        "/api/v1/projects",
        {"name": "年产5万吨碳纤维项目", "district": "jingkou"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_write_with_csrf_goes_through(city):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city.jingkou_editor)
    page = browser.get("/api/v1/projects")
    token = get_token(page.wsgi_request)
    browser.cookies["csrftoken"] = token
    response = browser.post(
        "/api/v1/projects",
        {"name": "年产5万吨碳纤维项目", "district": "jingkou"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.json()


def test_an_unknown_project_id_is_404_even_with_a_valid_token(api_as, city):
    factories.project(city, district=city.jingkou)
    assert api_as(city.jingkou_editor).get("/projects/999999").status_code == 404


def test_an_unexpected_error_is_a_json_500_and_logged(api_as, city, monkeypatch, caplog):
    from yinli.api import projects

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(projects, "project_data", broken)
    factories.project(city, district=city.jingkou)
    response = api_as(city.jingkou_editor).get("/projects")
    assert response.status_code == 500
    assert response.json()["detail"]
    assert "boom" not in response.content.decode()
    assert any("API error" in record.message for record in caplog.records)
