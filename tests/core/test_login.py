"""Logging in: failed attempts are limited, sessions and CSRF are on."""

from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD


def attempt(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_right_password_logs_in(client, city):
    response = attempt(client, city.jingkou_editor.username, PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(city.jingkou_editor.pk)


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, city):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, city.jingkou_editor.username, "wrong-password")
    response = attempt(client, city.jingkou_editor.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_for_one_user_do_not_lock_another(client, city):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, city.jingkou_editor.username, "wrong-password")
    response = attempt(client, city.jingkai_editor.username, PASSWORD)
    assert response.status_code == 302


def test_pages_need_a_login(client, city):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_form_needs_its_csrf_token(city):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("login"), {"username": city.jingkou_editor.username, "password": PASSWORD}
    )
    assert response.status_code == 403
