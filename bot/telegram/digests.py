"""The weekly team digest in Telegram: sent by itself at each manager's hour, and ``/digest``.

The chart goes as a photo with the headline figures as its caption, the per-rep detail and the
lists (who has not debriefed, escalated follow-ups) as messages after it. A scheduled digest is
marked sent only once Telegram took every part; a part given up on (the manager blocked the bot)
marks it failed, so it is not retried forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import CommandObject
from aiogram.methods import SendPhoto
from aiogram.types import BufferedInputFile, Message

from bot.telegram.filters import CommandOrReply, InPrivate, TextCommand
from bot.telegram.inputs import language_of, user_key
from bot.telegram.replies import Outbox, Replies
from coaching.accounts import Accounts
from coaching.digests import DigestDesk, DueDigest
from coaching.schedule import covered_week
from coaching.teams import ManagerPrefs, Team
from coaching.users import telegram_chat
from dialogs.catalog import Messages
from dialogs.types import Lang, lang_of
from reminders.policy import WEEKDAY_NAMES, parse_weekly, to_local
from reminders.zones import describe_zone
from reports.digest import BadWeek
from reports.weekly import WeeklyReport, build_weekly
from storage.store import Store
from storage.teams import ManagerScope, NotYourTeam, Teams

log = logging.getLogger(__name__)

COMMAND = "digest"
_DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


class TeamDigests:
    def __init__(
        self,
        *,
        teams: Teams,
        store: Store,
        desk: DigestDesk,
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
        self._language = language

    def router(self) -> Router:
        router = Router(name="digests")
        router.message.filter(CommandOrReply())  # a rep's answer passes by at one look
        private = InPrivate()
        router.message.register(self.on_help, private, TextCommand("help"))
        router.message.register(self.on_digest, private, TextCommand(COMMAND))
        return router

    # --- the scheduled digests --------------------------------------------------------------

    async def tick(self) -> int:
        """Send the digests due now (each claimed first); how many went out."""
        now = self._clock()
        try:
            due = await asyncio.to_thread(self._desk.claim_due, now)
        except Exception:
            log.exception("digest tick failed; the next tick tries again")
            return 0
        sent = 0
        for item in due:
            sent += await self._send_due(item, now)
        return sent

    async def _send_due(self, due: DueDigest, now: datetime) -> int:
        lang = _lang(due.manager.lang)
        try:
            report = await asyncio.to_thread(self._build, due.team, due.manager.key, due.week, lang)
        except NotYourTeam:  # no longer their team since the claim
            await asyncio.to_thread(self._desk.finish, due, sent=False, now=now)
            return 0
        except Exception:
            log.exception("digest %s could not be built", due.key)
            await asyncio.to_thread(self._desk.finish, due, sent=False, now=now)
            return 0
        chat_id = telegram_chat(due.manager.key)
        delivered = chat_id is not None and await self._deliver(chat_id, report, bulk=True)
        await asyncio.to_thread(self._desk.finish, due, sent=delivered, now=self._clock())
        return int(delivered)

    def _build(self, team: Team, manager_key: str, week: str, lang: str) -> WeeklyReport:
        return build_weekly(
            self._teams.engine,
            team.id,
            messages=self._messages,
            now=self._clock(),
            week=week,
            lang=lang,
            scope=self._teams.scope(manager_key),
            page=False,
        )

    async def _deliver(self, chat_id: int, report: WeeklyReport, *, bulk: bool) -> bool:
        """The chart with its caption, then the detail; True once Telegram took every part."""
        calls: list[asyncio.Future[Any]] = []
        if report.png is not None:
            photo = BufferedInputFile(report.png, filename=f"digest-{report.week}.png")
            calls.append(
                self._replies.sender.submit(
                    chat_id,
                    SendPhoto(chat_id=chat_id, photo=photo, caption=report.text.caption),
                    bulk=bulk,
                )
            )
        else:
            calls.append(self._replies.send(chat_id, report.text.caption, bulk=bulk))
        calls.extend(self._replies.send(chat_id, text, bulk=bulk) for text in report.text.messages)
        results = await asyncio.gather(*calls, return_exceptions=True)
        return all(
            result is not None and not isinstance(result, BaseException) for result in results
        )

    # --- /digest ------------------------------------------------------------------------------

    async def on_help(self, message: Message) -> None:
        """A manager's /help also lists the team commands; the coach's own help follows."""
        if message.from_user is not None:
            await self._manager_help(message.chat.id, user_key(message.from_user.id))
        raise SkipHandler

    async def on_digest(self, message: Message, command: CommandObject) -> None:
        user = message.from_user
        if user is None:
            return
        key = user_key(user.id)
        chat_id = message.chat.id
        scope = await asyncio.to_thread(self._teams.scope, key)
        teams = await asyncio.to_thread(scope.teams)
        if not teams:
            telegram = language_of(user, _lang(self._language))
            theirs = await asyncio.to_thread(self._accounts.language, key, telegram)
            self._replies.send(chat_id, self._say("dg_not_manager", theirs))
            return
        _, me = await asyncio.to_thread(scope.member, scope.manager_id)
        lang: Lang = _lang(me.lang)
        tz = me.tz or "UTC"
        arg = (command.args or "").strip()
        if arg.lower().startswith(("at ", "on ")) or arg.lower() in ("at", "on"):
            told = await asyncio.to_thread(self._schedule, scope, teams, arg[2:].strip(), lang, tz)
            self._replies.send(chat_id, told)
            return
        if arg.lower() in ("help", "?"):
            prefs = await asyncio.to_thread(scope.prefs, teams[0].id)
            self._replies.send(chat_id, self._usage(prefs, lang, tz))
            return
        now = self._clock()
        week = arg or covered_week(to_local(now, tz).date())
        for team in teams:
            try:
                report = await asyncio.to_thread(self._build, team, key, week, lang)
            except BadWeek:
                prefs = await asyncio.to_thread(scope.prefs, team.id)
                text = self._say("dg_bad_week", lang, text=arg[:40]) + "\n\n"
                self._replies.send(chat_id, text + self._usage(prefs, lang, tz))
                return
            await self._deliver(chat_id, report, bulk=False)

    async def _manager_help(self, chat_id: int, key: str) -> None:
        """A manager's /help also lists the team commands (a rep's stays as it is)."""
        scope = await asyncio.to_thread(self._teams.scope, key)
        if not await asyncio.to_thread(scope.teams):
            return
        _, me = await asyncio.to_thread(scope.member, scope.manager_id)
        lang = _lang(me.lang)
        lines = self._say("tg_team_menu", lang).splitlines()
        commands = "\n".join(f"/{line.strip()}" for line in lines if line.strip())
        self._replies.send(chat_id, self._say("dg_manager_help", lang, commands=commands))

    def _schedule(
        self, scope: ManagerScope, teams: list[Team], words: str, lang: Lang, tz: str
    ) -> str:
        """``/digest at Fri 16:00``: the manager's own weekday and time, for all their teams
        (blocking); what to tell them."""
        wanted = parse_weekly(words)
        if wanted is None:
            prefs = scope.prefs(teams[0].id)
            text = self._say("dg_bad_schedule", lang, text=words[:40]) + "\n\n"
            return text + self._usage(prefs, lang, tz)
        day, clock = wanted
        now = self._clock()
        for team in teams:
            prefs = scope.prefs(team.id)
            scope.set_prefs(
                team.id,
                ManagerPrefs(prefs.summaries, prefs.daily_at, day, f"{clock:%H:%M}"),
                now=now,
            )
        zone = describe_zone(tz, now, lang)
        day_name = _DAY_NAMES[_lang(lang)][day]
        return self._say("dg_schedule_set", lang, day=day_name, at=f"{clock:%H:%M}", zone=zone)

    def _usage(self, prefs: ManagerPrefs, lang: Lang, tz: str) -> str:
        day = _DAY_NAMES[_lang(lang)][prefs.digest_day]
        zone = describe_zone(tz, self._clock(), lang)
        example = f"{WEEKDAY_NAMES[4].title()} 16:00"
        return self._say("dg_usage", lang, day=day, at=prefs.digest_at, zone=zone, example=example)

    def _say(self, key: str, lang: str, **context: Any) -> str:
        return self._messages.render(key, _lang(lang), **context)


def _lang(value: str | None) -> Lang:
    return lang_of(value)


__all__ = ["TeamDigests"]
