"""The website chat widget's channel: webhook, widget files and a demo page, on the Rasa server.

Routes, under /webhooks/widget/: GET / (health), POST /webhook ({"sender", "message"} -> the
bot's messages), GET /static/<file> (the widget's own files only) and GET /demo.
"""

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.paths import WIDGET_DIR
from extensions.channels.common import webhook_blueprint
from extensions.channels.message_limits import BadMessage, parse_body, validate_user_message
from extensions.channels.rate_limits import limiter_from_environment, refuse_flood

logger = logging.getLogger(__name__)

# The only files /static/ serves: a name not listed here is a 404, whatever its path.
STATIC_FILES = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
}
DEMO_PAGE = "demo.html"
# The demo page proves the widget needs nothing inline and nothing from another host.
DEMO_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# Space-separated sites added to credentials.yml's allowed_origins, e.g. from a deployment's env.
ORIGINS_VARIABLE = "WIDGET_ALLOWED_ORIGINS"
FOREIGN_PAGE_ERROR = (
    "this site may not use the assistant; its operator can add it to the widget's allowed_origins"
)


def origin_allowed(origin: str | None, host: str, allowed_origins: list[str]) -> bool:
    """True for a request from no web page, from this server's own pages or from a listed site."""
    return (
        origin is None
        or urlsplit(origin).netloc == host
        or "*" in allowed_origins
        or origin.rstrip("/") in allowed_origins
    )


class WidgetInput(InputChannel):
    """REST-style channel for the widget, serving the widget's files beside its webhook.

    `allowed_origins` (credentials.yml, plus WIDGET_ALLOWED_ORIGINS) lists the other sites whose
    pages may talk to the webhook; "*" allows any. The server's own pages, such as the demo, are
    always allowed, and by default they alone. `rate_limits` are as in
    extensions/channels/rate_limits.py.
    """

    @classmethod
    def name(cls) -> str:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "WidgetInput":
        credentials = credentials or {}
        origins = credentials.get("allowed_origins") or []
        return cls(
            [
                *([origins] if isinstance(origins, str) else origins),
                *os.environ.get(ORIGINS_VARIABLE, "").split(),
            ],
            credentials.get("rate_limits"),
        )

    def __init__(
        self, allowed_origins: list[str] | None = None, rate_limits: dict[str, Any] | None = None
    ) -> None:
        self.allowed_origins = [origin.rstrip("/") for origin in allowed_origins or []]
        self.limiter = limiter_from_environment(rate_limits)

    @staticmethod
    def cors_headers(request: Request) -> dict[str, str]:
        """Lets the page read the answer or the refusal; the widget needs no preflight."""
        origin = request.headers.get("origin")
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin else {}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        widget = webhook_blueprint("widget_webhook")

        @widget.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            headers = self.cors_headers(request)
            if not origin_allowed(
                request.headers.get("origin"), request.host, self.allowed_origins
            ):
                # Readable by the page, so that the widget says "not accepted", not "unreachable".
                return response.json({"error": FOREIGN_PAGE_ERROR}, status=403, headers=headers)
            try:
                sender, text = validate_user_message(parse_body(request.body))
            except BadMessage as error:
                return response.json({"error": error.reason}, status=error.status, headers=headers)
            refused = refuse_flood(self.limiter, request, sender, text, headers)
            if refused is not None:
                return refused
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                # Rasa would drop the message silently; the widget can offer a retry instead.
                return response.json(
                    {"error": "the assistant is not ready yet; please try again"},
                    status=503,
                    headers=headers,
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name())
                )
            except Exception:
                logger.exception("The widget's message could not be handled.")
                return response.json(
                    {"error": "the assistant could not answer; please try again"},
                    status=500,
                    headers=headers,
                )
            return response.json(collector.messages, headers=headers)

        @widget.route("/static/<filename>", methods=["GET"])
        async def static(request: Request, filename: str) -> HTTPResponse:
            content_type = STATIC_FILES.get(filename)
            if content_type is None:
                return response.json({"error": "no such widget file"}, status=404)
            return await response.file(
                WIDGET_DIR / filename,
                mime_type=content_type,
                headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
            )

        @widget.route("/demo", methods=["GET"])
        async def demo(request: Request) -> HTTPResponse:
            return await response.file(
                WIDGET_DIR / DEMO_PAGE,
                mime_type="text/html; charset=utf-8",
                headers={**SECURITY_HEADERS, "Content-Security-Policy": DEMO_CSP},
            )

        return widget
