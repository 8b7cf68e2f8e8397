"""`yinli import` and `yinli import_fai`: JSON alone on stdout, exit 1 for data, 2 for usage."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from yinli.projects.models import Project

from .builders import messy_xlsx, write_csv
from .test_import import csv_ledger, good_row


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=err) if args[
        0
    ] == "import" else call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def test_import_prints_the_json_summary(city, industries, tmp_path):
    out = run(
        "import",
        str(messy_xlsx(tmp_path / "台账.xlsx")),
        "--district",
        "京口区",
        "--format",
        "json",
        "--user",
        city.jingkou_editor.username,
    )
    summary = json.loads(out)
    assert {k: summary[k] for k in ("rows", "created", "updated", "unchanged", "skipped")} == {
        "rows": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    assert summary["errors"] == [] and summary["possible_duplicates"] == []
    assert Project.objects.count() == 5


def test_a_dry_run_writes_nothing(city, industries, tmp_path):
    out = run("import", str(csv_ledger(tmp_path, [good_row(1)])), "--dry-run", "--format", "json")
    assert json.loads(out)["would_create"] == 1 and Project.objects.count() == 0


def test_errors_exit_1_with_the_errors_in_the_json(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1), good_row(2, **{"总投资(万元)": "很多"})])
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", str(path), "--format", "json", "--no-progress", stdout=out)
    assert caught.value.returncode == 1
    summary = json.loads(out.getvalue())
    assert summary["errors"][0] | {"message": ""} == {
        "row": 3,
        "column": "总投资(万元)",
        "value": "很多",
        "message": "",
        "cell": "F3",
    }
    assert summary["created"] == 0 and Project.objects.count() == 0


def test_skip_invalid_exits_0(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1), good_row(2, **{"总投资(万元)": "很多"})])
    summary = json.loads(run("import", str(path), "--skip-invalid", "--format", "json"))
    assert (summary["created"], summary["skipped"]) == (1, 1)


@pytest.mark.parametrize(
    "args",
    [
        ["--district", "不存在区"],
        ["--user", "nobody"],
        ["--district", "镇江经开区", "--user", "jk_editor"],
    ],
)
def test_usage_errors_exit_2(city, industries, tmp_path, args):
    with pytest.raises(CommandError) as caught:
        run("import", str(csv_ledger(tmp_path, [good_row(1)])), *args)
    assert caught.value.returncode == 2


def test_a_missing_file_is_a_usage_error(city):
    with pytest.raises(CommandError) as caught:
        run("import", "/nonexistent/台账.xlsx")
    assert caught.value.returncode == 2


def test_import_fai_prints_json(city, tmp_path):
    factories.project(city, name="甲项目", fai_code="C1")
    path = write_csv(
        tmp_path / "入库.csv",
        [
            ["项目代码", "项目名称", "入库月份", "计划总投资"],
            ["C1", "甲项目", "2025-07", "100"],
            ["C2", "乙项目", "2025-07", "100"],
        ],
    )
    summary = json.loads(run("import_fai", str(path), "--format", "json"))
    assert summary["updated"] == 1 and summary["unmatched"][0]["row"] == 3


def test_the_yinli_command_accepts_import_fai_with_a_hyphen():
    from yinli.cli import command_name

    assert command_name("import-fai") == "import_fai"
    assert command_name("import") == "import"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell")
def test_yinli_import_fai_help_runs():
    done = subprocess.run(
        [sys.executable, "-m", "yinli.cli", "import-fai", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "入库" in done.stdout


def test_possible_duplicates_are_held_unless_declared_distinct(city, industries, tmp_path):
    investor = factories.company(name="江苏恒远新能源1科技有限公司")
    other = factories.project(city, district=city.jingkai, company=investor, name="恒远一期")
    path = csv_ledger(tmp_path, [good_row(1), good_row(2)])
    args = ["import", str(path), "--format", "json", "--user", city.jingkou_editor.username]
    summary = json.loads(run(*args))
    assert summary["possible_duplicates"][0]["project_id"] == other.pk
    assert (summary["created"], summary["held"]) == (1, 1)
    assert summary["held_rows"] == [{"row": 2, "project_ids": [other.pk]}]
    with pytest.raises(CommandError):
        run(*args, "--duplicates", "distinct")
    summary = json.loads(run(*args, "--duplicates", "distinct", "--duplicate-reason", "二期"))
    assert (summary["created"], summary["unchanged"], summary["held"]) == (1, 1, 0)
    assert Project.objects.get(name="年产1万吨锂电池材料项目").duplicate_reason == "二期"
