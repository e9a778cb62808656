"""The manager's side on Telegram: debrief summaries arriving, and what a manager does with them.

Buttons under a summary (``m:`` callback data): reply with a coaching note (a ForceReply question
tagged ``✍ #<review>``; the reply's text becomes the note, delivered to the rep naming the visit),
coach a skill (pick one; the rep gets an invitation with a button that starts /coaching), mark
reviewed (the message shows it). ``/summaries instant | daily [HH:MM]`` picks how summaries come.

Ids in callback data are only claims: every action goes through ``storage.reviews`` with the
manager's ``ManagerScope``, so a forged or stale id gets a polite refusal and changes nothing.
The database calls block, so they run in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message, Update, User

from bot.telegram.callbacks import MANAGE_PREFIX, CoachingData, ReviewData, SkillData, parse
from bot.telegram.coach import Coach
from bot.telegram.filters import CommandOrReply, DataPrefix, InPrivate, TextCommand
from bot.telegram.inputs import language_of, user_key
from bot.telegram.render import Button, Keyboard, Outgoing
from bot.telegram.replies import Outbox, Replies
from coaching.accounts import Accounts
from coaching.ports import Notice, OutboxItem, Sent
from coaching.summaries import COACHING_SCRIPT, Summaries
from coaching.users import telegram_chat
from dialogs.types import Lang
from reminders.policy import parse_clock
from storage.reviews import Reviews
from storage.store import Store
from storage.teams import NotYourTeam, Teams

log = logging.getLogger(__name__)

ASKED_NOTE = re.compile(r"✍ ?#(\d{1,12})\b")
"""The review a "your coaching note … write it as a reply" question is about."""
Buttons = tuple[tuple[tuple[str, str], ...], ...]


class Manage:
    def __init__(
        self,
        *,
        reviews: Reviews,
        teams: Teams,
        summaries: Summaries,
        store: Store,
        sender: Outbox,
        coach: Coach,
        clock: Callable[[], datetime],
        language: Lang,
    ) -> None:
        self._reviews = reviews
        self._teams = teams
        self._summaries = summaries
        self._accounts = Accounts(store)
        self._replies = Replies(sender)
        self._coach = coach
        self._clock = clock
        self._language = language

    def router(self) -> Router:
        router = Router(name="manage")
        router.message.filter(CommandOrReply())  # a rep's answer passes by at one look
        private = InPrivate()
        router.callback_query.filter(DataPrefix(MANAGE_PREFIX))  # one look for others' taps
        router.callback_query.register(self.on_go, CoachingData.filter())
        router.callback_query.register(self.on_tap, ReviewData.filter())
        router.callback_query.register(self.on_tap, SkillData.filter())
        router.callback_query.register(self.on_tap)  # an m: tap we never made
        router.message.register(self.on_summaries, private, TextCommand("summaries"))
        router.message.register(self.on_note, private, _asked_note)
        return router

    # --- the scheduler's tick ---------------------------------------------------------------

    def tick(self, now: datetime, *, daily: bool = True) -> list[Sent]:
        """New notices into reviews (and instant summaries), then (``daily``) the daily
        batches now due."""
        render = self._summaries.render
        sent = self._reviews.dispatch(render, now=now)
        if daily:
            sent += self._reviews.send_daily(render, now=now)
        return sent

    def deliver(self, sent: Sequence[Sent], *, bulk: bool = True, held: bool = False) -> None:
        """``held``: this process holds the rows already (see ``Coach.deliver``)."""
        for item in sent:
            if (chat_id := telegram_chat(item.user_key)) is not None:
                outgoing = Outgoing(item.draft.text, _keyboard(item.draft.buttons))
                self._coach.deliver(chat_id, [outgoing], [item.outbox_id], bulk=bulk, held=held)

    async def resend(self, pending: Sequence[OutboxItem]) -> list[OutboxItem]:
        """Rows this process holds, read back from the database (after a restart, handed
        over): the summaries go out with their buttons; returns the other rows, for the
        caller to send."""
        drafts = await asyncio.to_thread(self._reviews.drafts, [item.id for item in pending])
        self.deliver(
            [Sent(i.user_key, "en", i.id, drafts[i.id]) for i in pending if i.id in drafts],
            bulk=False,
            held=True,
        )
        return [item for item in pending if item.id not in drafts]

    # --- taps -------------------------------------------------------------------------------

    async def on_go(self, callback_query: CallbackQuery, event_update: Update) -> None:
        """The rep's "start" under a coaching invitation."""
        query = callback_query
        if not isinstance(query.message, Message):
            await self.on_tap(query, event_update)
            return
        self._replies.answer(query)
        self._replies.edit(query.message, None, ())
        await self._coach.start_script(
            query.message.chat.id, query.from_user, COACHING_SCRIPT, event_update.update_id
        )

    async def on_tap(
        self,
        callback_query: CallbackQuery,
        event_update: Update,
        callback_data: ReviewData | SkillData | None = None,
    ) -> None:
        """A manager's button under a summary; data we never made is refused politely."""
        query = callback_query
        message = query.message if isinstance(query.message, Message) else None
        tap = callback_data
        lang = await self._lang(query.from_user)
        if message is None or tap is None:
            self._replies.answer(query, self._summaries.say("mgr_not_yours", lang))
            return
        try:
            await self._act(query, message, tap, lang, event_update.update_id)
        except NotYourTeam:
            log.info("refused %r from %s", query.data, query.from_user.id)
            self._replies.answer(query, self._summaries.say("mgr_not_yours", lang), alert=True)

    async def _act(
        self,
        query: CallbackQuery,
        message: Message,
        tap: ReviewData | SkillData,
        lang: str,
        update_id: int,
    ) -> None:
        say = self._summaries.say
        summaries = self._summaries
        scope = await asyncio.to_thread(self._teams.scope, user_key(query.from_user.id))
        chat_id = message.chat.id
        tz = await self._tz(query.from_user)
        now = self._clock()
        if isinstance(tap, ReviewData) and tap.action == "v":
            await asyncio.to_thread(self._reviews.mark_reviewed, scope, tap.review, now=now)
            self._replies.answer(query, say("mgr_reviewed", lang))
            self._show_reviewed(message, tap.review, lang)
            return
        notice: Notice = await asyncio.to_thread(self._reviews.notice, scope, tap.review)
        if isinstance(tap, ReviewData) and tap.action == "n":
            self._replies.answer(query)
            visit = summaries.visit(notice, lang, tz)
            text = say("mgr_ask_note", lang, ref=notice.review_id, rep=notice.rep_name, visit=visit)
            self._replies.send(chat_id, text, ask=True)
        elif isinstance(tap, ReviewData):  # c: choose a skill
            self._replies.answer(query)
            text = say("mgr_pick_skill", lang, rep=notice.rep_name)
            keyboard = summaries.skill_buttons(notice.review_id, lang)
            self._replies.send(chat_id, text, _keyboard(keyboard))
        else:
            if tap.skill not in summaries.skills():
                raise NotYourTeam(f"skill {tap.skill}")
            start = ((say("mgr_btn_start", notice.rep_lang), CoachingData().pack()),)
            sent = await asyncio.to_thread(
                self._reviews.invite,
                scope,
                notice.review_id,
                summaries.invitation_for_rep(tap.skill),
                now=now,
                buttons=(start,),
                external_id=str(update_id),
            )
            self._replies.answer(query)
            if sent is None:
                return  # a redelivered tap: the invitation went the first time
            self.deliver([sent], bulk=False)
            skill = summaries.skill_label(tap.skill, lang)
            done = say("mgr_coach_sent", lang, rep=notice.rep_name, skill=skill)
            self._replies.edit(message, done, ())

    def _show_reviewed(self, message: Message, review_id: int, lang: str) -> None:
        """One summary: its text with "✓ Reviewed" under it, no buttons. A batch: that
        summary's buttons go, the others stay."""
        rows = message.reply_markup.inline_keyboard if message.reply_markup else []
        mine = {
            button.callback_data
            for row in rows
            for button in row
            if _review_of(button.callback_data) == review_id
        }
        others = [
            tuple((b.text, b.callback_data or "") for b in row if b.callback_data not in mine)
            for row in rows
        ]
        kept: Buttons = tuple(row for row in others if row)
        if any(_review_of(data) not in (None, review_id) for row in kept for _, data in row):
            self._replies.edit(message, None, _keyboard(kept))
            return
        text = f"{message.html_text}\n\n<b>{self._summaries.say('mgr_reviewed', lang)}</b>"
        self._replies.edit(message, text, ())

    # --- the note, as a reply ---------------------------------------------------------------

    async def on_note(self, message: Message, event_update: Update) -> None:
        user = message.from_user
        asked = message.reply_to_message
        if user is None or asked is None or message.text is None:
            return
        found = ASKED_NOTE.search(asked.text or "")
        assert found is not None  # the filter said so
        lang = await self._lang(user)
        say = self._summaries.say
        chat_id = message.chat.id
        try:
            scope = await asyncio.to_thread(self._teams.scope, user_key(user.id))
            sent = await asyncio.to_thread(
                self._reviews.add_note,
                scope,
                int(found[1]),
                message.text,
                self._summaries.note_for_rep(message.text),
                now=self._clock(),
                external_id=str(event_update.update_id),
            )
        except NotYourTeam:
            self._replies.send(chat_id, say("mgr_not_yours", lang))
            return
        if sent is None:
            return  # a redelivered update: the note went the first time
        self.deliver([sent], bulk=False)
        notice = await asyncio.to_thread(self._reviews.notice, scope, int(found[1]))
        self._replies.send(chat_id, say("mgr_note_sent", lang, rep=notice.rep_name))

    # --- /summaries ---------------------------------------------------------------------------

    async def on_summaries(self, message: Message, command: CommandObject) -> None:
        user = message.from_user
        if user is None:
            return
        lang = await self._lang(user)
        tz = await self._tz(user)
        say = self._summaries.say
        scope = await asyncio.to_thread(self._teams.scope, user_key(user.id))
        teams = await asyncio.to_thread(scope.teams)
        if not teams:
            self._replies.send(message.chat.id, say("mgr_summaries_not_manager", lang))
            return
        words = (command.args or "").lower().split()
        mode = words[0] if words else ""
        at = words[1] if len(words) > 1 else None
        current = await asyncio.to_thread(scope.prefs, teams[0].id)
        if mode not in ("instant", "daily") or (at is not None and parse_clock(at) is None):
            text = say(
                "mgr_summaries_now", lang, mode=current.summaries, at=current.daily_at, tz=tz
            )
            self._replies.send(message.chat.id, text)
            return
        now = self._clock()
        clock = parse_clock(at) if at else None
        daily_at = clock.strftime("%H:%M") if clock is not None else None
        for team in teams:
            prefs = await asyncio.to_thread(scope.prefs, team.id)
            prefs = replace(prefs, summaries=mode, daily_at=daily_at or prefs.daily_at)
            await asyncio.to_thread(scope.set_prefs, team.id, prefs, now=now)
        if mode == "instant":
            self._replies.send(message.chat.id, say("mgr_summaries_instant", lang))
        else:
            at_text = daily_at or current.daily_at
            self._replies.send(message.chat.id, say("mgr_summaries_daily", lang, at=at_text, tz=tz))

    # --- helpers ------------------------------------------------------------------------------

    async def _lang(self, user: User) -> str:
        told = language_of(user, self._language)
        return await asyncio.to_thread(self._accounts.language, user_key(user.id), told)

    async def _tz(self, user: User) -> str:
        return await asyncio.to_thread(self._accounts.zone, user_key(user.id), "UTC")


async def _asked_note(message: Message) -> bool:
    """A text replying to the bot's "write your coaching note" question (not a command)."""
    asked = message.reply_to_message
    if asked is None or asked.from_user is None or not asked.from_user.is_bot:
        return False
    text = message.text or ""
    return (
        bool(text.strip())
        and not text.startswith("/")
        and bool(ASKED_NOTE.search(asked.text or ""))
    )


def _review_of(data: str | None) -> int | None:
    tap = parse(data)
    return tap.review if isinstance(tap, ReviewData | SkillData) and tap.review else None


def _keyboard(buttons: Buttons) -> Keyboard:
    return tuple(tuple(Button(text, data) for text, data in row) for row in buttons)


__all__ = ["Manage"]
