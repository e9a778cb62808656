"""The Bot API client session: aiogram's aiohttp session, minus a class built per API call.

aiogram reads every answer through ``Response[<the method's result type>]``, a generic pydantic
model. Pydantic keeps parametrised models in a weak cache only, so once the garbage collector
has run ``Response[Message]`` is built again — schema and validator — on the next call: about
a tenth of the webhook worker's CPU under load (py-spy, bench/README.md). Holding each one made
keeps pydantic's cache warm for the life of the process. And JSON goes through orjson (the
answer of every call, the keyboard of every message), not the standard library's ``json``.

A call without a file goes as one JSON body (the Bot API takes ``application/json``), not as
aiogram's form: url-encoding every field, the keyboard as a JSON string inside, was a twentieth
of the webhook worker's CPU. A call with a file keeps aiogram's multipart form.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout

JSON_HEADERS = {"Content-Type": "application/json"}

_KEPT: dict[Any, type[Response[Any]]] = {}
"""``Response[T]`` per result type seen: a strong reference each (a handful of types)."""


def keep_response_model(returning: Any) -> None:
    """Make ``Response[returning]`` once and hold it (a no-op for a type already held)."""
    try:
        if returning in _KEPT:
            return
    except TypeError:  # an unhashable result type: leave it to pydantic's own cache
        return
    _KEPT[returning] = Response[returning]


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class Session(AiohttpSession):
    """``AiohttpSession`` whose answer models stay built, with orjson (see the docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("json_loads", orjson.loads)
        kwargs.setdefault("json_dumps", _dumps)
        super().__init__(**kwargs)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        files: dict[str, Any] = {}
        fields = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                fields[key] = prepared
        if files:  # an upload: aiogram's multipart form
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=orjson.dumps(fields),
                headers=JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as answer:
                content = await answer.text()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            message = f"{type(error).__name__}: {error}"
            raise TelegramNetworkError(method=method, message=message) from error
        response = self.check_response(bot, method, answer.status, content)
        return cast(TelegramType, response.result)

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        keep_response_model(method.__returning__)
        return super().check_response(bot, method, status_code, content)


__all__ = ["Session", "keep_response_model"]
