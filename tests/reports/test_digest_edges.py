"""Edges of the digest a manager would notice: a weekly plan written over the weekend, and a
follow-up the rep keeps snoozing."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from reports.digest import Digest, compute, week_window
from storage.activity import load_team
from storage.schema import reminder_table
from storage.teams import Teams
from tests.reports.seed import NOW, TZ, Writer, local

W47_MONDAY = date(2026, 11, 16)


def team_with(engine: sa.Engine, *keys: str) -> tuple[int, dict[str, int]]:
    teams = Teams(engine)
    team = teams.create_team("tg:900", "Edges", now=NOW, tz=TZ, check=False)
    ids = {}
    for key in keys:
        teams.add_member(team.id, key, "rep", now=NOW)
    for member in teams.scope("tg:900").reps(team.id):
        ids[member.key] = member.user_id
    return team.id, ids


def digest_of(engine: sa.Engine, team_id: int, week: str) -> Digest:
    start, end = week_window(week, TZ)
    return compute(load_team(engine, team_id, start, end, as_of=min(NOW, end)), week, NOW)


def plans(result: Digest) -> dict[str, int]:
    return {week.rep.key: week.figures.week_plans for week in result.reps}


def test_a_weekly_plan_written_on_the_weekend_counts_for_the_week_ahead(
    engine: sa.Engine,
) -> None:
    team_id, ids = team_with(engine, "tg:1", "tg:2")
    with engine.begin() as conn:
        # tg:1 plans W47 on the Sunday before it; tg:2 writes on W47's Saturday, for W48
        Writer(conn, ids["tg:1"]).run("week_plan", local(W47_MONDAY - timedelta(days=1), 20), {})
        Writer(conn, ids["tg:2"]).run("week_plan", local(W47_MONDAY + timedelta(days=5), 10), {})
    w47 = digest_of(engine, team_id, "2026-W47")
    assert plans(w47) == {"tg:1": 1, "tg:2": 0}
    assert [rep.key for rep in w47.no_week_plan] == ["tg:2"]
    assert plans(digest_of(engine, team_id, "2026-W46")) == {"tg:1": 0, "tg:2": 0}


def test_a_snoozed_follow_up_is_overdue_from_the_day_promised(engine: sa.Engine) -> None:
    team_id, ids = team_with(engine, "tg:1")
    promised = local(W47_MONDAY, 10)  # Monday of W47; snoozed to the next Tuesday
    with engine.begin() as conn:
        Writer(conn, ids["tg:1"]).follow_up("Baker & Sons", promised, done=False, run_no=1)
        conn.execute(
            sa.update(reminder_table).values(due_at=promised + timedelta(days=8), snoozes=3)
        )
    result = digest_of(engine, team_id, "2026-W47")
    (escalation,) = result.escalated
    assert escalation.customer == "Baker & Sons"
    assert escalation.days_overdue == 6  # Monday 10:00 to the end of Sunday
    assert result.team.follow_ups_overdue == 1
