"""A rep's conversation state: plain JSON-able data, so storage can keep it in one column.

The state is everything needed to continue exactly where the rep left off, in any process.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

STATE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Pending:
    """A sub-question inside a step, e.g. "Tue 25 Nov, 15:00 — right?" before a date is accepted."""

    kind: str  # "confirm_date" | "confirm_past"
    value: Any = None


@dataclass(frozen=True, slots=True)
class Run:
    """One pass through one script (a debrief, a plan ...)."""

    no: int
    script: str
    version: int
    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    revisit: bool = False
    """The rep went back: ``step`` is being answered again."""
    pending: Pending | None = None
    selection: tuple[str, ...] = ()
    """Options toggled so far on a multiple-choice question answered with buttons."""
    started_at: str = ""
    updated_at: str = ""
    edits: int = 0
    """How often the rep reopened this run after finishing it (/edit)."""
    carried: tuple[str, ...] = ()
    """Steps pre-filled from a chained run: kept even on a branch this run does not take."""


@dataclass(frozen=True, slots=True)
class Conversation:
    active: Run | None = None
    drafts: tuple[Run, ...] = ()
    mode: str = ""
    """"" or a confirmation being asked: "confirm_cancel", "confirm_discard", "resume_or_new"."""
    mode_arg: str = ""
    runs: int = 0
    """How many runs this rep has started; the next run's number is ``runs + 1``."""
    token: int = 0
    """Bumped each time a question is asked; buttons carry it, so stale taps are recognised."""
    last_seen: str = ""
    finished: tuple[Run, ...] = ()
    """The latest finished runs, newest last, which /edit can reopen for a while."""
    memory: dict[str, Any] = field(default_factory=dict)
    """What later conversations may quote: recent customers, kept answers, a short history
    (see ``dialogs.memory``)."""


def run_to_json(run: Run) -> dict[str, Any]:
    data: dict[str, Any] = {
        "no": run.no,
        "script": run.script,
        "version": run.version,
        "step": run.step,
        "answers": run.answers,
        "started_at": run.started_at,
        "updated_at": run.updated_at,
    }
    if run.revisit:
        data["revisit"] = True
    if run.pending is not None:
        data["pending"] = {"kind": run.pending.kind, "value": run.pending.value}
    if run.selection:
        data["selection"] = list(run.selection)
    if run.edits:
        data["edits"] = run.edits
    if run.carried:
        data["carried"] = list(run.carried)
    return data


def run_from_json(data: dict[str, Any]) -> Run:
    pending = data.get("pending")
    return Run(
        no=int(data["no"]),
        script=str(data["script"]),
        version=int(data["version"]),
        step=str(data["step"]),
        answers=dict(data.get("answers", {})),
        revisit=bool(data.get("revisit", False)),
        pending=Pending(pending["kind"], pending.get("value")) if pending else None,
        selection=tuple(data.get("selection", ())),
        started_at=str(data.get("started_at", "")),
        updated_at=str(data.get("updated_at", "")),
        edits=int(data.get("edits", 0)),
        carried=tuple(data.get("carried", ())),
    )


def to_json(state: Conversation) -> dict[str, Any]:
    return {
        "format": STATE_FORMAT,
        "active": run_to_json(state.active) if state.active else None,
        "drafts": [run_to_json(r) for r in state.drafts],
        "mode": state.mode,
        "mode_arg": state.mode_arg,
        "runs": state.runs,
        "token": state.token,
        "last_seen": state.last_seen,
        "finished": [run_to_json(r) for r in state.finished],
        "memory": state.memory,
    }


def from_json(data: dict[str, Any] | None) -> Conversation:
    if not data:
        return Conversation()
    active = data.get("active")
    return Conversation(
        active=run_from_json(active) if active else None,
        drafts=tuple(run_from_json(r) for r in data.get("drafts", ())),
        mode=str(data.get("mode", "")),
        mode_arg=str(data.get("mode_arg", "")),
        runs=int(data.get("runs", 0)),
        token=int(data.get("token", 0)),
        last_seen=str(data.get("last_seen", "")),
        finished=tuple(run_from_json(r) for r in data.get("finished", ())),
        memory=dict(data.get("memory") or {}),
    )


__all__ = ["Conversation", "Pending", "Run", "from_json", "replace", "to_json"]
