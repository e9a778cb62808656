"""What a Telegram message means to the engine: a typed answer, a command, or media."""

from __future__ import annotations

from collections.abc import Container

from aiogram.types import Message, User

from coaching import conversations
from coaching.users import UserRef
from dialogs.types import Event, Lang, MediaIn, TextIn, lang_of

MEDIA_KINDS = (
    "photo",
    "location",
    "voice",
    "audio",
    "video_note",
    "video",
    "animation",
    "sticker",
    "document",
    "contact",
    "poll",
    "venue",
    "dice",
)
"""Message fields checked in this order; the first present names the media kind."""


def language_of(user: User | None, default: Lang = "en") -> Lang:
    """The language on first contact: Telegram's language code (any zh* is Chinese), else the
    deployment's default."""
    code = ((user.language_code or "") if user else "").lower()
    if not code:
        return default
    return lang_of(code)


def user_key(user_id: int) -> str:
    return str(UserRef.telegram(user_id))


def command_event(name: str, arg: str, scripts: Container[str]) -> Event:
    """The engine event for a command the adapter does not handle itself: Telegram's /start
    (what a client sends when the chat opens) greets, the rest as every front end reads them
    (``coaching.conversations.command_event``)."""
    if name == "start":
        return conversations.GREET
    return conversations.command_event(name, arg, scripts)


def event_of(message: Message) -> Event:
    """The engine event for a private message that is no command: a typed answer, or media."""
    if message.text is not None:
        return TextIn(message.text)
    kind = next((kind for kind in MEDIA_KINDS if getattr(message, kind, None)), "other")
    return MediaIn(kind, _media_ref(message, kind))


def _media_ref(message: Message, kind: str) -> str:
    """What to keep of evidence: the file id (largest photo size) or the coordinates."""
    if kind == "photo" and message.photo:
        return message.photo[-1].file_id
    if kind == "location" and message.location:
        return f"{message.location.latitude:.6f},{message.location.longitude:.6f}"
    media = getattr(message, kind, None)
    return str(getattr(media, "file_id", "") or "")
