"""``coachbot team set``: the operator changes a team's settings with a manager's words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from storage.reminders import NewReminder, Reminders
from storage.teams import Teams
from tests.test_cli_teams import database, run

__all__ = ["database"]

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_team_set_changes_the_settings_and_moves_planned_nudges(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "team", "create", "North", "--manager", "7")[0] == 0
    engine = create_engine(database)
    teams = Teams(engine)
    team = teams.find("North")
    assert team is not None
    teams.add_member(team.id, "tg:42", "rep", now=NOW)
    uid = teams.scope("tg:7").reps(team.id)[0].user_id
    monday = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    Reminders(engine).add(
        [NewReminder(uid, "week_plan", f"week_plan:{uid}:2026-W50", monday)], now=NOW
    )

    status, out, _ = run(capsys, "team", "set", "North", "plan", "Tue", "08:30")
    assert status == 0
    assert "Weekly plan nudge: Tue 08:30" in out
    assert (teams.find("North") or team).settings.week_plan_at == "Tue 08:30"
    pending = [
        r.due_at
        for r in Reminders(engine).listing(user_key="tg:42")
        if r.kind == "week_plan" and r.status == "pending"
    ]
    assert pending == [datetime(2026, 12, 8, 0, 30, tzinfo=UTC)]  # Tuesday 08:30 there
    engine.dispose()


def test_team_set_refuses_what_it_cannot_read(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "team", "create", "North", "--manager", "7")
    status, _, err = run(capsys, "team", "set", "North", "holiday", "Christmas")
    assert status == 2
    assert "“Christmas” as a date" in err
    assert run(capsys, "team", "set", "Gamma", "plan", "Tue", "08:30")[0] == 1
