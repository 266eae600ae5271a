"""The operator report in a real Chromium: every chart shows, nothing is fetched, no error."""

from pathlib import Path

from playwright.sync_api import Browser, expect

from core.facts import Content
from evaluation.support.operator_conversations import seed
from evaluation.support.running_assistant import RunningAssistant
from ops import report

CHARTS = 5


def test_the_report_renders_its_charts_offline_with_no_console_error(
    browser: Browser,
    assistant: RunningAssistant,
    content: Content,
    tmp_path: Path,
    screenshots: Path,
) -> None:
    seed(assistant.send, content)
    report.main(["--endpoints", str(assistant.endpoints_path), "--out", str(tmp_path)])
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        problems: list[str] = []
        requested: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requested.append(request.url))
        page.goto((tmp_path / "index.html").as_uri())
        images = page.get_by_role("img")
        expect(images).to_have_count(CHARTS)
        for image in images.all():
            expect(image).to_be_visible()
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        expect(page.get_by_role("heading", name="Operator report")).to_be_visible()
        expect(page.locator("#groups")).to_contain_text("[email]")
        page.screenshot(path=screenshots / "report.png", full_page=True)
        assert problems == []
        assert all(url.split(":")[0] in ("file", "data") for url in requested), requested
    finally:
        context.close()
