"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Fixtures for the tests in tests/e2e/ (every test here is marked `e2e` automatically):

- `browser`     session-wide Chromium, launched from /usr/bin/chromium (never a downloaded browser);
                the test is skipped, with the reason, when Chromium is not installed
- `page`        a fresh browser context and page per test, desktop viewport (1366×900), zh-CN,
                Asia/Shanghai, `base_url` = the live server, so `page.goto("/projects/")` works
- `phone_page`  the same with a phone viewport (390×844, mobile, touch)
- `login`       `login(page, username, password=factories.PASSWORD)`: logs in through the login
                form and returns the page (on the page it lands on)
- `live_server` pytest-django's; using `page` starts it and makes the test transactional, so
                rows a test creates (e.g. `factories.build_city()`) are visible to the server

Each page records what went wrong while it was open: `page.failed_responses` (URL and status of
every response ≥ 400) and `page.js_errors` (uncaught JavaScript errors). On a failing test a
screenshot is saved under test-results/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import factories

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run
# "from an async context" without this. The tests themselves stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("YINLI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000
HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent.parent / "test-results"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM}: "
            "apt-get install chromium fonts-noto-cjk"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extras not installed
        pytest.skip("browser tests need the playwright package (pip install -e '.[dev]')")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


def _open_page(browser, live_server, request, **context_options):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        **context_options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.failed_responses = []
    page.js_errors = []
    page.on(
        "response",
        lambda r: r.status >= 400 and page.failed_responses.append(f"{r.status} {r.url}"),
    )
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def _close_page(context, page, request):
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
        except Exception:  # pragma: no cover - a screenshot is a courtesy
            pass
    context.close()


@pytest.fixture
def page(browser, live_server, request) -> Iterator:
    context, page = _open_page(browser, live_server, request, viewport=DESKTOP)
    yield page
    _close_page(context, page, request)


@pytest.fixture
def phone_page(browser, live_server, request) -> Iterator:
    context, page = _open_page(
        browser,
        live_server,
        request,
        viewport=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    _close_page(context, page, request)


@pytest.fixture
def login() -> Callable:
    def log_in(page, username: str, password: str = factories.PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "/accounts/login/" not in page.url, f"login as {username!r} failed: {page.url}"
        return page

    return log_in
