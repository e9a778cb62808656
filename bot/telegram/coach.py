"""The coach on Telegram: updates in, one durable turn each, replies out through the sender.

Each update that reaches the engine is committed (state, answers, effects, replies as outbox rows
and the update's id) before this handler returns, so an update is acknowledged to Telegram only
once nothing of it can be lost, and a redelivered update is recognised and answered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from aiogram import F, Router
from aiogram.enums import ChatAction, ChatMemberStatus, ChatType
from aiogram.methods import (
    AnswerCallbackQuery,
    SendChatAction,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    ChatMemberUpdated,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from bot.llm_buyer import LlmBuyer
from bot.observability.updates import turn_committed
from bot.telegram import callbacks
from bot.telegram.account import ACCOUNT_COMMANDS, Account, Shown
from bot.telegram.inputs import command_of, event_of, language_of, user_key
from bot.telegram.markup import edit_call, inline_markup
from bot.telegram.render import (
    Button,
    Keyboard,
    Outgoing,
    button_text,
    chosen_text,
    render_turn,
)
from dialogs.catalog import Catalog
from dialogs.types import BACK, SKIP, Ask, CommandIn, Event, Lang, MediaIn, PickIn, Say
from storage.store import OutboxItem, Profile, Store, TurnResult
from storage.teams import Teams

log = logging.getLogger(__name__)
T = TypeVar("T")

TYPING_AFTER = 0.4
"""Seconds a turn may take before the rep sees "typing…" (most take a few milliseconds)."""
STALE = PickIn(token=-1, option="")
"""A tap on a button the bot does not know: the engine says the question has moved on."""


class Outbox(Protocol):
    """What the coach needs of the sender: submit a call, in order per chat."""

    def submit(
        self,
        chat_id: int | None,
        method: TelegramMethod[Any],
        *,
        outbox_ids: Sequence[int] = (),
        bulk: bool = False,
    ) -> asyncio.Future[Any]: ...


class Claims(Protocol):
    """Who sends outbox rows when several processes share the database
    (``bot.telegram.delivery.Delivery``)."""

    def deliver(
        self,
        chat_id: int,
        outgoing: Sequence[Outgoing],
        outbox_ids: Sequence[int],
        *,
        bulk: bool = False,
        claimed: Sequence[OutboxItem] | None = None,
    ) -> None: ...

    def holds(self, outbox_ids: Sequence[int], claimed: Sequence[OutboxItem] | None) -> bool: ...


class Coach:
    def __init__(
        self,
        *,
        store: Store,
        catalog: Catalog,
        sender: Outbox,
        clock: Callable[[], datetime],
        timezone: str,
        language: Lang,
        bot_username: str | None,
        account: Account | None = None,
        teams: Teams | None = None,
        claims: Claims | None = None,
        buyer: LlmBuyer | None = None,
    ) -> None:
        """``claims``: send outbox rows only once this process holds them (several bot
        processes on one database); without, send them straight away. ``buyer``: a language
        model voicing the role-play buyer (off by default)."""
        self._claims = claims
        self._buyer = buyer
        self._account = account
        self._teams = teams
        self._store = store
        self._catalog = catalog
        self._sender = sender
        self._clock = clock
        self._timezone = timezone
        self._language = language
        self._bot_username = bot_username
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def router(self) -> Router:
        router = Router(name="coach")
        router.message.register(self.in_group, F.chat.type != ChatType.PRIVATE)
        router.message.register(self.on_message)
        router.edited_message.register(self.on_edit, F.chat.type == ChatType.PRIVATE)
        router.callback_query.register(self.on_tap)
        router.my_chat_member.register(self.on_membership)
        return router

    # --- handlers ---------------------------------------------------------------------------------

    async def on_message(self, message: Message, event_update: Update) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            return
        command = command_of(message.text or "", self._bot_username)
        if command is not None and command[0] == "lang":
            await self._choose_language(message, user, event_update.update_id, command[1])
            return
        if command is not None and command[0] in ("export", "deleteme"):
            await self._privacy(message.chat.id, user, command[0])
            return
        if await self._account_message(message, user, command, event_update.update_id):
            return
        event = event_of(message, self._catalog.scripts, self._bot_username)
        await self._turn(message.chat.id, user, event, event_update.update_id)

    async def on_edit(self, edited_message: Message, event_update: Update) -> None:
        if edited_message.from_user is not None:
            chat, user = edited_message.chat.id, edited_message.from_user
            await self._turn(chat, user, MediaIn("edit"), event_update.update_id)

    async def in_group(self, message: Message) -> None:
        """No debriefs in groups: a rep's answers are not for the whole team to read."""
        lang = language_of(message.from_user, self._language)
        text = self._catalog.messages.render("tg_private_only", lang)
        self._sender.submit(message.chat.id, SendMessage(chat_id=message.chat.id, text=text))

    async def on_tap(self, callback_query: CallbackQuery, event_update: Update) -> None:
        query = callback_query
        self._sender.submit(None, AnswerCallbackQuery(callback_query_id=query.id))
        message = query.message if isinstance(query.message, Message) else None
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        tap = callbacks.parse(query.data)
        reminding = (callbacks.ReminderTap, callbacks.SettingTap, callbacks.PauseTap)
        if isinstance(tap, reminding):
            if self._account is None:
                self._edit(message, None, ())
                return
            lang = language_of(query.from_user, self._language)
            key = user_key(query.from_user.id)
            update_id = event_update.update_id
            shown = await self._locked(
                query.from_user, self._account.tap, key, lang, tap, update_id
            )
            self._show(message.chat.id, message, shown)
            if shown.start is not None:
                await self._turn(
                    message.chat.id, query.from_user, CommandIn("start", shown.start), None
                )
            return
        if isinstance(tap, callbacks.LangPick):
            self._edit(message, chosen_text(message.html_text, _label(message, query.data)), ())
            await self._set_language(message.chat.id, query.from_user, tap.lang)
            await self._turn(message.chat.id, query.from_user, CommandIn("hello"), None)
            return
        if isinstance(tap, callbacks.Cmd) and tap.command in ("forget", "keep"):
            self._edit(message, None, ())
            await self._privacy(message.chat.id, query.from_user, tap.command)
            return
        if isinstance(tap, callbacks.Cmd):
            self._edit(message, None, ())
            await self._turn(
                message.chat.id, query.from_user, CommandIn(tap.command), event_update.update_id
            )
            return
        event: Event = STALE
        if isinstance(tap, callbacks.Pick):
            event = PickIn(tap.token, tap.option)
        elif isinstance(tap, callbacks.Nav):
            event = PickIn(tap.token, BACK if tap.command == "back" else SKIP)
        await self._turn(
            message.chat.id, query.from_user, event, event_update.update_id, (message, query.data)
        )

    async def on_membership(self, my_chat_member: ChatMemberUpdated) -> None:
        """A rep who blocks the bot gets nothing more (and reminders stop); unblocking resumes."""
        if my_chat_member.chat.type != ChatType.PRIVATE:
            return
        status = my_chat_member.new_chat_member.status
        active = status not in (ChatMemberStatus.KICKED, ChatMemberStatus.LEFT)
        key = user_key(my_chat_member.from_user.id)
        await asyncio.to_thread(self._store.set_active, key, active)

    # --- one turn ---------------------------------------------------------------------------------

    async def start_script(
        self, chat_id: int, user: User, script: str, update_id: int | None
    ) -> None:
        """Start ``script`` as if the rep typed its command (a button made outside the engine,
        such as the one under a manager's coaching invitation)."""
        await self._turn(chat_id, user, CommandIn("start", script), update_id)

    async def _turn(
        self,
        chat_id: int,
        user: User,
        event: Event,
        update_id: int | None,
        tapped: tuple[Message, str | None] | None = None,
    ) -> None:
        result = await self._commit(chat_id, user, event, update_id)
        if result.duplicate:
            return
        outgoing = render_turn(result.replies, self._catalog.messages, result.lang)
        if result.finished and outgoing and not outgoing[-1].keyboard:
            label = self._catalog.messages.render("tg_edit_button", result.lang)
            edit = ((Button(label, callbacks.command_data("edit")),),)
            outgoing[-1] = Outgoing(outgoing[-1].text, edit)
        ids = result.outbox_ids
        if tapped is not None:
            outgoing = self._show_tap(*tapped, result, outgoing)
            if not outgoing:  # the tapped question itself was updated (a multiple choice)
                return
        self.deliver(chat_id, outgoing, ids, claimed=result.claimed)

    async def _commit(
        self, chat_id: int, user: User, event: Event, update_id: int | None
    ) -> TurnResult:
        """The turn, committed; one at a time per rep in this process (the database orders
        them across processes)."""
        key = user_key(user.id)
        profile = Profile(key, user.full_name, language_of(user, self._language), self._timezone)
        external_id = None if update_id is None else str(update_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock, self._typing(chat_id):
            started = time.perf_counter()
            if self._buyer is not None:
                event = await asyncio.to_thread(self._voiced, key, event, profile.lang)
            result = await asyncio.to_thread(self._handle, profile, event, external_id)
        turn_committed(result.duplicate, time.perf_counter() - started)  # for /metrics
        return result

    def _handle(self, profile: Profile, event: Event, external_id: str | None) -> TurnResult:
        """One turn, with the rep's team's choice of probes (``/teamsettings probes off``)."""
        settings = self._teams.settings_of(profile.key) if self._teams is not None else None
        if settings is not None and not settings.probes:
            profile = replace(profile, probes=False)
        return self._store.handle(
            profile, event, now=self._clock(), source="telegram", external_id=external_id
        )

    def _voiced(self, key: str, event: Event, lang: str) -> Event:
        """The event with the model's buyer line, when it answers the role-play buyer."""
        assert self._buyer is not None
        user = self._store.user(key)
        return self._buyer.voice(self._store.conversation(key), event, user.lang if user else lang)

    @contextlib.asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" only when a turn is slow enough for the rep to wonder."""
        action = SendChatAction(chat_id=chat_id, action=ChatAction.TYPING)
        timer = asyncio.get_running_loop().call_later(
            TYPING_AFTER, lambda: self._sender.submit(chat_id, action)
        )
        try:
            yield
        finally:
            timer.cancel()

    def _show_tap(
        self, tapped: Message, data: str | None, result: TurnResult, outgoing: list[Outgoing]
    ) -> list[Outgoing]:
        """Edit the tapped question: show the answer in place of its buttons (no pile of dead
        buttons), or, for a multiple choice still being picked, its ticks."""
        replies = result.replies
        toggled = len(replies) == 1 and isinstance(replies[0], Ask) and replies[0].kind == "multi"
        if toggled and len(outgoing) == 1:
            claims = self._claims
            if claims is None or claims.holds(result.outbox_ids, result.claimed):
                self._edit(tapped, outgoing[0].text, outgoing[0].keyboard, result.outbox_ids)
            return []  # else the process holding the chat sends it (as a new message)
        moved_on = self._catalog.messages.render("moved_on", result.lang)
        stale = bool(replies) and isinstance(replies[0], Say) and replies[0].text == moved_on
        if stale:
            self._edit(tapped, None, ())
        else:
            self._edit(tapped, chosen_text(tapped.html_text, _label(tapped, data)), ())
        return outgoing

    def deliver(
        self,
        chat_id: int,
        outgoing: Sequence[Outgoing],
        outbox_ids: Sequence[int],
        *,
        bulk: bool = False,
        claimed: Sequence[OutboxItem] | None = None,
        held: bool = False,
    ) -> None:
        """Send a turn's messages in order; its outbox rows count as sent with the last one.
        ``bulk``: a scheduled nudge, which yields to the replies reps are waiting for. With
        claims, the rows go out once this process holds them (``claimed``: what the turn
        claimed; ``held``: they are this process's already)."""
        if self._claims is not None and outbox_ids and not held:
            self._claims.deliver(chat_id, outgoing, outbox_ids, bulk=bulk, claimed=claimed)
            return
        for number, message in enumerate(outgoing, start=1):
            last = number == len(outgoing)
            self._sender.submit(
                chat_id,
                SendMessage(
                    chat_id=chat_id, text=message.text, reply_markup=inline_markup(message.keyboard)
                ),
                outbox_ids=outbox_ids if last else (),
                bulk=bulk,
            )
        if not outgoing:
            self._store_sent(outbox_ids)

    def _edit(
        self,
        message: Message,
        text: str | None,
        keyboard: Keyboard,
        outbox_ids: Sequence[int] = (),
    ) -> None:
        method = edit_call(message, text, keyboard)
        self._sender.submit(message.chat.id, method, outbox_ids=outbox_ids)

    def _store_sent(self, outbox_ids: Sequence[int]) -> None:
        if outbox_ids:
            self._store.mark_sent(outbox_ids, now=self._clock())

    # --- reminders and the rep's settings -----------------------------------------------------

    async def _account_message(
        self, message: Message, user: User, command: tuple[str, str] | None, update_id: int
    ) -> bool:
        """/followups, /tz, /pause, /settings, or the reply naming a snooze time: True when
        handled here (not a turn of the engine)."""
        account = self._account
        if account is None:
            return False
        lang = language_of(user, self._language)
        key = user_key(user.id)
        shown: Shown | None = None
        if command is not None and command[0] in ACCOUNT_COMMANDS:
            shown = await self._locked(user, account.command, key, lang, *command)
        asked = message.reply_to_message
        bot_asked = asked is not None and asked.from_user is not None and asked.from_user.is_bot
        if asked is not None and bot_asked and message.text and command is None:
            words = message.text
            shown = await self._locked(
                user, account.snooze_reply, key, lang, asked.text or "", words, update_id
            )
        if shown is None:
            return False
        self._show(message.chat.id, None, shown)
        return True

    async def _locked(self, user: User, call: Callable[..., T], *args: Any) -> T:
        """A blocking account call in a thread, under the rep's lock (ordered with turns)."""
        lock = self._locks.setdefault(user_key(user.id), asyncio.Lock())
        async with lock:
            return await asyncio.to_thread(call, *args)

    def _show(self, chat_id: int, tapped: Message | None, shown: Shown) -> None:
        if shown.edit is not None and tapped is not None:
            self._edit(tapped, shown.edit.text, shown.edit.keyboard)
        for message in shown.send:
            markup: InlineKeyboardMarkup | ForceReply | None = inline_markup(message.keyboard)
            if shown.ask_time:
                markup = ForceReply(force_reply=True)
            self._sender.submit(
                chat_id, SendMessage(chat_id=chat_id, text=message.text, reply_markup=markup)
            )

    # --- privacy: a rep's own data ----------------------------------------------------------------

    async def _privacy(self, chat_id: int, user: User, action: str) -> None:
        """/export sends the rep everything kept about them; /deleteme, once confirmed, deletes
        it all. Outside the turn store on purpose: after a delete there is no rep to record."""
        from storage.privacy import EXPORT_FILENAME, delete_user, export_user

        key = user_key(user.id)
        known = await asyncio.to_thread(self._store.user, key)
        lang = (known.lang if known else None) or language_of(user, self._language)
        say = self._catalog.messages.render
        if action == "export":
            data = await asyncio.to_thread(export_user, self._store, key, now=self._clock())
            if data is None:
                self._send(chat_id, say("tg_nothing_kept", lang))
                return
            body = json.dumps(data, ensure_ascii=False, indent=2).encode()
            document = BufferedInputFile(body, filename=EXPORT_FILENAME)
            caption = say("tg_export_caption", lang)
            self._sender.submit(
                chat_id, SendDocument(chat_id=chat_id, document=document, caption=caption)
            )
        elif action == "deleteme":
            yes = Button(say("tg_delete_yes", lang), callbacks.command_data("forget"))
            no = Button(say("tg_delete_no", lang), callbacks.command_data("keep"))
            self._send(chat_id, say("tg_delete_confirm", lang), ((yes,), (no,)))
        elif action == "forget":
            await asyncio.to_thread(delete_user, self._store, key, now=self._clock())
            self._send(chat_id, say("tg_deleted", lang))
        else:
            self._send(chat_id, say("tg_delete_kept", lang))

    def _send(self, chat_id: int, text: str, keyboard: Keyboard = ()) -> None:
        self._sender.submit(
            chat_id, SendMessage(chat_id=chat_id, text=text, reply_markup=inline_markup(keyboard))
        )

    # --- language ---------------------------------------------------------------------------------

    async def _choose_language(
        self, message: Message, user: User, update_id: int, arg: str
    ) -> None:
        wanted = arg.lower()
        lang = "zh" if wanted.startswith(("zh", "中")) else "en" if wanted.startswith("en") else ""
        chat_id = message.chat.id
        if lang:
            await self._set_language(chat_id, user, lang)
            await self._turn(chat_id, user, CommandIn("hello"), update_id)
            return
        current = language_of(user, self._language)
        known = await asyncio.to_thread(self._store.user, user_key(user.id))
        if known is not None:
            current = "zh" if known.lang == "zh" else "en"
        keyboard: Keyboard = (
            (
                Button("English", callbacks.lang_data("en")),
                Button("中文", callbacks.lang_data("zh")),
            ),
        )
        text = self._catalog.messages.render("tg_lang_choose", current)
        self._sender.submit(
            chat_id, SendMessage(chat_id=chat_id, text=text, reply_markup=inline_markup(keyboard))
        )

    async def _set_language(self, chat_id: int, user: User, lang: str) -> None:
        await asyncio.to_thread(self._store.set_language, user_key(user.id), lang)
        text = self._catalog.messages.render("tg_lang_set", lang)
        self._sender.submit(chat_id, SendMessage(chat_id=chat_id, text=text))


def _label(message: Message, data: str | None) -> str:
    """The text of the tapped button (for a multiple choice: the ticked ones)."""
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup else []
    buttons = [button for row in rows for button in row]
    ticked = [button_text(b.text).removeprefix("✅ ") for b in buttons if b.text.startswith("✅")]
    for button in buttons:
        if button.callback_data == data:
            return (ticked and ", ".join(ticked)) or button.text
    return ", ".join(ticked)
