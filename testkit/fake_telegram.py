"""A fake Telegram Bot API server (aiohttp on 127.0.0.1) for end-to-end tests of the bot.

It answers ``POST|GET /bot<token>/<method>`` the way https://core.telegram.org/bots/api documents
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}``),
accepting JSON, form-urlencoded and multipart bodies (aiogram's ``AiohttpSession`` sends form data,
multipart as soon as a file is attached). It validates what matters to a bot author like Telegram
does (HTML entities, lengths, callback data, "message is not modified", ...), keeps every chat as
the user sees it, records every call, and fails on purpose when a test asks it to.

    async with FakeTelegram() as fake:
        bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.url)))
        anna = fake.user(42, "Anna", language_code="zh-hans")
        fake.send_command(anna, "/start")
        [reply] = await fake.wait_for_messages(anna.id, 1)
        fake.tap(anna, reply, reply.callback_data("Yes"))

One deliberate difference: a bare ``&`` that does not start an entity is refused
(``strict_html=True``); Telegram itself shows it literally, but it almost always means user text
went into HTML unescaped. Pass ``strict_html=False`` to get Telegram's leniency.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypedDict, TypeVar, Unpack

import aiohttp
from aiohttp import web

T = TypeVar("T")
JSON = dict[str, Any]

DEFAULT_TOKEN = "123456789:AAFakeTokenForCoachbotTests-0123456"
TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{20,}")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_UPLOAD = 50 * 1024 * 1024

UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# What Telegram sends when allowed_updates is empty or was never given.
DEFAULT_UPDATE_TYPES = frozenset(UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
INT_PARAMS = frozenset(
    [
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "from_chat_id",
        "duration",
        "width",
        "height",
    ]
)
BOOL_PARAMS = frozenset(
    [
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "show_alert",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "allow_paid_broadcast",
        "show_caption_above_media",
    ]
)
JSON_PARAMS = frozenset(
    [
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "media",
        "message_ids",
    ]
)
MEDIA_KEYS = frozenset(
    ["photo", "voice", "video", "document", "sticker", "location", "contact", "poll", "audio"]
)
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


# --- errors ---------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = dict(parameters) if parameters else None

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


# --- Telegram's HTML ------------------------------------------------------------------------------


class HtmlError(ValueError):
    """Telegram's reason for refusing an HTML text (goes after "can't parse entities: ")."""


HTML_TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    ]
)
SIMPLE_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character of the HTML entity at ``text[pos] == "&"`` and where it ends (as tdlib)."""
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        if text.startswith("x", end):
            end += 1
            start = end
            while end < len(text) and text[end] in "0123456789abcdefABCDEF":
                end += 1
            code = int(text[start:end], 16) if end > start else 0
        else:
            start = end
            while end < len(text) and text[end].isascii() and text[end].isdigit():
                end += 1
            code = int(text[start:end]) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if text.startswith(";", end):
        end += 1
    return char, end


def _checked_link(url: str) -> str | None:
    url = url.strip()
    if not url or any(char.isspace() for char in url):
        return None
    if re.match(r"(?i)(https?|tg|ton)://.", url):
        return url
    if re.fullmatch(r"[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}(:\d+)?([/?#]\S*)?", url):
        return "http://" + url
    return None


def parse_html(
    html: str, *, strict: bool = True, users: Mapping[int, JSON] | None = None
) -> tuple[str, list[JSON]]:
    """Telegram-HTML to (text, entities) following tdlib's parser; raises :class:`HtmlError`.

    Entity offsets and lengths are in UTF-16 code units. With ``strict`` a bare ``&`` is an error
    (Telegram shows it literally). ``users`` resolves ``tg://user?id=`` links to text mentions.
    """

    def byte_offset(index: int) -> int:
        return len(html[:index].encode("utf-8"))

    out: list[str] = []
    units = 0
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 offset, len(out)
    entities: list[JSON] = []
    n = len(html)
    i = 0
    while i < n:
        char = html[i]
        if char == "&":
            decoded = _decode_entity(html, i)
            if decoded is not None:
                out.append(decoded[0])
                units += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise HtmlError(
                    f'Unescaped "&" at byte offset {byte_offset(i)} (Telegram would show it as '
                    "is; escape it as &amp;)"
                )
        if char != "<":
            out.append(char)
            units += utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or html[i] != "/":
            while i < n and not html[i].isspace() and html[i] != ">":
                i += 1
            if i >= n:
                raise HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = html[begin + 1 : i].lower()
            if tag not in HTML_TAGS:
                raise HtmlError(
                    f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            argument = ""
            while True:
                while i < n and html[i].isspace():
                    i += 1
                if i >= n:
                    raise HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if html[i] == ">":
                    break
                name_begin = i
                while i < n and not html[i].isspace() and html[i] not in "=>":
                    i += 1
                name = html[name_begin:i]
                if not name:
                    raise HtmlError(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{byte_offset(begin)}"
                    )
                while i < n and html[i].isspace():
                    i += 1
                if i >= n or html[i] != "=":
                    if tag == "blockquote" and name.lower() == "expandable":
                        argument = "expandable"
                        continue
                    raise HtmlError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_offset(begin)}'
                    )
                i += 1
                while i < n and html[i].isspace():
                    i += 1
                if i >= n:
                    raise HtmlError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                if html[i] not in "'\"":
                    token_begin = i
                    while i < n and ((html[i].isascii() and html[i].isalnum()) or html[i] in ".-"):
                        i += 1
                    value = html[token_begin:i].lower()
                    if i < n and not html[i].isspace() and html[i] != ">":
                        raise HtmlError(
                            "Unexpected end of name token at byte offset "
                            f"{byte_offset(token_begin)}"
                        )
                else:
                    quote = html[i]
                    i += 1
                    chars: list[str] = []
                    while i < n and html[i] != quote:
                        if html[i] == "&":
                            decoded = _decode_entity(html, i)
                            if decoded is not None:
                                chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        chars.append(html[i])
                        i += 1
                    i += 1
                    value = "".join(chars)
                if i >= n:
                    raise HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and name == "href":
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and name == "emoji-id":
                    argument = value
            i += 1  # the ">"
            if tag == "span" and argument != "spoiler":
                raise HtmlError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append((tag, argument, units, len(out)))
            continue

        # an end tag
        if not stack:
            raise HtmlError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        i += 1
        while i < n and not html[i].isspace() and html[i] != ">":
            i += 1
        end_tag = html[begin + 2 : i].lower()
        while i < n and html[i].isspace():
            i += 1
        if i >= n or html[i] != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        i += 1
        tag, argument, offset, out_at = stack.pop()
        if end_tag and end_tag != tag:
            raise HtmlError(
                f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{tag}>", '
                f'found "</{end_tag}>"'
            )
        length = units - offset
        if length <= 0:
            continue
        span: JSON = {"offset": offset, "length": length}
        if tag in SIMPLE_ENTITIES:
            entities.append({"type": SIMPLE_ENTITIES[tag], **span})
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HtmlError("Invalid custom emoji identifier specified")
            entities.append({"type": "custom_emoji", **span, "custom_emoji_id": argument})
        elif tag == "a":
            url = argument or "".join(out[out_at:])
            mention = re.fullmatch(r"tg://user\?id=(\d+)", url)
            if mention is not None:
                user = (users or {}).get(int(mention.group(1)))
                if user is not None:
                    entities.append({"type": "text_mention", **span, "user": user})
            elif (checked := _checked_link(url)) is not None:
                entities.append({"type": "text_link", **span, "url": checked})
        elif tag == "pre":
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last.get("language")
                and (last["offset"], last["length"]) == (offset, length)
            ):
                last["type"] = "pre"
                continue
            entities.append({"type": "pre", **span})
        elif tag == "code":
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "pre"
                and (last["offset"], last["length"]) == (offset, length)
                and argument
            ):
                last["language"] = argument
            else:
                entities.append({"type": "code", **span, "language": argument})
        elif tag == "blockquote":
            kind = "expandable_blockquote" if argument == "expandable" else "blockquote"
            entities.append({"type": kind, **span})
    if stack:
        raise HtmlError(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(out), entities


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram drops leading and trailing spaces and newlines (and entities left empty)."""
    lead = len(text) - len(text.lstrip(" \n"))
    trimmed = text.strip(" \n")
    end = utf16_len(trimmed)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return trimmed, kept


# --- what the fake keeps --------------------------------------------------------------------------


@dataclass
class Upload:
    """A file the bot uploaded (a multipart part)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.data) if self.data is not None else 1024


@dataclass
class Call:
    """One Bot API request, recorded as soon as it arrives and completed when it is answered:
    a long-polling getUpdates is seen while it waits (``ok is None`` until the answer)."""

    method: str  # as documented, e.g. "sendMessage"
    params: JSON  # parsed: ints, bools and JSON objects decoded; files as Upload
    time: float  # time.monotonic() when the request arrived
    ok: bool | None  # None: not answered yet
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    via: Literal["http", "webhook_reply"] = "http"
    content_type: str = ""  # of the request's body: "application/json", "multipart/form-data"

    @property
    def answered(self) -> bool:
        return self.ok is not None

    @property
    def chat_id(self) -> int | str | None:
        chat_id: int | str | None = self.params.get("chat_id")
        return chat_id


@dataclass
class WebhookDelivery:
    """One POST of an update to the webhook: its HTTP status, or the connection error."""

    update_id: int
    attempt: int
    status: int | None
    error: str | None
    secret_token: str | None
    time: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class UserDetails(TypedDict, total=False):
    last_name: str | None
    username: str | None
    language_code: str | None  # as Telegram clients send it: "en", "zh-hans", ...
    started: bool  # False: the bot may not write first (403) until the user writes


@dataclass(eq=False)
class User:
    """A Telegram user; their private chat with the bot has ``chat.id == user.id``."""

    fake: FakeTelegram = field(repr=False)
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    blocked: bool = False
    started: bool = True  # has written to the bot, so the bot may write first

    def to_json(self) -> JSON:
        body: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            body["last_name"] = self.last_name
        if self.username:
            body["username"] = self.username
        if self.language_code:
            body["language_code"] = self.language_code
        return body

    @property
    def chat(self) -> Chat:
        return self.fake.chats[self.id]

    def block(self, *, notify: bool = True) -> None:
        """Block the bot: every call aimed at this chat answers 403 (and a my_chat_member)."""
        self.blocked = True
        if notify:
            self.fake._member_update(self, "member", "kicked")

    def unblock(self, *, notify: bool = True) -> None:
        self.blocked = False
        if notify:
            self.fake._member_update(self, "kicked", "member")


@dataclass(eq=False)
class Message:
    """A message in a chat as the user sees it now (a live object: edits change it).

    ``text``/``entities`` (or ``caption``) are what Telegram made of what was sent: HTML parsed,
    trimmed. ``source`` is what the bot sent, ``history`` the (text, reply_markup) before each edit.
    """

    chat: Chat = field(repr=False)
    message_id: int
    date: int
    from_bot: bool
    sender: User | None = field(default=None, repr=False)
    text: str | None = None
    entities: list[JSON] = field(default_factory=list, repr=False)
    caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list, repr=False)
    source: str | None = field(default=None, repr=False)
    parse_mode: str | None = field(default=None, repr=False)
    reply_markup: JSON | None = field(default=None, repr=False)
    media: JSON = field(default_factory=dict, repr=False)
    edit_date: int | None = field(default=None, repr=False)
    history: list[tuple[str | None, JSON | None]] = field(default_factory=list, repr=False)
    deleted: bool = False
    raw: JSON | None = field(default=None, repr=False)  # a user's message as sent in the update

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def kind(self) -> str:
        if self.media:
            return next(iter(self.media))
        return "text"

    @property
    def keyboard(self) -> list[list[JSON]]:
        """The inline keyboard's rows of buttons (``[]`` when there is none)."""
        if not self.reply_markup:
            return []
        rows: list[list[JSON]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    def buttons(self) -> list[JSON]:
        return [button for row in self.keyboard for button in row]

    @property
    def labels(self) -> list[str]:
        return [button["text"] for button in self.buttons()]

    def button(self, label: str) -> JSON:
        for button in self.buttons():
            if button["text"] == label:
                return button
        raise AssertionError(f"no button {label!r} on message {self.message_id}: {self.labels}")

    def callback_data(self, label: str) -> str:
        data: str = self.button(label)["callback_data"]
        return data

    def to_json(self) -> JSON:
        if self.raw is not None:
            return self.raw
        fake = self.chat.fake
        body: JSON = {
            "message_id": self.message_id,
            "from": fake.bot_user,
            "chat": self.chat.to_json(),
            "date": self.date,
        }
        if self.edit_date is not None:
            body["edit_date"] = self.edit_date
        if self.text is not None:
            body["text"] = self.text
            if self.entities:
                body["entities"] = self.entities
        body.update(self.media)
        if self.caption is not None:
            body["caption"] = self.caption
            if self.caption_entities:
                body["caption_entities"] = self.caption_entities
        if self.keyboard:
            body["reply_markup"] = {"inline_keyboard": self.keyboard}
        return body


@dataclass(eq=False)
class Chat:
    """A private chat (``user`` set, ``id == user.id``) or a group."""

    fake: FakeTelegram = field(repr=False)
    id: int
    type: str
    title: str | None = None
    user: User | None = field(default=None, repr=False)
    messages: list[Message] = field(default_factory=list, repr=False)
    actions: list[str] = field(default_factory=list, repr=False)
    reply_keyboard: JSON | None = field(default=None, repr=False)
    last_message_id: int = 0

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def find(self, message_id: int) -> Message | None:
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def to_json(self) -> JSON:
        if self.user is not None:
            body: JSON = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                body["last_name"] = self.user.last_name
            if self.user.username:
                body["username"] = self.user.username
            return body
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class _Fault:
    method: str  # lower-case method name or "*"
    error: ApiError
    chat_id: int | None
    remaining: int


@dataclass
class _NetworkFault:
    method: str | None
    how: Literal["disconnect", "lost_response", "bad_gateway"]
    remaining: int


@dataclass(eq=False)
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    semaphore: asyncio.Semaphore  # max_connections POSTs at once
    pending: list[JSON] = field(default_factory=list)  # not delivered yet, in the order made
    queues: dict[tuple[str, int], list[JSON]] = field(default_factory=dict)  # see _webhook_queue
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    last_error_date: int | None = None
    last_error_message: str | None = None


Handler = Callable[[JSON], Awaitable[Any]]


# --- the server -----------------------------------------------------------------------------------


class FakeTelegram:
    """The fake Bot API: ``await start()``/``stop()``, or ``async with FakeTelegram() as fake``.

    A webhook gets one chat's updates one after the other, in update_id order, and different
    chats' updates in parallel (up to max_connections), as telegram-bot-api's WebhookActor does.
    A failed POST (an error status, a refused connection, ``webhook_timeout``) is tried again
    after pauses that double from ``webhook_retry_delay`` up to ``webhook_max_retry_delay``,
    ``webhook_attempts`` times in all; ``webhook_attempts=None`` retries until it is delivered,
    the webhook changes or the fake stops (Telegram keeps trying for a day), e.g. while a killed
    bot restarts. An update given up on goes to ``undelivered_updates`` and its queue moves on.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "Coach",
        bot_username: str = "coach_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        strict_html: bool = True,
        webhook_retry_delay: float = 0.02,
        webhook_max_retry_delay: float = 0.5,
        webhook_attempts: int | None = 5,
        webhook_timeout: float = 10.0,
    ) -> None:
        if not TOKEN_RE.fullmatch(token):
            raise ValueError(f"not a Telegram-shaped token: {token!r}")
        if webhook_attempts is not None and webhook_attempts < 1:
            raise ValueError("webhook_attempts is at least 1 (or None: until delivered)")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_name = bot_name
        self.bot_username = bot_username
        self.host = host
        self.port = port
        self.clock = clock
        self.strict_html = strict_html
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_retry_delay = webhook_max_retry_delay
        self.webhook_attempts = webhook_attempts
        self.webhook_timeout = webhook_timeout

        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.call_log: list[Call] = []
        self.updates: list[JSON] = []  # every update made, in order
        self.filtered_updates: list[JSON] = []  # made but not sent: not in allowed_updates
        self.undelivered_updates: list[JSON] = []  # the webhook never took them
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.command_sets: dict[tuple[str, str], list[JSON]] = {}  # (scope key, language) → list
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, JSON] = {}  # id → callback query
        self.callback_answers: dict[str, JSON] = {}  # id → answerCallbackQuery params

        self._queue: list[JSON] = []  # getUpdates: not yet confirmed
        self._forced: set[int] = set()  # redelivered ids the next offset must not drop
        self._allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._webhook: _Webhook | None = None
        self._faults: list[_Fault] = []
        self._network_faults: list[_NetworkFault] = []
        self._poll_generation = 0
        self._polls_waiting = 0
        self._closing = False
        self._last_update_id = 0
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._arrived = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._url: str | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendChatAction": self._send_chat_action,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "getChat": self._get_chat,
            }.items()
        }

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        self._url = f"http://{self.host}:{self.port}"
        self._client = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        self._closing = True
        self._wake_polls()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The base URL, for ``TelegramAPIServer.from_base(fake.url)``."""
        if self._url is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._url

    @property
    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    # --- people and chats ------------------------------------------------------------------------

    def user(self, id: int, first_name: str | None = None, **details: Unpack[UserDetails]) -> User:
        """The user ``id`` and their private chat, made on first use (``first_name`` "Anna",
        ``language_code`` "en"); later calls change only what they name."""
        if id <= 0:
            raise ValueError("user ids are positive")
        user = self.users.get(id)
        if user is None:
            user = self.users[id] = User(self, id, first_name or "Anna")
            self.chats[id] = Chat(self, id, "private", user=user)
        if first_name is not None:
            user.first_name = first_name
        for key, value in details.items():
            setattr(user, key, value)
        return user

    def group(self, id: int, title: str = "Sales team", *, type: str = "supergroup") -> Chat:
        """A group chat (``id`` negative, e.g. -1001234567890) the bot is a member of."""
        if id >= 0:
            raise ValueError("group ids are negative")
        if type not in ("group", "supergroup"):
            raise ValueError("type is 'group' or 'supergroup'")
        chat = self.chats.get(id)
        if chat is None:
            chat = self.chats[id] = Chat(self, id, type, title=title)
        chat.title, chat.type = title, type
        return chat

    # --- what users do: each makes an update ----------------------------------------------------

    def send_text(
        self,
        user: User,
        text: str,
        *,
        chat: Chat | None = None,
        reply_to: Message | None = None,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """A text message (``/commands`` in it get bot_command entities, as Telegram adds)."""
        found = entities if entities is not None else _command_entities(text)
        content: JSON = {"text": text}
        if found:
            content["entities"] = found
        if reply_to is not None:
            content["reply_to_message"] = reply_to.to_json()
        return self._user_message(user, chat, content)

    def send_command(
        self,
        user: User,
        command: str,
        payload: str | None = None,
        *,
        chat: Chat | None = None,
        mention: bool = False,
    ) -> JSON:
        """``/start`` (or ``/start payload``, a deep link); ``mention`` adds ``@bot_username``."""
        command = command if command.startswith("/") else "/" + command
        if mention:
            command += "@" + self.bot_username
        text = command if payload is None else f"{command} {payload}"
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        return self.send_text(user, text, chat=chat, entities=[entity])

    def tap(
        self,
        user: User,
        message: Message,
        callback_data: str | None = None,
        *,
        label: str | None = None,
        strict: bool = True,
    ) -> str:
        """Tap an inline button of a bot message; returns the callback query id.

        Give ``callback_data`` or the button's ``label``. ``strict`` checks the button is on the
        message now (a user cannot tap what is gone); ``strict=False`` taps anything (a stale view).
        """
        if label is not None:
            callback_data = message.callback_data(label)
        if callback_data is None:
            raise ValueError("tap needs callback_data or label")
        if strict:
            if message.deleted:
                raise AssertionError(f"message {message.message_id} was deleted")
            offered = [button.get("callback_data") for button in message.buttons()]
            if callback_data not in offered:
                raise AssertionError(
                    f"no button with data {callback_data!r} on message {message.message_id}: "
                    f"{offered}"
                )
        query_id = str(4_600_000_000_000_000_000 + next(self._query_ids))
        query = {
            "id": query_id,
            "from": user.to_json(),
            "message": message.to_json(),
            "chat_instance": str(abs(hash((self.bot_id, message.chat.id)))),
            "data": callback_data,
        }
        self.callback_queries[query_id] = query
        self._make_update("callback_query", query)
        return query_id

    def edit_text(self, user: User, message: Message | JSON | int, text: str) -> JSON:
        """The user edits one of their text messages (an ``edited_message`` update)."""
        chat = self.chats[user.id]
        if isinstance(message, Message):
            chat, message_id = message.chat, message.message_id
        elif isinstance(message, dict):
            body = message.get("message", message)
            chat, message_id = self.chats[body["chat"]["id"]], body["message_id"]
        else:
            message_id = message
        stored = chat.find(message_id)
        if stored is None or stored.raw is None or stored.sender is not user:
            raise AssertionError(f"{user.first_name} has no message {message_id} in {chat.id}")
        stored.history.append((stored.text, None))
        stored.text = text
        stored.edit_date = int(self.clock())
        raw = {**stored.raw, "text": text, "edit_date": stored.edit_date}
        raw.pop("entities", None)
        if found := _command_entities(text):
            raw["entities"] = found
        stored.raw = raw
        return self._make_update("edited_message", raw)

    def send_photo(
        self,
        user: User,
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        data: bytes | None = None,
        chat: Chat | None = None,
    ) -> JSON:
        sizes = []
        for scale in (0.25, 1.0):
            stored = self._new_file("photo", data)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": int(width * scale),
                    "height": int(height * scale),
                    "file_size": stored.file_size,
                }
            )
        content: JSON = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user, chat, content)

    def send_voice(
        self, user: User, duration: int = 3, *, data: bytes | None = None, chat: Chat | None = None
    ) -> JSON:
        stored = self._new_file("voice", data, mime_type="audio/ogg")
        voice = {**self._file_json(stored), "duration": duration, "mime_type": "audio/ogg"}
        return self._user_message(user, chat, {"voice": voice})

    def send_video(
        self,
        user: User,
        duration: int = 5,
        *,
        width: int = 1280,
        height: int = 720,
        caption: str | None = None,
        chat: Chat | None = None,
    ) -> JSON:
        stored = self._new_file("video", None, mime_type="video/mp4")
        video = {
            **self._file_json(stored),
            "width": width,
            "height": height,
            "duration": duration,
            "mime_type": "video/mp4",
        }
        content: JSON = {"video": video}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user, chat, content)

    def send_document(
        self,
        user: User,
        file_name: str = "visit-notes.pdf",
        *,
        data: bytes = b"%PDF-1.4 fake",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        chat: Chat | None = None,
    ) -> JSON:
        stored = self._new_file("document", data, file_name=file_name, mime_type=mime_type)
        document = {**self._file_json(stored), "file_name": file_name, "mime_type": mime_type}
        content: JSON = {"document": document}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user, chat, content)

    def send_sticker(self, user: User, emoji: str = "👍", *, chat: Chat | None = None) -> JSON:
        stored = self._new_file("sticker", None, mime_type="image/webp")
        sticker = {
            **self._file_json(stored),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._user_message(user, chat, {"sticker": sticker})

    def send_location(
        self,
        user: User,
        latitude: float = 31.2304,
        longitude: float = 121.4737,
        *,
        chat: Chat | None = None,
    ) -> JSON:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user, chat, {"location": location})

    def send_contact(
        self,
        user: User,
        phone_number: str = "+8613800138000",
        first_name: str = "Li",
        *,
        contact_user_id: int | None = None,
        chat: Chat | None = None,
    ) -> JSON:
        contact: JSON = {"phone_number": phone_number, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._user_message(user, chat, {"contact": contact})

    def send_poll(
        self,
        user: User,
        question: str = "Which product?",
        options: Iterable[str] = ("A", "B"),
        *,
        chat: Chat | None = None,
    ) -> JSON:
        poll = {
            "id": str(5_000_000_000_000_000_000 + next(self._file_ids)),
            "question": question,
            "options": [
                {"persistent_id": str(index), "text": text, "voter_count": 0}
                for index, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return self._user_message(user, chat, {"poll": poll})

    def send_update(self, body: JSON) -> JSON:
        """Any update: ``{"chat_join_request": {...}}``; an ``update_id`` is added if missing."""
        kinds = [key for key in body if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError(f"an update has exactly one kind, got {kinds}")
        if "update_id" in body:
            update = dict(body)
            self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        else:
            update = {"update_id": self._next_update_id(), **body}
        return self._deliver_new(update)

    def redeliver(self, update: JSON | int) -> JSON:
        """Deliver an update again with the same update_id, as Telegram does after a failure.

        By long polling it comes back in the next getUpdates even if its offset was confirmed;
        with a webhook it is POSTed again.
        """
        if isinstance(update, int):
            update = next(u for u in self.updates if u["update_id"] == update)
        if self._webhook is not None:
            self._post_later(self._webhook, update)
        else:
            self._forced.add(update["update_id"])
            self._enqueue(update)
        self._notify()
        return update

    # --- what the bot did ------------------------------------------------------------------------

    def calls(
        self, method: str | None = None, *, chat_id: int | None = None, ok: bool | None = None
    ) -> list[Call]:
        """Recorded calls in the order they arrived, optionally filtered (``ok=True``/``False``
        leaves out calls not answered yet, e.g. a long poll still waiting)."""
        name = method.lower() if method is not None else None
        return [
            call
            for call in self.call_log
            if (name is None or call.method.lower() == name)
            and (chat_id is None or call.chat_id == chat_id)
            and (ok is None or call.ok == ok)
        ]

    def count(self, method: str) -> int:
        return len(self.calls(method))

    @property
    def counts(self) -> Counter[str]:
        return Counter(call.method for call in self.call_log)

    def messages_to(self, chat_id: int) -> list[Message]:
        """The bot's messages in the chat as the user sees them now (deleted ones left out)."""
        return [m for m in self._chat_or_empty(chat_id) if m.from_bot and not m.deleted]

    def sent(self, chat_id: int) -> list[Message]:
        """Every message the bot sent to the chat, deleted ones included."""
        return [m for m in self._chat_or_empty(chat_id) if m.from_bot]

    def history(self, chat_id: int) -> list[Message]:
        """The whole visible chat: the user's and the bot's messages."""
        return [m for m in self._chat_or_empty(chat_id) if not m.deleted]

    def last_message(self, chat_id: int) -> Message | None:
        messages = self.messages_to(chat_id)
        return messages[-1] if messages else None

    def chat_actions(self, chat_id: int) -> list[str]:
        chat = self.chats.get(chat_id)
        return list(chat.actions) if chat is not None else []

    def callback_answered(self, query_id: str) -> bool:
        return query_id in self.callback_answers

    def callback_answer(self, query_id: str) -> JSON | None:
        """The parameters of answerCallbackQuery for this query (text, show_alert, ...)."""
        return self.callback_answers.get(query_id)

    def commands(self, language_code: str = "", scope: str | JSON = "default") -> dict[str, str]:
        """The commands set for exactly this scope and language: {command: description}."""
        scope_json = {"type": scope} if isinstance(scope, str) else scope
        listed = self.command_sets.get((_scope_key(scope_json), language_code), [])
        return {item["command"]: item["description"] for item in listed}

    def commands_for(self, user: User, chat: Chat | None = None) -> dict[str, str]:
        """The command menu ``user`` would see in ``chat`` (their private chat by default)."""
        chat = chat or user.chat
        language = (user.language_code or "")[:2]
        if chat.type == "private":
            scopes = [f"chat:{chat.id}", "all_private_chats", "default"]
        else:
            scopes = [f"chat_member:{chat.id}:{user.id}", f"chat:{chat.id}", "all_group_chats"]
            scopes.append("default")
        for key in scopes:
            for lang in (language, ""):
                listed = self.command_sets.get((key, lang))
                if listed:
                    return {item["command"]: item["description"] for item in listed}
        return {}

    @property
    def webhook_url(self) -> str | None:
        return self._webhook.url if self._webhook is not None else None

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates waiting for getUpdates (or, with a webhook, not yet taken by it)."""
        if self._webhook is not None:
            return list(self._webhook.pending)
        return list(self._queue)

    @property
    def polls_waiting(self) -> int:
        """How many getUpdates requests are long-polling right now."""
        return self._polls_waiting

    # --- waiting ---------------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str | None = None,
    ) -> T:
        """Until ``predicate()`` is truthy (checked after every call, update and delivery);
        returns its value. Fails the test with the last calls after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n  ".join(
                    f"{c.method} {c.params} -> "
                    f"{'(waiting)' if c.ok is None else 'ok' if c.ok else c.description}"
                    for c in self.call_log[-8:]
                )
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what or repr(predicate)}; "
                    f"last calls:\n  {recent or '(none)'}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Message]:
        """Until the chat shows at least ``count`` bot messages; returns them."""

        def enough() -> list[Message]:
            messages = self.messages_to(chat_id)
            return messages if len(messages) >= count else []

        return await self.wait_for(enough, timeout, f"{count} bot messages in chat {chat_id}")

    async def wait_for_call(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        count: int = 1,
        ok: bool | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Call:
        """Until ``count`` matching calls were answered; returns the ``count``-th of them."""

        def seen() -> Call | None:
            found = [c for c in self.calls(method, chat_id=chat_id, ok=ok) if c.answered]
            return found[count - 1] if len(found) >= count else None

        return await self.wait_for(seen, timeout, f"{count} × {method}")

    async def say(
        self,
        user: User,
        text: str,
        *,
        chat: Chat | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Message:
        """Send ``text`` and wait for the bot's next new message in that chat; returns it."""
        chat_id = (chat or user.chat).id
        before = len(self.sent(chat_id))
        self.send_text(user, text, chat=chat)

        def reply() -> Message | None:
            sent = self.sent(chat_id)
            return sent[before] if len(sent) > before else None

        return await self.wait_for(reply, timeout, f"a reply to {text!r} in chat {chat_id}")

    # --- fault injection -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" for any; only to ``chat_id`` if given)
        fail with this error. 429 defaults to ``retry_after=3``."""
        parameters: JSON = {}
        if error_code == 429:
            retry_after = 3 if retry_after is None else retry_after
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(error_code, "Error")
        error = ApiError(error_code, description, parameters)
        self._faults.append(_Fault(method.lower(), error, chat_id, times))

    def fail_network(
        self,
        times: int = 1,
        *,
        method: str | None = None,
        how: Literal["disconnect", "lost_response", "bad_gateway"] = "disconnect",
    ) -> None:
        """The next ``times`` calls (of ``method``, or any) fail on the network:
        ``disconnect`` closes the connection before doing anything, ``lost_response`` does the
        call and then closes the connection (the bot cannot know it worked), ``bad_gateway``
        answers 502 without doing anything."""
        self._network_faults.append(_NetworkFault(method and method.lower(), how, times))

    def clear_faults(self) -> None:
        self._faults.clear()
        self._network_faults.clear()

    # --- internals: updates ----------------------------------------------------------------------

    def _next_update_id(self) -> int:
        self._last_update_id += 1
        return self._last_update_id

    def _chat_or_empty(self, chat_id: int) -> list[Message]:
        chat = self.chats.get(chat_id)
        return chat.messages if chat is not None else []

    def _user_message(self, user: User, chat: Chat | None, content: JSON) -> JSON:
        chat = chat or self.chats[user.id]
        if chat.user is None and chat.id not in self.chats:
            raise ValueError("unknown chat")
        user.started = True
        body: JSON = {
            "message_id": chat.next_message_id(),
            "from": user.to_json(),
            "chat": chat.to_json(),
            "date": int(self.clock()),
            **content,
        }
        message = Message(
            chat=chat,
            message_id=body["message_id"],
            date=body["date"],
            from_bot=False,
            sender=user,
            text=content.get("text"),
            caption=content.get("caption"),
            media={k: v for k, v in content.items() if k in MEDIA_KEYS},
            raw=body,
        )
        chat.messages.append(message)
        return self._make_update("message", body)

    def _member_update(self, user: User, old: str, new: str) -> None:
        def member(status: str) -> JSON:
            body: JSON = {"status": status, "user": self.bot_user}
            if status == "kicked":
                body["until_date"] = 0
            return body

        self._make_update(
            "my_chat_member",
            {
                "chat": user.chat.to_json(),
                "from": user.to_json(),
                "date": int(self.clock()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def _make_update(self, kind: str, payload: JSON) -> JSON:
        return self._deliver_new({"update_id": self._next_update_id(), kind: payload})

    def _deliver_new(self, update: JSON) -> JSON:
        self.updates.append(update)
        kind = next(key for key in update if key != "update_id")
        if kind not in self._allowed:
            self.filtered_updates.append(update)
        elif self._webhook is not None:
            self._post_later(self._webhook, update)
        else:
            self._enqueue(update)
        self._notify()
        return update

    def _enqueue(self, update: JSON) -> None:
        if not any(queued is update for queued in self._queue):
            self._queue.append(update)
            self._queue.sort(key=lambda queued: int(queued["update_id"]))
        self._wake_polls()

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _wake_polls(self) -> None:
        arrived, self._arrived = self._arrived, asyncio.Event()
        arrived.set()

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            raise bad_request("can't parse allowed updates")
        self._allowed = frozenset(allowed) & frozenset(UPDATE_TYPES) or DEFAULT_UPDATE_TYPES

    # --- internals: files ------------------------------------------------------------------------

    def _new_file(
        self,
        kind: str,
        data: bytes | None,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"{kind.upper()}-fake-{number:06d}-AgACAgIAAxkBAAI",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def _file_json(stored: StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }

    # --- internals: HTTP -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        token, name = request.match_info["token"], request.match_info["method"]
        if not TOKEN_RE.fullmatch(token):
            return _json_response(ApiError(404, "Not Found").body(), 404)
        spec = self._methods.get(name.lower())
        method = spec[0] if spec is not None else name
        if token != self.token:
            error = ApiError(401, "Unauthorized")
            self._record(Call(method, {}, started, False, None, 401, error.description))
            return _json_response(error.body(), 401)
        try:
            params = await _read_params(request)
        except ApiError as error:
            self._record(
                Call(method, {}, started, False, None, error.error_code, error.description)
            )
            return _json_response(error.body(), error.error_code)

        fault = self._take_network_fault(method)
        if fault == "disconnect":
            self._record(Call(method, params, started, False, None, None, "connection closed"))
            return _drop(request)
        if fault == "bad_gateway":
            gateway = ApiError(502, "Bad Gateway")
            self._record(Call(method, params, started, False, None, 502, gateway.description))
            return _json_response(gateway.body(), 502)

        status, body = await self._dispatch(
            method, params, started, "http", content_type=request.content_type
        )
        if fault == "lost_response":
            return _drop(request)
        return _json_response(body, status)

    async def _dispatch(
        self,
        method: str,
        params: JSON,
        started: float,
        via: Literal["http", "webhook_reply"],
        *,
        content_type: str = "",
    ) -> tuple[int, JSON]:
        call = self._record(Call(method, params, started, None, via=via, content_type=content_type))
        spec = self._methods.get(method.lower())
        try:
            if spec is None:
                raise ApiError(404, "Not Found")
            self._check_faults(method, params)
            result = await spec[1](params)
        except ApiError as error:
            call.ok, call.error_code, call.description = False, error.error_code, error.description
            self._notify()
            return error.error_code, error.body()
        except asyncio.CancelledError:  # the client went away (or the fake stops)
            call.ok, call.description = False, "cancelled: the connection was closed"
            self._notify()
            raise
        call.ok, call.result = True, result
        self._notify()
        return 200, {"ok": True, "result": result}

    def _record(self, call: Call) -> Call:
        self.call_log.append(call)
        self._notify()
        return call

    def _take_network_fault(self, method: str) -> str | None:
        for fault in self._network_faults:
            if fault.method is None or fault.method == method.lower():
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._network_faults.remove(fault)
                return fault.how
        return None

    def _check_faults(self, method: str, params: JSON) -> None:
        for fault in self._faults:
            if fault.method not in ("*", method.lower()):
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise fault.error
        chat_id = params.get("chat_id")
        user = self.users.get(chat_id) if isinstance(chat_id, int) else None
        if user is not None and user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response(ApiError(401, "Unauthorized").body(), 401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if _file_path(stored) == path:
                return web.Response(body=stored.data or b"fake file content")
        return _json_response(ApiError(404, "Not Found").body(), 404)

    # --- internals: webhook ----------------------------------------------------------------------

    def webhook_retry_pause(self, attempt: int) -> float:
        """Seconds between failed attempt ``attempt`` (1, 2, ...) of a delivery and the next."""
        return min(self.webhook_retry_delay * 2.0 ** (attempt - 1), self.webhook_max_retry_delay)

    def _post_later(self, hook: _Webhook, update: JSON) -> None:
        """Queue the update behind the others of its queue; a queue's first one is in flight."""
        hook.pending.append(update)
        key = _webhook_queue(update)
        queue = hook.queues.setdefault(key, [])
        queue.append(update)
        if len(queue) > 1:
            return  # the queue's task takes it in turn
        task = asyncio.get_running_loop().create_task(self._drain(hook, key, queue))
        hook.tasks.add(task)
        self._tasks.add(task)
        task.add_done_callback(hook.tasks.discard)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, hook: _Webhook, key: tuple[str, int], queue: list[JSON]) -> None:
        """One update of the queue after the other, each until delivered or given up on."""
        while queue:
            await self._post(hook, queue[0])
            queue.pop(0)
        if hook.queues.get(key) is queue:
            del hook.queues[key]

    async def _post(self, hook: _Webhook, update: JSON) -> None:
        assert self._client is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        for attempt in itertools.count(1):
            status: int | None = None
            error: str | None = None
            reply: tuple[str, JSON] | None = None
            async with hook.semaphore:
                try:
                    async with self._client.post(
                        hook.url, data=body, headers=headers, timeout=timeout
                    ) as response:
                        status = response.status
                        if 200 <= status < 300:
                            reply = await _webhook_reply(response)
                        else:
                            error = f"Wrong response from the webhook: {status} {response.reason}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    error = f"Connection failed: {type(exc).__name__}: {exc}"
            self.webhook_deliveries.append(
                WebhookDelivery(
                    update["update_id"],
                    attempt,
                    status,
                    error,
                    hook.secret_token,
                    time.monotonic(),
                )
            )
            if error is None:
                _remove(hook.pending, update)
                if reply is not None:
                    await self._dispatch(reply[0], reply[1], time.monotonic(), "webhook_reply")
                self._notify()
                return
            hook.last_error_date, hook.last_error_message = int(self.clock()), error
            self._notify()
            if self.webhook_attempts is not None and attempt >= self.webhook_attempts:
                break
            await asyncio.sleep(self.webhook_retry_pause(attempt))  # Telegram's backoff
        _remove(hook.pending, update)
        self.undelivered_updates.append(update)
        self._notify()

    def _stop_webhook(self, hook: _Webhook) -> list[JSON]:
        for task in hook.tasks:
            task.cancel()
        pending, hook.pending = hook.pending, []
        hook.queues.clear()
        return pending

    # --- API methods -----------------------------------------------------------------------------

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = _int(params, "offset", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        timeout = max(_int(params, "timeout", 0), 0)
        self._set_allowed(params.get("allowed_updates"))

        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_polls()  # an older getUpdates still waiting ends with 409

        if offset > 0:
            self._queue = [
                u for u in self._queue if u["update_id"] >= offset or u["update_id"] in self._forced
            ]
        elif offset < 0:
            self._queue = self._queue[offset:]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._polls_waiting += 1
        self._notify()
        try:
            while True:
                arrived = self._arrived
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                remaining = deadline - loop.time()
                if self._queue or self._closing or remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), remaining)
        finally:
            self._polls_waiting -= 1
        batch = self._queue[:limit]
        self._forced.difference_update(u["update_id"] for u in batch)
        return batch

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params)
        if not re.match(r"https?://[^\s/]+", url):
            raise bad_request("bad webhook: invalid webhook URL specified")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        max_connections = min(max(_int(params, "max_connections", 40), 1), 100)
        self._set_allowed(params.get("allowed_updates"))
        pending: list[JSON] = list(self._queue)
        if self._webhook is not None:
            pending = self._stop_webhook(self._webhook) + pending
        self._queue, self._forced = [], set()
        if params.get("drop_pending_updates"):
            pending = []
        hook = _Webhook(
            url=url,
            secret_token=str(secret) if secret else None,
            max_connections=max_connections,
            allowed_updates=params.get("allowed_updates"),
            semaphore=asyncio.Semaphore(max_connections),
        )
        self._webhook = hook
        self._wake_polls()
        for update in sorted(pending, key=lambda u: int(u["update_id"])):
            self._post_later(hook, update)
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        pending: list[JSON] = []
        if self._webhook is not None:
            pending = self._stop_webhook(self._webhook)
            self._webhook = None
        if params.get("drop_pending_updates"):
            self._queue, self._forced = [], set()
        else:
            for update in pending:
                self._enqueue(update)
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        hook = self._webhook
        if hook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._queue),
            }
        info: JSON = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(hook.pending),
            "ip_address": "127.0.0.1",
            "max_connections": hook.max_connections,
        }
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        return info

    def _chat(self, params: JSON) -> Chat:
        if "chat_id" not in params or params["chat_id"] in ("", None):
            raise bad_request("chat_id is empty")
        chat = self.chats.get(params["chat_id"]) if isinstance(params["chat_id"], int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, params: JSON) -> Chat:
        chat = self._chat(params)
        if chat.user is not None and not chat.user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _format(self, params: JSON, key: str, entities_key: str) -> tuple[str, list[JSON]]:
        raw = params.get(key)
        text = "" if raw is None else str(raw)
        parse_mode = params.get("parse_mode") or None
        entities: list[JSON] = []
        if parse_mode is not None:
            if str(parse_mode).lower() == "html":
                users = {uid: user.to_json() for uid, user in self.users.items()}
                try:
                    text, entities = parse_html(text, strict=self.strict_html, users=users)
                except HtmlError as error:
                    raise bad_request(f"can't parse entities: {error}") from None
            elif str(parse_mode).lower() not in ("markdown", "markdownv2"):
                raise bad_request(f"unsupported parse_mode {parse_mode}")
        elif isinstance(params.get(entities_key), list):
            entities = list(params[entities_key])
        return _trim(text, entities)

    def _text(self, params: JSON) -> tuple[str, list[JSON]]:
        text, entities = self._format(params, "text", "entities")
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        return text, entities

    def _caption(self, params: JSON) -> tuple[str | None, list[JSON]]:
        if not params.get("caption"):
            return None, []
        caption, entities = self._format(params, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return caption or None, entities

    def _markup(self, params: JSON, chat: Chat | None = None) -> JSON | None:
        """The inline keyboard in reply_markup, validated; other keyboards go to the chat."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if chat is not None and "keyboard" in markup:
                chat.reply_keyboard = markup
            elif chat is not None and markup.get("remove_keyboard"):
                chat.reply_keyboard = None
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                "can't parse inline keyboard button: "
                "InlineKeyboardMarkup must be an Array of Arrays"
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                actions = [key for key in BUTTON_ACTIONS if key in button]
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if (
                        not isinstance(data, str)
                        or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
                    ):
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button and _checked_link(str(button["url"])) is None:
                    raise bad_request("BUTTON_URL_INVALID")
        return {"inline_keyboard": rows} if any(rows) else None

    def _check_reply(self, chat: Chat, params: JSON) -> None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        message_id = message_id or params.get("reply_to_message_id")
        lenient = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if message_id and chat.find(int(message_id)) is None and not lenient:
            raise bad_request("message to be replied not found")

    def _new_bot_message(self, chat: Chat, params: JSON, **fields: Any) -> Message:
        message = Message(
            chat=chat,
            message_id=chat.next_message_id(),
            date=int(self.clock()),
            from_bot=True,
            parse_mode=params.get("parse_mode") or None,
            **fields,
        )
        chat.messages.append(message)
        return message

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._writable_chat(params)
        text, entities = self._text(params)
        markup = self._markup(params, chat)
        self._check_reply(chat, params)
        message = self._new_bot_message(
            chat,
            params,
            text=text,
            entities=entities,
            source=str(params.get("text")),
            reply_markup=markup,
        )
        return message.to_json()

    def _own_message(self, params: JSON, verb: str) -> Message:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        if not params.get("message_id"):
            raise bad_request("message identifier is not specified")
        message = chat.find(int(params["message_id"]))
        if message is None:
            raise bad_request(f"message to {verb} not found")
        if verb == "edit" and not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    async def _edit_message_text(self, params: JSON) -> JSON:
        message = self._own_message(params, "edit")
        text, entities = self._text(params)
        markup = self._markup(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.history.append((message.text, message.reply_markup))
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.source = str(params.get("text"))
        message.parse_mode = params.get("parse_mode") or None
        message.edit_date = int(self.clock())
        return message.to_json()

    async def _edit_message_caption(self, params: JSON) -> JSON:
        message = self._own_message(params, "edit")
        if not message.media:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._markup(params)
        current = (message.caption, message.caption_entities, message.reply_markup)
        if (caption, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        message.history.append((message.caption, message.reply_markup))
        message.caption, message.caption_entities, message.reply_markup = caption, entities, markup
        message.edit_date = int(self.clock())
        return message.to_json()

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        message = self._own_message(params, "edit")
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.history.append((message.text, message.reply_markup))
        message.reply_markup = markup
        message.edit_date = int(self.clock())
        return message.to_json()

    async def _delete_message(self, params: JSON) -> bool:
        message = self._own_message(params, "delete")
        message.deleted = True
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.callback_queries or query_id in self.callback_answers:
            raise bad_request(QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = {
            key: value for key, value in params.items() if key != "callback_query_id"
        }
        return True

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        ):
            raise bad_request("can't parse BotCommandScope JSON object")
        if "chat_id" in scope:
            self._chat({"chat_id": _as_int(scope["chat_id"])})
        return _scope_key(scope), language

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned: list[JSON] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).strip().removeprefix("/")
            description = str(item.get("description", "")).strip()
            if not command:
                raise bad_request("command must be non-empty")
            if len(command) > 32:
                raise bad_request("command length must not exceed 32")
            if not re.fullmatch(r"[a-z0-9_]+", command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not description:
                raise bad_request("command description must be non-empty")
            if len(description) > 256:
                raise bad_request("command description length must not exceed 256")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.command_sets[key] = cleaned
        else:
            self.command_sets.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return list(self.command_sets.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.command_sets.pop(self._commands_key(params), None)
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        chat = self._writable_chat(params)
        action = str(params.get("action") or "")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _input_file(self, params: JSON, key: str, kind: str) -> StoredFile:
        value = params.get(key)
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self._new_file(
                kind, value.data, file_name=value.filename, mime_type=value.content_type
            )
        if not value:
            raise bad_request(f"there is no {kind} in the request")
        value = str(value)
        if value.startswith("attach://"):
            raise bad_request(f"wrong HTTP URL specified: {key} {value} was not attached")
        if re.match(r"https?://", value):
            return self._new_file(kind, None, file_name=value.rsplit("/", 1)[-1] or None)
        stored = self.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    async def _send_photo(self, params: JSON) -> JSON:
        chat = self._writable_chat(params)
        stored = self._input_file(params, "photo", "photo")
        caption, entities = self._caption(params)
        markup = self._markup(params, chat)
        self._check_reply(chat, params)
        size = {**self._file_json(stored), "width": 800, "height": 600}
        small = {**size, "width": 320, "height": 240}
        message = self._new_bot_message(
            chat,
            params,
            caption=caption,
            caption_entities=entities,
            source=params.get("caption"),
            reply_markup=markup,
            media={"photo": [small, size]},
        )
        return message.to_json()

    async def _send_document(self, params: JSON) -> JSON:
        chat = self._writable_chat(params)
        stored = self._input_file(params, "document", "document")
        caption, entities = self._caption(params)
        markup = self._markup(params, chat)
        self._check_reply(chat, params)
        document = self._file_json(stored)
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        message = self._new_bot_message(
            chat,
            params,
            caption=caption,
            caption_entities=entities,
            source=params.get("caption"),
            reply_markup=markup,
            media={"document": document},
        )
        return message.to_json()

    async def _get_file(self, params: JSON) -> JSON:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {**self._file_json(stored), "file_path": _file_path(stored)}

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat(params)
        return {**chat.to_json(), "accent_color_id": 0, "max_reaction_count": 11}


# --- helpers --------------------------------------------------------------------------------------


def _command_entities(text: str) -> list[JSON]:
    entities = []
    for match in re.finditer(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?![\w/])", text):
        offset = utf16_len(text[: match.start()])
        entities.append({"type": "bot_command", "offset": offset, "length": utf16_len(match[0])})
    return entities


def _webhook_queue(update: JSON) -> tuple[str, int]:
    """The webhook queue an update waits in, keyed as telegram-bot-api's Client.cpp keys them:
    a chat's messages (new and edited), a user's callback queries, a chat's my_chat_member
    updates, a user's chat_member updates and join requests; anything else is on its own."""
    kind = next(key for key in update if key != "update_id")
    body = update[kind]
    if kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        return "message", int(body["chat"]["id"])
    if kind in ("business_message", "edited_business_message"):
        return "business_message", int(body["chat"]["id"])
    if kind == "callback_query":
        return kind, int(body["from"]["id"])
    if kind == "my_chat_member":
        return kind, int(body["chat"]["id"])
    if kind == "chat_member":
        return kind, int(body["new_chat_member"]["user"]["id"])
    if kind == "chat_join_request":
        return "chat_member", int(body["from"]["id"])
    return "update", int(update["update_id"])


def _scope_key(scope: JSON) -> str:
    kind = str(scope.get("type", "default"))
    if kind == "chat_member":
        return f"chat_member:{_as_int(scope.get('chat_id'))}:{_as_int(scope.get('user_id'))}"
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{_as_int(scope.get('chat_id'))}"
    return kind


def _as_int(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _int(params: JSON, key: str, default: int) -> int:
    value = params.get(key)
    return value if isinstance(value, int) else default


def _remove(items: list[JSON], item: JSON) -> None:
    for index, candidate in enumerate(items):
        if candidate is item:
            del items[index]
            return


def _file_path(stored: StoredFile) -> str:
    return f"{stored.kind}s/{stored.file_unique_id}"


def _json_response(body: JSON, status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _drop(request: web.Request) -> web.Response:
    """Close the connection: the client sees the server disconnect, not an answer."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=500)


def _normalize(key: str, value: Any) -> Any:
    """Form values are strings; decode them as Telegram does for the parameter's type."""
    if isinstance(value, Upload) or value is None:
        return value
    if key in JSON_PARAMS:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
        return value
    if key in INT_PARAMS:
        if isinstance(value, str):
            stripped = value.strip()
            if re.fullmatch(r"-?\d+", stripped):
                return int(stripped)
            if key != "chat_id":
                raise bad_request(f"invalid {key} specified")
        return value
    if key in BOOL_PARAMS and isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return value


async def _read_params(request: web.Request) -> JSON:
    """Query string plus a JSON, form-urlencoded or multipart body; ``attach://`` resolved."""
    raw: JSON = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            raw.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    if len(data) > MAX_UPLOAD:
                        raise ApiError(413, "Request Entity Too Large")
                    files[key] = Upload(value.filename, value.content_type, data)
                elif isinstance(value, str):
                    raw[key] = value
                else:
                    raw[key] = bytes(value).decode()
    params: JSON = {}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            params[key] = files.pop(value[9:])
        else:
            params[key] = _normalize(key, value)
    for key, upload in files.items():
        params.setdefault(key, upload)
    return params


async def _webhook_reply(response: aiohttp.ClientResponse) -> tuple[str, JSON] | None:
    """A method call in the webhook's answer ("making requests when getting updates")."""
    content_type = response.content_type
    raw: JSON = {}
    files: dict[str, Upload] = {}
    if content_type == "application/json":
        try:
            body = await response.json()
        except ValueError:
            return None
        if isinstance(body, dict):
            raw = body
    elif content_type == "multipart/form-data":
        reader = aiohttp.MultipartReader(response.headers, response.content)
        while (part := await reader.next()) is not None:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            data = await part.read()
            if part.filename:
                files[part.name] = Upload(part.filename, "application/octet-stream", bytes(data))
            else:
                raw[part.name] = bytes(data).decode()
    method = raw.pop("method", None)
    if not isinstance(method, str) or not method:
        return None
    params: JSON = {}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            params[key] = files.pop(value[9:])
        else:
            try:
                params[key] = _normalize(key, value)
            except ApiError:
                params[key] = value
    return method, params
