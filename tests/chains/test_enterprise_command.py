"""`yinli chains import PATH [--source] [--skip-invalid] [--classify] --format json|text`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from yinli.chains.models import CompanyNode, CompanyProfile
from yinli.companies.models import Company

from .test_enterprise import BANK_CODE, CELL_CODE, bank, cell_maker, recycler, write_csv

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("chains", "import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def city(db):
    return factories.build_city()


def test_import_prints_the_summary_as_json_and_shows_progress(city, tmp_path):
    path = write_csv(tmp_path / "名录.csv", [cell_maker(), recycler(), bank()])
    out, err = run(str(path), "--source", "省市场监管局", "--classify", "--format", "json")
    summary = json.loads(out)
    assert summary["rows"] == 3 and summary["created"] == 3 and summary["errors"] == []
    assert summary["classification"]["companies"] == 3
    assert CompanyProfile.objects.filter(source="省市场监管局").count() == 3
    assert CompanyNode.objects.filter(company__uscc=CELL_CODE).exists()
    assert Company.objects.get(uscc=CELL_CODE).created_by == city.admin
    assert "%" in err or "it/s" in err


def test_bad_rows_exit_1_with_the_errors_in_the_json(city, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [cell_maker(), bank(注册资本="很多钱")])
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "chains", "import", str(path), "--format", "json", stdout=out, stderr=StringIO()
        )
    assert error.value.returncode == 1
    summary = json.loads(out.getvalue())
    assert summary["committed"] is False and summary["created"] == 0
    assert summary["errors"][0]["row"] == 3 and summary["errors"][0]["column"] == "注册资本"
    assert summary["errors"][0]["value"] == "很多钱"
    assert not Company.objects.exists()


def test_skip_invalid_imports_the_rest(city, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [cell_maker(), bank(注册资本="很多钱")])
    out, _err = run(str(path), "--skip-invalid", "--format", "json")
    summary = json.loads(out)
    assert summary["created"] == 1 and summary["skipped"] == 1
    assert not Company.objects.filter(uscc=BANK_CODE).exists()


def test_text_output_names_the_counts_on_stderr(city, tmp_path):
    path = write_csv(tmp_path / "a.csv", [cell_maker()])
    out, err = run(str(path))
    assert out == "" and "1" in err


def test_a_missing_file_is_a_usage_error(city, tmp_path):
    with pytest.raises(CommandError) as error:
        run(str(tmp_path / "nothing.csv"))
    assert error.value.returncode == 2


def test_a_district_editor_may_not_import(city, tmp_path):
    path = write_csv(tmp_path / "a.csv", [cell_maker()])
    with pytest.raises(CommandError) as error:
        run(str(path), "--user", city.jingkou_editor.username)
    assert error.value.returncode == 1
    assert not Company.objects.exists()
