"""JSON for the engine's values: events (inbox), replies (outbox) and effects (effect rows).

Hand-written rather than reflective: these run on every turn, and an explicit format is a stable
one (a stored row must still decode after the dataclasses grow a field with a default).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dialogs.types import (
    AnswerDropped,
    AnswerSaved,
    Ask,
    Choice,
    CommandIn,
    Effect,
    Event,
    FollowUpWanted,
    ManagerNotice,
    MediaIn,
    MediaKept,
    NoteKept,
    Nudge,
    PickIn,
    Reply,
    RevisitWanted,
    RunDiscarded,
    RunDrafted,
    RunFinished,
    RunResumed,
    RunStarted,
    Say,
    TextIn,
)

Json = dict[str, Any]


class CodecError(ValueError):
    """A stored value that does not decode: unknown type or missing field."""


# --- events ---------------------------------------------------------------------------------------


def event_to_json(event: Event) -> Json:
    if isinstance(event, TextIn):
        if event.buyer:
            return {"type": "text", "text": event.text, "buyer": event.buyer}
        return {"type": "text", "text": event.text}
    if isinstance(event, PickIn):
        return {"type": "pick", "token": event.token, "option": event.option}
    if isinstance(event, CommandIn):
        return {"type": "command", "name": event.name, "arg": event.arg}
    if isinstance(event, MediaIn):
        return {"type": "media", "kind": event.kind, "ref": event.ref}
    raise CodecError(f"not an event: {event!r}")


def event_from_json(data: Json) -> Event:
    try:
        kind = data["type"]
        if kind == "text":
            return TextIn(str(data["text"]), str(data.get("buyer", "")))
        if kind == "pick":
            return PickIn(int(data["token"]), str(data["option"]))
        if kind == "command":
            return CommandIn(str(data["name"]), str(data.get("arg", "")))
        if kind == "media":
            return MediaIn(str(data["kind"]), str(data.get("ref", "")))
    except (KeyError, TypeError, ValueError) as error:
        raise CodecError(f"bad event {data!r}: {error}") from error
    raise CodecError(f"unknown event type in {data!r}")


# --- replies --------------------------------------------------------------------------------------


def reply_to_json(reply: Reply) -> Json:
    if isinstance(reply, Say):
        return {"type": "say", "text": reply.text}
    if isinstance(reply, Ask):
        data: Json = {
            "type": "ask",
            "token": reply.token,
            "step": reply.step,
            "kind": reply.kind,
            "text": reply.text,
            "progress": reply.progress,
        }
        if reply.choices:
            data["choices"] = [
                {"id": c.id, "label": c.label, "selected": True}
                if c.selected
                else {"id": c.id, "label": c.label}
                for c in reply.choices
            ]
        if reply.hint:
            data["hint"] = reply.hint
        if reply.current:
            data["current"] = reply.current
        if reply.can_skip:
            data["can_skip"] = True
        if reply.can_back:
            data["can_back"] = True
        return data
    if isinstance(reply, Nudge):
        return {
            "type": "nudge",
            "ref": reply.ref,
            "text": reply.text,
            "actions": [{"id": c.id, "label": c.label} for c in reply.actions],
            "version": reply.version,
        }
    raise CodecError(f"not a reply: {reply!r}")


def reply_from_json(data: Json) -> Reply:
    try:
        kind = data["type"]
        if kind == "say":
            return Say(str(data["text"]))
        if kind == "ask":
            return Ask(
                token=int(data["token"]),
                step=str(data["step"]),
                kind=str(data["kind"]),
                text=str(data["text"]),
                progress=str(data.get("progress", "")),
                choices=tuple(
                    Choice(str(c["id"]), str(c["label"]), bool(c.get("selected", False)))
                    for c in data.get("choices", ())
                ),
                hint=str(data.get("hint", "")),
                current=str(data.get("current", "")),
                can_skip=bool(data.get("can_skip", False)),
                can_back=bool(data.get("can_back", False)),
            )
        if kind == "nudge":
            return Nudge(
                ref=int(data["ref"]),
                text=str(data["text"]),
                actions=tuple(Choice(str(c["id"]), str(c["label"])) for c in data["actions"]),
                version=int(data.get("version", 0)),
            )
    except (KeyError, TypeError, ValueError) as error:
        raise CodecError(f"bad reply {data!r}: {error}") from error
    raise CodecError(f"unknown reply type in {data!r}")


# --- effects --------------------------------------------------------------------------------------

EFFECT_KIND: dict[type, str] = {
    FollowUpWanted: "follow_up",
    RevisitWanted: "revisit",
    ManagerNotice: "manager_notice",
    RunFinished: "run_finished",
    MediaKept: "media",
}
"""Effects that become an ``effect`` row for later consumers, and the row's ``kind``."""


def effect_to_json(effect: Effect) -> Json:
    """Every field of ``effect`` plus its ``type``; datetimes as ISO 8601 strings."""
    if isinstance(effect, RunStarted):
        return {
            "type": "run_started",
            "run": effect.run,
            "script": effect.script,
            "version": effect.version,
        }
    if isinstance(effect, AnswerSaved):
        return {
            "type": "answer_saved",
            "run": effect.run,
            "step": effect.step,
            "value": effect.value,
        }
    if isinstance(effect, AnswerDropped):
        return {"type": "answer_dropped", "run": effect.run, "step": effect.step}
    if isinstance(effect, RunDrafted):
        return {"type": "run_drafted", "run": effect.run}
    if isinstance(effect, RunResumed):
        return {"type": "run_resumed", "run": effect.run}
    if isinstance(effect, RunDiscarded):
        return {"type": "run_discarded", "run": effect.run}
    if isinstance(effect, RunFinished):
        return {
            "type": "run_finished",
            "run": effect.run,
            "script": effect.script,
            "summary": effect.summary,
            "answers": effect.answers,
            "revised": effect.revised,
        }
    if isinstance(effect, FollowUpWanted):
        return {
            "type": "follow_up",
            "run": effect.run,
            "at": effect.at.isoformat(),
            "about": effect.about,
            "step": effect.step,
            "visit": effect.visit,
            "customer": effect.customer,
        }
    if isinstance(effect, RevisitWanted):
        return {"type": "revisit", "run": effect.run, "customer": effect.customer}
    if isinstance(effect, ManagerNotice):
        return {
            "type": "manager_notice",
            "run": effect.run,
            "script": effect.script,
            "summary": effect.summary,
        }
    if isinstance(effect, MediaKept):
        return {
            "type": "media",
            "run": effect.run,
            "step": effect.step,
            "kind": effect.kind,
            "ref": effect.ref,
        }
    if isinstance(effect, NoteKept):
        return {"type": "note_kept", "run": effect.run_no, "step": effect.step, "text": effect.text}
    raise CodecError(f"not an effect: {effect!r}")


def effect_from_json(data: Json) -> Effect:
    try:
        kind = data["type"]
        run = int(data["run"])
        if kind == "run_started":
            return RunStarted(run, str(data["script"]), int(data["version"]))
        if kind == "answer_saved":
            return AnswerSaved(run, str(data["step"]), data.get("value"))
        if kind == "answer_dropped":
            return AnswerDropped(run, str(data["step"]))
        if kind == "run_drafted":
            return RunDrafted(run)
        if kind == "run_resumed":
            return RunResumed(run)
        if kind == "run_discarded":
            return RunDiscarded(run)
        if kind == "run_finished":
            return RunFinished(
                run,
                str(data["script"]),
                str(data["summary"]),
                dict(data.get("answers", {})),
                bool(data.get("revised", False)),
            )
        if kind == "follow_up":
            return FollowUpWanted(
                run,
                datetime.fromisoformat(data["at"]),
                str(data["about"]),
                str(data.get("step", "")),
                bool(data.get("visit", False)),
                str(data.get("customer", "")),
            )
        if kind == "revisit":
            return RevisitWanted(run, str(data.get("customer", "")))
        if kind == "manager_notice":
            return ManagerNotice(run, str(data["script"]), str(data["summary"]))
        if kind == "media":
            return MediaKept(run, str(data["step"]), str(data["kind"]), str(data.get("ref", "")))
        if kind == "note_kept":
            return NoteKept(run, str(data["step"]), str(data["text"]))
    except (KeyError, TypeError, ValueError) as error:
        raise CodecError(f"bad effect {data!r}: {error}") from error
    raise CodecError(f"unknown effect type in {data!r}")


__all__ = [
    "EFFECT_KIND",
    "CodecError",
    "effect_from_json",
    "effect_to_json",
    "event_from_json",
    "event_to_json",
    "reply_from_json",
    "reply_to_json",
]
