"""A rep's conversation with the coach: start a script, answer, resume — one turn each.

The front ends (Telegram, the console) turn what the rep did into an engine event and show the
replies; everything in between is here: which script a typed command starts, the rules around
the turn (the rep's team may switch the coach's probes off; a language model may voice the
role-play buyer) and the turn itself, committed through the ``TurnStore`` port
(``storage.store.Store``: state, answers, effects and replies in one transaction), and marking
its replies delivered. What the turn means is the engine's (``dialogs.engine.step``): a
``/resume`` or a chat that opens continues the run in progress, a finished run files its
follow-ups as effects, which ``coaching.reminders.ReminderDesk`` turns into reminders.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import replace
from datetime import datetime

from coaching.commands import script_for
from coaching.ports import Profile, TeamPolicies, TurnResult, TurnStore
from coaching.teams import Standing, TeamSettings
from dialogs.state import Conversation
from dialogs.types import CommandIn, Event

Voice = Callable[[Conversation, Event, Profile], Event]
"""(the rep's stored conversation, what the rep did, the rep) -> the event the engine gets: a
language model's line for the role-play buyer (``bot.llm_buyer.LlmBuyer``), or the event as is."""


def command_event(name: str, arg: str, scripts: Container[str]) -> Event:
    """The engine event for a command the front end does not answer itself (``name`` lower
    case, without the slash): a script's command starts that script (``/debrief``, ``/plan``),
    any other (``/back``, ``/cancel``, ``/resume``…) goes to the engine as is."""
    script = script_for(name, scripts)
    if script is not None:
        return CommandIn("start", script)
    return CommandIn(name, arg)


def start(script: str) -> Event:
    """Start ``script`` as if the rep typed its command (a button made outside the engine: a
    manager's coaching invitation, "debrief now" under a reminder)."""
    return CommandIn("start", script)


def open_chat(script: str = "") -> Event:
    """A chat that opens (the console's first turn): resume the run in progress, else start
    ``script`` (empty: offer the scripts)."""
    return CommandIn("open", script)


GREET = CommandIn("hello")
"""The rep says hello (Telegram's ``/start``, a language just chosen): where we are, or what the
coach can do."""


def team_settings(standing: Standing) -> TeamSettings | None:
    """The settings of the team that speaks for a user the gate let through: the team they are a
    rep of, else the first they manage (None: neither, e.g. an admin on no team)."""
    team = standing.team or (standing.manages[0] if standing.manages else None)
    return team.settings if team is not None else None


class Conversations:
    """The turn use case for one front end (``source``: ``"telegram"``, ``"console"``).

    Thread-safe as its ``TurnStore`` is; the calls block (the database), so an asyncio front end
    runs them in a worker thread, one at a time per rep."""

    def __init__(
        self,
        turns: TurnStore,
        *,
        source: str,
        clock: Callable[[], datetime],
        teams: TeamPolicies | None = None,
        voice: Voice | None = None,
    ) -> None:
        """``teams``: where a rep's team settings are read when the caller has no standing for
        this update (None: no team rules, as in the console). ``voice``: the role-play buyer's
        voice (None: off)."""
        self._turns = turns
        self._source = source
        self._clock = clock
        self._teams = teams
        self._voice = voice

    def turn(
        self,
        profile: Profile,
        event: Event,
        *,
        external_id: str | None = None,
        standing: Standing | None = None,
    ) -> TurnResult:
        """One turn of ``profile``'s conversation, committed (``external_id``: the update's id,
        so a redelivered one is answered once). ``standing``: the user's, as the front end read
        it for this update; without one the team's settings are read now."""
        profile = self.with_team_rules(profile, standing)
        if self._voice is not None:
            event = self._voice(self._turns.conversation(profile.key), event, profile)
        return self._turns.handle(
            profile, event, now=self._clock(), source=self._source, external_id=external_id
        )

    def with_team_rules(self, profile: Profile, standing: Standing | None) -> Profile:
        """``profile`` as the rep's team wants it: no probes (``/teamsettings probes off``).
        The team is the standing's when the gate let the user through, else (no standing, or
        not yet on a team, e.g. just joining) the one ``teams`` knows now."""
        settings = None
        if standing is not None and standing.allowed:
            settings = team_settings(standing)
        elif self._teams is not None:
            settings = self._teams.settings_of(profile.key)
        if settings is not None and not settings.probes:
            return replace(profile, probes=False)
        return profile

    def delivered(self, outbox_ids: Sequence[int]) -> None:
        """The replies of these outbox rows reached the rep (or there was nothing to show)."""
        self._turns.mark_sent(outbox_ids, now=self._clock())


__all__ = [
    "GREET",
    "Conversations",
    "Voice",
    "command_event",
    "open_chat",
    "start",
    "team_settings",
]
