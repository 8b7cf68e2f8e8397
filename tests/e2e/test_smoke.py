"""The smallest browser test: the login page renders in Chinese with its styles, on a phone too."""

import re

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_login_page_renders_in_chinese(page):
    response = page.goto("/accounts/login/")
    assert response is not None and response.status == 200
    title = page.title()
    assert CJK.search(title), f"the login page title is not Chinese: {title!r}"
    # Bootstrap, from node_modules through the static files finders, is loaded and parsed.
    rules = page.evaluate(
        """() => [...document.styleSheets]
            .filter(s => (s.href || "").includes("/static/vendor/bootstrap/"))
            .map(s => s.cssRules.length)"""
    )
    assert rules and rules[0] > 100, f"Bootstrap's stylesheet is missing: {rules}"
    assert page.failed_responses == []
    assert page.js_errors == []


def test_login_page_fits_a_phone(phone_page):
    phone_page.goto("/accounts/login/")
    assert CJK.search(phone_page.title())
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the login page scrolls sideways on a phone ({width}px)"
    assert phone_page.failed_responses == []
