"""Rasa's Socket.IO channel, ignoring malformed events and refusing over-long messages.

Rasa's handlers raised on an event that is not an object or has a non-string message, and an
over-long message would reach NLU; here neither does. Rasa 3.6 also calls python-socketio's
`enter_room` without awaiting it, a coroutine in the python-socketio we pin (5.18), so with
session persistence no answer ever reached the client; this channel awaits it.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncServer

from extensions.channels.common import OnNewMessage, guard_messages
from extensions.channels.message_limits import is_unicode_text
from extensions.channels.rate_limits import (
    limiter_from_environment,
    over_limit_reply,
    request_address,
)
from extensions.private_members import MissingPrivateMember

logger = logging.getLogger(__name__)


def is_well_formed(data: Any) -> bool:
    """An object with a non-blank string message, and a string session id and an object of
    metadata when given; anything else is ignored.
    """
    return (
        isinstance(data, dict)
        and isinstance(data.get("message"), str)
        and bool(data["message"].strip())
        and is_unicode_text(data["message"])
        and isinstance(data.get("session_id", ""), str | None)
        and isinstance(data.get("metadata", {}), dict)
    )


def requested_session_id(data: Any) -> str:
    """The session id the client asks to resume, or a new one."""
    session_id = data.get("session_id") if isinstance(data, dict) else None
    return session_id if isinstance(session_id, str) and session_id else uuid.uuid4().hex


def registered_handler(sio: AsyncServer, namespace: str, event: str) -> Callable[..., Any]:
    """Rasa's handler of the event, read from python-socketio's private registry; fails at
    start-up, naming it, if a python-socketio or Rasa other than ours keeps it elsewhere.
    """
    handlers = getattr(sio, "handlers", None)
    handler = handlers.get(namespace, {}).get(event) if isinstance(handlers, dict) else None
    if handler is None:
        raise MissingPrivateMember(
            f"extensions/channels/socketio.py needs Rasa's '{event}' handler in python-socketio's "
            "AsyncServer.handlers, not found; install the versions of constraints.txt."
        )
    return handler


class CheckedSocketIOInput(SocketIOInput):
    """/socket.io as Rasa's; a message over the length limit gets the short refusal, and one
    over a rate limit (`rate_limits:`, extensions/channels/rate_limits.py) a polite wait at most
    once a minute, or the emergency guidance.
    """

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        credentials = credentials or {}
        channel = super().from_credentials(
            {key: value for key, value in credentials.items() if key != "rate_limits"}
        )
        channel.limiter = limiter_from_environment(credentials.get("rate_limits"))
        return channel

    def sender_id(self, sid: str, data: dict[str, Any]) -> str:
        """The conversation a message belongs to, as Rasa's handler picks it."""
        return (data.get("session_id") if self.session_persistence else None) or sid

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(guard_messages(on_new_message))
        namespace = self.namespace or "/"
        sio = self.sio
        rasa_handle_message = registered_handler(sio, namespace, self.user_message_evt)

        async def session_request(sid: str, data: Any = None) -> None:
            session_id = requested_session_id(data)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def handle_message(sid: str, data: Any = None) -> None:
            if not is_well_formed(data):
                logger.info("Ignored a malformed %s event.", self.user_message_evt)
                return
            sender = self.sender_id(sid, data)
            request = sio.get_environ(sid, namespace=namespace)["sanic.request"]
            if not self.limiter.retry_after(sender, request_address(request, self.limiter.limits)):
                await rasa_handle_message(sid, data)
                return
            reply = over_limit_reply(self.limiter, sender, data["message"])
            if reply:
                await SocketIOOutput(sio, self.bot_message_evt).send_text_message(sid, reply)

        sio.on("session_request", handler=session_request, namespace=namespace)
        sio.on(self.user_message_evt, handler=handle_message, namespace=namespace)
        return webhook
