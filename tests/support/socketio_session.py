"""A Socket.IO client in one persistent session, as the widget talks to the Rasa server."""

import asyncio
from collections.abc import Callable
from typing import Any

import socketio


async def socketio_session(
    url: str,
    session_id: str,
    events: list[Any],
    answered: Callable[[list[str]], bool],
    timeout: float = 60,
) -> list[str]:
    """Emits each event's data as a user message, all at once; the bot's texts as soon as
    `answered` holds of them, failing after the timeout.
    """
    client = socketio.AsyncClient()
    texts: list[str] = []
    done = asyncio.Event()
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda _: confirmed.set())

    @client.on("bot_uttered")
    async def bot_uttered(data: dict[str, Any]) -> None:
        texts.append(data.get("text", ""))
        if answered(texts):
            done.set()

    await client.connect(url, transports=["polling"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), timeout=10)
        for data in events:
            await client.emit("user_uttered", data)
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        await client.disconnect()
    return texts
