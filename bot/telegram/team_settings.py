"""``/teamsettings``: a manager reads and changes their team's reminder settings in Telegram.

The change goes through the manager's scope (a team they do not manage cannot be touched), and
when the weekly nudge times change, each rep's planned weekly nudges move at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.telegram.filters import CommandOrReply, InPrivate, TextCommand
from bot.telegram.inputs import language_of, user_key
from bot.telegram.replies import Outbox, Replies
from coaching.accounts import Accounts
from coaching.reminders import ReminderDesk
from coaching.team_settings import SettingRefused, apply_change, describe
from coaching.teams import TeamSettings
from dialogs.catalog import Messages
from dialogs.types import Lang, lang_of
from storage.store import Store
from storage.teams import Teams

COMMAND = "teamsettings"


class TeamSettingsChat:
    def __init__(
        self,
        *,
        teams: Teams,
        store: Store,
        desk: ReminderDesk,
        messages: Messages,
        sender: Outbox,
        clock: Callable[[], datetime],
        language: str,
    ) -> None:
        self._teams = teams
        self._accounts = Accounts(store)
        self._desk = desk
        self._messages = messages
        self._replies = Replies(sender)
        self._clock = clock
        self._language = lang_of(language)

    def router(self) -> Router:
        router = Router(name="team_settings")
        router.message.filter(CommandOrReply())  # a rep's answer passes by at one look
        private = InPrivate()
        router.message.register(self.on_message, private, TextCommand(COMMAND))
        return router

    async def on_message(self, message: Message, command: CommandObject) -> None:
        user = message.from_user
        if user is None:
            return
        told = language_of(user, self._language)
        words = (command.args or "").strip()
        text = await asyncio.to_thread(self.answer, user_key(user.id), words, told)
        self._replies.send(message.chat.id, text)

    def answer(self, key: str, words: str, telegram_lang: Lang = "en") -> str:
        """What the manager reads after ``/teamsettings <words>`` (blocking); a user the bot
        does not know yet is answered in their Telegram language."""
        lang = self._accounts.language(key, telegram_lang)
        scope = self._teams.scope(key)
        teams = scope.teams()
        if not teams:
            return self._messages.render("ts_not_manager", lang)
        team = teams[0]
        now = self._clock()
        saved = ""
        if words.strip():

            def save(new: TeamSettings) -> None:
                scope.set_settings(
                    team.id, now=now, **{f.name: getattr(new, f.name) for f in fields(new)}
                )

            def reps() -> list[tuple[str, str | None]]:
                return [(rep.key, rep.tz) for rep in scope.reps(team.id)]

            try:
                apply_change(words, team.settings, save=save, reps=reps, desk=self._desk, now=now)
            except SettingRefused as refused:
                return self._messages.render(refused.reason, lang, text=refused.text[:60])
            team = scope.team(team.id)
            saved = self._messages.render("ts_saved", lang) + "\n\n"
        shown = describe(team.name, team.settings, self._desk.policy, self._messages, lang, now)
        return saved + shown


__all__ = ["TeamSettingsChat"]
