"""The Telegram coach without the network: aiogram's dispatcher feeds it real Update objects,
and a recording sender stands in for the Bot API. (End-to-end over HTTP: tests/telegram/.)"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from bot.telegram.coach import Coach
from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.engine import step
from storage.db import make_engine
from storage.migrate import upgrade
from storage.store import Store
from tests.chat import plain

TOKEN = "123456:" + "A" * 35
START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@dataclass
class RecordingSender:
    calls: list[tuple[int | None, TelegramMethod[Any], tuple[int, ...]]] = field(
        default_factory=list
    )

    def submit(
        self,
        chat_id: int | None,
        method: TelegramMethod[Any],
        *,
        outbox_ids: Sequence[int] = (),
        bulk: bool = False,
    ) -> asyncio.Future[Any]:
        self.calls.append((chat_id, method, tuple(outbox_ids)))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future

    def sent(self) -> list[SendMessage]:
        return [m for _, m, _ in self.calls if isinstance(m, SendMessage)]


@dataclass
class Rep:
    """A rep in a private chat; ``say``/``tap`` go through aiogram's dispatcher."""

    dispatcher: Dispatcher
    bot: Bot
    sender: RecordingSender
    user: User
    update_ids: Iterator[int]
    message_ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**6)))

    @property
    def chat(self) -> Chat:
        return Chat(id=self.user.id, type="private")

    async def feed(self, update: Update) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    def message(self, **fields: Any) -> Message:
        return Message(
            message_id=next(self.message_ids),
            date=START,
            chat=fields.pop("chat", self.chat),
            from_user=self.user,
            **fields,
        )

    async def say(self, text: str, update_id: int | None = None) -> Update:
        update = Update(
            update_id=update_id or next(self.update_ids), message=self.message(text=text)
        )
        await self.feed(update)
        return update

    def last_question(self) -> SendMessage:
        asked = [m for m in self.sender.sent() if m.reply_markup is not None]
        assert asked, "no question with buttons was sent"
        return asked[-1]

    async def tap(self, label: str, question: SendMessage | None = None) -> None:
        question = question or self.last_question()
        markup = question.reply_markup
        assert isinstance(markup, InlineKeyboardMarkup)
        buttons = [button for row in markup.inline_keyboard for button in row]
        button = next((b for b in buttons if b.text == label), None)
        assert button is not None, f"no button {label!r} in {[b.text for b in buttons]}"
        shown = self.message(text=plain(question.text), reply_markup=markup)
        query = CallbackQuery(
            id=f"q{next(self.update_ids)}",
            from_user=self.user,
            chat_instance="ci",
            message=shown,
            data=button.callback_data,
        )
        await self.feed(Update(update_id=next(self.update_ids), callback_query=query))

    def texts(self) -> list[str]:
        return [plain(m.text) for m in self.sender.sent()]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "coach.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def store(migrated: Path, tmp_path: Path, catalog: Catalog) -> Iterator[Store]:
    path = tmp_path / "coach.db"
    shutil.copyfile(migrated, path)
    engine = make_engine(f"sqlite:///{path}")
    yield Store(engine, partial(step, catalog))
    engine.dispose()


@pytest.fixture
async def rep(store: Store, catalog: Catalog) -> Rep:
    sender = RecordingSender()
    moments = (START + timedelta(minutes=n) for n in range(10**6))
    coach = Coach(
        store=store,
        catalog=catalog,
        sender=sender,
        clock=lambda: next(moments),
        timezone="Asia/Shanghai",
        language="en",
    )
    dispatcher = Dispatcher()
    dispatcher.include_router(coach.router())
    user = User(id=42, is_bot=False, first_name="Anna", language_code="en")
    return Rep(dispatcher, Bot(TOKEN), sender, user, iter(range(1, 10**6)))


async def test_a_debrief_starts_with_a_question_and_buttons(rep: Rep) -> None:
    await rep.say("/debrief")
    question = rep.last_question()
    assert "How do you feel about this visit" in question.text
    assert question.chat_id == 42
    markup = question.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [b.text for b in markup.inline_keyboard[0]] == ["1", "2", "3", "4", "5"]
    assert len(rep.sender.sent()) == 1  # the start line and the question come as one message


async def test_a_tap_answers_and_the_question_shows_the_answer(rep: Rep, store: Store) -> None:
    await rep.say("/debrief")
    await rep.tap("4")
    edits = [m for _, m, _ in rep.sender.calls if isinstance(m, EditMessageText)]
    assert edits
    assert edits[-1].text.endswith("✓ <b>4</b>")
    assert edits[-1].reply_markup is None  # no dead buttons left behind
    assert any(isinstance(m, AnswerCallbackQuery) for _, m, _ in rep.sender.calls)
    assert "In a few words" in rep.texts()[-1]
    assert store.answers("tg:42")["feeling_score"] == 4


async def test_a_stale_button_is_applied_to_nothing(rep: Rep, store: Store) -> None:
    await rep.say("/debrief")
    first = rep.last_question()
    await rep.tap("2", first)
    await rep.say("Mixed feelings")
    await rep.tap("5", first)  # the feeling question again, long gone
    assert store.answers("tg:42")["feeling_score"] == 2
    assert "moved on" in rep.texts()[-1]
    assert any(isinstance(m, EditMessageReplyMarkup) for _, m, _ in rep.sender.calls)


async def test_a_multiple_choice_ticks_in_place_then_submits(rep: Rep, store: Store) -> None:
    await rep.say("/precall")
    await rep.say("Acme")
    await rep.tap("Existing customer")
    await rep.tap("Large deal")
    await rep.tap("A")
    await rep.say("A trial order of 50 units by Friday")
    sent_before = len(rep.sender.sent())
    await rep.tap("Their needs")
    toggled = [m for _, m, _ in rep.sender.calls if isinstance(m, EditMessageText)][-1]
    assert isinstance(toggled.reply_markup, InlineKeyboardMarkup)
    assert toggled.reply_markup.inline_keyboard[0][0].text == "✅ Their needs"
    assert len(rep.sender.sent()) == sent_before  # ticking edits the question, sends nothing
    ticked = SendMessage(chat_id=42, text=toggled.text, reply_markup=toggled.reply_markup)
    await rep.tap("Done ✔", ticked)
    assert store.answers("tg:42")["info_needed"] == ["needs"]
    assert "Which questions will you ask" in rep.texts()[-1]


async def test_a_redelivered_update_is_answered_once(rep: Rep, store: Store) -> None:
    await rep.say("/debrief", update_id=500)
    await rep.say("4", update_id=501)
    before = len(rep.sender.sent())
    await rep.say("4", update_id=501)
    assert len(rep.sender.sent()) == before
    assert len(store.inbox("tg:42")) == 2


async def test_user_text_cannot_inject_markup(rep: Rep) -> None:
    await rep.say("/debrief")
    await rep.say("3")
    await rep.say("<b>bold</b> *x* _y_ [x](http://evil)")
    await rep.say("1")  # blames the customer
    await rep.say("</i><a href='x'>click</a>")
    for message in rep.sender.sent():
        assert "<a href" not in message.text
        assert "<b>bold</b>" not in message.text


async def test_bad_input_gets_a_polite_answer_and_the_question_again(rep: Rep) -> None:
    await rep.say("/debrief")
    sticker = rep.message(
        sticker={
            "file_id": "s1",
            "file_unique_id": "u1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    )
    await rep.feed(Update(update_id=900, message=sticker))
    assert "only work with text" in rep.texts()[-1]
    assert "How do you feel" in rep.texts()[-1]
    await rep.say("x" * 10_000)
    assert "characters" in rep.texts()[-1] or "1 to 5" in rep.texts()[-1]
    await rep.say("/frobnicate")
    assert "don't know the command /frobnicate" in rep.texts()[-1]
    edited = Update(
        update_id=901, edited_message=rep.message(text="5", edit_date=int(START.timestamp()))
    )
    await rep.feed(edited)
    assert "edited a message" in rep.texts()[-1]


async def test_in_a_group_the_coach_asks_for_a_private_chat(rep: Rep, store: Store) -> None:
    group = Chat(id=-100, type="supergroup", title="Sales team")
    await rep.feed(Update(update_id=77, message=rep.message(text="/debrief", chat=group)))
    (reply,) = rep.sender.sent()
    assert reply.chat_id == -100
    assert "private chat" in reply.text
    assert store.user("tg:42") is None  # nothing about the rep stored from a group


async def test_language_follows_telegram_and_lang_changes_it(rep: Rep, store: Store) -> None:
    rep.user = User(id=42, is_bot=False, first_name="安娜", language_code="zh-hans")
    await rep.say("/debrief")
    assert "你对这次拜访感觉如何" in rep.texts()[-1]
    await rep.say("/lang")
    await rep.tap("English")
    assert "From now on I'll speak English." in rep.texts()
    assert "How do you feel about this visit" in rep.texts()[-1]
    user = store.user("tg:42")
    assert user is not None
    assert user.lang == "en"


async def test_a_finished_debrief_offers_to_change_an_answer(rep: Rep, store: Store) -> None:
    golden = Path(__file__).with_name("golden") / "inputs" / "debrief.short.en.txt"
    await rep.say("/debrief")
    for line in golden.read_text(encoding="utf-8").splitlines():
        await rep.say(line)
    summary = rep.sender.sent()[-1]
    assert "Your debrief: Baker &amp; Sons" in summary.text
    assert isinstance(summary.reply_markup, InlineKeyboardMarkup)
    await rep.tap("✏️ Change an answer", summary)
    assert "Which answer do you want to change?" in rep.texts()[-1]  # the only recent run
    assert store.conversation("tg:42").mode == "edit_step"


async def test_a_rep_can_export_then_delete_everything(rep: Rep, store: Store) -> None:
    await rep.say("/debrief")
    await rep.say("4")
    await rep.say("Went <b>well</b>")
    await rep.say("/export")
    documents = [m for _, m, _ in rep.sender.calls if isinstance(m, SendDocument)]
    (document,) = documents
    assert isinstance(document.document, BufferedInputFile)
    exported = json.loads(document.document.data)
    assert exported["runs"][0]["answers"]["feeling_words"]["value"] == "Went <b>well</b>"
    await rep.say("/deleteme")
    assert "cannot be undone" in rep.texts()[-1]
    await rep.tap("No, keep it")
    assert rep.texts()[-1] == "Nothing was deleted."
    assert store.user("tg:42") is not None
    await rep.say("/deleteme")
    await rep.tap("Yes, delete everything")
    assert "everything I kept about you is deleted" in rep.texts()[-1]
    assert store.user("tg:42") is None
    assert store.runs("tg:42") == []


async def test_pushback_gets_the_recovery_line_then_skip_buttons(rep: Rep, store: Store) -> None:
    await rep.say("/debrief")
    await rep.say("I don't know, you tell me")
    assert "what matters is how you see it" in rep.texts()[-1]
    assert "feeling_score" not in store.answers("tg:42")

    await rep.say("who cares")
    offer = rep.last_question()
    markup = offer.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels[:2] == ["Skip it", "Let me answer"]

    await rep.tap("Skip it")
    assert "In a few words" in rep.texts()[-1]
    assert store.answers("tg:42")["feeling_score"] is None
    assert [note.text for note in store.notes("tg:42")] == [
        "I don't know, you tell me",
        "who cares",
    ]
