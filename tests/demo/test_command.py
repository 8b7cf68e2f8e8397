"""`yinli demo`: refusing a database that holds data, --if-empty, --remove-logins, usage errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from yinli.core.models import OrgUnit, Role, User
from yinli.demo.build import DemoError, build_demo

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_does_nothing_with_if_empty_when_projects_exist(city):
    factories.project(city)
    out, err = run("--if-empty", "--format", "json")
    assert json.loads(out) == {"built": False}
    assert err.strip()
    assert not OrgUnit.objects.filter(code="demo-city").exists()


def test_it_refuses_a_database_that_holds_data_without_if_empty(city):
    with pytest.raises(CommandError) as caught:
        run()
    assert caught.value.returncode == 1
    assert not OrgUnit.objects.filter(code="demo-city").exists()


def test_it_refuses_when_a_demo_user_name_is_taken():
    User.objects.create_user(username="analyst", password="x-long-enough-1")
    with pytest.raises(DemoError):
        build_demo()
    assert not OrgUnit.objects.exists()


@pytest.mark.parametrize("value", ["2025-02-30", "yesterday", "2025-05-01"])
def test_a_bad_reference_date_is_a_usage_error(value):
    with pytest.raises(CommandError) as caught:
        run("--reference-date", value)
    assert caught.value.returncode == 2


def test_remove_logins_deactivates_the_demo_users_only(city):
    demo = User.objects.create_user(
        username="jingkai",
        password="x-long-enough-1",
        role=Role.DISTRICT_EDITOR,
        org_unit=city.jingkai,
    )
    out, _err = run("--remove-logins", "--format", "json")
    assert json.loads(out) == {"deactivated": ["jingkai"]}
    demo.refresh_from_db()
    city.jingkai_editor.refresh_from_db()
    assert not demo.is_active
    assert city.jingkai_editor.is_active
    assert not OrgUnit.objects.filter(code="demo-city").exists()
