"""The ledger export: templates, the .xlsx and .csv files, scoping, the log, the command."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from tests import factories
from yinli.ledger.admin import ExportTemplateForm, text_to_columns
from yinli.ledger.export import (
    EXPORT_FIELDS,
    STANDARD_COLUMNS,
    LedgerExport,
    standard_template,
    visible_export_logs,
)
from yinli.ledger.models import ExportLog, ExportTemplate
from yinli.projects.models import Project

STANDARD_HEADERS = [
    "序号",
    "项目名称",
    "投资方",
    "来源地",
    "总投资(亿元)",
    "协议外资(万美元)",
    "产业类别",
    "落户板块",
    "签约时间",
    "项目进度",
    "首谈人",
    "招商方式",
]


@pytest.fixture
def ledger(city):
    """Three projects in 京口区, two in 经开区, with amounts, foreign money and a formula."""
    made = [
        factories.project(city, district=city.jingkou, name="京口甲项目", total_wan="150000",
                          foreign_investment=Decimal("1200"), first_contact="张三"),
        factories.project(city, district=city.jingkou, name="京口乙项目", total_wan="12345.6789",
                          signed_on=datetime.date(2025, 5, 2)),
        factories.project(city, district=city.jingkou, name='=HYPERLINK("http://x","y")',
                          total_wan=None, first_contact="@张三"),
        factories.project(city, district=city.jingkai, name="经开甲项目", total_wan="30000",
                          foreign_investment=Decimal("500")),
        factories.project(city, district=city.jingkai, name="经开乙项目", total_wan="8000"),
    ]  # fmt: skip
    return made


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def export_xlsx(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("ledger:export") + query)
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content)
    return response, content


def data_rows(sheet):
    """The project rows (after title, note, header), without 合计/小计 rows."""
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    return [r for r in rows if r[0] not in ("合计", "小计")]


# -- templates ---------------------------------------------------------------------------------


def test_the_standard_template_is_built_in(db):
    template = ExportTemplate.objects.get(name="standard")
    assert template.built_in and template.subtotals
    assert [c["header"] for c in template.columns] == STANDARD_HEADERS
    assert template.columns == STANDARD_COLUMNS


def test_an_admin_names_columns_by_their_chinese_labels(db):
    form = ExportTemplateForm(
        data={
            "name": "province",
            "title": "江苏省重大项目表",
            "amount_unit": "wan",
            "orientation": "landscape",
            "sort_order": 5,
            "column_lines": "序号\n项目名称 | 项目名称 | 40\n总投资 | 计划总投资 | 14 | 万元\n"
            "落户板块\nsigned_on | 签约日期",
        }
    )
    assert form.is_valid(), form.errors
    template = form.save()
    assert [c["field"] for c in template.columns] == [
        "seq",
        "name",
        "total_investment",
        "district",
        "signed_on",
    ]
    assert template.columns[1]["width"] == 40
    assert template.columns[2] == {
        "field": "total_investment",
        "header": "计划总投资",
        "width": 14,
        "unit": "万元",
    }


def test_an_unknown_field_is_refused_in_chinese(db):
    with translation.override("zh-hans"):
        form = ExportTemplateForm(
            data={
                "name": "bad",
                "title": "坏模板",
                "amount_unit": "yi",
                "orientation": "landscape",
                "sort_order": 1,
                "column_lines": "项目名称\n项目星座",
            }
        )
        assert not form.is_valid()
        message = " ".join(form.errors["column_lines"])
    assert "第2行" in message and "项目星座" in message


def test_a_unit_on_a_text_column_is_refused(db):
    with translation.override("zh-hans"):
        form = ExportTemplateForm(
            data={
                "name": "bad",
                "title": "坏模板",
                "amount_unit": "yi",
                "orientation": "landscape",
                "sort_order": 1,
                "column_lines": "项目名称 | 名称 | 20 | 亿元",
            }
        )
        assert not form.is_valid()
        assert "亿元" in " ".join(form.errors["column_lines"])


def test_the_admin_page_lists_the_fields_with_their_labels(city, as_user):
    response = as_user(
        factories.user("root", "city_admin", None, is_superuser=True, is_staff=True)
    ).get(reverse("admin:ledger_exporttemplate_add"))
    body = response.content.decode()
    assert response.status_code == 200
    for field in ("项目名称", "协议外资(万美元)", "实控方所在地"):
        assert field in body


def test_text_lines_round_trip_through_the_form(db):
    template = standard_template()
    from yinli.ledger.admin import columns_to_text

    assert text_to_columns(columns_to_text(template.columns)) == [
        {**c, "width": None} for c in template.columns
    ]


# -- the .xlsx file ----------------------------------------------------------------------------


def test_the_xlsx_has_title_unit_date_headers_totals_and_subtotals(city, ledger, client):
    response, content = export_xlsx(client, city.analyst, "?template=standard&unit=yi")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = workbook(content).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "招商引资项目台账"
    today = datetime.date.today()
    assert "镇江市" in rows[1][0] and f"{today.year}年" in rows[1][0] and "亿元" in rows[1][0]
    assert list(rows[2]) == STANDARD_HEADERS
    # The totals row under the header, from the database.
    total = Project.objects.aggregate(s=Sum("total_investment"))["s"]
    assert rows[3][0] == "合计" and rows[3][1] == "共5个项目"
    assert rows[3][4] == pytest.approx(float(total / 10000))
    assert rows[3][5] == pytest.approx(1700)
    # A 小计 row opens each district, with its own sums.
    subtotals = [r for r in rows[4:] if r[0] == "小计"]
    # Districts in the city's order (sort order, then code: jingkai before jingkou).
    assert [s[1] for s in subtotals] == ["镇江经开区（2个项目）", "京口区（3个项目）"]
    jingkou = Project.objects.filter(district=city.jingkou).aggregate(s=Sum("total_investment"))
    assert subtotals[1][4] == pytest.approx(float(jingkou["s"] / 10000))
    # Each 小计 row is followed by its district's projects, numbered on through the sheet.
    at = rows.index(subtotals[1])
    assert {r[7] for r in rows[at + 1 :]} == {"京口区"}
    assert [r[0] for r in data_rows(sheet)] == [1, 2, 3, 4, 5]
    assert len(data_rows(sheet)) == 5


def test_every_standard_column_of_a_project(city, ledger, client):
    _response, content = export_xlsx(client, city.analyst, "?unit=wan")
    sheet = workbook(content).active
    by_name = {r[1]: r for r in data_rows(sheet)}
    first = ledger[0]
    row = by_name["京口甲项目"]
    assert isinstance(row[0], int)  # 序号 as a number
    assert row[2] == first.company.name
    assert row[3] == first.signing_region.full_name
    assert row[4] == 150000 and isinstance(row[4], int | float)  # 万元, a number
    assert row[5] == 1200
    assert row[6] == city.industry.name
    assert row[7] == "京口区"
    assert row[8] == datetime.datetime(2025, 3, 12)  # a real date
    assert row[9] == "签约"
    assert row[10] == "张三"
    assert row[11] == city.channel.name
    assert sheet.cell(row=3, column=5).value == "总投资(万元)"


def test_amounts_in_yi_keep_every_digit(city, ledger, client):
    _response, content = export_xlsx(client, city.analyst, "?unit=yi")
    sheet = workbook(content).active
    by_name = {r[1]: r for r in data_rows(sheet)}
    assert by_name["京口乙项目"][4] == pytest.approx(1.23456789)
    assert by_name["京口甲项目"][4] == 15
    number_format = next(
        c.number_format for c in sheet[5] if c.column == 5 and isinstance(c.value, float | int)
    )
    assert number_format == "#,##0.0000"


def test_formulas_are_neutralized_in_the_xlsx(city, ledger, client):
    _response, content = export_xlsx(client, city.analyst)
    sheet = workbook(content).active
    names = [r[1] for r in data_rows(sheet)]
    assert '\'=HYPERLINK("http://x","y")' in names
    contacts = [r[10] for r in data_rows(sheet)]
    assert "'@张三" in contacts
    # No cell of the file is a formula.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_print_setup_footer_and_properties(city, ledger, client):
    _response, content = export_xlsx(client, city.jingkou_editor)
    book = workbook(content)
    sheet = book.active
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.print_title_rows == "$3:$3"  # the header on every printed page
    footer = sheet.oddFooter
    assert city.jingkou_editor.username in footer.left.text
    assert "&P" in footer.right.text and "&N" in footer.right.text
    assert str(datetime.date.today().year) in footer.center.text
    assert book.properties.creator.startswith(city.jingkou_editor.username)
    assert book.properties.created.date() == datetime.date.today() or book.properties.created


def test_a_template_without_subtotals_and_pinned_units(city, ledger, client):
    ExportTemplate.objects.create(
        name="province",
        title="省重大项目表",
        columns=[
            {"field": "name", "header": "项目", "width": 30, "unit": ""},
            {"field": "total_investment", "header": "计划总投资", "width": None, "unit": "万元"},
            {"field": "stage", "header": "进度", "width": None, "unit": ""},
            {"field": "status", "header": "状态", "width": None, "unit": ""},
        ],
        subtotals=False,
        orientation="portrait",
    )
    _response, content = export_xlsx(client, city.admin, "?template=province&unit=yi")
    sheet = workbook(content).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "省重大项目表"
    assert list(rows[2]) == ["项目", "计划总投资(万元)", "进度", "状态"]
    assert rows[3][0] == "合计"
    assert not any(r[0] == "小计" for r in rows)
    assert {r[0]: r[1] for r in rows[4:]}["京口甲项目"] == 150000
    assert {r[0]: r[3] for r in rows[4:]}["京口甲项目"] == "推进中"
    assert sheet.page_setup.orientation == "portrait"


def test_an_unknown_template_is_a_clear_error(city, client):
    client.force_login(city.analyst)
    response = client.get(reverse("ledger:export") + "?template=nope")
    assert response.status_code == 400
    assert "nope" in response.content.decode()


# -- the .csv file -----------------------------------------------------------------------------


def export_csv(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("ledger:export") + "?format=csv&" + query.lstrip("?"))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # the BOM, for Excel and WPS
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_csv_has_the_template_columns(city, ledger, client):
    rows = export_csv(client, city.analyst, "unit=wan")
    assert rows[0] == [h.replace("亿元", "万元") for h in STANDARD_HEADERS]
    by_name = {r[1]: r for r in rows[1:]}
    assert len(by_name) == 5
    assert by_name["京口甲项目"][4] == "150000.00"
    assert by_name["京口乙项目"][4] == "12345.6789"  # exact, never rounded away
    assert by_name["京口甲项目"][8] == "2025-03-12"
    assert by_name['\'=HYPERLINK("http://x","y")'][10] == "'@张三"


def test_the_old_csv_url_still_works(city, ledger, client):
    client.force_login(city.jingkou_editor)
    response = client.get(reverse("project-export") + "?unit=yi")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == STANDARD_HEADERS
    assert {r[7] for r in rows[1:]} == {"京口区"}
    assert ExportLog.objects.filter(format="csv", user=city.jingkou_editor).count() == 1


# -- scoping and the log -----------------------------------------------------------------------


def test_a_district_exports_only_its_own_even_with_a_forged_filter(city, ledger, client):
    _response, content = export_xlsx(client, city.jingkou_editor, f"?district={city.jingkai.pk}")
    assert data_rows(workbook(content).active) == []
    _response, content = export_xlsx(client, city.jingkou_editor)
    assert {r[7] for r in data_rows(workbook(content).active)} == {"京口区"}
    rows = export_csv(client, city.jingkai_editor, f"district={city.jingkou.pk}")
    assert rows[1:] == []


def test_the_city_exports_everything_and_an_outsider_nothing(city, ledger, client):
    _response, content = export_xlsx(client, city.analyst)
    assert len(data_rows(workbook(content).active)) == 5
    _response, content = export_xlsx(client, city.outsider)
    assert data_rows(workbook(content).active) == []


def test_an_anonymous_visitor_is_sent_to_the_login(db, client):
    response = client.get(reverse("ledger:export"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_each_export_is_logged_with_its_filter_and_rows(city, ledger, client):
    export_xlsx(client, city.jingkou_editor, "?stage=signed&unit=wan&page=2")
    log = ExportLog.objects.get()
    assert log.user == city.jingkou_editor and log.district == city.jingkou
    assert log.query == "stage=signed" and log.row_count == 3
    assert log.format == "xlsx" and log.unit == "wan" and log.file_name.endswith(".xlsx")
    assert log.template.name == "standard"


def test_the_log_page_shows_a_district_its_own(city, ledger, client, as_user):
    export_xlsx(client, city.jingkou_editor)
    export_xlsx(client, city.jingkai_editor)
    export_xlsx(client, city.analyst)
    assert visible_export_logs(city.analyst).count() == 3
    assert list(visible_export_logs(city.jingkou_editor).values_list("user", flat=True)) == [
        city.jingkou_editor.pk
    ]
    assert visible_export_logs(city.outsider).count() == 0
    page = as_user(city.jingkai_editor).get(reverse("ledger:export-log"))
    body = page.content.decode()
    assert city.jingkai_editor.username in body and city.jingkou_editor.username not in body
    page = as_user(city.analyst).get(reverse("ledger:export-log"))
    assert city.jingkou_editor.username in page.content.decode()


def test_the_list_page_offers_the_export_menu_with_the_filter(city, ledger, as_user):
    response = as_user(city.jingkou_editor).get(reverse("projects:list") + "?stage=signed&page=1")
    body = response.content.decode()
    assert reverse("ledger:export") in body
    assert '<input type="hidden" name="stage" value="signed">' in body
    assert 'name="page"' not in body.split('id="export-menu"')[1].split("</form>")[0]


# -- the command -------------------------------------------------------------------------------


def test_the_command_writes_the_xlsx_as_the_user_sees_it(city, ledger, tmp_path):
    target = tmp_path / "京口.xlsx"
    out, err = StringIO(), StringIO()
    call_command(
        "export",
        "projects",
        "--format",
        "xlsx",
        "--output",
        str(target),
        "--user",
        city.jingkou_editor.username,
        "--unit",
        "wan",
        stdout=out,
        stderr=err,
    )
    sheet = openpyxl.load_workbook(target).active
    assert {r[7] for r in data_rows(sheet)} == {"京口区"} and len(data_rows(sheet)) == 3
    assert "3" in out.getvalue()
    log = ExportLog.objects.get()
    assert log.source == "command" and log.row_count == 3


def test_the_command_filters_and_writes_csv(city, ledger, tmp_path):
    target = tmp_path / "out.csv"
    call_command(
        "export",
        "projects",
        "--format",
        "csv",
        "--output",
        str(target),
        "--district",
        "镇江经开区",
        "--signed-from",
        "2025-01-01",
        "--no-progress",
        stdout=StringIO(),
    )
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    assert sorted(r[1] for r in rows[1:]) == ["经开乙项目", "经开甲项目"]


@pytest.mark.parametrize(
    "extra",
    [
        ["--template", "nope"],
        ["--district", "火星区"],
        ["--user", "nobody"],
        ["--signed-from", "去年"],
    ],
)
def test_the_command_exits_2_for_usage_errors(city, tmp_path, extra):
    with pytest.raises(CommandError) as caught:
        call_command(
            "export",
            "projects",
            "--format",
            "xlsx",
            "--output",
            str(tmp_path / "x.xlsx"),
            *extra,
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert caught.value.returncode == 2
    assert not (tmp_path / "x.xlsx").exists()


def test_every_field_can_be_exported(city, ledger):
    template = ExportTemplate.objects.create(
        name="all",
        title="全部字段",
        columns=[{"field": key, "header": "", "width": None, "unit": ""} for key in EXPORT_FIELDS],
    )
    buffer = io.BytesIO()
    export = LedgerExport(user=city.admin, template=template, unit="wan")
    assert export.write_xlsx(buffer) == 5
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [c.value for c in sheet[3]] == [
        f.label.replace("亿元", "万元") for f in EXPORT_FIELDS.values()
    ]
