"""Telegram through Rasa's connector, with updates signed by a secret token.

Webhook: /webhooks/telegram/webhook. Telegram sends the token given to setWebhook in the
X-Telegram-Bot-Api-Secret-Token header of every update; a post without it gets 403. The server
sets the webhook in the background, so that Telegram being unreachable at start does not keep
the other channels down; it retries until Telegram takes it.
"""

import asyncio
import hashlib
import hmac
import itertools
import logging
from asyncio import AbstractEventLoop
from collections.abc import Sequence
from typing import Any

from aiogram import types
from aiogram.bot.api import Methods
from rasa.core.channels import telegram
from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, Sanic
from sanic.request import Request

from extensions.channels.common import MessagingInput, OnNewMessage, SplittingOutput, same_secret

logger = logging.getLogger(__name__)

SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The longest message Telegram delivers; longer replies are split.
MAX_OUTGOING_CHARS = 4096
# The bot's account by access token, from Telegram's getMe, once per process.
BOT_ACCOUNTS: dict[str, types.User] = {}
# Seconds between attempts to set the webhook while Telegram is unreachable; then every 5 minutes.
WEBHOOK_RETRY_DELAYS = (5, 10, 30, 60, 120, 300)


def derived_secret_token(access_token: str) -> str:
    """A webhook secret only the bot's owner can compute, used when none is configured."""
    return hmac.new(access_token.encode(), b"telegram webhook", hashlib.sha256).hexdigest()


class TelegramOutput(SplittingOutput, telegram.TelegramOutput):
    """Rasa's Telegram output, within Telegram's message length, with one button per row."""

    max_chars = MAX_OUTGOING_CHARS

    def __init__(self, access_token: str, secret_token: str) -> None:
        super().__init__(access_token)
        self.access_token = access_token
        self.secret_token = secret_token

    async def set_webhook(self, url: str, **kwargs: Any) -> bool:
        """Registers the webhook with the secret token Telegram then sends with each update, and
        learns the bot's account; whether Telegram took it. Why not is logged, as Telegram's or
        the network's error.

        aiogram 2.15 predates setWebhook's secret_token parameter, hence the plain request.
        """
        try:
            await self.request(Methods.SET_WEBHOOK, {"url": url, "secret_token": self.secret_token})
            await self.get_me()
        except Exception as error:
            logger.error(
                "The Telegram webhook is not set: %s: %s. Telegram messages do not arrive until "
                "it is; the server retries, and GET /webhooks/telegram/set_webhook tries now.",
                type(error).__name__,
                error,
            )
            return False
        logger.info("Telegram webhook set to %s.", url)
        return True

    async def get_me(self) -> types.User:
        """The bot's account, asked once: Rasa's connector asks with every update, so while
        Telegram's API was unreachable every update failed before Rasa saw it.
        """
        if self.access_token not in BOT_ACCOUNTS:
            BOT_ACCOUNTS[self.access_token] = await super().get_me()
        return BOT_ACCOUNTS[self.access_token]

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
            # Rasa's raise, typed NoReturn, but its class reaches mypy as Any: hence the return.
            return cls.raise_missing_credentials_exception()
        return cls(
            credentials["access_token"],
            credentials["verify"],
            credentials["webhook_url"],
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
        """Starts setting the webhook in the background once the server's event loop runs.

        Rasa's connector sets it with asyncio.run() while the app is built, which leaves the
        bot's HTTP session bound to a closed loop, and stops the whole server when it fails.
        """
        self.registration = asyncio.create_task(self.keep_registering())

    async def keep_registering(self, retry_delays: Sequence[float] = WEBHOOK_RETRY_DELAYS) -> None:
        """Sets the webhook, trying again after each delay, then at the last delay, until it is."""
        for delay in itertools.chain(retry_delays, itertools.repeat(retry_delays[-1])):
            output = self.get_output_channel()
            try:
                if await output.set_webhook(self.webhook_url):
                    return
            finally:
                await output.session.close()
            logger.info("Setting the Telegram webhook again in %s s.", delay)
            await asyncio.sleep(delay)

    def secrets(self) -> list[str]:
        return [self.access_token, self.secret_token]

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.secret_token)

    def is_authentic(self, request: Request) -> bool:
        return same_secret(request.headers.get(SECRET_TOKEN_HEADER, ""), self.secret_token)
