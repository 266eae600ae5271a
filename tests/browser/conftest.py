"""A real Chromium (Debian's, driven by Playwright) on the demo page of the running assistant."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from core.paths import PROJECT_ROOT
from evaluation.support.running_assistant import RunningAssistant

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "reports" / "screenshots"
# Runs before the page's own scripts and outside its Content-Security-Policy.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API keeps an event loop running until it stops."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_url(assistant: RunningAssistant) -> str:
    return f"{assistant.url}/webhooks/widget/demo"


@pytest.fixture
def hosts_contacted() -> set[str]:
    return set()


@pytest.fixture
def context(browser: Browser, hosts_contacted: set[str]) -> Iterator[BrowserContext]:
    """A fresh browser profile that records every host it contacts."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    context.on("request", lambda request: hosts_contacted.add(urlsplit(request.url).netloc))
    yield context
    context.close()


@pytest.fixture
def page(
    context: BrowserContext, hosts_contacted: set[str], assistant: RunningAssistant
) -> Iterator[Page]:
    """A page that must end with no script error, no CSP violation and no third-party request."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == []
    assert page.evaluate("window.__cspViolations") == []
    assert hosts_contacted == {urlsplit(assistant.url).netloc}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
