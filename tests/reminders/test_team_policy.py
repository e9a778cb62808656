"""A team changes the reminder policy for its reps: weekly nudge times, class gaps, holidays.

Reps of other teams (and reps on no team) keep the operator's policy; a change counts from the
next tick, and moving the weekly nudges re-plans the ones already waiting.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from coaching.reminders import ReminderDesk
from dialogs.catalog import Catalog
from dialogs.types import Say
from reminders.policy import Policy, parse_weekly
from storage.reminders import Reminders
from storage.store import Profile, Store
from storage.teams import Teams
from tests.reminders.conftest import BERLIN, make_rep, replay

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday 18 Nov 2026


def setup(
    engine: sa.Engine, store: Store, reminders: Reminders, catalog: Catalog
) -> tuple[Teams, ReminderDesk, int]:
    """Team North (manager tg:10, rep tg:1) and rep tg:2 of team South; both in Berlin."""
    teams = Teams(engine)
    north = teams.create_team("tg:10", "North", now=NOW, check=False, tz=BERLIN)
    south = teams.create_team("tg:20", "South", now=NOW, check=False, tz=BERLIN)
    make_rep(store, "tg:1")
    make_rep(store, "tg:2")
    teams.add_member(north.id, "tg:1", "rep", now=NOW)
    teams.add_member(south.id, "tg:2", "rep", now=NOW)
    desk = ReminderDesk(reminders, catalog.messages, Policy(), key_prefix="tg:", teams=teams)
    return teams, desk, north.id


def weekly(reminders: Reminders, key: str, kind: str) -> list[datetime]:
    return [
        r.due_at
        for r in reminders.listing(user_key=key)
        if r.kind == kind and r.status == "pending"
    ]


def test_a_teams_weekly_times_apply_to_its_reps_only(
    engine: sa.Engine, store: Store, reminders: Reminders, catalog: Catalog
) -> None:
    teams, desk, north = setup(engine, store, reminders, catalog)
    teams.scope("tg:10").set_settings(
        north, now=NOW, week_plan_at="Tue 08:30", week_review_at="Thu 17:00"
    )
    desk.tick(NOW)
    # next Tuesday 08:30 and Thursday 17:00 in Berlin (UTC+1) for North's rep ...
    assert weekly(reminders, "tg:1", "week_plan") == [datetime(2026, 11, 24, 7, 30, tzinfo=UTC)]
    assert weekly(reminders, "tg:1", "week_review") == [datetime(2026, 11, 19, 16, 0, tzinfo=UTC)]
    # ... and the operator's Monday 09:00 / Friday 16:00 for South's
    assert weekly(reminders, "tg:2", "week_plan") == [datetime(2026, 11, 23, 8, 0, tzinfo=UTC)]
    assert weekly(reminders, "tg:2", "week_review") == [datetime(2026, 11, 20, 15, 0, tzinfo=UTC)]


def test_changing_the_times_moves_the_nudges_already_planned(
    engine: sa.Engine, store: Store, reminders: Reminders, catalog: Catalog
) -> None:
    teams, desk, north = setup(engine, store, reminders, catalog)
    desk.tick(NOW)
    assert weekly(reminders, "tg:1", "week_plan") == [datetime(2026, 11, 23, 8, 0, tzinfo=UTC)]
    teams.scope("tg:10").set_settings(north, now=NOW, week_plan_at="Mon 07:45")
    desk.refresh_teams()
    desk.move_weekly("tg:1", BERLIN, NOW)
    assert weekly(reminders, "tg:1", "week_plan") == [datetime(2026, 11, 23, 6, 45, tzinfo=UTC)]
    # a Monday 07:45 nudge is inside the operator's quiet hours (until 08:00): the team chose
    # the time, but quiet hours still hold, so it goes out at 08:00
    sent = [
        (moment, d.user_key)
        for moment in (
            datetime(2026, 11, 23, 6, 45, tzinfo=UTC) + timedelta(minutes=m)
            for m in range(0, 60, 5)
        )
        for d in desk.tick(moment).deliveries
        if d.user_key == "tg:1"
    ]
    assert [moment for moment, _ in sent] == [datetime(2026, 11, 23, 7, 0, tzinfo=UTC)]


def test_a_team_holiday_holds_its_reps_nudges_only(
    engine: sa.Engine, store: Store, reminders: Reminders, catalog: Catalog
) -> None:
    teams, desk, north = setup(engine, store, reminders, catalog)
    teams.scope("tg:10").set_settings(north, now=NOW, holidays=("2026-11-23",))
    desk.tick(NOW)
    monday_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    went = {d.user_key for d in desk.tick(monday_9 + timedelta(minutes=1)).deliveries}
    assert went == {"tg:2"}


def test_a_teams_class_gaps_decide_revisit_suggestions(
    engine: sa.Engine, store: Store, reminders: Reminders, catalog: Catalog
) -> None:
    teams, desk, north = setup(engine, store, reminders, catalog)
    visited = NOW - timedelta(days=10)
    replay(store, Profile("tg:1", "Ann", "en", BERLIN), "debrief.en", now=visited)  # class A

    def suggested() -> bool:
        replies = desk.follow_ups("tg:1", lang="en", tz=BERLIN, now=NOW)
        return any(isinstance(r, Say) and "due a visit" in r.text for r in replies)

    assert not suggested()  # the operator's class A: every 14 days
    teams.scope("tg:10").set_settings(north, now=NOW, class_days={"A": 7})
    assert suggested()


def test_settings_show_the_teams_weekly_times(
    engine: sa.Engine, store: Store, reminders: Reminders, catalog: Catalog
) -> None:
    teams, desk, north = setup(engine, store, reminders, catalog)
    teams.scope("tg:10").set_settings(north, now=NOW, week_plan_at="Tue 08:30")

    def labels(key: str) -> str:
        shown = desk.settings(key, lang="en", tz=BERLIN, now=NOW)
        return " ".join(str(action.label) for action in shown.actions)

    assert "Weekly plan (Tue 08:30)" in labels("tg:1")
    assert "Weekly plan (Mon 09:00)" in labels("tg:2")


def test_team_values_that_do_not_parse_keep_the_operators() -> None:
    base = Policy()
    changed = base.for_team(week_plan_at="someday 9", holidays=("2026-13-40", "2026-12-24"))
    assert changed.week_plan_at == base.week_plan_at
    assert changed.holidays == frozenset({date(2026, 12, 24)})
    assert parse_weekly("friday 16:00") == (4, time(16, 0))
    assert parse_weekly("Fri 25:00") is None


def test_a_rep_removed_from_the_team_is_not_nudged_any_more(
    engine: sa.Engine, store: Store, reminders: Reminders, catalog: Catalog
) -> None:
    teams, desk, north = setup(engine, store, reminders, catalog)
    admin_desk = ReminderDesk(
        reminders, catalog.messages, Policy(), key_prefix="tg:", teams=Teams(engine, ["tg:3"])
    )
    make_rep(store, "tg:3")  # an admin on no team
    desk.tick(NOW)
    admin_desk.keep_weekly_ahead(NOW)
    scope = teams.scope("tg:10")
    scope.remove(north, scope.reps(north)[0].user_id, now=NOW)
    monday_9 = datetime(2026, 11, 23, 8, 1, tzinfo=UTC)
    went = {d.user_key for d in admin_desk.tick(monday_9).deliveries}
    assert went == {"tg:2", "tg:3"}  # South's rep and the admin; not North's removed rep
    (skipped,) = [
        r
        for r in reminders.listing(user_key="tg:1", statuses=("skipped",))
        if r.kind == "week_plan"
    ]
    assert skipped.due_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_the_weekly_planning_ends_when_a_thousand_nudges_cannot_be_made(
    engine: sa.Engine, reminders: Reminders, catalog: Catalog
) -> None:
    """A weekly nudge a rep cancelled ahead of time is not revived (same key): such reps stay
    without a pending one, and the planning pass must still end (it pages by user id)."""
    from storage.schema import reminder_table, user_table

    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    with engine.begin() as conn:
        ids = (
            conn.execute(
                sa.insert(user_table).returning(user_table.c.id),
                [
                    {"key": f"tg:{5000 + n}", "tz": BERLIN, "created_at": NOW, "active": True}
                    for n in range(1001)
                ],
            )
            .scalars()
            .all()
        )
        conn.execute(
            sa.insert(reminder_table),
            [
                {
                    "user_id": uid,
                    "kind": "week_plan",
                    "key": f"week_plan:{uid}:2026-W48",
                    "wanted_at": monday,
                    "due_at": monday,
                    "status": "cancelled",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for uid in ids
            ],
        )
    desk = ReminderDesk(reminders, catalog.messages, Policy(), key_prefix="tg:")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (desk.keep_weekly_ahead(NOW), done.set()))
    worker.start()
    worker.join(timeout=60)
    assert done.is_set(), "the weekly planning did not end"
    reviews = [r for r in reminders.listing(user_key="tg:5000") if r.kind == "week_review"]
    assert len(reviews) == 1  # the other kind was still planned for them
