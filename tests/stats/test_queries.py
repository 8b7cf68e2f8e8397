"""Figures are computed in the database: the number of queries does not grow with the records."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.stats.conftest import signed
from yinli.stats.report import build_report


def queries_for_report(city) -> int:
    with CaptureQueriesContext(connection) as captured:
        build_report(user=city.analyst, period="2025H1")
    return len(captured.captured_queries)


def test_the_report_takes_the_same_few_queries_for_few_or_many_projects(city):
    signed(city, source="440300")
    few = queries_for_report(city)
    for month in range(1, 7):
        for source in ("310115", "440300", "KR-SEOUL", "321102", "810000"):
            signed(city, source=source, on=date(2025, month, 3), foreign_investment="10")
    assert queries_for_report(city) == few
    assert few <= 32
