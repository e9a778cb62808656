"""The Bot API session: answer models kept (no pydantic class built per call), JSON bodies."""

from __future__ import annotations

import gc
import json
import weakref

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import Response, SendChatAction
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.session import Session
from testkit.fake_telegram import FakeTelegram

TOKEN = "123456789:AAEsessionTOKENsessionTOKENsession1"


async def test_an_answer_model_outlives_the_garbage_collector() -> None:
    session = Session()
    bot = Bot(TOKEN, session=session)
    try:
        answer = session.check_response(
            bot,
            SendChatAction(chat_id=1, action="typing"),
            200,
            json.dumps({"ok": True, "result": True}),
        )
        assert answer.result is True
        built = weakref.ref(type(answer))
        del answer
        gc.collect()
        assert built() is not None
        assert Response[bool] is built()
    finally:
        await session.close()


async def test_calls_go_as_json_and_uploads_as_a_form(fake_api: FakeTelegram) -> None:
    """What Telegram receives from the coach's session: the same messages, buttons and refusals
    as through aiogram's form, in one JSON body; a file still goes as multipart."""
    fake_api.user(42)
    bot = Bot(fake_api.token, session=Session(api=TelegramAPIServer.from_base(fake_api.url)))
    buttons = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="4 – good", callback_data="r:4")]]
    )
    try:
        sent = await bot.send_message(
            42, "<b>How did it go?</b> 第 1 题", parse_mode="HTML", reply_markup=buttons
        )
        await bot.edit_message_text(
            "How did it go? ✓ 4", chat_id=42, message_id=sent.message_id, reply_markup=None
        )
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(42, "AT&T", parse_mode="HTML")
        await bot.send_document(42, BufferedInputFile(b"a,b\n1,2\n", "export.csv"))
    finally:
        await bot.session.close()

    [question, document] = fake_api.messages_to(42)
    assert question.history == [("How did it go? 第 1 题", buttons.model_dump(exclude_none=True))]
    assert question.text == "How did it go? ✓ 4"
    assert sent.text == "How did it go? 第 1 题"  # the answer read into aiogram's Message
    assert document.media["document"]["file_name"] == "export.csv"
    bodies = {call.method: call.content_type for call in fake_api.call_log}
    assert bodies == {
        "sendMessage": "application/json",
        "editMessageText": "application/json",
        "sendDocument": "multipart/form-data",
    }
