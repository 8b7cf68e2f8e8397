"""`yinli targets …` on the command line."""

import json
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("targets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_progress_prints_json_alone_on_stdout(city, targets):
    out, err = run("progress", "--year", "2025", "--as-of", "2025-06-30", "--format", "json")
    data = json.loads(out)
    row = next(
        r
        for r in data["targets"]
        if r["unit"]["code"] == "jingkou" and r["figure"] == "signed_count"
    )
    assert (
        row["annual"],
        row["actual"],
        row["schedule_pct"],
        row["done_pct"],
        row["ahead_points"],
    ) == (
        8,
        3,
        50.0,
        37.5,
        -12.5,
    )
    assert "2/4" in err or "4/4" in err


def test_progress_of_one_district_as_text(city, targets):
    out, _err = run(
        "progress",
        "--year",
        "2025",
        "--as-of",
        "2025-06-30",
        "--district",
        "京口区",
        "--format",
        "text",
    )
    assert "京口区" in out and "镇江经开区" not in out
    assert "落后序时12.5个百分点" in out


def test_a_district_user_asking_for_another_is_refused(city, targets):
    with pytest.raises(CommandError) as raised:
        run(
            "progress",
            "--year",
            "2025",
            "--as-of",
            "2025-06-30",
            "--district",
            "jingkai",
            "--user",
            "jk_editor",
        )
    assert raised.value.returncode == 1


def test_a_bad_date_is_a_usage_error(city):
    with pytest.raises(CommandError) as raised:
        run("progress", "--year", "2025", "--as-of", "2025-02-30")
    assert raised.value.returncode == 2


def test_an_unknown_district_is_a_usage_error(city):
    with pytest.raises(CommandError) as raised:
        run("progress", "--year", "2025", "--as-of", "2025-06-30", "--district", "火星区")
    assert raised.value.returncode == 2


def test_ranking_as_json(city, targets, scheme):
    out, _err = run("ranking", "--period", "2025H1")
    data = json.loads(out)
    assert data["scheme"]["name"] == "2025年考核办法"
    assert [r["rank"] for r in data["rows"]] == sorted(r["rank"] for r in data["rows"])


def test_summary_writes_word(city, targets, scheme, tmp_path):
    path = tmp_path / "summary.docx"
    run("summary", "--month", "2025-06", "--format", "docx", "--output", str(path))
    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(path.read_bytes())).paragraphs)
    assert "2025年6月" in text


def test_summary_needs_an_output_for_word(city):
    with pytest.raises(CommandError) as raised:
        run("summary", "--month", "2025-06", "--format", "docx")
    assert raised.value.returncode == 2


def test_export_then_import_round_trips(city, targets, tmp_path):
    path = tmp_path / "targets.xlsx"
    run("export", "--year", "2025", "--output", str(path))
    out, _err = run("import", str(path))
    assert json.loads(out) == {"created": 0, "updated": 0, "unchanged": 4, "dry_run": False}
