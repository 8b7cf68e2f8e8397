"""Helpers of the report-cycle tests: a district's report taken through its steps."""

from __future__ import annotations

import pytest

from tests.api.conftest import anonymous, api_as  # noqa: F401  (fixtures)
from tests.ledger.conftest import industries  # noqa: F401  (fixture)
from yinli.reporting import calendar, services


@pytest.fixture
def cycle(city):
    """`cycle.submitted(district, code)`, `cycle.accepted(district, code)` → the report."""

    class Cycle:
        editors = {city.jingkou.pk: city.jingkou_editor, city.jingkai.pk: city.jingkai_editor}

        def submitted(self, district, code="2025-03"):
            report = services.open_report(district=district, period=calendar.period_for(code))
            return services.submit(report=report, by=self.editors[district.pk])

        def accepted(self, district, code="2025-03"):
            report = self.submitted(district, code)
            return services.accept(report=report, by=city.analyst, version=report.version)

    return Cycle()
