"""A test client that reads like a rep's conversation: ``send()``, ``click()``, ``command()``.

It drives the pure engine directly (no storage, no network) with an injected clock.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dialogs.catalog import Catalog
from dialogs.engine import step
from dialogs.state import Conversation
from dialogs.types import Ask, CommandIn, Context, Effect, Event, Lang, PickIn, Reply, Say, TextIn

SUNDAY_MORNING = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sun 22 Nov 2026, 10:00 in Shanghai


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass
class Chat:
    catalog: Catalog
    lang: Lang = "en"
    tz: str = "Asia/Shanghai"
    probes: bool = True
    now: datetime = SUNDAY_MORNING
    state: Conversation = field(default_factory=Conversation)
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    history: list[Effect] = field(default_factory=list)

    def event(self, event: Event) -> list[Reply]:
        context = Context(self.now, self.lang, self.tz, self.probes)
        turn = step(self.catalog, self.state, event, context)
        self.state = turn.state
        self.replies = list(turn.replies)
        self.effects = list(turn.effects)
        self.history.extend(turn.effects)
        return self.replies

    def send(self, text: str) -> list[Reply]:
        return self.event(TextIn(text))

    def command(self, name: str, arg: str = "") -> list[Reply]:
        return self.event(CommandIn(name, arg))

    def start(self, script: str = "sample") -> list[Reply]:
        return self.command("start", script)

    def click(self, label: str) -> list[Reply]:
        """Tap the button labelled ``label`` (or with that option id) on the last question."""
        ask = self.question
        for choice in ask.choices:
            if label in (choice.id, plain(choice.label)):
                return self.event(PickIn(ask.token, choice.id))
        raise AssertionError(f"no button {label!r} in {[plain(c.label) for c in ask.choices]}")

    def wait(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    @property
    def question(self) -> Ask:
        asks = [reply for reply in self.replies if isinstance(reply, Ask)]
        assert asks, f"no question asked; replies: {self.texts}"
        return asks[-1]

    @property
    def step_id(self) -> str:
        return self.question.step

    @property
    def texts(self) -> list[str]:
        return [plain(reply.text) for reply in self.replies]

    @property
    def said(self) -> str:
        return "\n".join(plain(r.text) for r in self.replies if isinstance(r, Say))

    def answers(self) -> dict[str, Any]:
        run = self.state.active
        return dict(run.answers) if run else {}
