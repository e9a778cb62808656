"""The coach on Telegram: updates in, one durable turn each, replies out through the sender.

Each update that reaches the engine is committed (state, answers, effects, replies as outbox rows
and the update's id) before this handler returns, so an update is acknowledged to Telegram only
once nothing of it can be lost, and a redelivered update is recognised and answered once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatAction, ChatMemberStatus, ChatType
from aiogram.filters import CommandObject
from aiogram.methods import SendChatAction, SendDocument
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    ChatMemberUpdated,
    Message,
    Update,
    User,
)

from bot.llm_buyer import LlmBuyer
from bot.observability.updates import turn_committed
from bot.telegram.account import ACCOUNT_COMMANDS, Account, AccountTap, Shown
from bot.telegram.callbacks import (
    CommandData,
    LangData,
    Nav,
    PauseData,
    Pick,
    ReminderData,
    SettingData,
)
from bot.telegram.filters import FromPerson, InGroup, InPrivate, TextCommand
from bot.telegram.gate import LANG_BUTTONS
from bot.telegram.inputs import command_event, event_of, language_of, user_key
from bot.telegram.render import (
    Button,
    Outgoing,
    button_text,
    chosen_text,
    render_turn,
)
from bot.telegram.replies import Outbox, Replies
from bot.telegram.slow_turn import SlowTurn
from coaching import conversations
from coaching.accounts import Accounts
from coaching.conversations import Conversations
from coaching.ports import OutboxItem, Profile, TurnResult
from coaching.teams import Standing
from dialogs.catalog import Catalog
from dialogs.state import Conversation
from dialogs.types import (
    BACK,
    SKIP,
    Ask,
    CommandIn,
    Event,
    Lang,
    MediaIn,
    PickIn,
    Say,
    lang_named,
    lang_of,
)
from storage.store import Store
from storage.teams import Teams

log = logging.getLogger(__name__)
T = TypeVar("T")

TYPING_AFTER = 0.4
"""Seconds a turn may run before the rep sees "typing…" (most take a few milliseconds)."""
STALE = PickIn(token=-1, option="")
"""A tap on a button the bot does not know: the engine says the question has moved on."""
ANY_COMMAND = re.compile(r".+")


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
        self._store = store
        self._accounts = Accounts(store)
        self._catalog = catalog
        self._replies = Replies(sender)
        self._clock = clock
        self._timezone = timezone
        self._language = language
        voice = None if buyer is None else self._voiced
        self._conversations = Conversations(
            store, source="telegram", clock=clock, teams=teams, voice=voice
        )
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def router(self) -> Router:
        router = Router(name="coach")
        router.message.register(self.in_group, InGroup())
        person = FromPerson()
        router.message.register(self.on_lang, person, TextCommand("lang"))
        router.message.register(self.on_privacy, person, TextCommand("export", "deleteme"))
        if self._account is not None:
            account_commands = TextCommand(*sorted(ACCOUNT_COMMANDS))
            router.message.register(self.on_account_command, person, account_commands)
            router.message.register(self.on_snooze_reply, person, _replies_to_bot)
        router.message.register(self.on_command, person, TextCommand(ANY_COMMAND))
        router.message.register(self.on_message, person)
        router.edited_message.register(self.on_edit, InPrivate())
        tapped = InPrivate()
        taps = router.callback_query
        for kind in (ReminderData, SettingData, PauseData):
            taps.register(self.on_account_tap, tapped, kind.filter())
        taps.register(self.on_lang_tap, tapped, LangData.filter())
        taps.register(self.on_command_tap, tapped, CommandData.filter())
        taps.register(self.on_pick, tapped, Pick.filter())
        taps.register(self.on_pick, tapped, Nav.filter())
        taps.register(self.on_stale_tap)  # data we never made: the question moved on
        router.my_chat_member.register(self.on_membership)
        return router

    # --- messages ---------------------------------------------------------------------------------

    async def on_message(
        self, message: Message, event_update: Update, standing: Standing | None = None
    ) -> None:
        """A typed answer or media: one turn of the engine."""
        assert message.from_user is not None  # FromPerson
        event = event_of(message)
        await self._turn(
            message.chat.id, message.from_user, event, event_update.update_id, standing
        )

    async def on_command(
        self,
        message: Message,
        command: CommandObject,
        event_update: Update,
        standing: Standing | None = None,
    ) -> None:
        """A command of the engine's: a script's (/debrief), or /start, /back, /cancel..."""
        assert message.from_user is not None
        name, arg = command.command.lower(), (command.args or "").strip()
        event = command_event(name, arg, self._catalog.scripts)
        await self._turn(
            message.chat.id, message.from_user, event, event_update.update_id, standing
        )

    async def on_edit(
        self, edited_message: Message, event_update: Update, standing: Standing | None = None
    ) -> None:
        if edited_message.from_user is not None:
            chat, user = edited_message.chat.id, edited_message.from_user
            await self._turn(chat, user, MediaIn("edit"), event_update.update_id, standing)

    async def in_group(self, message: Message) -> None:
        """No debriefs in groups: a rep's answers are not for the whole team to read."""
        lang = language_of(message.from_user, self._language)
        text = self._catalog.messages.render("tg_private_only", lang)
        self._replies.send(message.chat.id, text)

    # --- taps -------------------------------------------------------------------------------------

    async def on_pick(
        self,
        callback_query: CallbackQuery,
        callback_data: Pick | Nav,
        event_update: Update,
        standing: Standing | None = None,
    ) -> None:
        """An answer tapped under a question, or its back / skip."""
        query = callback_query
        self._replies.answer(query)
        assert isinstance(query.message, Message)  # InPrivate
        event: Event
        if isinstance(callback_data, Pick):
            event = PickIn(callback_data.token, callback_data.option)
        else:
            event = PickIn(callback_data.token, BACK if callback_data.command == "back" else SKIP)
        tapped = (query.message, query.data)
        update_id = event_update.update_id
        await self._turn(query.message.chat.id, query.from_user, event, update_id, standing, tapped)

    async def on_stale_tap(
        self, callback_query: CallbackQuery, event_update: Update, standing: Standing | None = None
    ) -> None:
        """A button the bot does not know (an old version's, a forged one): the engine says the
        question has moved on, and the tapped buttons go. Outside a private chat: nothing."""
        query = callback_query
        self._replies.answer(query)
        message = query.message if isinstance(query.message, Message) else None
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        tapped = (message, query.data)
        update_id = event_update.update_id
        await self._turn(message.chat.id, query.from_user, STALE, update_id, standing, tapped)

    async def on_command_tap(
        self,
        callback_query: CallbackQuery,
        callback_data: CommandData,
        event_update: Update,
        standing: Standing | None = None,
    ) -> None:
        """/edit under a summary, or the answer to /deleteme's "are you sure?"."""
        query = callback_query
        self._replies.answer(query)
        assert isinstance(query.message, Message)
        chat_id = query.message.chat.id
        self._replies.edit(query.message, None, ())
        if callback_data.command in ("forget", "keep"):
            await self._privacy(chat_id, query.from_user, callback_data.command)
            return
        event = CommandIn(callback_data.command)
        await self._turn(chat_id, query.from_user, event, event_update.update_id, standing)

    async def on_lang_tap(self, callback_query: CallbackQuery, callback_data: LangData) -> None:
        query = callback_query
        self._replies.answer(query)
        message = query.message
        assert isinstance(message, Message)
        self._replies.edit(message, chosen_text(message.html_text, _label(message, query.data)), ())
        await self._set_language(message.chat.id, query.from_user, callback_data.lang)
        await self._turn(message.chat.id, query.from_user, conversations.GREET, None)

    async def on_account_tap(
        self, callback_query: CallbackQuery, callback_data: AccountTap, event_update: Update
    ) -> None:
        """A button under a reminder, a /settings toggle, a /pause choice."""
        query = callback_query
        self._replies.answer(query)
        message = query.message
        assert isinstance(message, Message)
        if self._account is None:
            self._replies.edit(message, None, ())
            return
        lang = language_of(query.from_user, self._language)
        key = user_key(query.from_user.id)
        update_id = event_update.update_id
        shown = await self._locked(
            query.from_user, self._account.tap, key, lang, callback_data, update_id
        )
        self._show(message.chat.id, message, shown)
        if shown.start is not None:
            await self._turn(
                message.chat.id, query.from_user, conversations.start(shown.start), None
            )

    async def on_membership(self, my_chat_member: ChatMemberUpdated) -> None:
        """A rep who blocks the bot gets nothing more (and reminders stop); unblocking resumes.
        Recorded only for a user the bot knows (a stranger's block keeps nothing)."""
        if my_chat_member.chat.type != ChatType.PRIVATE:
            return
        status = my_chat_member.new_chat_member.status
        active = status not in (ChatMemberStatus.KICKED, ChatMemberStatus.LEFT)
        key = user_key(my_chat_member.from_user.id)
        await asyncio.to_thread(self._accounts.set_active, key, active)

    # --- one turn ---------------------------------------------------------------------------------

    async def start_script(
        self, chat_id: int, user: User, script: str, update_id: int | None
    ) -> None:
        """Start ``script`` as if the rep typed its command (a button made outside the engine,
        such as the one under a manager's coaching invitation)."""
        await self._turn(chat_id, user, conversations.start(script), update_id)

    async def _turn(
        self,
        chat_id: int,
        user: User,
        event: Event,
        update_id: int | None,
        standing: Standing | None = None,
        tapped: tuple[Message, str | None] | None = None,
    ) -> None:
        """``standing``: the user's, as the gate read it for this update (None: read it)."""
        result = await self._commit(chat_id, user, event, update_id, standing)
        if result.duplicate:
            return
        outgoing = render_turn(result.replies, self._catalog.messages, result.lang)
        if result.finished and outgoing and not outgoing[-1].keyboard:
            label = self._catalog.messages.render("tg_edit_button", result.lang)
            edit = ((Button(label, CommandData(command="edit").pack()),),)
            outgoing[-1] = Outgoing(outgoing[-1].text, edit)
        ids = result.outbox_ids
        if tapped is not None:
            outgoing = self._show_tap(*tapped, result, outgoing)
            if not outgoing:  # the tapped question itself was updated (a multiple choice)
                return
        self.deliver(chat_id, outgoing, ids, claimed=result.claimed)

    async def _commit(
        self,
        chat_id: int,
        user: User,
        event: Event,
        update_id: int | None,
        standing: Standing | None,
    ) -> TurnResult:
        """The turn, committed; one at a time per rep in this process (the database orders
        them across processes)."""
        key = user_key(user.id)
        profile = Profile(key, user.full_name, language_of(user, self._language), self._timezone)
        external_id = None if update_id is None else str(update_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            started = time.perf_counter()
            with SlowTurn(TYPING_AFTER, lambda: self._show_typing(chat_id)) as slow:
                result = await asyncio.to_thread(
                    slow.run,
                    self._conversations.turn,
                    profile,
                    event,
                    external_id=external_id,
                    standing=standing,
                )
        turn_committed(result.duplicate, time.perf_counter() - started)  # for /metrics
        return result

    def _voiced(self, state: Conversation, event: Event, rep: Profile) -> Event:
        """The event with the model's buyer line, when it answers the role-play buyer (in the
        rep's stored language, else Telegram's)."""
        assert self._buyer is not None
        return self._buyer.voice(state, event, self._accounts.language(rep.key, lang_of(rep.lang)))

    def _show_typing(self, chat_id: int) -> None:
        """ "typing…" for a turn slow enough for the rep to wonder (``SlowTurn``)."""
        self._replies.submit(chat_id, SendChatAction(chat_id=chat_id, action=ChatAction.TYPING))

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
                self._replies.edit(
                    tapped, outgoing[0].text, outgoing[0].keyboard, result.outbox_ids
                )
            return []  # else the process holding the chat sends it (as a new message)
        moved_on = self._catalog.messages.render("moved_on", result.lang)
        stale = bool(replies) and isinstance(replies[0], Say) and replies[0].text == moved_on
        if stale:
            self._replies.edit(tapped, None, ())
        else:
            self._replies.edit(tapped, chosen_text(tapped.html_text, _label(tapped, data)), ())
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
            ids = outbox_ids if last else ()
            self._replies.send(chat_id, message.text, message.keyboard, outbox_ids=ids, bulk=bulk)
        if not outgoing:
            self._store_sent(outbox_ids)

    def _store_sent(self, outbox_ids: Sequence[int]) -> None:
        if outbox_ids:
            self._conversations.delivered(outbox_ids)

    # --- reminders and the rep's settings -----------------------------------------------------

    async def on_account_command(self, message: Message, command: CommandObject) -> None:
        """/followups, /tz, /pause, /settings."""
        assert self._account is not None
        assert message.from_user is not None
        user = message.from_user
        lang = language_of(user, self._language)
        name, arg = command.command.lower(), (command.args or "").strip()
        shown = await self._locked(user, self._account.command, user_key(user.id), lang, name, arg)
        self._show(message.chat.id, None, shown)

    async def on_snooze_reply(self, message: Message, event_update: Update) -> None:
        """The reply naming a snooze time ("When shall I remind you (#12)?"); a reply to any
        other question of the bot's goes on to the engine."""
        assert self._account is not None
        assert message.from_user is not None
        asked = message.reply_to_message
        assert asked is not None  # _replies_to_bot
        user = message.from_user
        lang = language_of(user, self._language)
        shown = await self._locked(
            user,
            self._account.snooze_reply,
            user_key(user.id),
            lang,
            asked.text or "",
            message.text or "",
            event_update.update_id,
        )
        if shown is None:
            raise SkipHandler
        self._show(message.chat.id, None, shown)

    async def _locked(self, user: User, call: Callable[..., T], *args: Any) -> T:
        """A blocking account call in a thread, under the rep's lock (ordered with turns)."""
        lock = self._locks.setdefault(user_key(user.id), asyncio.Lock())
        async with lock:
            return await asyncio.to_thread(call, *args)

    def _show(self, chat_id: int, tapped: Message | None, shown: Shown) -> None:
        if shown.edit is not None and tapped is not None:
            self._replies.edit(tapped, shown.edit.text, shown.edit.keyboard)
        for message in shown.send:
            self._replies.send(chat_id, message.text, message.keyboard, ask=shown.ask_time)

    # --- privacy: a rep's own data ----------------------------------------------------------------

    async def on_privacy(self, message: Message, command: CommandObject) -> None:
        assert message.from_user is not None
        await self._privacy(message.chat.id, message.from_user, command.command.lower())

    async def _privacy(self, chat_id: int, user: User, action: str) -> None:
        """/export sends the rep everything kept about them; /deleteme, once confirmed, deletes
        it all. Outside the turn store on purpose: after a delete there is no rep to record."""
        from storage.privacy import EXPORT_FILENAME, delete_user, export_user

        key = user_key(user.id)
        told = language_of(user, self._language)
        lang = await asyncio.to_thread(self._accounts.language, key, told)
        say = self._catalog.messages.render
        if action == "export":
            data = await asyncio.to_thread(export_user, self._store, key, now=self._clock())
            if data is None:
                self._replies.send(chat_id, say("tg_nothing_kept", lang))
                return
            body = json.dumps(data, ensure_ascii=False, indent=2).encode()
            document = BufferedInputFile(body, filename=EXPORT_FILENAME)
            caption = say("tg_export_caption", lang)
            self._replies.submit(
                chat_id, SendDocument(chat_id=chat_id, document=document, caption=caption)
            )
        elif action == "deleteme":
            yes = Button(say("tg_delete_yes", lang), CommandData(command="forget").pack())
            no = Button(say("tg_delete_no", lang), CommandData(command="keep").pack())
            self._replies.send(chat_id, say("tg_delete_confirm", lang), ((yes,), (no,)))
        elif action == "forget":
            await asyncio.to_thread(delete_user, self._store, key, now=self._clock())
            self._replies.send(chat_id, say("tg_deleted", lang))
        else:
            self._replies.send(chat_id, say("tg_delete_kept", lang))

    # --- language ---------------------------------------------------------------------------------

    async def on_lang(
        self,
        message: Message,
        command: CommandObject,
        event_update: Update,
        standing: Standing | None = None,
    ) -> None:
        """/lang zh switches at once; /lang alone offers the two as buttons."""
        assert message.from_user is not None
        user, update_id = message.from_user, event_update.update_id
        wanted = (command.args or "").strip().lower()
        lang = lang_named(wanted)
        chat_id = message.chat.id
        if lang:
            await self._set_language(chat_id, user, lang)
            await self._turn(chat_id, user, conversations.GREET, update_id, standing)
            return
        told = language_of(user, self._language)
        current = await asyncio.to_thread(self._accounts.language, user_key(user.id), told)
        text = self._catalog.messages.render("tg_lang_choose", current)
        self._replies.send(chat_id, text, LANG_BUTTONS)

    async def _set_language(self, chat_id: int, user: User, lang: str) -> None:
        await asyncio.to_thread(self._accounts.set_language, user_key(user.id), lang)
        self._replies.send(chat_id, self._catalog.messages.render("tg_lang_set", lang))


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


async def _replies_to_bot(message: Message) -> bool:
    """A text (not a command) replying to one of the bot's messages."""
    asked = message.reply_to_message
    bot_asked = asked is not None and asked.from_user is not None and asked.from_user.is_bot
    text = message.text or ""
    return bot_asked and bool(text) and not text.startswith("/")
