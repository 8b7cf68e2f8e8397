"""`yinli report publish`, `yinli report --published` and the Word and Excel formats."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from openpyxl import load_workbook

from tests.stats.conftest import signed
from yinli.projects import services as project_services
from yinli.stats.models import PublishedReport


@pytest.fixture
def projects(city):
    return [
        signed(city, wan="20000", source="440300", district=city.jingkou),
        signed(city, wan="15000", district=city.jingkai),
    ]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_publish_prints_the_new_record_as_json(projects, city):
    out, err = run("publish", "--period", "2025H1", "--title", "上半年通报")
    report = json.loads(out)
    published = PublishedReport.objects.get()
    assert report["published"]["id"] == published.pk
    assert report["published"]["title"] == "上半年通报"
    assert report["published"]["counted"]["signed"] == 2
    assert report["signed"]["count"] == 2
    assert str(published.pk) in err


def test_publishing_again_says_what_it_supersedes(projects, city):
    run("publish", "--period", "2025H1")
    out, err = run("publish", "--period", "2025H1", "--user", city.analyst.username)
    first, second = PublishedReport.objects.order_by("pk")
    assert json.loads(out)["published"]["supersedes"] == first.pk
    assert second.supersedes == first
    assert f"{first.pk}" in err.splitlines()[-1]


def test_publish_for_a_district_and_a_version(projects, city):
    out, _ = run("publish", "--period", "2025H1", "--district", "京口区", "--definition", "1")
    report = json.loads(out)
    assert report["scope"]["name"] == "京口区" and report["signed"]["count"] == 1
    assert PublishedReport.objects.get().district == city.jingkou


def test_a_district_editor_may_not_publish(projects, city):
    with pytest.raises(CommandError) as error:
        run("publish", "--period", "2025H1", "--user", city.jingkou_editor.username)
    assert error.value.returncode == 1
    assert "发布" in str(error.value)
    assert not PublishedReport.objects.exists()


def test_published_prints_the_frozen_figures_after_an_edit(projects, city):
    run("publish", "--period", "2025H1")
    project = projects[1]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("45000")},
        version=project.version,
        by=city.admin,
    )
    frozen = json.loads(run("--period", "2025H1", "--published")[0])
    live = json.loads(run("--period", "2025H1")[0])
    assert frozen["signed"]["investment_yi"] == 3.5
    assert live["signed"]["investment_yi"] == 6.5
    assert frozen["published"]["id"] == PublishedReport.objects.get().pk


def test_a_district_reads_the_city_published_report(projects, city):
    run("publish", "--period", "2025H1")
    out, _ = run("--period", "2025H1", "--published", "--user", city.jingkou_editor.username)
    assert json.loads(out)["scope"]["kind"] == "city"
    assert json.loads(out)["signed"]["count"] == 2


def test_nothing_published_exits_1(projects, city):
    with pytest.raises(CommandError) as error:
        run("--period", "2025H1", "--published")
    assert error.value.returncode == 1
    assert "2025H1" in str(error.value)


@pytest.mark.parametrize(
    "args",
    [
        ("--period", "2025H1", "--format", "docx"),
        ("--period", "2025H1", "--format", "xlsx"),
        ("publish", "--period", "2025H3"),
        ("publish", "--period", "2025H1", "--published"),
        ("publish", "--period", "2025H1", "--district", "火星区"),
    ],
)
def test_usage_errors_exit_2(projects, city, args):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    assert not PublishedReport.objects.exists()


def test_the_subcommand_less_usage_still_works(projects, city):
    out, err = run("--period", "2025H1", "--format", "json")
    assert json.loads(out)["signed"]["count"] == 2
    assert err == ""


def test_word_and_excel_files(projects, city, tmp_path):
    docx_path, xlsx_path = tmp_path / "r.docx", tmp_path / "r.xlsx"
    out, _ = run("--period", "2025H1", "--format", "docx", "--output", str(docx_path))
    assert out == ""
    run("--period", "2025H1", "--format", "xlsx", "--output", str(xlsx_path))
    report = json.loads(run("--period", "2025H1")[0])
    document = Document(str(docx_path))
    assert report["bulletin"] in [p.text for p in document.paragraphs]
    sheet = load_workbook(xlsx_path)["主要指标"]
    assert sheet["B5"].value == report["signed"]["count"]


def test_a_published_word_file_names_the_publication(projects, city, tmp_path):
    run("publish", "--period", "2025H1", "--title", "二〇二五年上半年招商引资通报")
    path = tmp_path / "p.docx"
    run("--period", "2025H1", "--published", "--format", "docx", "--output", str(path))
    document = Document(str(path))
    assert document.paragraphs[0].text == "二〇二五年上半年招商引资通报"


def test_the_help_is_chinese_and_names_publish(db):
    from yinli.stats.management.commands.report import Command

    text = Command().create_parser("yinli", "report").format_help()
    assert "{publish}" in text and "冻结" in text
