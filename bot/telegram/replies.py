"""The one place the Telegram routers send from: messages, edits of a tapped message, answers to
taps. Every call goes through the sender's queue (in order per chat, within Telegram's limits),
never straight to the Bot API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import CallbackQuery, ForceReply, Message

from bot.telegram.markup import edit_call, inline_markup
from bot.telegram.render import Keyboard


class Outbox(Protocol):
    """What the routers need of the sender: submit a call, in order per chat."""

    def submit(
        self,
        chat_id: int | None,
        method: TelegramMethod[Any],
        *,
        outbox_ids: Sequence[int] = (),
        bulk: bool = False,
    ) -> asyncio.Future[Any]: ...


class Replies:
    """Messages, edits and tap answers as sender calls."""

    def __init__(self, sender: Outbox) -> None:
        self.sender = sender

    def send(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard = (),
        *,
        ask: bool = False,
        outbox_ids: Sequence[int] = (),
        bulk: bool = False,
    ) -> asyncio.Future[Any]:
        """A message, with buttons under it; ``ask``: a question the user answers by replying
        (Telegram opens the reply field)."""
        markup = ForceReply(force_reply=True) if ask else inline_markup(keyboard)
        method = SendMessage(chat_id=chat_id, text=text, reply_markup=markup)
        return self.sender.submit(chat_id, method, outbox_ids=outbox_ids, bulk=bulk)

    def edit(
        self,
        message: Message,
        text: str | None,
        keyboard: Keyboard = (),
        outbox_ids: Sequence[int] = (),
    ) -> None:
        """Change a sent message: its text and buttons, or (``text`` None) its buttons only."""
        method = edit_call(message, text, keyboard)
        self.sender.submit(message.chat.id, method, outbox_ids=outbox_ids)

    def answer(self, query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
        """Stop the button's spinner, with a short note (``alert``: one the user must close)."""
        method = AnswerCallbackQuery(
            callback_query_id=query.id, text=text, show_alert=True if alert else None
        )
        self.sender.submit(None, method)

    def submit(self, chat_id: int | None, method: TelegramMethod[Any]) -> asyncio.Future[Any]:
        """Any other call (a document, a photo, "typing…", a command menu)."""
        return self.sender.submit(chat_id, method)


__all__ = ["Outbox", "Replies"]
