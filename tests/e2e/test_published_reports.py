"""Published reports in a real browser: the city publishes on the form, a later edit shows as a
change, a district reads the frozen report on a phone and downloads the Word bulletin."""

from decimal import Decimal

import pytest

from tests import factories
from tests.stats.conftest import signed
from yinli.projects import services as project_services
from yinli.stats.models import PublishedReport


@pytest.fixture
def city(transactional_db):
    return factories.build_city()


def test_publish_edit_and_read_on_a_phone(page, phone_page, login, city):
    kept = signed(city, wan="20000", source="440300", district=city.jingkou)
    edited = signed(city, wan="15000", district=city.jingkai)

    login(page, city.analyst.username)
    page.goto("/stats/published/")
    with page.expect_navigation():
        page.click("#publish-link")
    page.fill("#id_period", "2025H1")
    page.fill("#id_title", "2025年上半年招商引资通报")
    with page.expect_navigation():
        page.click("#publish-form button[type=submit]")
    published = PublishedReport.objects.get()
    assert page.url.endswith(f"/stats/published/{published.pk}/")
    assert published.report["bulletin"] in page.inner_text("#bulletin")
    assert page.is_visible("#no-changes")

    project_services.project_update(
        project=edited,
        data={"total_investment": Decimal("9000")},
        version=edited.version,
        by=city.admin,
    )
    page.reload()
    changes = page.inner_text("#changes")
    assert edited.name in changes and "15000 → 9000" in changes

    login(phone_page, city.jingkou_editor.username)
    phone_page.goto("/")
    with phone_page.expect_navigation():
        phone_page.click("#published-panel a:has-text('2025年上半年招商引资通报')")
    assert phone_page.is_visible("#bulletin")
    assert not phone_page.is_visible("#changes")  # the city's live figures are not hers
    width, viewport = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport
    with phone_page.expect_navigation():
        phone_page.click("[data-figure=signed]")
    rows = phone_page.inner_text("#frozen-projects")
    assert kept.name in rows and edited.name not in rows
    assert "1" in phone_page.inner_text("#hidden-count")
    phone_page.go_back()
    with phone_page.expect_download() as download:
        phone_page.click("#downloads a:has-text('Word')")
    assert download.value.suggested_filename == f"yinli-2025H1-{published.pk}.docx"
    assert not page.failed_responses and not phone_page.failed_responses
