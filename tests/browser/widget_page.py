"""The chat widget on a page, driven the way a person uses it."""

from playwright.sync_api import Locator, Page, expect


class Widget:
    """Finds the widget's parts by their roles and names, as assistive technology does."""

    def __init__(
        self, page: Page, open_label: str = "Open chat", input_label: str = "Your message"
    ):
        self.page = page
        self.launcher = page.get_by_role("button", name=open_label)
        self.panel = page.get_by_role("dialog")
        self.log = page.get_by_role("log")
        self.input = page.get_by_role("textbox", name=input_label)
        self.alert = page.get_by_role("alert")

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        self.wait_until_answered()

    def wait_until_answered(self) -> None:
        """The log is busy while a request is on its way."""
        expect(self.log).to_have_attribute("aria-busy", "false")

    def ask(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_until_answered()

    def bot_texts(self) -> list[str]:
        return self.log.locator(".sfw-msg--bot .sfw-text").all_inner_texts()

    def user_texts(self) -> list[str]:
        return self.log.locator(".sfw-msg--user .sfw-text").all_inner_texts()

    def reply_button(self, title: str) -> Locator:
        return self.log.get_by_role("group").get_by_role("button", name=title, exact=True)

    def sender(self) -> str:
        """The conversation id the widget keeps in localStorage."""
        return self.page.evaluate(
            "() => JSON.parse(localStorage.getItem(Object.keys(localStorage)[0])).sender"
        )
