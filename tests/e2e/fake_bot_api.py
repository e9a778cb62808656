"""A small fake of Telegram's Bot API (aiohttp on 127.0.0.1) that the end-to-end tests run the
real bot against. It answers the documented methods the bot uses the way Telegram does, keeps
each chat as the rep would see it, and can fail on purpose (429, 403, network errors).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456789:AAEfakeTOKENfakeTOKENfakeTOKENfake12"
BOT = {"id": 123456789, "is_bot": True, "first_name": "Coach", "username": "coach_test_bot"}
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "tg-spoiler", "blockquote", "span"}  # fmt: skip


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def plain_text(html: str) -> str:
    """The text of Telegram-HTML as the user sees it; raises ApiError like Telegram does."""
    out: list[str] = []
    stack: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag not in TAGS:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag}")
            stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if not stack or stack.pop() != tag:
                raise ApiError(400, f"Bad Request: can't parse entities: unexpected end tag {tag}")

        def handle_data(self, data: str) -> None:
            out.append(data)

    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", html) or re.search(r"<(?![/a-z])", html):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped character")
    parser = Parser(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed tag {stack[-1]}")
    return "".join(out)


@dataclass
class ChatMessage:
    message_id: int
    chat_id: int
    text: str
    html: str
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)

    def buttons(self) -> list[dict[str, Any]]:
        return [button for row in self.keyboard for button in row]


@dataclass
class Rep:
    id: int
    first_name: str = "Anna"
    language_code: str = "en"

    def as_user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name,
                "language_code": self.language_code}  # fmt: skip


class FakeTelegram:
    def __init__(self) -> None:
        self.token = TOKEN
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.chats: dict[int, list[ChatMessage]] = defaultdict(list)
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.answered: set[str] = set()
        self.blocked: set[int] = set()
        self.webhook: dict[str, Any] | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, http status)
        self._failures: dict[str, list[ApiError | None]] = defaultdict(list)
        self._queue: list[dict[str, Any]] = []
        self._confirmed = 0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""
        self._closing = False
        self._tasks: set[asyncio.Future[None]] = set()
        self._lanes: dict[int, list[dict[str, Any]]] = {}

    # --- server ----------------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._client = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        self._closing = True
        await self._notify()  # long polls end now, not at their timeout
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append((method, params))  # on arrival: a long poll is seen while it waits
        await self._notify()
        try:
            failure = self._next_failure(method.lower(), params)
            if failure is not None:
                raise failure
            result = await getattr(self, "api_" + method.lower())(params)
        except ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return web.json_response(body, status=error.code)
        except AttributeError:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        finally:
            await self._notify()
        return web.json_response({"ok": True, "result": result})

    # --- fault injection -------------------------------------------------------------------------

    def fail_next(self, method: str, code: int, description: str = "", **extra: Any) -> None:
        description = description or {
            429: f"Too Many Requests: retry after {extra.get('retry_after', 1)}",
            403: "Forbidden: bot was blocked by the user",
            502: "Bad Gateway",
        }.get(code, "error")
        self._failures[method.lower()].append(ApiError(code, description, extra.get("retry_after")))

    def _next_failure(self, method: str, params: dict[str, Any]) -> ApiError | None:
        chat = params.get("chat_id")
        if chat is not None and int(chat) in self.blocked and method.startswith("send"):
            return ApiError(403, "Forbidden: bot was blocked by the user")
        queue = self._failures.get(method)
        return queue.pop(0) if queue else None

    # --- methods ---------------------------------------------------------------------------------

    async def api_getme(self, params: dict[str, Any]) -> Any:
        return BOT

    async def api_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        if offset:
            self._confirmed = max(self._confirmed, offset)
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not self._queue and not self._closing and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        limit = int(params.get("limit") or 100)
        return self._queue[:limit]

    async def api_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": params["url"], "secret": params.get("secret_token")}
        for update in self._queue:
            self._post_in_order(update)
        self._queue = []
        return True

    async def api_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def api_setmycommands(self, params: dict[str, Any]) -> Any:
        self.commands[params.get("language_code")] = _json(params["commands"])
        return True

    async def api_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self.answered.add(params["callback_query_id"])
        return True

    async def api_sendchataction(self, params: dict[str, Any]) -> Any:
        return True

    async def api_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        html = params.get("text", "")
        text = plain_text(html) if params.get("parse_mode") == "HTML" else html
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        keyboard = self._keyboard(params)
        message = ChatMessage(next(self._message_ids), chat_id, text, html, keyboard)
        self.chats[chat_id].append(message)
        return self._message_json(message)

    async def api_editmessagetext(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        html = params["text"]
        text = plain_text(html) if params.get("parse_mode") == "HTML" else html
        keyboard = self._keyboard(params)
        if text == message.text and keyboard == message.keyboard:
            raise ApiError(400, "Bad Request: message is not modified")
        message.text, message.html, message.keyboard = text, html, keyboard
        return self._message_json(message)

    async def api_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        keyboard = self._keyboard(params)
        if keyboard == message.keyboard:
            raise ApiError(400, "Bad Request: message is not modified")
        message.keyboard = keyboard
        return self._message_json(message)

    def _find(self, params: dict[str, Any]) -> ChatMessage:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for message in self.chats[chat_id]:
            if message.message_id == message_id:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _keyboard(self, params: dict[str, Any]) -> list[list[dict[str, Any]]]:
        markup = _json(params.get("reply_markup")) or {}
        keyboard: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
        for row in keyboard:
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return keyboard

    def _message_json(self, message: ChatMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private"},
            "from": BOT,
            "text": message.text,
        }
        if message.keyboard:
            body["reply_markup"] = {"inline_keyboard": message.keyboard}
        return body

    # --- what reps do ----------------------------------------------------------------------------

    def rep(self, user_id: int, language_code: str = "en", first_name: str = "Anna") -> Rep:
        return Rep(user_id, first_name, language_code)

    def send_text(self, rep: Rep, text: str) -> dict[str, Any]:
        message = self._user_message(rep, text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.deliver({"message": message})

    def send_media(self, rep: Rep, **media: Any) -> dict[str, Any]:
        return self.deliver({"message": self._user_message(rep, **media)})

    def tap(self, rep: Rep, message: ChatMessage, label: str) -> dict[str, Any]:
        for button in message.buttons():
            if button["text"] == label:
                break
        else:
            raise AssertionError(f"no {label!r} in {[b['text'] for b in message.buttons()]}")
        query = {
            "id": f"cq{next(self._update_ids)}",
            "from": rep.as_user(),
            "chat_instance": "ci",
            "data": button["callback_data"],
            "message": self._message_json(message),
        }
        return self.deliver({"callback_query": query})

    def deliver(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self.redeliver(update)
        return update

    def redeliver(self, update: dict[str, Any]) -> None:
        """Deliver this exact update (same update_id) again, as Telegram does after a failure."""
        if self.webhook is not None:
            self._post_in_order(update)
        else:
            self._queue.append(update)
            self._queue.sort(key=lambda u: u["update_id"])
            self._background(self._notify())

    def _post_in_order(self, update: dict[str, Any]) -> None:
        """One chat's updates go out one after the other, in order; chats in parallel."""
        chat = _chat_of(update)
        lane = self._lanes.setdefault(chat, [])
        lane.append(update)
        if len(lane) == 1:
            self._background(self._drain(lane))

    async def _drain(self, lane: list[dict[str, Any]]) -> None:
        while lane and not self._closing:
            await self._post(lane[0])
            lane.pop(0)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _post(self, update: dict[str, Any]) -> None:
        """Like Telegram: retry, with growing pauses, until the bot answers 2xx."""
        assert self._client is not None
        pause = 0.05
        while self.webhook is not None and not self._closing:
            headers = {}
            if self.webhook["secret"]:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret"]
            try:
                async with self._client.post(
                    self.webhook["url"], json=update, headers=headers
                ) as response:
                    self.webhook_deliveries.append((update["update_id"], response.status))
                    if response.status < 300:
                        return
            except aiohttp.ClientError:
                self.webhook_deliveries.append((update["update_id"], 0))
            await asyncio.sleep(pause)  # the fake's own retry pace, not a test waiting
            pause = min(pause * 2, 0.5)

    def _user_message(self, rep: Rep, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": rep.id, "type": "private", "first_name": rep.first_name},
            "from": rep.as_user(),
            **content,
        }

    # --- what tests look at ----------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[ChatMessage]:
        return list(self.chats[chat_id])

    def methods(self, name: str) -> list[dict[str, Any]]:
        return [params for method, params in self.calls if method.lower() == name.lower()]

    async def wait_until(self, condition: Callable[[], bool], within: float = 10) -> None:
        """Until ``condition`` holds after some API call (a test fails after ``within`` s)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(condition)

    async def wait_for_messages(self, chat_id: int, count: int, within: float = 10) -> None:
        await self.wait_until(lambda: len(self.chats[chat_id]) >= count, within)


def _chat_of(update: dict[str, Any]) -> int:
    for kind in ("message", "edited_message", "callback_query"):
        if kind in update:
            return int(update[kind]["from"]["id"])
    return 0


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if body else {}
    data = await request.post()
    return {key: value for key, value in data.items() if isinstance(value, str)}


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
