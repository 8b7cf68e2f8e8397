"""The zh_Hans catalogue is complete and compiled, and the UI speaks Chinese."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

import yinli

LOCALE = Path(yinli.__file__).resolve().parent / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(LOCALE / "django.po"))


def test_every_message_is_translated(po):
    assert [e.msgid for e in po.untranslated_entries()] == []


def test_no_translation_is_fuzzy(po):
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_holds_every_translation(po):
    mo = polib.mofile(str(LOCALE / "django.mo"))
    compiled = {e.msgid for e in mo if e.msgid}
    translated = {e.msgid for e in po.translated_entries()}
    assert translated - compiled == set()
    assert all(e.msgstr or e.msgstr_plural for e in mo if e.msgid)


def test_the_login_page_renders_in_chinese(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "引力 · 招商引资项目管理" in body
    assert "用户名" in body and "密码" in body
    assert 'lang="zh-Hans"' in body


def test_model_choices_read_as_plain_chinese():
    from django.utils import translation

    from yinli.projects.models import Stage

    with translation.override("zh-hans"):
        assert [str(label) for _v, label in Stage.choices] == [
            "线索",
            "洽谈",
            "签约",
            "注册",
            "开工",
            "竣工",
            "投产",
            "达产",
        ]
