"""The widget channel and the widget's files, without a server: origins, size, colours."""

import re

import pytest
import yaml

from core.paths import PROJECT_ROOT, WIDGET_DIR
from extensions.channels.message_limits import MAX_MESSAGE_CHARS
from extensions.channels.widget import ORIGINS_VARIABLE, WidgetInput, origin_allowed

WIDGET_SIZE_BUDGET = 40_000
AA_CONTRAST = 4.5


@pytest.mark.parametrize(
    "origin, allowed",
    [
        (None, True),
        ("http://127.0.0.1:5005", True),
        ("https://clinic.example", True),
        ("https://clinic.example/", True),
        ("https://other.example", False),
        ("http://clinic.example", False),
        ("null", False),
    ],
)
def test_only_listed_sites_and_the_servers_own_pages_may_post(
    origin: str | None, allowed: bool
) -> None:
    channel = WidgetInput.from_credentials({"allowed_origins": ["https://clinic.example"]})
    assert origin_allowed(origin, "127.0.0.1:5005", channel.allowed_origins) is allowed


def test_by_default_only_the_assistants_own_pages_may_post(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ORIGINS_VARIABLE, raising=False)
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    channel = WidgetInput.from_credentials(credentials["extensions.channels.widget.WidgetInput"])
    assert channel.allowed_origins == []
    assert origin_allowed("http://127.0.0.1:5005", "127.0.0.1:5005", channel.allowed_origins)
    assert not origin_allowed("https://any.example", "127.0.0.1:5005", channel.allowed_origins)


def test_the_environment_adds_sites_to_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ORIGINS_VARIABLE, " https://a.example  https://b.example/ ")
    channel = WidgetInput.from_credentials({"allowed_origins": ["https://clinic.example"]})
    assert channel.allowed_origins == [
        "https://clinic.example",
        "https://a.example",
        "https://b.example",
    ]


def test_a_star_allows_every_site() -> None:
    channel = WidgetInput.from_credentials({"allowed_origins": "*"})
    assert origin_allowed("https://any.example", "127.0.0.1:5005", channel.allowed_origins)


def test_the_widget_fits_its_size_budget() -> None:
    size = sum((WIDGET_DIR / name).stat().st_size for name in ("widget.js", "widget.css"))
    assert size <= WIDGET_SIZE_BUDGET


def test_the_widget_caps_input_at_the_channels_limit() -> None:
    script = (WIDGET_DIR / "widget.js").read_text()
    assert f"const MAX_MESSAGE_CHARS = {MAX_MESSAGE_CHARS};" in script


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    darker, lighter = sorted((luminance(first), luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    "foreground, background",
    [
        ("on-accent", "accent"),
        ("text", "surface"),
        ("text", "bot-bg"),
        ("link", "bot-bg"),
        ("muted", "surface"),
        ("error-text", "error-bg"),
        ("error-text", "surface"),
    ],
)
def test_the_default_colours_meet_wcag_aa(foreground: str, background: str) -> None:
    css = (WIDGET_DIR / "widget.css").read_text()
    colours = dict(re.findall(r"--sfw-([a-z-]+):\s*(#[0-9a-f]{6});", css))
    assert contrast(colours[foreground], colours[background]) >= AA_CONTRAST
