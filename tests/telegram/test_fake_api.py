"""The fake Bot API answers real aiogram the way Telegram does."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from aiogram.types import Message as AiogramMessage
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from testkit.fake_telegram import FakeTelegram, HtmlError, Upload, User, parse_html


class QuickSession(AiohttpSession):
    """aiogram's close() sleeps 250 ms for TLS connections to wind down; there are none here."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def bot_for(fake: FakeTelegram, token: str | None = None) -> Bot:
    api = TelegramAPIServer.from_base(fake.url)
    return Bot(token or fake.token, session=QuickSession(api=api))


@pytest.fixture
async def bot(fake_api: FakeTelegram) -> AsyncIterator[Bot]:
    bot = bot_for(fake_api)
    yield bot
    await bot.session.close()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=text, callback_data=data) for text, data in pairs]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


@dataclass
class Posted:
    secret: str | None
    update: dict[str, Any]


@pytest.fixture
async def webhook_app() -> AsyncIterator[tuple[str, list[Posted], list[int]]]:
    """A tiny webhook: records each POST (secret header, JSON) and answers the statuses queued."""
    received: list[Posted] = []
    statuses: list[int] = []

    async def handle(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append(Posted(secret, await request.json()))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", received, statuses
    await runner.cleanup()


@dataclass
class HeldWebhook:
    """A webhook that holds every POST until the test answers it with a status."""

    url: str
    arrived: list[int]  # the update_id of each POST, in the order they arrived
    held: dict[int, asyncio.Future[int]]
    changed: asyncio.Condition

    def answer(self, update_id: int, status: int = 200) -> None:
        self.held.pop(update_id).set_result(status)

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Until ``predicate()`` holds after some POST arrived (the test fails after 5 s)."""
        async with asyncio.timeout(5), self.changed:
            await self.changed.wait_for(predicate)


@pytest.fixture
async def held_webhook() -> AsyncIterator[HeldWebhook]:
    hook = HeldWebhook("", [], {}, asyncio.Condition())

    async def handle(request: web.Request) -> web.Response:
        update_id = (await request.json())["update_id"]
        hook.arrived.append(update_id)
        hook.held[update_id] = answer = asyncio.get_running_loop().create_future()
        async with hook.changed:
            hook.changed.notify_all()
        return web.Response(status=await answer)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    for future in hook.held.values():
        future.cancel()
    await runner.cleanup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- identity, tokens, transports -----------------------------------------------------------------


async def test_get_me(fake_api: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (fake_api.bot_id, True, "coach_test_bot")
    assert fake_api.calls("getMe")[0].ok


async def test_a_wrong_token_is_unauthorized(fake_api: FakeTelegram) -> None:
    stranger = bot_for(fake_api, "123456789:AAWrongTokenWrongTokenWrongToken000")
    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await stranger.get_me()
    await stranger.session.close()
    assert fake_api.calls("getMe")[0].error_code == 401


async def test_json_form_and_query_bodies_are_all_accepted(fake_api: FakeTelegram) -> None:
    fake_api.user(42)
    base = f"{fake_api.url}/bot{fake_api.token}"
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}/sendMessage", json={"chat_id": 42, "text": "json", "reply_markup": markup}
        ) as response:
            assert (response.status, (await response.json())["ok"]) == (200, True)
        form = {"chat_id": "42", "text": "form", "reply_markup": json.dumps(markup)}
        async with http.post(f"{base}/sendmessage", data=form) as response:
            assert (await response.json())["result"]["reply_markup"] == markup
        async with http.get(f"{base}/getMe") as response:
            assert (await response.json())["result"]["id"] == fake_api.bot_id
        async with http.get(f"{base}/noSuchMethod") as response:
            body = await response.json()
            assert (response.status, body) == (
                404,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )
    assert [m.text for m in fake_api.messages_to(42)] == ["json", "form"]
    assert fake_api.calls("sendMessage")[1].params["chat_id"] == 42  # form strings decoded


# --- messages -------------------------------------------------------------------------------------


async def test_send_edit_and_the_chat_as_the_user_sees_it(fake_api: FakeTelegram, bot: Bot) -> None:
    anna = fake_api.user(42, "Anna")
    fake_api.send_text(anna, "hi")  # message 1 in this chat
    sent = await bot.send_message(
        42, "<b>How did the visit go?</b>", parse_mode="HTML", reply_markup=keyboard(("4", "r:4"))
    )
    assert sent.message_id == 2
    assert sent.from_user is not None
    assert sent.from_user.id == fake_api.bot_id
    assert sent.text == "How did the visit go?"
    assert sent.entities is not None
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup is not None

    [question] = fake_api.messages_to(42)
    assert question.labels == ["4"]
    assert question.callback_data("4") == "r:4"
    assert question.source == "<b>How did the visit go?</b>"

    await bot.edit_message_text("How did the visit go? ✓ 4", chat_id=42, message_id=2)
    assert question.text == "How did the visit go? ✓ 4"
    assert question.keyboard == []  # an edit without reply_markup drops the keyboard
    assert question.history == [
        ("How did the visit go?", {"inline_keyboard": [[question_button()]]})
    ]

    with pytest.raises(TelegramBadRequest, match="Bad Request: message is not modified"):
        await bot.edit_message_text("How did the visit go? ✓ 4", chat_id=42, message_id=2)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=42, message_id=99, reply_markup=keyboard())
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=42, message_id=2)
    await bot.edit_message_reply_markup(chat_id=42, message_id=2, reply_markup=keyboard(("x", "x")))
    assert question.labels == ["x"]

    second = await bot.send_message(42, "next")
    assert second.message_id == 3
    assert [m.text for m in fake_api.history(42)] == ["hi", "How did the visit go? ✓ 4", "next"]


def question_button() -> dict[str, str]:
    return {"text": "4", "callback_data": "r:4"}


async def test_callback_data_longer_than_64_bytes_is_refused(
    fake_api: FakeTelegram, bot: Bot
) -> None:
    fake_api.user(42)
    await bot.send_message(42, "ok", reply_markup=keyboard(("a", "x" * 64)))
    for data in ("x" * 65, "é" * 33):  # 66 bytes in UTF-8
        with pytest.raises(TelegramBadRequest, match="Bad Request: BUTTON_DATA_INVALID"):
            await bot.send_message(42, "too long", reply_markup=keyboard(("a", data)))
    assert len(fake_api.messages_to(42)) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Hi <Anna>", 'Unsupported start tag "anna" at byte offset 3'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>open", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
        ("<a href=x", "Unclosed start tag"),
    ],
)
async def test_html_that_telegram_cannot_parse_is_refused(
    fake_api: FakeTelegram, bot: Bot, text: str, reason: str
) -> None:
    fake_api.user(42)
    with pytest.raises(TelegramBadRequest) as refused:
        await bot.send_message(42, text, parse_mode="HTML")
    assert refused.value.message.startswith("Bad Request: can't parse entities: " + reason)
    assert fake_api.messages_to(42) == []


async def test_escaped_html_is_accepted(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.user(42)
    escaped = "&lt;b&gt; AT&amp;T &quot;q&quot; &#33;&#x1F44D;"
    sent = await bot.send_message(42, f"<i>{escaped}</i>", parse_mode="HTML")
    assert sent.text == '<b> AT&T "q" !👍'
    plain = await bot.send_message(42, "1 < 2 & <b>", parse_mode=None)  # no parse mode: as is
    assert plain.text == "1 < 2 & <b>"


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '👍 <b>ok <i>fine</i></b> <a href="https://x.org/?a=1&amp;b=2">link</a>\n'
        '<pre><code class="language-python">x = 1</code></pre> <tg-spoiler>s</tg-spoiler> '
        '<span class="tg-spoiler">t</span> <blockquote expandable>q</blockquote> <code>c</code>'
    )
    assert text == "👍 ok fine link\nx = 1 s t q c"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 7},
        {"type": "italic", "offset": 6, "length": 4},
        {"type": "text_link", "offset": 11, "length": 4, "url": "https://x.org/?a=1&b=2"},
        {"type": "pre", "offset": 16, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 22, "length": 1},
        {"type": "spoiler", "offset": 24, "length": 1},
        {"type": "expandable_blockquote", "offset": 26, "length": 1},
        {"type": "code", "offset": 28, "length": 1},
    ]
    assert parse_html("AT&T", strict=False) == ("AT&T", [])  # Telegram's own leniency
    with pytest.raises(HtmlError, match="byte offset 5"):
        parse_html("👍 <x>")  # the offset counts UTF-8 bytes


async def test_text_length_is_counted_after_parsing(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.user(42)
    await bot.send_message(42, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(42, "x" * 4097)
    for empty in ("", "  \n ", "<b></b>"):
        with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
            await bot.send_message(42, empty, parse_mode="HTML")
    trimmed = await bot.send_message(42, "\n  hello  \n")
    assert trimmed.text == "hello"


async def test_chats_must_exist_and_users_must_have_started(
    fake_api: FakeTelegram, bot: Bot
) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(404, "hello?")
    shy = fake_api.user(7, started=False)
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(7, "hello?")
    fake_api.send_text(shy, "hi")
    await bot.send_message(7, "hello!")


async def test_callback_queries_are_answered_once(fake_api: FakeTelegram, bot: Bot) -> None:
    anna = fake_api.user(42)
    await bot.send_message(42, "Pick", reply_markup=keyboard(("Yes", "y"), ("No", "n")))
    [question] = fake_api.messages_to(42)
    query_id = fake_api.tap(anna, question, label="Yes")
    assert not fake_api.callback_answered(query_id)
    await bot.answer_callback_query(query_id, text="Noted")
    assert fake_api.callback_answered(query_id)
    assert fake_api.callback_answer(query_id) == {"text": "Noted"}
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(AssertionError, match="no button with data 'maybe'"):
        fake_api.tap(anna, question, "maybe")
    fake_api.tap(anna, question, "maybe", strict=False)  # a stale client view


async def test_delete_chat_actions_and_files(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.user(42)
    await bot.send_chat_action(42, "typing")
    assert fake_api.chat_actions(42) == ["typing"]
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(42, "dancing")

    photo = await bot.send_photo(
        42,
        BufferedInputFile(b"\x89PNG fake", "chart.png"),
        caption="<b>Week</b>",
        parse_mode="HTML",
    )
    upload = fake_api.calls("sendPhoto")[0].params["photo"]
    assert isinstance(upload, Upload)
    assert upload.data == b"\x89PNG fake"
    assert photo.photo is not None
    assert photo.caption == "Week"
    again = await bot.send_photo(42, photo.photo[-1].file_id)  # a file_id is reusable
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(42, "no-such-file-id")
    document = await bot.send_document(42, BufferedInputFile(b"a,b\n1,2\n", "plan.csv"))
    assert document.document is not None
    assert document.document.file_name == "plan.csv"
    file = await bot.get_file(document.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == b"a,b\n1,2\n"
    assert [m.kind for m in fake_api.messages_to(42)] == ["photo", "photo", "document"]

    await bot.delete_message(42, again.message_id)
    assert [m.kind for m in fake_api.messages_to(42)] == ["photo", "document"]
    assert len(fake_api.sent(42)) == 3
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(42, again.message_id)


async def test_commands_per_scope_and_language(fake_api: FakeTelegram, bot: Bot) -> None:
    anna = fake_api.user(42, language_code="zh-hans")
    ben = fake_api.user(43, language_code="en")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [BotCommand(command="debrief", description="复盘")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="zh",
    )
    assert fake_api.commands() == {"start": "Start"}
    assert fake_api.commands("zh", scope="all_private_chats") == {"debrief": "复盘"}
    assert fake_api.commands_for(anna) == {"debrief": "复盘"}
    assert fake_api.commands_for(ben) == {"start": "Start"}
    listed = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="zh")
    assert [c.command for c in listed] == ["debrief"]
    with pytest.raises(TelegramBadRequest, match="invalid language code specified"):
        await bot.set_my_commands(
            [BotCommand(command="x", description="y")], language_code="zh-hans"
        )
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Debrief", description="y")])


# --- getUpdates -----------------------------------------------------------------------------------


async def test_get_updates_offset_and_limit(fake_api: FakeTelegram, bot: Bot) -> None:
    anna = fake_api.user(42)
    for text in ("one", "two", "three"):
        fake_api.send_text(anna, text)
    assert [u.update_id for u in await bot.get_updates()] == [1, 2, 3]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [1]
    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2, 3]
    assert [u.update_id for u in await bot.get_updates()] == [2, 3]  # 1 is gone for good
    assert await bot.get_updates(offset=4) == []
    assert await bot.get_updates() == []

    fake_api.redeliver(2)  # an exact update again, although its offset was confirmed
    [again] = await bot.get_updates(offset=4)
    assert again.update_id == 2
    assert again.message is not None
    assert again.message.text == "two"
    assert await bot.get_updates(offset=4) == []


async def test_a_long_poll_returns_as_soon_as_an_update_is_made(
    fake_api: FakeTelegram, bot: Bot
) -> None:
    anna = fake_api.user(42)
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    await fake_api.wait_for(lambda: fake_api.polls_waiting == 1)
    started = time.monotonic()
    fake_api.send_text(anna, "hello")
    [update] = await asyncio.wait_for(polling, 2)
    assert time.monotonic() - started < 1
    assert update.message is not None
    assert update.message.text == "hello"


async def test_a_call_is_recorded_when_it_arrives(fake_api: FakeTelegram, bot: Bot) -> None:
    anna = fake_api.user(42)
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    call = await fake_api.wait_for(lambda: next(iter(fake_api.calls("getUpdates")), None))
    assert (call.answered, call.ok, fake_api.polls_waiting) == (False, None, 1)  # still waiting
    assert fake_api.calls("getUpdates", ok=True) == []
    fake_api.send_text(anna, "hello")
    [update] = await asyncio.wait_for(polling, 2)
    assert (call.ok, call.result[0]["update_id"]) == (True, update.update_id)
    assert await fake_api.wait_for_call("getUpdates") is call


async def test_stopping_ends_a_waiting_long_poll_at_once() -> None:
    fake = await FakeTelegram().start()
    bot = bot_for(fake)
    try:
        polling = asyncio.create_task(bot.get_updates(timeout=30))
        await fake.wait_for(lambda: fake.polls_waiting == 1)
        started = time.monotonic()
        await fake.stop()
        assert await asyncio.wait_for(polling, 2) == []
        assert time.monotonic() - started < 1  # not at the poll's timeout
    finally:
        await bot.session.close()


async def test_a_second_get_updates_ends_the_first_with_409(
    fake_api: FakeTelegram, bot: Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake_api.wait_for(lambda: fake_api.polls_waiting == 1)
    assert await bot.get_updates() == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first


async def test_allowed_updates_filter_what_is_made(fake_api: FakeTelegram, bot: Bot) -> None:
    anna = fake_api.user(42)
    await bot.send_message(42, "Pick", reply_markup=keyboard(("Yes", "y")))
    await bot.get_updates(allowed_updates=["message"])
    fake_api.tap(anna, fake_api.messages_to(42)[0], "y")
    fake_api.send_text(anna, "text")
    assert [u.message is not None for u in await bot.get_updates()] == [True]
    assert "callback_query" in fake_api.filtered_updates[0]


async def test_aiogram_polling_end_to_end(fake_api: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: AiogramMessage) -> None:
        await message.answer(f"You said: {message.text}")

    anna = fake_api.user(42)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    reply = await fake_api.say(anna, "hello <b>")
    assert reply.text == "You said: hello <b>"
    await dispatcher.stop_polling()
    await polling


# --- webhook --------------------------------------------------------------------------------------


async def test_get_updates_is_a_conflict_while_a_webhook_is_set(
    fake_api: FakeTelegram, bot: Bot
) -> None:
    await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    await bot.delete_webhook()
    assert await bot.get_updates() == []
    assert (await bot.get_webhook_info()).url == ""


async def test_webhook_delivery_with_secret_retry_and_redelivery(
    fake_api: FakeTelegram,
    bot: Bot,
    webhook_app: tuple[str, list[Posted], list[int]],
) -> None:
    url, received, statuses = webhook_app
    anna = fake_api.user(42)
    fake_api.send_text(anna, "made before the webhook")
    statuses.append(500)  # the first POST fails: Telegram tries again
    await bot.set_webhook(url, secret_token="s3cret")

    await fake_api.wait_for(lambda: len(received) == 2)
    assert [posted.update["update_id"] for posted in received] == [1, 1]
    assert {posted.secret for posted in received} == {"s3cret"}
    assert [d.status for d in fake_api.webhook_deliveries] == [500, 200]
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

    update = fake_api.send_text(anna, "second")
    fake_api.redeliver(update)
    await fake_api.wait_for(lambda: len(received) == 4)
    assert [posted.update["update_id"] for posted in received[2:]] == [2, 2]
    Update.model_validate(received[2].update)


async def test_a_chats_webhook_updates_go_one_at_a_time_in_order_chats_in_parallel(
    fake_api: FakeTelegram, bot: Bot, held_webhook: HeldWebhook
) -> None:
    """As telegram-bot-api's WebhookActor: one update per chat queue in flight, a failed one
    retried before the next of its chat; other chats (and a user's taps) do not wait."""
    hook = held_webhook
    anna, ben = fake_api.user(42), fake_api.user(43)
    await bot.send_message(42, "Pick", reply_markup=keyboard(("Yes", "y")))
    await bot.set_webhook(hook.url)
    one, two = fake_api.send_text(anna, "one"), fake_api.send_text(anna, "two")
    hi = fake_api.send_text(ben, "hi")
    await hook.wait_for(lambda: {1, 3} <= set(hook.arrived))  # Ben's does not wait for Anna's
    assert two["update_id"] not in hook.arrived  # Anna's second waits for her first
    hook.answer(hi["update_id"])
    fake_api.send_text(ben, "again")  # 4: Ben's queue moves on while Anna's first is held
    fake_api.tap(anna, fake_api.messages_to(42)[0], label="Yes")  # 5: a queue of its own
    await hook.wait_for(lambda: {4, 5} <= set(hook.arrived))
    assert two["update_id"] not in hook.arrived
    hook.answer(one["update_id"], 500)  # fails: tried again before "two"
    await hook.wait_for(lambda: hook.arrived.count(1) == 2)
    assert two["update_id"] not in hook.arrived
    hook.answer(one["update_id"])
    await hook.wait_for(lambda: 2 in hook.held)
    for update_id in (2, 4, 5):
        hook.answer(update_id)
    await fake_api.wait_for(lambda: not fake_api.pending_updates)
    assert [n for n in hook.arrived if n in (1, 2)] == [1, 1, 2]
    assert [(d.update_id, d.status) for d in fake_api.webhook_deliveries if d.update_id < 3] == [
        (1, 500),
        (1, 200),
        (2, 200),
    ]


async def test_a_webhook_is_retried_until_it_answers_with_unlimited_attempts() -> None:
    """``webhook_attempts=None``: Telegram keeps trying, e.g. while a killed bot restarts."""
    fake = FakeTelegram(
        webhook_attempts=None, webhook_retry_delay=0.01, webhook_max_retry_delay=0.04
    )
    assert [fake.webhook_retry_pause(n) for n in range(1, 6)] == [0.01, 0.02, 0.04, 0.04, 0.04]
    port = free_port()  # nothing listens there yet: connection refused
    received: list[int] = []

    async def handle(request: web.Request) -> web.Response:
        received.append((await request.json())["update_id"])
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    async with fake:
        anna = fake.user(42)
        bot = bot_for(fake)
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook")
        await bot.session.close()
        update = fake.send_text(anna, "are you there?")
        await fake.wait_for(lambda: len(fake.webhook_deliveries) >= 8)  # beyond the default 5
        assert all(d.error and "Connection failed" in d.error for d in fake.webhook_deliveries)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
            await fake.wait_for(lambda: received)
            await fake.wait_for(lambda: not fake.pending_updates)
        finally:
            await runner.cleanup()
        assert received == [update["update_id"]]
        last = fake.webhook_deliveries[-1]
        assert (last.ok, last.attempt > 8) == (True, True)
        assert fake.undelivered_updates == []


async def test_a_method_in_the_webhook_answer_is_executed(fake_api: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def pong(message: AiogramMessage) -> SendMessage:
        return message.answer("pong")  # aiogram answers it in the webhook response

    app = web.Application()
    SimpleRequestHandler(
        dispatcher, bot, handle_in_background=False, secret_token="s3cret"
    ).register(app, "/hook")
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        anna = fake_api.user(42)
        await bot.set_webhook(
            f"http://127.0.0.1:{runner.addresses[0][1]}/hook", secret_token="s3cret"
        )
        reply = await fake_api.say(anna, "ping")
        assert reply.text == "pong"
        assert fake_api.calls("sendMessage")[0].via == "webhook_reply"

        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook", secret_token="bad")
        fake_api.send_text(anna, "refused")
        await fake_api.wait_for(lambda: fake_api.webhook_deliveries[-1].status == 401)
    finally:
        await runner.cleanup()


# --- faults ---------------------------------------------------------------------------------------


async def test_429_raises_retry_after(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.user(42)
    fake_api.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as limited:
        await bot.send_message(42, "hi")
    assert limited.value.retry_after == 3
    assert "Original description: Too Many Requests: retry after 3" in limited.value.message
    await bot.send_message(42, "hi")
    assert [c.ok for c in fake_api.calls("sendMessage")] == [False, True]
    assert fake_api.count("sendMessage") == 2
    assert fake_api.counts["sendMessage"] == 2


async def test_403_for_a_blocked_user_or_on_demand(fake_api: FakeTelegram, bot: Bot) -> None:
    anna, ben = fake_api.user(42), fake_api.user(43)
    anna.block()
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(42, "hi")
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    anna.unblock()
    await bot.send_message(42, "welcome back")

    fake_api.fail_next("sendMessage", 403, chat_id=43)
    await bot.send_message(42, "not this one")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(ben.id, "this one")


async def test_network_failures(fake_api: FakeTelegram, bot: Bot) -> None:
    fake_api.user(42)
    fake_api.fail_network(1, method="sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(42, "lost before")
    assert fake_api.messages_to(42) == []

    fake_api.fail_network(1, how="lost_response")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(42, "lost after")
    assert [m.text for m in fake_api.messages_to(42)] == ["lost after"]  # it did arrive

    fake_api.fail_network(2, how="bad_gateway")
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await bot.get_me()
    await bot.get_me()


async def test_wait_for_fails_with_the_last_calls(fake_api: FakeTelegram, bot: Bot) -> None:
    await bot.get_me()
    with pytest.raises(AssertionError, match=r"waiting for nothing; last calls:\n  getMe"):
        await fake_api.wait_for(lambda: False, timeout=0.01, what="nothing")


# --- updates --------------------------------------------------------------------------------------


def _every_kind(fake: FakeTelegram, anna: User) -> dict[str, dict[str, Any]]:
    """One update of each kind the fake makes, in the order made."""
    team = fake.group(-1001234567890, "Sales team")
    question = fake.messages_to(anna.id)[0]
    made: dict[str, dict[str, Any]] = {}
    said = made["text"] = fake.send_text(anna, "hello")
    made["reply"] = fake.send_text(anna, "this", reply_to=fake.history(anna.id)[-1])
    made["command"] = fake.send_command(anna, "/start", payload="ref-7")
    made["group command"] = fake.send_command(anna, "debrief", chat=team, mention=True)
    made["group text"] = fake.send_text(anna, "hi all", chat=team)
    fake.tap(anna, question, "y")
    made["tap"] = fake.updates[-1]
    made["sticker"] = fake.send_sticker(anna)
    made["photo"] = fake.send_photo(anna, caption="shelf")
    made["voice"] = fake.send_voice(anna)
    made["video"] = fake.send_video(anna)
    made["document"] = fake.send_document(anna)
    made["location"] = fake.send_location(anna)
    made["contact"] = fake.send_contact(anna)
    made["poll"] = fake.send_poll(anna)
    made["edit"] = fake.edit_text(anna, said, "hello again")
    join = {
        "chat": team.to_json(),
        "from": anna.to_json(),
        "user_chat_id": 42,
        "date": 1_700_000_000,
    }
    made["raw"] = fake.send_update({"chat_join_request": join})
    anna.block()
    made["block"] = fake.updates[-1]
    return made


EVENT_TYPES = {
    "tap": "callback_query",
    "edit": "edited_message",
    "raw": "chat_join_request",
    "block": "my_chat_member",
}
CHECKS: dict[str, Callable[[Update], object]] = {
    "command": lambda u: u.message and u.message.text == "/start ref-7",
    "group command": lambda u: u.message and u.message.chat.type == "supergroup",
    "reply": lambda u: u.message and u.message.reply_to_message,
    "tap": lambda u: u.callback_query and u.callback_query.data == "y",
    "sticker": lambda u: u.message and u.message.sticker,
    "photo": lambda u: u.message and u.message.photo and u.message.caption == "shelf",
    "voice": lambda u: u.message and u.message.voice,
    "video": lambda u: u.message and u.message.video,
    "document": lambda u: u.message and u.message.document,
    "location": lambda u: u.message and u.message.location,
    "contact": lambda u: u.message and u.message.contact,
    "poll": lambda u: u.message and u.message.poll,
    "edit": lambda u: u.edited_message and u.edited_message.text == "hello again",
}


KINDS = [
    "text",
    "reply",
    "command",
    "group command",
    "group text",
    "tap",
    "sticker",
    "photo",
    "voice",
    "video",
    "document",
    "location",
    "contact",
    "poll",
    "edit",
    "raw",
    "block",
]


@pytest.mark.parametrize("kind", KINDS)
async def test_every_update_kind_is_an_aiogram_update(
    fake_api: FakeTelegram, bot: Bot, kind: str
) -> None:
    anna = fake_api.user(42, "Anna", username="anna_sales", language_code="zh-hans")
    await bot.send_message(42, "Pick", reply_markup=keyboard(("Yes", "y")))
    made = _every_kind(fake_api, anna)
    assert list(made) == KINDS
    update = Update.model_validate(made[kind], context={"bot": bot})
    assert update.event_type == EVENT_TYPES.get(kind, "message")
    check = CHECKS.get(kind)
    assert check is None or check(update)


async def test_get_updates_gives_the_same_updates(fake_api: FakeTelegram, bot: Bot) -> None:
    anna = fake_api.user(42, "Anna", username="anna_sales", language_code="zh-hans")
    await bot.send_message(42, "Pick", reply_markup=keyboard(("Yes", "y")))
    made = _every_kind(fake_api, anna)
    delivered = await bot.get_updates()
    assert [u.update_id for u in delivered] == [u["update_id"] for u in made.values()]
    for update in delivered:
        assert update.model_dump(mode="json", exclude_unset=True, by_alias=True) == next(
            u for u in made.values() if u["update_id"] == update.update_id
        )


def test_a_user_handle_keeps_what_was_set() -> None:
    fake = FakeTelegram()
    anna = fake.user(42, "Anna", language_code="zh-hans", username="anna_sales")
    assert fake.user(42) is anna
    assert (anna.first_name, anna.language_code, anna.username) == ("Anna", "zh-hans", "anna_sales")
    fake.user(42, language_code="en")
    assert (anna.language_code, anna.chat.id, anna.chat.to_json()["type"]) == ("en", 42, "private")
