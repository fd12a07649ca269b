"""Browser-test fixtures: Debian's chromium driven by Playwright, pages checked with axe-core.

Every browser test uses pytest-django's ``live_server`` (a transactional database, so the server
thread sees what the test creates) and is marked ``@pytest.mark.e2e``.
"""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.factories import totp_code

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to be called
# from such a thread unless told it is safe (it is: the loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# axe-core impacts that fail a page (minor and moderate ones are reported by axe, not failed).
BLOCKING_IMPACTS = ("serious", "critical")
# axe-core's own script, bundled with axe-playwright-python and evaluated in the page: nothing
# is fetched from a CDN, and page.evaluate is not subject to the page's CSP.
AXE = Axe()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Serve unhashed static URLs: the live server finds files by name, not in the manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Page:
    """A fresh browser context (no cookies) per test, in Vietnamese, on a desktop-sized screen.

    The test fails when the page throws a JavaScript error or the browser reports a Content
    Security Policy violation (an inline script or style slipped into a template).
    """
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.type}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, "\n".join(problems)


def axe_violations(page: Page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """axe-core's violations on the current page whose impact is one of ``impacts``."""
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v["impact"] in impacts]


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious/critical axe-core violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible():
    """``assert_accessible(page)`` fails listing the page's serious or critical violations."""

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        if violations:
            pytest.fail(format_violations(page.url, violations), pytrace=False)

    return check


@pytest.fixture
def current_totp_code():
    """``current_totp_code(secret)``: the TOTP code of now, safe to type and submit at once."""
    return totp_code
