"""`yinli token USERNAME` prints the user's token and nothing else on stdout."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.api.conftest import ApiClient
from yinli.core.models import ApiToken


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_only_the_token_creating_it(city):
    out, _err = run("jk_editor")
    token = ApiToken.objects.get(user=city.jingkou_editor)
    assert out == token.key + "\n"


def test_the_printed_token_opens_the_api(city):
    out, _err = run("jk_editor")
    assert ApiClient(token=out.strip()).get("/projects").status_code == 200


def test_it_prints_the_same_token_again(city):
    first, _ = run("jk_editor")
    second, _ = run("jk_editor")
    assert first == second


def test_rotate_makes_a_new_token_and_the_old_one_stops_working(city):
    old = run("jk_editor")[0].strip()
    new = run("jk_editor", "--rotate")[0].strip()
    assert new and new != old
    assert ApiClient(token=old).get("/projects").status_code == 401
    assert ApiClient(token=new).get("/projects").status_code == 200


def test_an_unknown_user_is_an_error_with_exit_1(city):
    with pytest.raises(CommandError) as raised:
        run("nobody")
    assert raised.value.returncode == 1
    assert 'No user named "nobody"' in str(raised.value)
    assert not ApiToken.objects.exists()


def test_it_warns_on_stderr_for_an_inactive_user(city):
    city.jingkou_editor.is_active = False
    city.jingkou_editor.save()
    out, err = run("jk_editor")
    assert len(out.strip()) == 40
    assert "inactive" in err
