"""Finished visits for the summary tests and bench/summaries.py: a turn function that finishes a
whole run in one event, two teams with an instant and a daily-batch manager, and a stand-in for
the summaries' texts. Used with ``storage.store.Store`` (no engine, no catalog).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from dialogs.state import Conversation, Run
from dialogs.types import (
    AnswerSaved,
    Context,
    Effect,
    Event,
    ManagerNotice,
    NoteKept,
    RunFinished,
    RunStarted,
    Say,
    TextIn,
    Turn,
)
from storage.reviews import Draft, Notice, Reader
from storage.schema import user_table
from storage.store import Profile, Store
from storage.teams import ManagerPrefs, Team, Teams

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 17:00 in Shanghai


def visit_turn(state: Conversation, event: Event, ctx: Context) -> Turn:
    """A whole run in one event: the text is JSON ``{"script": ..., "answers": {...}}``."""
    assert isinstance(event, TextIn)
    data = json.loads(event.text)
    no = state.runs + 1
    stamp = ctx.now.isoformat()
    script, answers = data.get("script", "debrief"), data["answers"]
    run = Run(no=no, script=script, version=1, step="end", answers=answers, started_at=stamp)
    effects: list[Effect] = [RunStarted(no, script, 1)]
    effects += [AnswerSaved(no, step, value) for step, value in answers.items()]
    effects += [NoteKept(no, "feeling_score", text) for text in data.get("notes", ())]
    summary = f"<b>{script}</b> of {answers.get('customer', '')}"
    effects += [RunFinished(no, script, summary, answers), ManagerNotice(no, script, summary)]
    new = replace(state, runs=no, finished=(*state.finished, run))
    return Turn(new, (Say(summary),), tuple(effects))


def finish(store: Store, key: str, now: datetime = NOW, **answers: Any) -> None:
    script = answers.pop("script", "debrief")
    event = TextIn(json.dumps({"script": script, "answers": answers}))
    store.handle(Profile(key, key.replace("tg:", "rep ")), event, now=now)


def render(reader: Reader, notices: Sequence[Notice], daily: bool) -> list[Draft]:
    """A stand-in for ``coaching.summaries``: one message per notice, or one for the batch."""
    lines = [f"{n.rep_name}/{n.answers.get('customer')}/{','.join(n.flags)}" for n in notices]
    if daily:
        return [Draft("batch " + "; ".join(lines), ((("ok", "m:v:1"),),))]
    return [Draft(line) for line in lines]


def two_teams(teams: Teams) -> tuple[Team, Team]:
    """Team A: managers tg:10 (instant) and tg:13 (daily at 18:00 Shanghai), reps tg:11, tg:12.
    Team B: manager tg:20, rep tg:21."""
    a = teams.create_team("tg:10", "Alpha", now=NOW, check=False)
    b = teams.create_team("tg:20", "Beta", now=NOW, check=False)
    teams.add_member(a.id, "tg:13", "manager", now=NOW)
    for key in ("tg:11", "tg:12"):
        teams.add_member(a.id, key, "rep", now=NOW, display_name=key.replace("tg:", "rep "))
    teams.add_member(b.id, "tg:21", "rep", now=NOW, display_name="rep 21")
    with teams.engine.begin() as conn:
        conn.execute(
            sa.update(user_table).where(user_table.c.key == "tg:13").values(tz="Asia/Shanghai")
        )
    teams.scope("tg:13").set_prefs(a.id, ManagerPrefs(summaries="daily"), now=NOW)
    return a, b
