"""The weekly digest's figures for the seeded team (``seed.py``), against values counted by hand
from the seed's patterns — not recomputed by the code under test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from reports.digest import BadWeek, Digest, compute, last_week, parse_week, week_window
from storage.activity import UnknownTeam, load_scoped, load_team
from storage.teams import NotYourTeam, Teams
from tests.reports.seed import MANAGER, NOW, WEEK, rep_key

# rep: visits, new, existing, planned, planned debriefed, visits with a plan, goals reached,
#      weekly plan, weekly review, follow-ups done, follow-ups overdue
BY_HAND = {
    1: (3, 1, 2, 2, 2, 2, 2, 1, 1, 3, 0),
    2: (4, 1, 3, 4, 4, 4, 3, 1, 1, 4, 1),  # the W44 follow-up still open
    3: (5, 1, 4, 4, 4, 4, 1, 1, 1, 5, 0),
    4: (2, 1, 1, 2, 2, 2, 2, 0, 0, 2, 0),
    5: (3, 1, 2, 3, 2, 2, 3, 1, 1, 3, 0),  # Ghost 5 planned, never debriefed
    6: (4, 1, 3, 4, 4, 4, 1, 1, 1, 3, 1),
    7: (5, 1, 4, 4, 4, 4, 2, 0, 0, 5, 0),
    8: (2, 1, 1, 2, 2, 2, 2, 1, 1, 2, 0),
    9: (3, 1, 2, 3, 2, 2, 1, 1, 1, 3, 0),  # Ghost 9
    10: (4, 1, 3, 4, 4, 4, 2, 1, 0, 4, 0),
    11: (5, 1, 4, 4, 4, 4, 3, 1, 1, 4, 1),
    12: (2, 1, 1, 2, 2, 2, 1, 1, 1, 2, 0),
}
FIELDS = (
    "visits",
    "new",
    "existing",
    "planned",
    "planned_debriefed",
    "with_plan",
    "goals",
    "week_plans",
    "week_reviews",
    "follow_ups_done",
    "follow_ups_overdue",
)


def digest(engine: sa.Engine, team_id: int, week: str = WEEK, now: datetime = NOW) -> Digest:
    start, end = week_window(week, "Asia/Shanghai")
    return compute(load_team(engine, team_id, start, end, as_of=min(now, end)), week, now)


def by_key(result: Digest) -> dict[str, object]:
    return {week.rep.key: week.figures for week in result.reps}


def test_each_reps_week_matches_the_hand_count(engine: sa.Engine, team_id: int) -> None:
    result = digest(engine, team_id)
    figures = by_key(result)
    assert sorted(figures) == sorted(rep_key(i) for i in range(1, 13))  # no outsider, no manager
    for i, expected in BY_HAND.items():
        got = tuple(getattr(figures[rep_key(i)], name) for name in FIELDS)
        assert got == expected, f"rep {i}"


def test_the_teams_week_matches_the_hand_count(engine: sa.Engine, team_id: int) -> None:
    team = digest(engine, team_id).team
    assert (team.reps, team.working_days) == (12, 5)
    assert tuple(getattr(team, name) for name in FIELDS) == (
        42,
        12,
        30,
        38,
        36,
        36,
        23,
        10,
        9,
        40,
        3,
    )
    assert team.visits_per_day == pytest.approx(0.7)  # 42 / (12 reps x 5 days)
    assert team.debrief_rate == pytest.approx(36 / 38)
    assert team.plan_rate == pytest.approx(36 / 42)
    assert team.goal_rate == pytest.approx(23 / 42)
    # price: k = 0, 3; timing: k = 1, 4; need: k = 2 — per group of reps with 3, 4, 5, 2 visits
    assert team.objections == {"price": 18, "timing": 15, "need": 9, "product": 1}
    assert team.revisit_overdue == {"A": 3, "B": 1}  # Old C 1: 55 days, class C allows 90


def test_rates_and_revisits_per_rep(engine: sa.Engine, team_id: int) -> None:
    figures = by_key(digest(engine, team_id))
    rep3, rep5 = figures[rep_key(3)], figures[rep_key(5)]
    assert rep3.visits_per_day == pytest.approx(1.0)  # type: ignore[attr-defined]
    assert rep3.goal_rate == pytest.approx(0.2)  # type: ignore[attr-defined]
    assert rep3.revisit_overdue == {"A": 1, "B": 1}  # type: ignore[attr-defined]
    assert rep5.debrief_rate == pytest.approx(2 / 3)  # type: ignore[attr-defined]
    assert figures[rep_key(1)].revisit_overdue == {"A": 1}  # type: ignore[attr-defined]
    assert figures[rep_key(12)].revisit_overdue == {}  # type: ignore[attr-defined]
    # rep 3's visits k = 0..4: price, timing, need, price, timing; rep 2's fourth adds product
    assert rep3.objections == {"price": 2, "timing": 2, "need": 1}  # type: ignore[attr-defined]
    assert figures[rep_key(2)].objections == {  # type: ignore[attr-defined]
        "price": 2,
        "timing": 1,
        "need": 1,
        "product": 1,
    }


def test_it_names_who_did_not_debrief_or_plan_and_the_escalated_follow_ups(
    engine: sa.Engine, team_id: int
) -> None:
    result = digest(engine, team_id)
    assert [(u.rep.key, u.customers) for u in result.not_debriefed] == [
        (rep_key(5), ("Ghost 5",)),
        (rep_key(9), ("Ghost 9",)),
    ]
    assert sorted(rep.key for rep in result.no_week_plan) == [rep_key(4), rep_key(7)]
    # rep 2: due Wed 28 Oct 10:00, rep 6: due Wed 18 Nov 10:00 (Shanghai), as of Mon 23 Nov 00:00;
    # rep 11's follow-up (due Fri 20 Nov) is 2 days overdue: counted, not escalated
    assert [(e.rep.key, e.customer, e.days_overdue) for e in result.escalated] == [
        (rep_key(2), "Cust 2-0", 25),
        (rep_key(6), "Cust 6-0", 4),
    ]


def test_an_earlier_week_and_a_week_in_progress(engine: sa.Engine, team_id: int) -> None:
    early = digest(engine, team_id, "2026-W40")
    assert early.team.visits == 42 + 4  # and the four old customers seen in W40 (Old B 3: W41)
    assert early.team.revisit_overdue == {}
    # Wednesday of W47: only Monday's and Tuesday's visits so far (every rep has 2 or more)
    wednesday = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)  # 12:00 Shanghai
    middle = digest(engine, team_id, WEEK, wednesday)
    assert middle.as_of == wednesday
    assert middle.team.visits == 24
    assert middle.escalated[0].days_overdue == 21  # rep 2's, as of Wednesday noon


def test_weeks_are_parsed_and_bounded_in_the_teams_zone() -> None:
    assert parse_week("2026-w47") == (2026, 47)
    start, end = week_window("2026-W47", "Asia/Shanghai")
    assert start == datetime(2026, 11, 15, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert last_week(NOW, "Asia/Shanghai") == "2026-W47"
    for bad in ("2026-47", "W47", "2025-W53", "2026-W00", "next week"):
        with pytest.raises(BadWeek):
            parse_week(bad)


def test_a_week_that_has_not_started_is_refused(engine: sa.Engine, team_id: int) -> None:
    with pytest.raises(BadWeek):
        digest(engine, team_id, "2026-W49")


def test_the_scoped_entry_refuses_another_team(engine: sa.Engine, team_id: int) -> None:
    teams = Teams(engine)
    start, end = week_window(WEEK, "Asia/Shanghai")
    mine = load_scoped(engine, teams.scope(MANAGER), team_id, start, end, as_of=end)
    assert len(mine.reps) == 12
    with pytest.raises(NotYourTeam):
        load_scoped(engine, teams.scope("tg:200"), team_id, start, end, as_of=end)
    with pytest.raises(NotYourTeam):  # a rep is no manager
        load_scoped(engine, teams.scope(rep_key(1)), team_id, start, end, as_of=end)
    with pytest.raises(UnknownTeam):
        load_team(engine, 999, start, end, as_of=end)


def test_a_team_holiday_is_no_working_day(engine: sa.Engine, team_id: int) -> None:
    Teams(engine).scope(MANAGER).set_settings(team_id, now=NOW, holidays=("2026-11-20",))
    team = digest(engine, team_id).team
    assert team.working_days == 4
    assert team.visits_per_day == pytest.approx(42 / 48)


def test_a_team_without_reps(engine: sa.Engine, team_id: int) -> None:
    empty = Teams(engine).create_team("tg:400", "Empty", now=NOW, check=False)
    result = digest(engine, empty.id)
    assert result.reps == ()
    assert (result.team.reps, result.team.visits, result.team.visits_per_day) == (0, 0, 0.0)
    assert result.team.goal_rate is None
