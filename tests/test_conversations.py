"""The turn use case (``coaching.conversations``) on a stand-in store: the rules around a turn —
which script a command starts, the team's probes, the buyer's voice — without a database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coaching.conversations import Conversations, command_event, open_chat, start
from coaching.ports import Profile, TurnResult
from coaching.teams import Standing, Team, TeamSettings
from dialogs.state import Conversation
from dialogs.types import CommandIn, Event, TextIn

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
QUIET = Team(1, "Quiet", TeamSettings(probes=False), NOW)
CURIOUS = Team(2, "Curious", TeamSettings(), NOW)


@dataclass
class Turns:
    """Records what the use case hands the store."""

    handled: list[tuple[Profile, Event, str, str | None]] = field(default_factory=list)
    sent: list[tuple[int, ...]] = field(default_factory=list)

    def handle(
        self,
        profile: Profile,
        event: Event,
        *,
        now: datetime,
        source: str = "console",
        external_id: str | None = None,
    ) -> TurnResult:
        self.handled.append((profile, event, source, external_id))
        return TurnResult((), (7,), False, 1)

    def mark_sent(self, outbox_ids: Sequence[int], *, now: datetime) -> None:
        self.sent.append(tuple(outbox_ids))

    def unsent(self, user_key: str) -> list[tuple[int, Any]]:
        return []

    def conversation(self, key: str) -> Conversation:
        return Conversation()

    def answers(self, key: str, run_no: int | None = None) -> dict[str, Any]:
        return {}


@dataclass
class Policies:
    settings: dict[str, TeamSettings]

    def changed_settings(self) -> dict[int, TeamSettings]:
        return {}

    def settings_of(self, key: str) -> TeamSettings | None:
        return self.settings.get(key)

    def is_admin(self, key: str) -> bool:
        return False


def test_a_command_starts_its_script_or_goes_to_the_engine() -> None:
    scripts = {"debrief", "precall"}
    assert command_event("debrief", "", scripts) == CommandIn("start", "debrief")
    assert command_event("plan", "x", scripts) == CommandIn("start", "precall")
    assert command_event("resume", "debrief", scripts) == CommandIn("resume", "debrief")
    assert start("coaching") == CommandIn("start", "coaching")
    assert open_chat() == CommandIn("open", "")


def test_the_team_the_gate_read_decides_the_probes() -> None:
    turns = Turns()
    use = Conversations(turns, source="telegram", clock=lambda: NOW)
    rep = Profile("tg:1")
    use.turn(rep, TextIn("hi"), external_id="5", standing=Standing(False, (), QUIET, None))
    use.turn(rep, TextIn("hi"), standing=Standing(False, (QUIET,), None, None))  # a manager
    use.turn(rep, TextIn("hi"), standing=Standing(False, (), CURIOUS, None))
    use.turn(rep, TextIn("hi"))  # no standing, no teams: as given
    assert [p.probes for p, *_ in turns.handled] == [False, False, True, True]
    assert turns.handled[0][2:] == ("telegram", "5")


def test_without_a_standing_the_team_is_read_now() -> None:
    turns = Turns()
    teams = Policies({"tg:1": TeamSettings(probes=False)})
    use = Conversations(turns, source="telegram", clock=lambda: NOW, teams=teams)
    use.turn(Profile("tg:1"), TextIn("hi"))
    use.turn(Profile("tg:1"), TextIn("hi"), standing=Standing(False, (), None, QUIET))  # pending
    use.turn(Profile("tg:2"), TextIn("hi"))
    assert [p.probes for p, *_ in turns.handled] == [False, False, True]


def test_the_voice_sees_the_stored_conversation_and_the_rep() -> None:
    turns = Turns()
    seen: list[tuple[Conversation, Event, Profile]] = []

    def voice(state: Conversation, event: Event, rep: Profile) -> Event:
        seen.append((state, event, rep))
        return TextIn("voiced")

    use = Conversations(turns, source="console", clock=lambda: NOW, voice=voice)
    result = use.turn(Profile("console:anna"), TextIn("too expensive"))
    use.delivered(result.outbox_ids)
    assert seen == [(Conversation(), TextIn("too expensive"), Profile("console:anna"))]
    assert turns.handled[0][1] == TextIn("voiced")
    assert turns.sent == [(7,)]
