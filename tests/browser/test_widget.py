"""The chat widget in a real browser, against both real servers, as a visitor of the demo page."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from core.facts import Content
from evaluation.support.running_assistant import RunningAssistant
from tests.browser.widget_page import Widget
from tests.conftest import LISTED_SITE_PORT

TOPIC_QUESTIONS = {
    "ask_what_is_fusion": "what is a spinal fusion?",
    "ask_fusion_necessity": "do I really need a fusion?",
    "ask_mobility": "will a fusion limit my movement?",
    "ask_recovery_time": "how long does recovery take after a spinal fusion?",
}
# Two questions with a fact each, of one topic.
# What the widget shows under a message the server refused (widget/widget.js, `refused`).
REFUSED = "Not sent: the assistant could not accept this message."
TWO_QUESTIONS = "how long will I be off work after the fusion, and will I have to wear a brace?"
INJECTIONS = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=1</script>"]


def test_the_demo_page_opens_with_the_disclaimer_and_answers_each_topic_verbatim(
    page: Page, demo_url: str, content: Content
) -> None:
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    expect(widget.log).to_have_attribute("aria-live", "polite")
    assert widget.bot_texts() == [content.disclaimer]
    for intent, question in TOPIC_QUESTIONS.items():
        widget.ask(question)
        assert content.fact_for_intent(intent).answer in widget.bot_texts()
    assert widget.user_texts() == list(TOPIC_QUESTIONS.values())
    link = widget.log.get_by_role("link", name=content.provider.url).last
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert urlsplit(link.get_attribute("href")).scheme == "https"
    expect(widget.input).to_have_attribute("maxlength", "1000")


def test_quick_replies_history_across_a_reload_and_a_new_conversation(
    page: Page, demo_url: str, content: Content
) -> None:
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    widget.ask("what can you do?")
    widget.reply_button("How long is recovery?").click()
    widget.wait_until_answered()
    assert widget.user_texts() == ["what can you do?", "How long is recovery?"]
    assert content.fact_for_intent("ask_recovery_time").answer in widget.bot_texts()
    expect(widget.log.get_by_role("group", name="Suggested questions")).to_have_count(0)
    transcript = (widget.user_texts(), widget.bot_texts())
    sender = widget.sender()

    page.reload()
    widget.open()
    assert (widget.user_texts(), widget.bot_texts()) == transcript
    assert widget.sender() == sender

    page.get_by_role("button", name="New conversation").click()
    widget.wait_until_answered()
    assert widget.user_texts() == []
    assert widget.bot_texts() == [content.disclaimer]
    assert widget.sender() != sender
    expect(widget.input).to_be_focused()


def test_a_confirmed_deletion_leaves_no_copy_on_the_server_or_in_the_browser(
    page: Page, demo_url: str, assistant: RunningAssistant
) -> None:
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    widget.ask("how long is recovery? my email is jo@example.com")
    sender = widget.sender()
    widget.ask("delete my conversation")
    widget.reply_button("Yes, delete it").click()
    widget.wait_until_answered()
    assert assistant.stored_events(sender) == []
    assert widget.user_texts() == []
    assert len(widget.bot_texts()) == 1 and "deleted this conversation" in widget.bot_texts()[0]
    assert widget.sender() != sender
    stored = page.evaluate("() => JSON.stringify(Object.values(localStorage))")
    assert "jo@example.com" not in stored and sender not in stored
    page.reload()
    widget.open()
    assert widget.user_texts() == []


def test_html_typed_or_received_is_shown_as_text_and_runs_nothing(
    browser: Browser, demo_url: str
) -> None:
    """Without the page's CSP, so that only the widget's text-only rendering stands in the way."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(demo_url)
        widget = Widget(page)
        widget.open()
        for injection in INJECTIONS:
            widget.ask(injection)
            expect(widget.log.get_by_text(injection, exact=True)).to_be_visible()

        def echo_html(route: Route) -> None:
            reply = {
                "text": "<b>bold</b> <img src=x onerror=window.__xss=1> javascript:alert(1) "
                "see https://example.org/a?b=1.",
                "buttons": [{"title": "<i>title</i>", "payload": "/help"}],
            }
            route.fulfill(content_type="application/json", body=json.dumps([reply]))

        page.route("**/webhooks/widget/webhook", echo_html)
        widget.ask("anything")
        assert widget.bot_texts()[-1].startswith("<b>bold</b> <img src=x onerror=window.__xss=1>")
        expect(widget.reply_button("<i>title</i>")).to_be_visible()
        links = widget.log.locator(".sfw-msg--bot").last.get_by_role("link")
        expect(links).to_have_count(1)
        expect(links).to_have_attribute("href", "https://example.org/a?b=1")
        assert page.evaluate("window.__xss") is None
        expect(widget.log.locator("a[href^='javascript']")).to_have_count(0)
        expect(widget.log.locator("img, script, b, i")).to_have_count(0)
        assert errors == []
    finally:
        context.close()


def test_an_unreachable_server_keeps_the_message_and_retry_delivers_it_once(
    page: Page, demo_url: str, assistant: RunningAssistant, content: Content, screenshots: Path
) -> None:
    question = TOPIC_QUESTIONS["ask_recovery_time"]
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    assistant.stop()
    try:
        widget.ask(question)
        expect(widget.alert).to_contain_text("can't be reached")
        expect(widget.log.get_by_text("Not sent", exact=True)).to_be_visible()
        assert widget.user_texts() == [question]
        page.screenshot(path=screenshots / "widget-unreachable.png")
    finally:
        assistant.start()
    widget.alert.get_by_role("button", name="Retry").click()
    widget.wait_until_answered()
    expect(widget.alert).to_be_hidden()
    expect(widget.log.get_by_text("Not sent", exact=True)).to_have_count(0)
    assert widget.user_texts() == [question]
    assert content.fact_for_intent("ask_recovery_time").answer in widget.bot_texts()


def test_a_message_refused_as_too_fast_is_kept_and_retry_delivers_it(
    page: Page, demo_url: str, content: Content
) -> None:
    """The server's 429 (tests/e2e/test_rate_limits.py) once, then the real server."""
    question = TOPIC_QUESTIONS["ask_recovery_time"]
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    refused: list[str] = []

    def too_fast_once(route: Route) -> None:
        if refused:
            route.continue_()
            return
        refused.append(route.request.post_data)
        route.fulfill(
            status=429,
            headers={"Retry-After": "3"},
            content_type="application/json",
            body=json.dumps({"error": "too many messages; please wait a moment"}),
        )

    page.route("**/webhooks/widget/webhook", too_fast_once)
    widget.ask(question)
    expect(widget.alert).to_contain_text("Please wait a moment before sending again")
    expect(widget.log.get_by_text("Not sent", exact=True)).to_be_visible()
    assert widget.user_texts() == [question]
    widget.alert.get_by_role("button", name="Retry").click()
    widget.wait_until_answered()
    expect(widget.alert).to_be_hidden()
    assert widget.user_texts() == [question]
    assert content.fact_for_intent("ask_recovery_time").answer in widget.bot_texts()
    assert len(refused) == 1


def test_was_this_helpful_no_by_keyboard_gets_the_provider_and_is_stored(
    page: Page, demo_url: str, assistant: RunningAssistant, content: Content
) -> None:
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    widget.ask(TOPIC_QUESTIONS["ask_mobility"])
    feedback = widget.log.get_by_role("group", name="Was this helpful?")
    expect(feedback.get_by_role("button")).to_have_text(["Yes", "No"])
    feedback.get_by_role("button", name="No", exact=True).focus()
    page.keyboard.press("Enter")
    widget.wait_until_answered()
    expect(feedback).to_have_count(0)
    assert widget.user_texts()[-1] == "No"
    assert widget.bot_texts()[-1].startswith("Thank you for letting me know.")
    assert content.provider.contact() in widget.bot_texts()[-1]
    stored = assistant.stored_user_events(widget.sender())[-1]["parse_data"]
    assert stored["intent"]["name"] == "feedback"
    assert {e["entity"]: e["value"] for e in stored["entities"]} == {
        "fact": content.fact_for_intent("ask_mobility").id,
        "helpful": False,
    }


def test_two_answers_get_one_question_whose_buttons_name_each_answer(
    page: Page, demo_url: str, assistant: RunningAssistant, content: Content
) -> None:
    """The widget shows only the latest message's buttons: a question per answer left the first
    one without any, and two alike could not be told apart.
    """
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    widget.ask(TWO_QUESTIONS)
    time_off = content.fact_for_intent("ask_recovery_time")
    brace = content.fact_for_intent("ask_brace")
    assert {time_off.answer, brace.answer} <= set(widget.bot_texts())
    feedback = widget.log.get_by_role("group", name="Were these answers helpful?")
    titles = ["Time off work: yes", "Time off work: no", "The brace: yes", "The brace: no"]
    expect(feedback.get_by_role("button")).to_have_text(titles)
    feedback.get_by_role("button", name="The brace: no", exact=True).click()
    widget.wait_until_answered()
    assert widget.user_texts()[-1] == "The brace: no"
    assert content.provider.contact() in widget.bot_texts()[-1]
    stored = assistant.stored_user_events(widget.sender())[-1]["parse_data"]
    assert {e["entity"]: e["value"] for e in stored["entities"]} == {
        "fact": brace.id,
        "helpful": False,
    }


def test_keyboard_only_open_ask_and_close(page: Page, demo_url: str, content: Content) -> None:
    page.goto(demo_url)
    widget = Widget(page)
    for _ in range(10):
        page.keyboard.press("Tab")
        if widget.launcher.evaluate("button => button === document.activeElement"):
            break
    expect(widget.launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    widget.wait_until_answered()
    page.keyboard.type(TOPIC_QUESTIONS["ask_mobility"])
    page.keyboard.press("Enter")
    widget.wait_until_answered()
    assert content.fact_for_intent("ask_mobility").answer in widget.bot_texts()
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()


def test_works_on_a_360px_phone_and_screenshots(
    page: Page, demo_url: str, screenshots: Path
) -> None:
    page.goto(demo_url)
    widget = Widget(page)
    widget.open()
    widget.ask("what can you do?")
    page.screenshot(path=screenshots / "widget-1280.png")
    page.set_viewport_size({"width": 375, "height": 740})
    page.screenshot(path=screenshots / "widget-375.png")
    page.set_viewport_size({"width": 360, "height": 640})
    box = widget.panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(widget.input).to_be_in_viewport()
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    widget.reply_button("Will it limit my movement?").click()
    widget.wait_until_answered()
    assert widget.user_texts()[-1] == "Will it limit my movement?"


def test_embedded_on_another_site_with_its_own_options(
    context: BrowserContext,
    hosts_contacted: set[str],
    assistant: RunningAssistant,
    content: Content,
) -> None:
    """One tag on a page of another origin, listed: Spanish UI, a light accent, open on load."""
    host_page = f"""<!doctype html><html lang="es"><meta charset="utf-8"><h1>Clínica</h1>
      <script src="{assistant.url}/webhooks/widget/static/widget.js" defer
              data-server-url="{assistant.url}" data-title="Clínica Ejemplo"
              data-accent="#ffd400" data-open="true" data-lang="es"></script></html>"""
    methods: list[str] = []
    context.on("request", lambda request: methods.append(request.method))
    page = context.new_page()
    with serve_page(host_page, LISTED_SITE_PORT) as host_url:
        page.goto(host_url)
        widget = Widget(page, open_label="Abrir el chat", input_label="Su mensaje")
        expect(widget.panel).to_be_visible()
        widget.wait_until_answered()
    assert widget.bot_texts() == [content.disclaimer]
    expect(page.get_by_role("heading", name="Clínica Ejemplo")).to_be_visible()
    expect(page.get_by_role("button", name="Nueva conversación")).to_be_visible()
    expect(widget.input).to_have_attribute("placeholder", "Escriba su pregunta…")
    expect(widget.input).not_to_be_focused()
    header = page.locator(".sfw-header")
    expect(header).to_have_css("background-color", "rgb(255, 212, 0)")
    expect(header).to_have_css("color", "rgb(0, 0, 0)")
    assert "OPTIONS" not in methods
    assert hosts_contacted == {urlsplit(host_url).netloc, urlsplit(assistant.url).netloc}


def test_on_a_site_not_listed_the_widget_says_the_message_was_not_accepted(
    context: BrowserContext, assistant: RunningAssistant
) -> None:
    """The snippet copied onto a page of another site: refused, and said so, not "unreachable"."""
    host_page = f"""<!doctype html><html lang="en"><meta charset="utf-8">
      <script src="{assistant.url}/webhooks/widget/static/widget.js" defer
              data-open="true"></script></html>"""
    page = context.new_page()
    with serve_page(host_page) as host_url:
        page.goto(host_url)
        widget = Widget(page)
        expect(widget.panel).to_be_visible()
        widget.wait_until_answered()
        widget.ask(TOPIC_QUESTIONS["ask_recovery_time"])
    expect(widget.log.get_by_text(REFUSED, exact=True)).to_be_visible()
    expect(widget.alert).to_be_hidden()
    assert widget.bot_texts() == []


@contextmanager
def serve_page(html: str, port: int = 0) -> Iterator[str]:
    """A host page of another origin than the assistant's (localhost, not 127.0.0.1), on the
    port given or any free one.
    """

    class HostPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Keeps the test output free of access logs."""

    server = ThreadingHTTPServer(("127.0.0.1", port), HostPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
