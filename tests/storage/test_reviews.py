"""Debrief summaries for managers as rows, on SQLite and PostgreSQL: one review per notice and
manager (also with two dispatchers racing), the flags, the daily batch once at the manager's
local time, and a manager of team A unable to note, review or coach anything of team B."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from dialogs.types import (
    TextIn,
)
from storage.db import make_engine
from storage.privacy import delete_user, export_user
from storage.reminders import NewReminder, Reminders
from storage.reviews import (
    DISPATCH_CHUNK,
    Draft,
    Notice,
    Reader,
    Reviews,
    Sent,
    last_daily_moment,
)
from storage.schema import effect_table, note_table, outbox_table, review_table, user_table
from storage.store import Profile, Store
from storage.teams import ManagerPrefs, NotYourTeam, Teams
from testkit.visits import NOW, finish, render, two_teams, visit_turn


def rep_text(notice: Notice, manager: str) -> str:
    return f"from {manager} on run {notice.run_no}"


@pytest.fixture
def vstore(engine: sa.Engine) -> Store:
    return Store(engine, visit_turn)


@pytest.fixture
def teams(engine: sa.Engine) -> Teams:
    return Teams(engine)


@pytest.fixture
def reviews(engine: sa.Engine) -> Reviews:
    return Reviews(engine)


def rows(engine: sa.Engine, table: sa.Table, *where: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(table).where(*where).order_by(table.c.id)))


def uid(engine: sa.Engine, key: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(user_table.c.id).where(user_table.c.key == key)).one()[0])


# --- dispatch -------------------------------------------------------------------------------------


def test_a_notice_becomes_one_review_per_manager_and_goes_at_once_to_the_instant_one(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    a, _ = two_teams(teams)
    finish(vstore, "tg:11", customer="ACME", goal_met=True, feeling_score=4)
    sent = reviews.dispatch(render, now=NOW)
    assert [(s.user_key, s.draft.text) for s in sent] == [("tg:10", "rep 11/ACME/")]
    made = rows(engine, review_table)
    assert {(r.manager_id, r.status) for r in made} == {
        (uid(engine, "tg:10"), "sent"),
        (uid(engine, "tg:13"), "pending"),  # waits for the daily batch
    }
    assert all(r.team_id == a.id for r in made)
    [outbox] = rows(engine, outbox_table, outbox_table.c.id == sent[0].outbox_id)
    assert outbox.user_id == uid(engine, "tg:10")
    notices = rows(engine, effect_table, effect_table.c.kind == "manager_notice")
    assert [e.done_at for e in notices] == [NOW]

    assert reviews.dispatch(render, now=NOW + timedelta(minutes=1)) == []  # once
    assert len(rows(engine, review_table)) == 2


def test_many_notices_go_out_in_one_tick_a_few_per_transaction(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    """A rush of finished debriefs: every summary in one tick, but in short transactions, so
    that reps' turns are not held behind the whole batch (SQLite's one writer)."""
    two_teams(teams)
    customers = [f"Customer {n}" for n in range(3 * DISPATCH_CHUNK + 1)]
    for customer in customers:
        finish(vstore, "tg:11", customer=customer, goal_met=True, feeling_score=4)
    transactions: list[sa.Connection] = []
    count = transactions.append
    sa.event.listen(engine, "begin", count)
    try:
        sent = reviews.dispatch(render, now=NOW, limit=len(customers) - 1)
        rest = reviews.dispatch(render, now=NOW)
    finally:
        sa.event.remove(engine, "begin", count)
    told = [s.draft.text for s in (*sent, *rest)]
    assert told == [f"rep 11/{customer}/" for customer in customers]
    assert len(sent) == len(customers) - 1  # the limit holds across the chunks
    assert len(transactions) >= len(customers) // DISPATCH_CHUNK + 1


def test_the_notice_brings_what_the_rep_typed_that_was_no_answer(
    vstore: Store, teams: Teams, reviews: Reviews
) -> None:
    two_teams(teams)
    said = ["Terrible. The buyer was an idiot", "I don't know, you tell me"]
    event = TextIn(json.dumps({"answers": {"customer": "ACME", "feeling_score": 1}, "notes": said}))
    vstore.handle(Profile("tg:11", "rep 11"), event, now=NOW)
    seen: list[Notice] = []

    def keep(reader: Reader, notices: Sequence[Notice], daily: bool) -> list[Draft]:
        seen.extend(notices)
        return render(reader, notices, daily)

    reviews.dispatch(keep, now=NOW)

    assert [notice.notes for notice in seen] == [tuple(said)]


def test_a_dispatch_run_again_over_the_same_notice_makes_no_second_review(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    two_teams(teams)
    finish(vstore, "tg:11", customer="ACME", goal_met=True)
    reviews.dispatch(render, now=NOW)
    with engine.begin() as conn:  # as if the effect had not been marked done
        conn.execute(sa.update(effect_table).values(done_at=None))
    assert reviews.dispatch(render, now=NOW) == []
    assert len(rows(engine, review_table)) == 2


def test_a_rep_without_a_team_or_a_removed_manager_gets_no_review(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    a, _ = two_teams(teams)
    teams.scope("tg:10").remove(a.id, uid(engine, "tg:12"), now=NOW)
    finish(vstore, "tg:12", customer="ACME")
    finish(vstore, "tg:99", customer="Nobody's")
    assert reviews.dispatch(render, now=NOW) == []
    assert rows(engine, review_table) == []
    notices = rows(engine, effect_table, effect_table.c.kind == "manager_notice")
    assert all(e.done_at is not None for e in notices)


def test_a_revised_debrief_replaces_the_summary_still_waiting_for_the_batch(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    two_teams(teams)
    finish(vstore, "tg:11", customer="ACME")
    reviews.dispatch(render, now=NOW)
    [review] = [r for r in rows(engine, review_table) if r.status == "pending"]
    # a second notice for the same run (what a finish after /edit leaves)
    with engine.begin() as conn:
        effect = conn.execute(sa.select(effect_table).where(effect_table.c.id == review.effect_id))
        old = effect.one()
        conn.execute(
            sa.insert(effect_table).values(
                user_id=old.user_id,
                run_id=old.run_id,
                kind="manager_notice",
                payload=old.payload,
                created_at=NOW,
            )
        )
    reviews.dispatch(render, now=NOW)
    daily = [r for r in rows(engine, review_table) if r.manager_id == review.manager_id]
    assert [r.status for r in daily] == ["replaced", "pending"]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_dispatchers_racing_on_postgres_create_each_review_once(
    db_url: str, vstore: Store, teams: Teams, engine: sa.Engine
) -> None:
    two_teams(teams)
    for n in range(40):
        finish(vstore, "tg:11" if n % 2 else "tg:12", customer=f"C{n}")
    engines = [make_engine(db_url) for _ in range(2)]
    results: list[list[Sent]] = [[], []]
    barrier = threading.Barrier(2)

    def work(i: int) -> None:
        barrier.wait()
        while batch := Reviews(engines[i]).dispatch(render, now=NOW, limit=5):
            results[i].extend(batch)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in engines:
        other.dispose()
    made = rows(engine, review_table)
    assert len(made) == 80  # 40 notices x 2 managers
    assert len({(r.effect_id, r.manager_id) for r in made}) == 80
    outbox_ids = [s.outbox_id for batch in results for s in batch]
    assert len(outbox_ids) == len(set(outbox_ids)) == 40  # the instant manager's, once each


# --- flags ----------------------------------------------------------------------------------------


def test_the_third_visit_in_a_row_without_the_goal_is_flagged(
    vstore: Store, teams: Teams, reviews: Reviews
) -> None:
    two_teams(teams)
    day = timedelta(days=1)
    finish(vstore, "tg:11", NOW, customer="ACME", goal_met=False)
    finish(vstore, "tg:11", NOW + day, customer="acme ", goal_met="partly")
    finish(vstore, "tg:11", NOW + day, customer="Other", goal_met=False)
    first = reviews.dispatch(render, now=NOW + day)
    assert [s.draft.text.split("/")[-1] for s in first] == ["", "", ""]
    finish(vstore, "tg:11", NOW + 2 * day, customer="ACME", goal_met=False, feeling_score=2)
    [third] = reviews.dispatch(render, now=NOW + 2 * day)
    assert third.draft.text == "rep 11/ACME/no_goal:3,low_feeling"
    finish(vstore, "tg:11", NOW + 3 * day, customer="ACME", goal_met=True)
    finish(vstore, "tg:11", NOW + 4 * day, customer="ACME", goal_met=False)
    assert [s.draft.text for s in reviews.dispatch(render, now=NOW + 4 * day)] == [
        "rep 11/ACME/",
        "rep 11/ACME/",  # the goal was reached in between: the count starts again
    ]


def test_a_goal_met_only_partly_continues_the_streak_and_can_complete_it(
    vstore: Store, teams: Teams, reviews: Reviews
) -> None:
    two_teams(teams)
    day = timedelta(days=1)
    finish(vstore, "tg:11", NOW, customer="ACME", goal_met=False)
    finish(vstore, "tg:11", NOW + day, customer="ACME", goal_met=False)
    reviews.dispatch(render, now=NOW + day)
    finish(vstore, "tg:11", NOW + 2 * day, customer="ACME", goal_met="partly")
    [third] = reviews.dispatch(render, now=NOW + 2 * day)
    assert third.draft.text == "rep 11/ACME/no_goal:3"


def test_overdue_follow_ups_of_the_rep_are_flagged(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    two_teams(teams)
    finish(vstore, "tg:11", customer="ACME", goal_met=True)
    reviews.dispatch(render, now=NOW)
    rep = uid(engine, "tg:11")
    Reminders(engine).add(
        [
            NewReminder(rep, "follow_up", "f1", NOW - timedelta(days=3)),
            NewReminder(rep, "follow_up", "f2", NOW - timedelta(days=2)),
            NewReminder(rep, "follow_up", "f3", NOW - timedelta(hours=2)),  # not overdue yet
            NewReminder(rep, "week_plan", "w1", NOW - timedelta(days=3)),  # not a follow-up
        ],
        now=NOW,
    )
    finish(vstore, "tg:11", customer="Beta Ltd", goal_met=True)
    [sent] = reviews.dispatch(render, now=NOW)
    assert sent.draft.text == "rep 11/Beta Ltd/overdue:2"


# --- the daily batch ------------------------------------------------------------------------------


def test_the_daily_batch_goes_once_at_the_managers_local_time(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    two_teams(teams)  # tg:13: daily at 18:00 in Shanghai = 10:00 UTC
    finish(vstore, "tg:11", NOW, customer="ACME")
    finish(vstore, "tg:12", NOW, customer="Beta Ltd")
    reviews.dispatch(render, now=NOW)
    assert reviews.send_daily(render, now=NOW + timedelta(minutes=59)) == []  # 17:59 local
    at_six = NOW + timedelta(hours=1)
    [batch] = reviews.send_daily(render, now=at_six)
    assert batch.user_key == "tg:13"
    assert batch.draft.text == "batch rep 11/ACME/; rep 12/Beta Ltd/"
    assert reviews.send_daily(render, now=at_six) == []
    assert reviews.send_daily(render, now=at_six + timedelta(hours=5)) == []  # once a day

    finish(vstore, "tg:11", at_six + timedelta(minutes=1), customer="Late")
    reviews.dispatch(render, now=at_six + timedelta(minutes=1))
    assert reviews.send_daily(render, now=at_six + timedelta(hours=23)) == []
    [next_day] = reviews.send_daily(render, now=at_six + timedelta(days=1))
    assert next_day.draft.text == "batch rep 11/Late/"
    statuses = {r.status for r in rows(engine, review_table, review_table.c.manager_id == 4)}
    assert statuses <= {"sent"}


def test_two_claimers_send_a_batch_once(
    db_url: str, vstore: Store, teams: Teams, reviews: Reviews
) -> None:
    two_teams(teams)
    for n in range(10):
        finish(vstore, "tg:11", NOW, customer=f"C{n}")
    reviews.dispatch(render, now=NOW)
    engines = [make_engine(db_url) for _ in range(2)]
    results: list[list[Sent]] = [[], []]
    barrier = threading.Barrier(2)

    def work(i: int) -> None:
        barrier.wait()
        results[i] = Reviews(engines[i]).send_daily(render, now=NOW + timedelta(hours=1))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in engines:
        other.dispose()
    batches = results[0] + results[1]
    assert len(batches) == 1
    assert batches[0].draft.text.count("rep 11/") == 10


def test_a_manager_who_switches_to_instant_gets_what_waits_at_the_next_tick(
    vstore: Store, teams: Teams, reviews: Reviews
) -> None:
    a, _ = two_teams(teams)
    finish(vstore, "tg:11", NOW, customer="ACME")
    reviews.dispatch(render, now=NOW)
    teams.scope("tg:13").set_prefs(a.id, ManagerPrefs(summaries="instant"), now=NOW)
    [batch] = reviews.send_daily(render, now=NOW + timedelta(minutes=1))
    assert batch.user_key == "tg:13"


def test_the_daily_moment_follows_the_zone_and_daylight_saving() -> None:
    assert last_daily_moment("18:00", "Asia/Shanghai", NOW) == datetime(
        2026, 11, 22, 10, 0, tzinfo=UTC
    )
    assert last_daily_moment("17:00", "Asia/Shanghai", NOW) == NOW
    summer = datetime(2026, 7, 1, 17, 0, tzinfo=UTC)  # 19:00 in Berlin (CEST)
    assert last_daily_moment("18:00", "Europe/Berlin", summer) == datetime(
        2026, 7, 1, 16, 0, tzinfo=UTC
    )
    assert last_daily_moment("bad", "No/Zone", NOW) == datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


# --- what a manager does, and may not do ----------------------------------------------------------


def test_a_note_reaches_the_rep_and_marks_the_review(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    two_teams(teams)
    finish(vstore, "tg:11", customer="ACME")
    assert len(reviews.dispatch(render, now=NOW)) == 1
    scope = teams.scope("tg:10")
    [notice] = reviews.pending(scope)
    note = reviews.add_note(scope, notice.review_id, "  Ask who decides.  ", rep_text, now=NOW)
    assert note is not None
    assert note.user_key == "tg:11"
    assert note.draft.text == "from  on run 1"
    [row] = rows(engine, note_table)
    assert (row.text, row.run_id, row.outbox_id) == (
        "Ask who decides.",
        notice.run_id,
        note.outbox_id,
    )
    assert reviews.notice(scope, notice.review_id).status == "reviewed"
    assert reviews.notes_of(scope, notice.run_id) == [("Ask who decides.", NOW)]
    assert reviews.pending(scope) == []
    exported = export_user(vstore, "tg:11", now=NOW)
    assert exported is not None
    assert [n["text"] for n in exported["manager_notes"]] == ["Ask who decides."]
    assert exported["manager_notes"][0]["run"] == 1


def test_a_manager_of_team_a_cannot_touch_anything_of_team_b(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    two_teams(teams)
    finish(vstore, "tg:21", customer="Team B's customer")
    finish(vstore, "tg:11", customer="ACME")
    reviews.dispatch(render, now=NOW)
    theirs = reviews.pending(teams.scope("tg:20"))[0]
    ours = reviews.pending(teams.scope("tg:10"))[0]
    colleague = [r for r in rows(engine, review_table) if r.manager_id == uid(engine, "tg:13")]
    before = (rows(engine, review_table), rows(engine, outbox_table), rows(engine, note_table))
    for key in ("tg:10", "tg:11", "tg:99"):  # team A's manager, a rep, a stranger
        scope = teams.scope(key)
        for review_id in (theirs.review_id, colleague[0].id, 10_000):
            with pytest.raises(NotYourTeam):
                reviews.notice(scope, review_id)
            with pytest.raises(NotYourTeam):
                reviews.mark_reviewed(scope, review_id, now=NOW)
            with pytest.raises(NotYourTeam):
                reviews.add_note(scope, review_id, "forged", rep_text, now=NOW)
            with pytest.raises(NotYourTeam):
                reviews.invite(scope, review_id, rep_text, now=NOW)
        assert theirs.review_id not in [n.review_id for n in reviews.pending(scope)]
    after = (rows(engine, review_table), rows(engine, outbox_table), rows(engine, note_table))
    assert after == before
    assert reviews.notice(teams.scope("tg:10"), ours.review_id).rep_key == "tg:11"


def test_a_rep_who_left_the_team_is_out_of_reach(
    vstore: Store, teams: Teams, reviews: Reviews
) -> None:
    two_teams(teams)
    finish(vstore, "tg:11", customer="ACME")
    reviews.dispatch(render, now=NOW)
    scope = teams.scope("tg:10")
    [notice] = reviews.pending(scope)
    teams.leave("tg:11", now=NOW)
    with pytest.raises(NotYourTeam):
        reviews.add_note(scope, notice.review_id, "still there?", rep_text, now=NOW)


def test_deleting_a_rep_deletes_their_reviews_and_notes(
    vstore: Store, teams: Teams, reviews: Reviews, engine: sa.Engine
) -> None:
    two_teams(teams)
    finish(vstore, "tg:11", customer="ACME")
    finish(vstore, "tg:12", customer="Beta Ltd")
    reviews.dispatch(render, now=NOW)
    scope = teams.scope("tg:10")
    for notice in reviews.pending(scope):
        reviews.add_note(scope, notice.review_id, f"note for {notice.rep_key}", rep_text, now=NOW)
    assert delete_user(vstore, "tg:11")
    assert {r.rep_id for r in rows(engine, review_table)} == {uid(engine, "tg:12")}
    assert [n.text for n in rows(engine, note_table)] == ["note for tg:12"]
    assert delete_user(vstore, "tg:10")  # the manager: their copies go, their notes stay unsigned
    assert {r.manager_id for r in rows(engine, review_table)} == {uid(engine, "tg:13")}
    assert [n.author_id for n in rows(engine, note_table)] == [None]
