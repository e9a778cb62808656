"""A rep's own data: the export holds what they told the bot (and nobody else's), delete removes
every row of theirs in one transaction and nothing of anyone else's — on SQLite and PostgreSQL.
A rep of a team leaves their visits to the team's totals, under a new anonymous user that no
row links back to them: not their key, name, Telegram id, or anything they typed."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.engine import step
from dialogs.types import Ask, CommandIn, MediaIn, TextIn
from storage.privacy import EXPORT_FORMAT_VERSION, KEPT_ANSWERS, delete_user, export_user, plain
from storage.schema import (
    answer_table,
    conversation_table,
    effect_table,
    inbox_table,
    membership_table,
    metadata,
    outbox_table,
    run_table,
    step_note_table,
    user_table,
)
from storage.store import Profile, Store
from storage.teams import Teams
from testkit.fake_turn import turn_with

ANNA = Profile("tg:42", display_name="Anna", tz="Asia/Shanghai")
BOB = Profile("tg:77", display_name="Bob")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def coach(engine: sa.Engine, catalog: Catalog) -> Store:
    """A store on the real engine and the shipped scripts."""
    return Store(engine, partial(step, catalog))


def debrief(
    store: Store, who: Profile, at: datetime, *, customer: str, goal: str, when: str
) -> datetime:
    """A full post-visit debrief typed in by ``who``, a minute per answer; returns the end."""
    store.handle(who, CommandIn("start", "debrief"), now=at)
    answers = [
        *("4", f"Good visit with {customer}."),  # feelings, no blame
        *(customer, "2", "1", "/skip", "2", "2", "2", "4"),  # full; small deal; existing; B
        *(goal, "Show last month's figures.", "They ordered less than planned.", "no", "4"),
        *("/skip", "Their stock is still high.", "They wait for next month's sales figures."),
        *("I had the figures.", "Ask about next month first.", "/skip", "Rehearse the opening."),
        *(f"Call {customer} about next month", when, "yes"),
    ]
    result = None
    for text in answers:
        at += timedelta(minutes=1)
        event = CommandIn("skip") if text == "/skip" else TextIn(text)
        result = store.handle(who, event, now=at)
    assert result is not None
    assert result.finished, "the debrief did not finish"
    return at


def to_customer_question(store: Store, who: Profile, at: datetime) -> Ask:
    """Start a debrief and answer the feelings: the question about the customer."""
    store.handle(who, CommandIn("start", "debrief"), now=at)
    result = None
    for text in ("3", "OK, a mixed feeling."):
        result = store.handle(who, TextIn(text), now=at)
    assert result is not None
    [ask] = [reply for reply in result.replies if isinstance(reply, Ask)]
    assert ask.step == "customer"
    return ask


def two_reps(store: Store, now: datetime) -> datetime:
    """Anna debriefs Baker & Sons and Li Hardware, Bob debriefs Zhang Components."""
    at = debrief(
        store, ANNA, now, customer="Baker & Sons", goal="My goal was 300 boxes.", when="1 Dec 9:30"
    )
    at = debrief(
        store, BOB, at, customer="Zhang Components", goal="Bob wanted a demo.", when="3 Dec 10:00"
    )
    return debrief(
        store,
        ANNA,
        at,
        customer="Li Hardware",
        goal="A trial order <b>now</b>.",
        when="2 Dec 15:00",
    )


def rows_of(engine: sa.Engine, user_id: int, run_ids: list[int]) -> dict[str, int]:
    """How many rows of each table belong to the user (answers: of the runs given)."""
    u, c, i, r = user_table, conversation_table, inbox_table, run_table
    a, o, e = answer_table, outbox_table, effect_table
    where = {
        "user": (u, u.c.id == user_id),
        "conversation": (c, c.c.user_id == user_id),
        "inbox": (i, i.c.user_id == user_id),
        "run": (r, r.c.user_id == user_id),
        "answer": (a, a.c.run_id.in_(run_ids)),
        "outbox": (o, o.c.user_id == user_id),
        "effect": (e, e.c.user_id == user_id),
        "step_note": (step_note_table, step_note_table.c.run_id.in_(run_ids)),
    }
    with engine.connect() as conn:
        return {
            name: int(
                conn.execute(sa.select(sa.func.count()).select_from(t).where(cond)).scalar_one()
            )
            for name, (t, cond) in where.items()
        }


def run_ids(engine: sa.Engine, user_id: int) -> list[int]:
    with engine.connect() as conn:
        query = sa.select(run_table.c.id).where(run_table.c.user_id == user_id)
        return list(conn.execute(query).scalars())


@pytest.fixture
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs from now on (the store's hot path is not seen)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


# --- export -----------------------------------------------------------------------------------


def test_export_holds_what_the_rep_said_in_time_order(coach: Store, now: datetime) -> None:
    two_reps(coach, now)
    exported_at = now + timedelta(days=2)

    data = export_user(coach, ANNA.key, now=exported_at)

    assert data is not None
    assert json.loads(json.dumps(data)) == data  # plain JSON, nothing left to convert
    assert data["format_version"] == EXPORT_FORMAT_VERSION == 1
    assert data["exported_at"] == "2025-11-26T09:30:00+00:00"
    assert data["profile"] == {
        "key": "tg:42",
        "display_name": "Anna",
        "language": "en",
        "time_zone": "Asia/Shanghai",
        "created_at": "2025-11-24T09:30:00+00:00",
        "active": True,
        "last_seen": data["profile"]["last_seen"],
    }
    first, second = data["runs"]
    assert [(run["no"], run["script"], run["status"]) for run in data["runs"]] == [
        (1, "debrief", "finished"),
        (2, "debrief", "finished"),
    ]
    assert first["started_at"] == "2025-11-24T09:30:00+00:00"
    assert first["finished_at"] == "2025-11-24T09:55:00+00:00"
    assert first["started_at"] < first["finished_at"] < second["started_at"]
    answers = first["answers"]
    assert answers["customer"] == {
        "value": "Baker & Sons",
        "answered_at": "2025-11-24T09:33:00+00:00",
        "revision": 0,
    }
    assert answers["goal"]["value"] == "My goal was 300 boxes."
    assert answers["why_outcome"]["value"] == "Their stock is still high."
    assert answers["next_date"]["value"]["at"] == "2025-12-01T01:30:00+00:00"  # 9:30 Shanghai
    assert list(answers) == sorted(answers, key=lambda s: answers[s]["answered_at"])
    assert second["answers"]["goal"]["value"] == "A trial order <b>now</b>."  # her words, as typed

    # summaries as text: Telegram's tags and entities gone, what the rep typed kept
    assert first["summary"].startswith("Your debrief: Baker & Sons\n")
    assert "Goal: My goal was 300 boxes." in first["summary"]
    for summary in (first["summary"], data["manager_notices"][0]["summary"]):
        assert "<b>" not in summary
        assert "&amp;" not in summary
        assert "&#39;" not in summary
    assert "Goal: A trial order <b>now</b>." in second["summary"]  # escaped by the bot: kept

    assert [(f["run"], f["at"], f["text"]) for f in data["follow_ups"]] == [
        (1, "2025-12-01T01:30:00+00:00", "Baker & Sons: Call Baker & Sons about next month"),
        (2, "2025-12-02T07:00:00+00:00", "Li Hardware: Call Li Hardware about next month"),
    ]
    assert [notice["run"] for notice in data["manager_notices"]] == [1, 2]
    assert [finish["run"] for finish in data["finished"]] == [1, 2]
    assert data["media"] == []
    assert data["other"] == []
    assert data["memory"]["recent_customers"] == ["Li Hardware", "Baker & Sons"]
    assert [item["run"] for item in data["memory"]["kept"]["history"]] == [2, 1]

    # nothing of Bob's, and none of the plumbing
    text = json.dumps(data, ensure_ascii=False)
    for bobs in ("Zhang Components", "Bob wanted a demo.", "tg:77", "Bob"):
        assert bobs not in text
    assert "inbox" not in data
    assert "outbox" not in data


def test_export_holds_what_the_rep_typed_that_was_no_answer(coach: Store, now: datetime) -> None:
    coach.handle(ANNA, CommandIn("start", "debrief"), now=now)
    coach.handle(ANNA, TextIn("9, the buyer was a nightmare"), now=now)  # refused at 1..5

    data = export_user(coach, ANNA.key, now=now)

    assert data is not None
    [run] = data["runs"]
    assert run["notes"] == [
        {"step": "feeling_score", "text": "9, the buyer was a nightmare", "at": now.isoformat()}
    ]
    assert run["answers"] == {}


def test_export_of_an_unknown_rep_is_none(coach: Store) -> None:
    assert export_user(coach, "tg:404") is None


def test_export_of_a_rep_who_only_chose_a_language(coach: Store) -> None:
    coach.set_language("tg:9", "zh")  # a user row without any conversation yet
    data = export_user(coach, "tg:9")
    assert data is not None
    assert data["profile"]["language"] == "zh"
    assert data["profile"]["last_seen"] is None
    assert data["runs"] == []
    assert data["follow_ups"] == []
    assert data["memory"] == {"recent_customers": [], "objections": [], "kept": {}}


def test_export_of_fifty_runs_is_complete_in_a_few_queries(
    engine: sa.Engine, now: datetime, statements: list[str]
) -> None:
    store = Store(engine, partial(turn_with, 2))  # two questions a run: q1, q2
    rep = Profile("tg:5")
    at = now

    def say(event: TextIn | CommandIn | MediaIn) -> None:
        nonlocal at
        at += timedelta(minutes=1)
        store.handle(rep, event, now=at)

    say(TextIn("first"))
    say(TextIn("done"))
    statements.clear()
    export_user(store, rep.key)
    one_run = len(statements)

    for no in range(2, 51):
        say(TextIn(f"customer {no}"))
        if no == 7:  # went back and changed the first answer, and kept a photo
            say(CommandIn("back"))
            say(TextIn("customer seven"))
            say(MediaIn("photo", "file-7"))
        say(TextIn(f"outcome {no}"))
    store.handle(Profile("tg:6"), TextIn("someone else"), now=at)

    statements.clear()
    data = export_user(store, rep.key)

    assert len(statements) == one_run <= 9  # no query per run (7, the managers' and step notes)
    assert data is not None
    runs = data["runs"]
    assert [run["no"] for run in runs] == list(range(1, 51))
    assert all(run["status"] == "finished" for run in runs)
    assert [run["started_at"] for run in runs] == sorted(run["started_at"] for run in runs)
    assert runs[9]["answers"]["q1"]["value"] == "customer 10"
    assert runs[9]["answers"]["q2"]["value"] == "outcome 10"
    assert runs[9]["summary"] == "fake #10: q1=customer 10, q2=outcome 10"
    assert (runs[6]["answers"]["q1"]["value"], runs[6]["answers"]["q1"]["revision"]) == (
        "customer seven",
        1,
    )
    assert sum(len(run["answers"]) for run in runs) == 100
    assert len(data["follow_ups"]) == len(data["manager_notices"]) == len(data["finished"]) == 50
    follow_ups = [f["created_at"] for f in data["follow_ups"]]
    assert follow_ups == sorted(follow_ups)
    assert data["media"] == [
        {
            "run": 7,
            "step": "q2",
            "kind": "photo",
            "ref": "file-7",
            "created_at": data["media"][0]["created_at"],
            "done_at": None,
        }
    ]
    assert "someone else" not in json.dumps(data)


# --- delete -----------------------------------------------------------------------------------


def test_delete_removes_every_row_of_the_rep_and_only_theirs(
    coach: Store, engine: sa.Engine, now: datetime
) -> None:
    at = two_reps(coach, now)
    coach.handle(ANNA, CommandIn("start", "debrief"), now=at)
    coach.handle(ANNA, TextIn("9, the buyer was a nightmare"), now=at)  # refused: a note
    to_customer_question(coach, ANNA, at)  # and a debrief in progress
    coach.handle(ANNA, MediaIn("photo", "file-1"), now=at)
    anna, bob = coach.user(ANNA.key), coach.user(BOB.key)
    assert anna is not None
    assert bob is not None
    anna_runs, bob_runs = run_ids(engine, anna.id), run_ids(engine, bob.id)
    before = rows_of(engine, anna.id, anna_runs)
    assert all(before.values()), before  # something in every table
    bob_before = rows_of(engine, bob.id, bob_runs)
    bob_export = export_user(coach, BOB.key, now=now)

    assert delete_user(coach, ANNA.key) is True

    assert rows_of(engine, anna.id, anna_runs) == dict.fromkeys(before, 0)
    assert coach.user(ANNA.key) is None
    assert export_user(coach, ANNA.key) is None
    assert coach.runs(ANNA.key) == []
    assert coach.effects(ANNA.key) == []
    assert rows_of(engine, bob.id, bob_runs) == bob_before
    assert export_user(coach, BOB.key, now=now) == bob_export
    assert anonymous(engine) == []  # on no team: no team's totals to keep anything for
    assert delete_user(coach, ANNA.key) is False  # nothing left to delete


def test_delete_of_an_unknown_rep_deletes_nothing(coach: Store, now: datetime) -> None:
    two_reps(coach, now)
    assert delete_user(coach, "tg:404") is False
    assert coach.user(ANNA.key) is not None
    assert coach.user(BOB.key) is not None


def test_after_delete_a_first_contact_starts_afresh(coach: Store, now: datetime) -> None:
    at = two_reps(coach, now)
    offered = to_customer_question(coach, ANNA, at)
    assert "Baker & Sons" in [plain(choice.label) for choice in offered.choices]

    assert delete_user(coach, ANNA.key)

    later = at + timedelta(days=1)
    fresh = to_customer_question(coach, Profile(ANNA.key), later)
    assert [choice.label for choice in fresh.choices] == []  # no memory of her customers
    user = coach.user(ANNA.key)
    assert user is not None
    assert (user.display_name, user.tz, user.created_at) == ("", "UTC", later)
    [run] = coach.runs(ANNA.key)
    assert (run.no, run.status) == (1, "active")
    assert coach.conversation(ANNA.key).memory == {}
    data = export_user(coach, ANNA.key)
    assert data is not None
    assert "Baker & Sons" not in json.dumps(data)
    assert coach.runs(BOB.key)[0].summary is not None  # Bob's debrief is still there


def test_delete_is_one_transaction(coach: Store, engine: sa.Engine, now: datetime) -> None:
    """Should the last statement fail, the rows deleted before it are all back (and the
    anonymous copy made first is not there)."""
    team = Teams(engine).create_team("tg:1", "North", now=now, check=False)
    Teams(engine).add_member(team.id, ANNA.key, "rep", now=now, display_name="Anna")
    two_reps(coach, now)
    anna = coach.user(ANNA.key)
    assert anna is not None
    runs = run_ids(engine, anna.id)
    before = rows_of(engine, anna.id, runs)

    def fail_on_user(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if re.match(r'DELETE FROM "?user"? ', statement, re.IGNORECASE):
            raise RuntimeError("the database went away")

    sa.event.listen(engine, "before_cursor_execute", fail_on_user)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            delete_user(coach, ANNA.key)
    finally:
        sa.event.remove(engine, "before_cursor_execute", fail_on_user)

    assert rows_of(engine, anna.id, runs) == before
    assert export_user(coach, ANNA.key) is not None
    assert anonymous(engine) == []


def test_timestamps_are_utc_strings(coach: Store) -> None:
    moment = datetime(2025, 11, 25, 1, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    coach.handle(ANNA, CommandIn("start", "debrief"), now=moment)
    data = export_user(coach, ANNA.key, now=moment)
    assert data is not None
    assert data["profile"]["created_at"] == "2025-11-24T17:30:00+00:00"
    assert data["runs"][0]["finished_at"] is None


def test_delete_while_the_rep_is_typing_leaves_no_half_state(
    engine: sa.Engine, now: datetime
) -> None:
    """A delete amid a busy rep's turns: each turn lands whole before it or in a fresh rep after."""
    store = Store(engine, partial(turn_with, 3))
    rep = Profile("tg:8")
    deleted = threading.Event()
    turns: list[int] = []
    failures: list[BaseException] = []

    def typing() -> None:
        after = 0
        try:
            while after < 10 and len(turns) < 10_000:
                after += deleted.is_set()
                n = len(turns)
                store.handle(rep, TextIn(f"m{n}"), now=now + timedelta(seconds=n))
                turns.append(n)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    thread = threading.Thread(target=typing)
    thread.start()
    while store.version(rep.key) < 10:
        assert thread.is_alive()
    assert delete_user(store, rep.key)
    deleted.set()
    thread.join()

    assert failures == []
    version = store.version(rep.key)  # the turns since the delete, of a new first contact
    assert 10 <= version < len(turns)
    assert len(store.inbox(rep.key)) == version
    state = store.conversation(rep.key)
    assert [run.no for run in store.runs(rep.key)] == list(range(1, state.runs + 1))
    data = export_user(store, rep.key)
    assert data is not None
    assert sum(len(run["answers"]) for run in data["runs"]) == version


def test_reminders_are_exported_and_deleted_with_the_rep(
    coach: Store, engine: sa.Engine, now: datetime
) -> None:
    from storage.reminders import NewReminder, Reminders

    two_reps(coach, now)
    anna, bob = coach.user(ANNA.key), coach.user(BOB.key)
    assert anna is not None
    assert bob is not None
    reminders = Reminders(engine)
    due = now + timedelta(days=2)
    reminders.add(
        [
            NewReminder(anna.id, "follow_up", "a", due, about="Call <b>Acme</b>", explicit=True),
            NewReminder(bob.id, "follow_up", "b", due, about="Bob's own"),
        ],
        now=now,
    )
    data = export_user(coach, ANNA.key, now=now)
    assert data is not None
    assert [(r["about"], r["status"]) for r in data["reminders"]] == [("Call Acme", "pending")]

    assert delete_user(coach, ANNA.key) is True

    assert [r.about for r in reminders.listing()] == ["Bob's own"]


# --- what a deleted rep leaves to their team ------------------------------------------------------


def anonymous(engine: sa.Engine) -> list[Any]:
    u = user_table
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(
                    u.c.id, u.c.key, u.c.display_name, u.c.active, u.c.prefs, u.c.paused_until
                ).where(u.c.key.startswith("deleted:"))
            )
        )


def every_row(engine: sa.Engine) -> str:
    """Every row of every table, as one text."""
    with engine.connect() as conn:
        return "\n".join(
            json.dumps(list(row), default=str, ensure_ascii=False)
            for table in metadata.sorted_tables
            for row in conn.execute(sa.select(table))
        )


TYPED_BY_ANNA = ("tg:42", "Anna", "Baker", "Li Hardware", "300 boxes", "trial order")
"""Her key, her name, and what only she typed (``debrief`` has both reps type the rest alike:
that none of it stays is checked by the steps kept)."""


def test_a_team_reps_visits_stay_with_the_team_and_nothing_names_her(
    coach: Store, engine: sa.Engine, now: datetime
) -> None:
    teams = Teams(engine)
    team = teams.create_team("tg:1", "North", now=now, check=False)
    teams.add_member(team.id, ANNA.key, "rep", now=now, display_name="Anna")
    teams.add_member(team.id, BOB.key, "rep", now=now, display_name="Bob")
    at = two_reps(coach, now)
    anna, bob = coach.user(ANNA.key), coach.user(BOB.key)
    assert anna is not None
    assert bob is not None
    anna_runs, bob_runs = run_ids(engine, anna.id), run_ids(engine, bob.id)
    bob_before = rows_of(engine, bob.id, bob_runs)
    text_before = every_row(engine)
    assert all(typed in text_before for typed in TYPED_BY_ANNA)
    gone = at + timedelta(days=3)

    assert delete_user(coach, ANNA.key, now=gone) is True

    assert rows_of(engine, anna.id, anna_runs) == dict.fromkeys(bob_before, 0)
    assert rows_of(engine, bob.id, bob_runs) == bob_before
    [stand_in] = anonymous(engine)
    assert re.fullmatch(r"deleted:[0-9a-f]{32}", stand_in.key)
    assert (stand_in.display_name, stand_in.active, stand_in.prefs) == ("", False, None)
    assert stand_in.paused_until is None
    m, r, a = membership_table, run_table, answer_table
    with engine.connect() as conn:
        memberships = conn.execute(
            sa.select(m.c.team_id, m.c.role, m.c.status, m.c.joined_at, m.c.changed_at).where(
                m.c.user_id == stand_in.id
            )
        ).all()
        runs = conn.execute(
            sa.select(r.c.id, r.c.no, r.c.script, r.c.status, r.c.summary, r.c.finished_at)
            .where(r.c.user_id == stand_in.id)
            .order_by(r.c.no)
        ).all()
        answers = conn.execute(
            sa.select(a.c.run_id, a.c.step, a.c.value)
            .join(r, r.c.id == a.c.run_id)
            .where(r.c.user_id == stand_in.id)
        ).all()
    assert [tuple(row) for row in memberships] == [(team.id, "rep", "deleted", now, gone)]
    assert [(run.no, run.script, run.status, run.summary) for run in runs] == [
        (1, "debrief", "finished", None),
        (2, "debrief", "finished", None),
    ]
    assert not {run.id for run in runs} & set(anna_runs)  # new ids: nothing names them
    by_run: dict[int, dict[str, Any]] = {}
    for run_id, step_id, value in answers:
        by_run.setdefault(run_id, {})[step_id] = value
    first, second = (by_run[run.id] for run in runs)
    assert set(first) <= {*KEPT_ANSWERS, "customer"}
    assert {key: first[key] for key in first if key != "customer"} == {
        "deal_size": "small",
        "visit_type": "existing",
        "customer_class": "b",
        "goal_met": False,
        "objections": ["timing"],
        "feeling_score": 4,
    }
    assert re.fullmatch(r"#[0-9a-f]{16}", first["customer"])
    assert first["customer"] != second["customer"]  # two customers, told apart, not named
    after = every_row(engine)
    for typed in TYPED_BY_ANNA:
        assert typed not in after, typed
    assert "Zhang Components" in after  # Bob's are his


def test_a_rep_removed_earlier_is_kept_for_the_time_she_was_in_the_team(
    coach: Store, engine: sa.Engine, now: datetime
) -> None:
    teams = Teams(engine)
    north = teams.create_team("tg:1", "North", now=now, check=False)
    south = teams.create_team("tg:2", "South", now=now, check=False)
    teams.add_member(north.id, ANNA.key, "rep", now=now)
    at = debrief(coach, ANNA, now, customer="Acme", goal="A demo.", when="1 Dec 9:30")
    moved = at + timedelta(hours=1)
    teams.add_member(south.id, ANNA.key, "rep", now=moved)  # leaves North for South
    at = debrief(coach, ANNA, moved, customer="Acme", goal="An order.", when="2 Dec 9:30")
    gone = at + timedelta(days=1)

    assert delete_user(coach, ANNA.key, now=gone)

    [stand_in] = anonymous(engine)
    m = membership_table
    with engine.connect() as conn:
        spans = conn.execute(
            sa.select(m.c.team_id, m.c.status, m.c.joined_at, m.c.changed_at)
            .where(m.c.user_id == stand_in.id)
            .order_by(m.c.team_id)
        ).all()
        customers = (
            conn.execute(
                sa.select(answer_table.c.value)
                .join(run_table, run_table.c.id == answer_table.c.run_id)
                .where(run_table.c.user_id == stand_in.id, answer_table.c.step == "customer")
            )
            .scalars()
            .all()
        )
    assert [tuple(row) for row in spans] == [
        (north.id, "deleted", now, moved),
        (south.id, "deleted", moved, gone),
    ]
    assert len(customers) == 2
    assert customers[0] == customers[1]  # the same customer hashes the same: revisits add up
    assert "Acme" not in every_row(engine)


def test_a_second_rep_deleted_gets_a_stand_in_of_their_own(
    coach: Store, engine: sa.Engine, now: datetime
) -> None:
    teams = Teams(engine)
    team = teams.create_team("tg:1", "North", now=now, check=False)
    for rep in (ANNA, BOB):
        teams.add_member(team.id, rep.key, "rep", now=now)
    two_reps(coach, now)
    assert delete_user(coach, ANNA.key, now=now + timedelta(days=1))
    assert delete_user(coach, BOB.key, now=now + timedelta(days=1))
    stand_ins = anonymous(engine)
    assert len(stand_ins) == 2
    assert stand_ins[0].key != stand_ins[1].key
    with engine.connect() as conn:
        runs = conn.execute(
            sa.select(run_table.c.user_id, sa.func.count())
            .where(run_table.c.user_id.in_([s.id for s in stand_ins]))
            .group_by(run_table.c.user_id)
        ).all()
    assert sorted(count for _, count in runs) == [1, 2]  # Bob's one debrief, Anna's two
