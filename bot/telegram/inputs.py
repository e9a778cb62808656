"""What a Telegram message means to the engine: a typed answer, a command, or media."""

from __future__ import annotations

from collections.abc import Container

from aiogram.types import Message, User

from coaching.commands import script_for
from dialogs.types import CommandIn, Event, Lang, MediaIn, TextIn

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
    return "zh" if code.startswith("zh") else "en"


def user_key(user_id: int) -> str:
    return f"tg:{user_id}"


def command_of(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """``("debrief", "")`` for ``/debrief`` or ``/debrief@coachbot``; None for other text."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, arg = text[1:].partition(" ")
    name, _, addressee = head.partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    return name.lower(), arg.strip()


def event_of(message: Message, scripts: Container[str], bot_username: str | None) -> Event:
    """The engine event for a private message (commands the adapter handles itself aside)."""
    if message.text is not None:
        command = command_of(message.text, bot_username)
        if command is None:
            return TextIn(message.text)
        name, arg = command
        if name == "start":
            return CommandIn("hello")
        script = script_for(name, scripts)
        if script is not None:
            return CommandIn("start", script)
        return CommandIn(name, arg)
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
