"""The accessibility gate itself: a deliberately broken page must fail a journey.

Without this, an axe-core that silently stopped reporting (a failed injection, a changed
result format) would leave every journey green. The page below breaks two "critical"
rules; the test body checks what axe reports about them, and the strict ``xfail`` checks
that the end-of-test gate in conftest.py then fails the test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask, render_template_string

from tests.browser.axe import AccessibilityViolations

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

BROKEN_PATH = "/test-only/broken"
BROKEN_PAGE = """{% extends "base.html" %}
{% block title %}Broken on purpose{% endblock %}
{% block content %}
<h1>Broken on purpose</h1>
<img id="no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<button id="no-name" type="button"></button>
{% endblock %}"""


@pytest.fixture
def broken_page(app: Flask) -> str:
    """A test-only page with an image without ``alt`` and a button without a name."""
    app.add_url_rule(BROKEN_PATH, "test_broken_page", lambda: render_template_string(BROKEN_PAGE))
    return BROKEN_PATH


@pytest.mark.xfail(
    strict=True,
    raises=AccessibilityViolations,
    reason="the gate must fail a journey that visited a page with critical violations",
)
def test_a_page_with_critical_violations_fails_the_journey(
    browser: Browser, broken_page: str
) -> None:
    browser.open(broken_page)
    browser.expect_text("h1", "Broken on purpose")

    found = {violation.rule: violation for violation in browser.axe.failing}
    assert set(found) == {"image-alt", "button-name"}, browser.axe.report()
    assert found["image-alt"].targets == ("#no-alt",)
    assert found["button-name"].targets == ("#no-name",)
    assert found["image-alt"].impact == "critical"
    assert found["image-alt"].page == f"{BROKEN_PATH} ('Broken on purpose · forumapp')"
