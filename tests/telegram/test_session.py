"""The Bot API session keeps the answer models it built (no pydantic class built per call)."""

from __future__ import annotations

import gc
import json
import weakref

from aiogram import Bot
from aiogram.methods import Response, SendChatAction

from bot.telegram.session import Session

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
