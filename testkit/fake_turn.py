"""A small stand-in for the engine, so the storage tests don't depend on it.

A run asks questions q1..qN; each text answers the current question (``AnswerSaved``); the first
event of a run starts it (``RunStarted``) and also counts as the answer to q1. Commands: ``back``
(re-ask the previous question), ``drop`` (``AnswerDropped`` for the previous question), ``pause``
(``RunDrafted``), ``resume`` (``RunResumed``), ``discard`` (``RunDiscarded``), ``boom`` (raises).
After qN the run finishes with ``RunFinished``, ``ManagerNotice`` and ``FollowUpWanted``. Module
level and picklable, so spawned subprocesses can use it too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dialogs.state import Conversation, Run
from dialogs.types import (
    AnswerDropped,
    AnswerSaved,
    Ask,
    CommandIn,
    Context,
    Effect,
    Event,
    FollowUpWanted,
    ManagerNotice,
    MediaIn,
    MediaKept,
    Reply,
    RunDiscarded,
    RunDrafted,
    RunFinished,
    RunResumed,
    RunStarted,
    Say,
    TextIn,
    Turn,
)

QUESTIONS = 30
SCRIPT = "fake"


class Boom(RuntimeError):
    pass


def fake_turn(state: Conversation, event: Event, ctx: Context) -> Turn:
    return turn_with(QUESTIONS, state, event, ctx)


def turn_with(questions: int, state: Conversation, event: Event, ctx: Context) -> Turn:
    effects: list[Effect] = []
    replies: list[Reply] = []
    stamp = ctx.now.isoformat()
    state = replace(state, last_seen=stamp)
    if isinstance(event, CommandIn) and event.name == "boom":
        raise Boom("the turn function failed")
    run = state.active
    if isinstance(event, CommandIn) and event.name == "resume" and state.drafts:
        if run is not None:
            return Turn(state, (Say("finish the current run first"),), ())
        run, drafts = state.drafts[-1], state.drafts[:-1]
        state = replace(state, active=run, drafts=drafts)
        effects.append(RunResumed(run.no))
    elif run is None:
        no = state.runs + 1
        run = Run(no=no, script=SCRIPT, version=1, step="q1", started_at=stamp, updated_at=stamp)
        state = replace(state, runs=no)
        effects.append(RunStarted(no, SCRIPT, 1))
        if isinstance(event, CommandIn):  # a command only starts the run
            event = CommandIn("")
    k = int(run.step[1:])
    if isinstance(event, TextIn):
        answers = {**run.answers, run.step: event.text}
        effects.append(AnswerSaved(run.no, run.step, event.text))
        if k == questions:
            summary = f"{SCRIPT} #{run.no}: " + ", ".join(f"{s}={v}" for s, v in answers.items())
            effects += [
                RunFinished(run.no, SCRIPT, summary, answers),
                ManagerNotice(run.no, SCRIPT, summary),
                FollowUpWanted(run.no, ctx.now + timedelta(days=1), "next visit"),
            ]
            replies.append(Say(f"done ({ctx.lang}, {ctx.tz})"))
            return Turn(replace(state, active=None), tuple(replies), tuple(effects))
        run = replace(run, step=f"q{k + 1}", answers=answers, revisit=False, updated_at=stamp)
    elif isinstance(event, MediaIn):
        effects.append(MediaKept(run.no, run.step, event.kind, event.ref))
    elif isinstance(event, CommandIn) and event.name in ("back", "drop") and k > 1:
        previous = f"q{k - 1}"
        if event.name == "drop":
            effects.append(AnswerDropped(run.no, previous))
            answers = {s: v for s, v in run.answers.items() if s != previous}
            run = replace(run, answers=answers)
        run = replace(run, step=previous, revisit=True)
    elif isinstance(event, CommandIn) and event.name == "pause":
        effects.append(RunDrafted(run.no))
        state = replace(state, active=None, drafts=(*state.drafts, run))
        return Turn(state, (Say("paused"),), tuple(effects))
    elif isinstance(event, CommandIn) and event.name == "discard":
        effects.append(RunDiscarded(run.no))
        return Turn(replace(state, active=None), (Say("discarded"),), tuple(effects))
    state = replace(state, active=run, token=state.token + 1)
    k = int(run.step[1:])
    replies.append(
        Ask(
            token=state.token,
            step=run.step,
            kind="text",
            text=f"Question {k} ({ctx.lang}, {ctx.tz})",
            progress=f"{k}/{questions}",
            current=str(run.answers.get(run.step, "")),
            can_back=k > 1,
        )
    )
    return Turn(state, tuple(replies), tuple(effects))
