"""A rep's real pre-call plan and debrief, typed through the engine and the store, count in the
digest as the seeded rows do — so the seed's direct inserts match what the scripts store."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from coaching_scripts import load_catalog
from dialogs.engine import step
from dialogs.types import CommandIn, TextIn
from reports.digest import compute, week_window
from storage.activity import load_team
from storage.store import Profile, Store
from storage.teams import Teams
from tests.reports.seed import NOW, SEEDED, TZ, WEEK, ZONE

INPUTS = Path(__file__).parents[1] / "golden" / "inputs"


def replay(store: Store, profile: Profile, name: str, now: datetime) -> None:
    """A golden session (``tests/golden/inputs/<name>.txt``), every answer at ``now``."""
    store.handle(profile, CommandIn("start", name.split(".")[0]), now=now)
    for line in (INPUTS / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("# after:"):  # the session it follows is replayed before
            store.handle(profile, TextIn(line), now=now)


def test_a_real_plan_and_debrief_count_in_the_digest(engine: sa.Engine, team_id: int) -> None:
    Teams(engine).add_member(team_id, "tg:13", "rep", now=SEEDED, display_name="Wei")
    store = Store(engine, functools.partial(step, load_catalog()))
    profile = Profile("tg:13", "Wei", "en", TZ)
    store.set_timezone("tg:13", TZ)
    # Tuesday 09:00: the plan for "Thursday 10am" at Huaxin Logistics; Thursday 14:00: the
    # debrief (existing customer, class B, goal not met, objections price and timing)
    replay(store, profile, "precall.en", datetime(2026, 11, 17, 9, 0, tzinfo=ZONE))
    replay(store, profile, "debrief.planned.en", datetime(2026, 11, 19, 14, 0, tzinfo=ZONE))
    finished = [(run.script, run.status) for run in store.runs("tg:13")]
    assert ("precall", "finished") in finished
    assert ("debrief", "finished") in finished

    start, end = week_window(WEEK, TZ)
    digest = compute(load_team(engine, team_id, start, end, as_of=end), WEEK, NOW)
    wei = next(week for week in digest.reps if week.rep.key == "tg:13").figures
    assert (wei.visits, wei.new, wei.existing) == (1, 0, 1)
    assert (wei.planned, wei.planned_debriefed, wei.with_plan) == (1, 1, 1)
    assert (wei.goals, wei.week_plans) == (0, 0)
    assert wei.objections == {"price": 1, "timing": 1}
    assert digest.team.visits == 42 + 1
    assert digest.team.objections["price"] == 18 + 1
