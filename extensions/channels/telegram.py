"""Telegram through Rasa's connector, with updates signed by a secret token.

Webhook: /webhooks/telegram/webhook. Telegram sends the token given to setWebhook in the
X-Telegram-Bot-Api-Secret-Token header of every update; a post without it gets 403.
"""

import hashlib
import hmac
import logging
from asyncio import AbstractEventLoop
from typing import Any

from aiogram.bot.api import Methods
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels import telegram
from rasa.core.channels.channel import InputChannel
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, Sanic
from sanic.request import Request

from extensions.channels.common import MessagingInput, OnNewMessage, SplittingOutput, same_secret

logger = logging.getLogger(__name__)

SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_MESSAGE_CHARS = 4096


def derived_secret_token(access_token: str) -> str:
    """A webhook secret only the bot's owner can compute, used when none is configured."""
    return hmac.new(access_token.encode(), b"telegram webhook", hashlib.sha256).hexdigest()


class TelegramOutput(SplittingOutput, telegram.TelegramOutput):
    """Rasa's Telegram output, within Telegram's message length, with one button per row."""

    max_chars = MAX_MESSAGE_CHARS

    def __init__(self, access_token: str, secret_token: str) -> None:
        super().__init__(access_token)
        self.secret_token = secret_token

    async def set_webhook(self, url: str, **kwargs: Any) -> bool:
        """Registers the webhook with the secret token Telegram then sends with each update.

        aiogram 2.15 predates setWebhook's secret_token parameter, hence the plain request.
        """
        return await self.request(
            Methods.SET_WEBHOOK, {"url": url, "secret_token": self.secret_token}
        )

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        button_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        """One button per row: four topic titles side by side would be cut short on a phone."""
        await super().send_text_with_buttons(
            recipient_id, text, buttons, button_type=button_type or "vertical", **kwargs
        )


class TelegramInput(MessagingInput, telegram.TelegramInput):
    """Rasa's Telegram connector, refusing updates without the webhook's secret token."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            secret_token=credentials.get("secret_token"),
        )

    def __init__(
        self,
        access_token: str,
        verify: str,
        webhook_url: str,
        secret_token: str | None = None,
        debug_mode: bool = True,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.secret_token = secret_token or derived_secret_token(access_token)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        webhook.listener("before_server_start")(self.register_webhook)
        return webhook

    async def register_webhook(self, app: Sanic, _: AbstractEventLoop) -> None:
        """Sets the webhook once the server's event loop runs.

        Rasa's connector sets it with asyncio.run() while the app is built, which leaves the
        bot's HTTP session bound to a closed loop: every reply then fails, "Event loop is closed".
        """
        output = self.get_output_channel()
        try:
            await output.set_webhook(self.webhook_url)
        except TelegramAPIError as error:
            raise RasaException(f"Failed to set the Telegram webhook: {error}") from error
        finally:
            await output.session.close()
        logger.info("Telegram webhook set to %s.", self.webhook_url)

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.secret_token)

    def is_authentic(self, request: Request) -> bool:
        return same_secret(request.headers.get(SECRET_TOKEN_HEADER, ""), self.secret_token)
