"""coachbot on "Stub", a messenger with chats, text messages and buttons under a message.

The adapter does what every front end does (CONTRIBUTING.md, "Adding a front end"): an update
becomes an engine event, ``coaching.conversations.Conversations`` runs the turn (the store commits
it), the replies become the messenger's own messages, and once they are delivered their outbox
rows are marked sent.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from coaching.conversations import Conversations, command_event
from coaching.ports import Profile
from coaching.users import UserRef
from dialogs.catalog import Catalog
from dialogs.types import Ask, Event, PickIn, Reply, TextIn
from storage.store import Store

SOURCE = "stub"
"""The platform's name: in its users' keys, and in the inbox (an update id is unique within it)."""
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Update:
    """What Stub posts: a typed ``text`` or a tapped button's ``data``, from ``user``."""

    update_id: int
    user: str
    text: str | None = None
    data: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Message:
    """What Stub shows: plain text, and buttons under a question."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass
class StubFrontEnd:
    """One bot on Stub: ``receive`` an update, get the messages to show (already delivered)."""

    store: Store
    catalog: Catalog
    clock: Callable[[], datetime]
    lang: str = "en"
    tz: str = "UTC"
    shown: dict[str, list[Message]] = field(default_factory=dict)

    def receive(self, update: Update) -> list[Message]:
        key = str(UserRef(SOURCE, update.user))  # "stub:rita": the platform, its user id
        profile = Profile(key=key, lang=self.lang, tz=self.tz)
        turns = Conversations(self.store, source=SOURCE, clock=self.clock)
        result = turns.turn(profile, self.event(update), external_id=str(update.update_id))
        messages = [render(reply) for reply in result.replies]  # a redelivery: none
        self.shown.setdefault(update.user, []).extend(messages)  # "delivered"
        turns.delivered(result.outbox_ids)
        return messages

    def event(self, update: Update) -> Event:
        if update.data is not None:
            token, _, option = update.data.partition(":")
            return PickIn(int(token), option)
        text = update.text or ""
        if not text.startswith("/"):
            return TextIn(text)
        name, _, arg = text[1:].partition(" ")
        return command_event(name.lower(), arg.strip(), self.catalog.scripts)


def render(reply: Reply) -> Message:
    """Stub shows plain text; a question's choices become buttons that name the question."""
    if not isinstance(reply, Ask):
        return Message(plain(reply.text))
    buttons = tuple(Button(plain(c.label), f"{reply.token}:{c.id}") for c in reply.choices)
    text = (
        f"[{plain(reply.progress)}]\n{plain(reply.text)}" if reply.progress else plain(reply.text)
    )
    return Message(text, buttons)


def plain(text: str) -> str:
    """The engine's texts are Telegram-style HTML; Stub shows plain text."""
    return html.unescape(_TAG.sub("", text))
