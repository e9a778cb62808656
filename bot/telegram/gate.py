"""The no-team gate: one outer middleware in front of every router, once per update.

It reads the user's standing (admin, manager, rep of a team, waiting) once and hands it to the
handlers as ``standing``. A user who may use the bot goes on to the routers. Everyone else is
answered here with one polite line in their language, and nothing of theirs is stored (no user
row, no inbox row). What still goes on for them: an invite link (``/start CODE``), /export and
/deleteme with its "are you sure?" buttons (their own data is theirs), and managers' and invite
buttons (``t:``, ``j:``), whose handlers refuse what is not theirs. /help and /lang are answered
here, in the gate's words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, F
from aiogram.enums import ChatType
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User

from bot.telegram.callbacks import JOIN_PREFIX, TEAM_PREFIX, CommandData, LangData
from bot.telegram.filters import TextCommand
from bot.telegram.inputs import language_of, user_key
from bot.telegram.render import Button, Keyboard
from bot.telegram.replies import Replies
from coaching.accounts import Accounts
from coaching.teams import Standing
from dialogs.catalog import Messages
from dialogs.types import Lang, lang_named
from storage.store import Store
from storage.teams import Teams

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
JOIN = TextCommand("start", magic=F.args)
OPEN = TextCommand("export", "deleteme")
"""What a user on no team may still do, handled by the coach: their own data is theirs."""
LANG = TextCommand("lang")
HELP = TextCommand("help")
KEEPING = CommandData.filter(F.command.in_({"forget", "keep"}))
UNGATED_TAPS = (f"{TEAM_PREFIX}:", f"{JOIN_PREFIX}:")
LANG_BUTTONS: Keyboard = (
    (Button("English", LangData(lang="en").pack()), Button("中文", LangData(lang="zh").pack())),
)


class TeamGate(BaseMiddleware):
    """Registered as the dispatcher's outer middleware for messages, edits and taps."""

    def __init__(
        self, *, teams: Teams, store: Store, messages: Messages, replies: Replies, language: Lang
    ) -> None:
        self._teams = teams
        self._accounts = Accounts(store)
        self._messages = messages
        self._replies = replies
        self._language = language

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or user.is_bot or chat is None or chat.type != ChatType.PRIVATE:
            return await handler(event, data)  # groups are told to come to a private chat
        key = user_key(user.id)
        if self._teams.reads_in_place:  # cheaper than the thread hop
            standing = self._teams.standing_in_place(key)
        else:
            standing = await asyncio.to_thread(self._teams.standing, key)
        data["standing"] = standing
        if standing.allowed:
            return await handler(event, data)
        bot: Bot = data["bot"]
        update: Update = data["event_update"]
        if isinstance(event, Message) and update.edited_message is None:
            if await JOIN(event, bot) or await OPEN(event, bot):
                return await handler(event, data)
            await self._gate_message(event, bot, user, standing)
        elif isinstance(event, CallbackQuery):
            if (event.data or "").startswith(UNGATED_TAPS) or await KEEPING(event):
                return await handler(event, data)
            await self._gate_tap(event, user, standing)
        # an edit by a user on no team is not kept (and not answered: they heard why)
        return None

    async def _gate_message(
        self, message: Message, bot: Bot, user: User, standing: Standing
    ) -> None:
        """The one polite answer to a user who may not use the coach (yet)."""
        lang = await self._lang(user)
        found = await LANG(message, bot)
        if isinstance(found, dict):
            command: CommandObject = found["command"]
            wanted = (command.args or "").strip().lower()
            chosen = lang_named(wanted)
            if not chosen:
                self._replies.send(
                    message.chat.id, self._messages.render("tg_lang_choose", lang), LANG_BUTTONS
                )
                return
            lang = chosen
        help_asked = bool(await HELP(message, bot))
        self._replies.send(message.chat.id, self.text(standing, lang, help_asked=help_asked))

    async def _gate_tap(self, query: CallbackQuery, user: User, standing: Standing) -> None:
        """A button tapped by a user on no team (an old question, /lang's choice): the buttons
        go, the polite line comes (in the language chosen, for /lang's)."""
        self._replies.answer(query)
        lang = await self._lang(user)
        found = await LangData.filter()(query)
        if isinstance(found, dict):
            lang = found["callback_data"].lang
        if isinstance(query.message, Message):
            self._replies.edit(query.message, None, ())
            self._replies.send(query.message.chat.id, self.text(standing, lang))

    def text(self, standing: Standing, lang: str, *, help_asked: bool = False) -> str:
        if standing.pending is not None:
            return self._messages.render("tg_team_pending", lang, team=standing.pending.name)
        key = "tg_team_gate_help" if help_asked else "tg_team_gate"
        return self._messages.render(key, lang)

    async def _lang(self, user: User) -> str:
        """As stored (a user who left a team keeps theirs), else Telegram's."""
        told = language_of(user, self._language)
        return await asyncio.to_thread(self._accounts.language, user_key(user.id), told)


__all__ = ["OPEN", "TeamGate"]
