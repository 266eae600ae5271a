"""Slack through Rasa's connector, which checks the app's signing secret.

Webhook: /webhooks/slack/webhook, for both Event Subscriptions and Interactivity (buttons).
Rasa's check (X-Slack-Signature, an HMAC of the body, with X-Slack-Request-Timestamp within
five minutes) answers a failure with 400; here the same check runs first and answers 403.
"""

from typing import Any

from rasa.core.channels import slack
from sanic.request import Request

from extensions.channels.common import MessagingInput, SplittingOutput

# The most a section block's text may hold; messages are cut to it too.
MAX_OUTGOING_CHARS = 3000
# The most buttons one actions block may hold.
MAX_BUTTONS = 25


class SlackBot(SplittingOutput, slack.SlackBot):
    """Rasa's Slack output, within a block's length limit, with up to 25 buttons."""

    max_chars = MAX_OUTGOING_CHARS

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Rasa's connector still keeps to Slack's old limit of five buttons and sends none when
        there are more, as after three facts: Yes and No for each.
        """
        last = await self.send_leading_parts(recipient_id, text)
        elements = [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": button["title"]},
                "value": button["payload"],
            }
            for button in buttons[:MAX_BUTTONS]
        ]
        await self._post_message(
            channel=self.slack_channel or recipient_id,
            as_user=True,
            text=last,
            blocks=[
                {"type": "section", "text": {"type": "plain_text", "text": last}},
                {"type": "actions", "elements": elements},
            ],
        )


class SlackInput(MessagingInput, slack.SlackInput):
    """Rasa's Slack connector, refusing posts without a valid signature with 403."""

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> SlackBot:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)

    def secrets(self) -> list[str]:
        return [self.slack_token, self.slack_signing_secret]

    def is_authentic(self, request: Request) -> bool:
        return self.is_request_from_slack_authentic(request)
