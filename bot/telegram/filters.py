"""The routers' filters, all run on the event loop.

aiogram runs a filter that is a plain function or a magic filter (``F.chat.type == ...``) in a
worker thread (``asyncio.to_thread``): one thread hop per check, for every update that reaches
the handler, about 40 us each. A ``Filter`` or a coroutine function is awaited in place.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, Message


class TextCommand(Command):
    """aiogram's ``Command``, read from a message's text only (a caption is a photo's words)
    and in any case (``/Debrief`` is /debrief)."""

    def __init__(self, *names: str | re.Pattern[str], **options: Any) -> None:
        super().__init__(*names, ignore_case=True, **options)

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        if not isinstance(message, Message) or message.text is None:
            return False
        if message.text[:1] not in self.prefix:  # an answer typed: no command to parse
            return False
        return await super().__call__(message, bot)


class InPrivate(Filter):
    """A message of a private chat; for a tap, one under a message of a private chat that the
    bot can still see (and edit)."""

    async def __call__(self, event: Message | CallbackQuery) -> bool:
        message = event.message if isinstance(event, CallbackQuery) else event
        return isinstance(message, Message) and message.chat.type == ChatType.PRIVATE


class InGroup(Filter):
    """A message of a group, a supergroup or a channel."""

    async def __call__(self, message: Message) -> bool:
        return message.chat.type != ChatType.PRIVATE


class FromPerson(Filter):
    """A message of a person in a private chat (not a bot's)."""

    async def __call__(self, message: Message) -> bool:
        user = message.from_user
        return message.chat.type == ChatType.PRIVATE and user is not None and not user.is_bot


class CommandOrReply(Filter):
    """A message typed as a command, or replying to another: all a router of commands and
    answers to its own questions reads. As the router's filter, every other text (a rep's
    answer, most of the traffic) passes such a router by at one look, not one per handler."""

    async def __call__(self, message: Message) -> bool:
        return (message.text or "").startswith("/") or message.reply_to_message is not None


class DataPrefix(Filter):
    """A tap whose callback data starts with one of ``prefixes`` (a CallbackData family's),
    made by the bot or not: a router's own taps, the forged ones included."""

    def __init__(self, *prefixes: str) -> None:
        self._starts = tuple(f"{prefix}:" for prefix in prefixes)

    async def __call__(self, query: CallbackQuery) -> bool:
        return (query.data or "").startswith(self._starts)


__all__ = ["CommandOrReply", "DataPrefix", "FromPerson", "InGroup", "InPrivate", "TextCommand"]
