"""A store on dicts, for benchmarks and tests that need no database.

Same ``handle`` contract as ``storage.store.Store`` for one process (duplicates, outbox ids,
answers), and the same JSON round trips (state, event, replies) so that it costs what the codec
costs: the benchmark compares it with the durable stores to show what durability adds.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coaching.ports import Profile, TurnResult
from dialogs.state import Conversation, from_json, to_json
from dialogs.types import (
    AnswerDropped,
    AnswerSaved,
    Context,
    Event,
    Reply,
    RunFinished,
    RunStarted,
    lang_of,
)
from storage.codec import event_to_json, reply_from_json, reply_to_json
from storage.db import json_dumps, json_loads
from storage.store import TurnFn


@dataclass
class _User:
    id: int
    lang: str
    tz: str
    version: int = 0
    state: str = "{}"
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)


class MemoryStore:
    """Nothing survives the process: not durable, by design."""

    def __init__(self, turn: TurnFn) -> None:
        self._turn = turn
        self._lock = threading.Lock()
        self._users: dict[str, _User] = {}
        self._seen: set[tuple[str, str]] = set()
        self._outbox: dict[int, tuple[str, str, datetime | None]] = {}
        self._inbox: list[str] = []

    def handle(
        self,
        profile: Profile,
        event: Event,
        *,
        now: datetime,
        source: str = "console",
        external_id: str | None = None,
    ) -> TurnResult:
        with self._lock:
            user = self._users.get(profile.key)
            if user is None:
                user = _User(len(self._users) + 1, profile.lang, profile.tz)
                self._users[profile.key] = user
            if external_id is not None:
                if (source, external_id) in self._seen:
                    return TurnResult((), (), True, user.id)
                self._seen.add((source, external_id))
            self._inbox.append(json_dumps(event_to_json(event)))
            lang = lang_of(user.lang)
            state = from_json(json_loads(user.state))
            context = Context(now=now, lang=lang, tz=user.tz, probes=profile.probes)
            turn = self._turn(state, event, context)
            user.state = json_dumps(to_json(turn.state))
            user.version += 1
            for effect in turn.effects:
                if isinstance(effect, RunStarted):
                    user.answers[effect.run] = {}
                elif isinstance(effect, AnswerSaved):
                    user.answers.setdefault(effect.run, {})[effect.step] = effect.value
                elif isinstance(effect, AnswerDropped):
                    user.answers.get(effect.run, {}).pop(effect.step, None)
            ids = []
            for reply in turn.replies:
                oid = len(self._outbox) + 1
                self._outbox[oid] = (profile.key, json_dumps(reply_to_json(reply)), None)
                ids.append(oid)
            finished = any(isinstance(effect, RunFinished) for effect in turn.effects)
            return TurnResult(turn.replies, tuple(ids), False, user.id, lang, finished)

    def mark_sent(self, outbox_ids: Sequence[int], *, now: datetime) -> None:
        with self._lock:
            for oid in outbox_ids:
                key, payload, _ = self._outbox[oid]
                self._outbox[oid] = (key, payload, now)

    def unsent(self, user_key: str) -> list[tuple[int, Reply]]:
        with self._lock:
            return [
                (oid, reply_from_json(json_loads(payload)))
                for oid, (key, payload, sent) in self._outbox.items()
                if key == user_key and sent is None
            ]

    def conversation(self, key: str) -> Conversation:
        user = self._users.get(key)
        return from_json(json_loads(user.state)) if user else Conversation()

    def answers(self, key: str, run_no: int | None = None) -> dict[str, Any]:
        user = self._users.get(key)
        if user is None or not user.answers:
            return {}
        return dict(user.answers.get(run_no if run_no is not None else max(user.answers), {}))


__all__ = ["MemoryStore"]
