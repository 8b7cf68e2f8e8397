"""The one-page monthly summary for leaders: its content, in Word and in Excel."""

from datetime import datetime
from io import BytesIO

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from yinli.stats.periods import month_period
from yinli.targets.summary import monthly_summary, summary_docx, summary_xlsx

pytestmark = pytest.mark.django_db
JUNE = month_period(2025, 6)


@pytest.fixture
def late_jingkai(city):
    from yinli.reporting.calendar import period_for
    from yinli.reporting.models import Report
    from yinli.reporting.services import open_report

    period = period_for("2025-06")
    deadline = timezone.make_aware(datetime.combine(period.deadline, datetime.min.time()))
    for district in (
        city.jingkou,
        city.jingkai,
        city.runzhou if hasattr(city, "runzhou") else None,
    ):
        if district is not None:
            open_report(district=district, period=period)
    Report.objects.update(first_submitted_at=deadline)
    Report.objects.filter(district=city.jingkai).update(
        first_submitted_at=deadline + timezone.timedelta(days=2)
    )
    return period


def test_the_summary_holds_progress_ranking_and_late_reports(city, targets, scheme, late_jingkai):
    data = monthly_summary(user=city.analyst, month=JUNE)
    assert data["report"]["period"]["code"] == "2025-06"
    codes = {(row["unit"]["code"], row["figure"]) for row in data["progress"]}
    assert ("jingkou", "signed_count") in codes and ("jingkai", "signed_count") in codes
    assert data["ranking"]["top"][0]["rank"] == 1
    assert data["ranking"]["period"]["code"] == "2025-01..2025-06"
    late = {item["district"]: item["days_late"] for item in data["late"]}
    assert late.get("镇江经开区") == 2 and "京口区" not in late


def test_a_districts_summary_names_only_its_own_lateness(city, targets, scheme, late_jingkai):
    data = monthly_summary(user=city.jingkou_editor, month=JUNE)
    assert data["late"] == []
    assert {row["unit"]["code"] for row in data["progress"]} == {"jingkou"}


def test_the_word_summary_has_each_section(city, targets, scheme, late_jingkai):
    document = Document(BytesIO(summary_docx(monthly_summary(user=city.analyst, month=JUNE))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "一、本月主要指标" in text and "四、迟报情况" in text
    assert "镇江经开区：2025-06报送迟了2天" in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "京口区" in cells and "37.5%（-12.5）" in cells


def test_the_excel_summary_fits_one_page(city, targets, scheme, late_jingkai):
    sheet = load_workbook(
        BytesIO(summary_xlsx(monthly_summary(user=city.analyst, month=JUNE)))
    ).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert any("2025年6月" in str(v) for v in values)
    assert 37.5 in values
    assert sheet.page_setup.fitToHeight == 1
