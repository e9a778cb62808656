"""The storage contract, run on every backend (see conftest: SQLite, and PostgreSQL when set)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from dialogs.state import Conversation
from dialogs.types import (
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
    NoteKept,
    RunFinished,
    RunResumed,
    RunStarted,
    Say,
    TextIn,
    Turn,
)
from storage.db import make_engine
from storage.schema import conversation_table, inbox_table, outbox_table, user_table
from storage.store import ConflictError, Profile, Store, TurnFn
from testkit.fake_turn import QUESTIONS, Boom, fake_turn

ANNA = Profile("console:anna", display_name="Anna", lang="en", tz="Europe/Berlin")


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def say(store: Store, *texts: str, now: datetime, who: Profile = ANNA) -> None:
    for text in texts:
        store.handle(who, TextIn(text), now=now)


def test_first_contact_creates_user_conversation_run_and_answer(
    store: Store, now: datetime
) -> None:
    result = store.handle(ANNA, TextIn("Acme Ltd"), now=now)

    assert not result.duplicate
    assert len(result.replies) == 1
    ask = result.replies[0]
    assert isinstance(ask, Ask)
    assert (ask.step, ask.text) == ("q2", "Question 2 (en, Europe/Berlin)")
    assert len(result.outbox_ids) == 1
    user = store.user(ANNA.key)
    assert user is not None
    assert (user.id, user.display_name, user.lang, user.tz, user.active) == (
        result.user_id,
        "Anna",
        "en",
        "Europe/Berlin",
        True,
    )
    assert user.created_at == now
    assert user.created_at.tzinfo is not None
    assert store.version(ANNA.key) == 1
    assert store.answers(ANNA.key) == {"q1": "Acme Ltd"}
    [run] = store.runs(ANNA.key)
    assert (run.no, run.script, run.script_version, run.status) == (1, "fake", 1, "active")
    assert run.started_at == now
    state = store.conversation(ANNA.key)
    assert state.active is not None
    assert state.active.step == "q2"
    assert state.active.answers == {"q1": "Acme Ltd"}


def test_durable_round_trip_through_a_new_store(db_url: str, now: datetime) -> None:
    first = Store(make_engine(db_url), fake_turn)
    say(first, "a1", "a2", "a3", now=now)
    first.engine.dispose()

    second = Store(make_engine(db_url), fake_turn)
    try:
        assert store_view(second) == (
            4,  # q4 is next
            {"q1": "a1", "q2": "a2", "q3": "a3"},
            [(1, "active")],
            3,
        )
        say(second, "a4", now=now)
        assert second.answers(ANNA.key) == {"q1": "a1", "q2": "a2", "q3": "a3", "q4": "a4"}
        assert second.version(ANNA.key) == 4
    finally:
        second.engine.dispose()


def store_view(store: Store) -> tuple[int, dict[str, object], list[tuple[int, str]], int]:
    state = store.conversation(ANNA.key)
    assert state.active is not None
    runs = [(run.no, run.status) for run in store.runs(ANNA.key)]
    return int(state.active.step[1:]), store.answers(ANNA.key), runs, store.version(ANNA.key)


def test_unknown_user_reads_empty(store: Store) -> None:
    assert store.conversation("nobody") == Conversation()
    assert store.answers("nobody") == {}
    assert store.runs("nobody") == []
    assert store.unsent("nobody") == []
    assert store.user("nobody") is None
    assert store.version("nobody") == 0


def test_duplicate_external_id_is_answered_once(db_url: str, now: datetime) -> None:
    store = Store(make_engine(db_url), fake_turn)
    first = store.handle(ANNA, TextIn("a1"), now=now, source="telegram", external_id="1001")
    again = store.handle(ANNA, TextIn("a1"), now=now, source="telegram", external_id="1001")
    assert not first.duplicate
    assert again.duplicate
    assert (again.replies, again.outbox_ids, again.user_id) == ((), (), first.user_id)
    # the same id from another source is another event
    other = store.handle(ANNA, TextIn("a2"), now=now, source="console", external_id="1001")
    assert not other.duplicate
    store.engine.dispose()

    restarted = Store(make_engine(db_url), fake_turn)
    try:
        late = restarted.handle(ANNA, TextIn("a1"), now=now, source="telegram", external_id="1001")
        assert late.duplicate
        assert restarted.answers(ANNA.key) == {"q1": "a1", "q2": "a2"}
        assert restarted.version(ANNA.key) == 2
        assert len(restarted.unsent(ANNA.key)) == 2
        assert [row[1:3] for row in restarted.inbox(ANNA.key)] == [
            ("telegram", "1001"),
            ("console", "1001"),
        ]
    finally:
        restarted.engine.dispose()


def test_events_without_external_id_are_never_duplicates(store: Store, now: datetime) -> None:
    results = [store.handle(ANNA, TextIn("same"), now=now, source="telegram") for _ in range(3)]
    assert [r.duplicate for r in results] == [False, False, False]
    assert store.version(ANNA.key) == 3


def test_inbox_keeps_the_event(store: Store, now: datetime) -> None:
    store.handle(ANNA, MediaIn("photo", "file-1"), now=now, source="telegram", external_id="7")
    [(_, source, external_id, event)] = store.inbox(ANNA.key)
    assert (source, external_id, event) == (
        "telegram",
        "7",
        {"type": "media", "kind": "photo", "ref": "file-1"},
    )
    [effect] = store.effects(ANNA.key)
    assert effect.kind == "media"


def test_failing_turn_leaves_no_partial_writes(store: Store, now: datetime) -> None:
    with pytest.raises(Boom):
        store.handle(ANNA, CommandIn("boom"), now=now, source="telegram", external_id="1")
    assert store.user(ANNA.key) is None  # not even the user: one transaction
    assert count(store.engine, user_table) == 0

    store.handle(ANNA, TextIn("a1"), now=now, source="telegram", external_id="2")
    before = store.conversation(ANNA.key)
    with pytest.raises(Boom):
        store.handle(ANNA, CommandIn("boom"), now=now, source="telegram", external_id="3")
    assert store.conversation(ANNA.key) == before
    assert store.version(ANNA.key) == 1
    assert [row[2] for row in store.inbox(ANNA.key)] == ["2"]
    assert count(store.engine, outbox_table) == 1
    # the failed update is not recorded as handled: a redelivery is tried again
    with pytest.raises(Boom):
        store.handle(ANNA, CommandIn("boom"), now=now, source="telegram", external_id="3")


def test_a_whole_run_writes_runs_answers_and_effects(store: Store, now: datetime) -> None:
    answers = [f"a{k}" for k in range(1, QUESTIONS + 1)]
    say(store, *answers[:-1], now=now)
    finished = now + timedelta(minutes=5)
    result = store.handle(ANNA, TextIn(answers[-1]), now=finished)

    assert result.replies == (Say("done (en, Europe/Berlin)"),)
    [run] = store.runs(ANNA.key)
    assert (run.status, run.finished_at) == ("finished", finished)
    assert run.summary is not None
    assert run.summary.startswith("fake #1: q1=a1, q2=a2")
    assert store.answers(ANNA.key) == {f"q{k}": f"a{k}" for k in range(1, QUESTIONS + 1)}
    effects = store.effects(ANNA.key)
    assert [e.kind for e in effects] == ["run_finished", "manager_notice", "follow_up"]
    follow_up = effects[2].effect
    assert isinstance(follow_up, FollowUpWanted)
    assert follow_up.at == finished + timedelta(days=1)
    assert all(e.done_at is None and e.created_at == finished for e in effects)

    # the next event starts run 2; answers() reads the latest run by default
    store.handle(ANNA, TextIn("b1"), now=finished)
    assert [r.no for r in store.runs(ANNA.key)] == [1, 2]
    assert store.answers(ANNA.key) == {"q1": "b1"}
    assert store.answers(ANNA.key, run_no=1)["q30"] == "a30"


def test_going_back_changes_the_answer_and_counts_revisions(
    store: Store, engine: sa.Engine, now: datetime
) -> None:
    say(store, "a1", "a2", now=now)
    store.handle(ANNA, CommandIn("back"), now=now)  # re-ask q2
    say(store, "a2", now=now)  # unchanged: no write
    store.handle(ANNA, CommandIn("back"), now=now)
    say(store, "a2-better", now=now)
    assert store.answers(ANNA.key) == {"q1": "a1", "q2": "a2-better"}
    with engine.connect() as conn:
        revisions: dict[str, int] = dict(
            conn.execute(sa.text("SELECT step, revision FROM answer")).all()
        )
    assert revisions == {"q1": 0, "q2": 1}

    store.handle(ANNA, CommandIn("drop"), now=now)  # AnswerDropped q2
    assert store.answers(ANNA.key) == {"q1": "a1"}


def test_run_status_follows_the_run(store: Store, now: datetime) -> None:
    say(store, "a1", now=now)
    store.handle(ANNA, CommandIn("pause"), now=now)
    assert [r.status for r in store.runs(ANNA.key)] == ["draft"]
    store.handle(ANNA, CommandIn("resume"), now=now)
    assert [r.status for r in store.runs(ANNA.key)] == ["active"]
    later = now + timedelta(hours=1)
    store.handle(ANNA, CommandIn("discard"), now=later)
    [run] = store.runs(ANNA.key)
    assert (run.status, run.finished_at, run.summary) == ("discarded", later, None)


def test_outbox_unsent_and_mark_sent(store: Store, now: datetime) -> None:
    first = store.handle(ANNA, TextIn("a1"), now=now)
    second = store.handle(ANNA, TextIn("a2"), now=now)
    unsent = store.unsent(ANNA.key)
    assert [oid for oid, _ in unsent] == [*first.outbox_ids, *second.outbox_ids]
    assert [reply for _, reply in unsent] == [*first.replies, *second.replies]

    store.mark_failed(first.outbox_ids)
    store.mark_sent(first.outbox_ids, now=now)
    store.mark_sent(first.outbox_ids, now=now + timedelta(seconds=1))  # idempotent
    store.mark_sent([], now=now)
    assert store.unsent(ANNA.key) == list(zip(second.outbox_ids, second.replies, strict=True))
    with store.engine.connect() as conn:
        sent_at, attempts = conn.execute(
            sa.select(outbox_table.c.sent_at, outbox_table.c.attempts).where(
                outbox_table.c.id == first.outbox_ids[0]
            )
        ).one()
    assert (sent_at, attempts) == (now, 2)


def test_language_and_timezone_reach_the_turn(store: Store, now: datetime) -> None:
    store.set_language("tg:42", "zh")  # creates the user
    store.set_timezone("tg:42", "Asia/Shanghai")
    result = store.handle(Profile("tg:42", lang="en"), TextIn("x"), now=now)
    assert isinstance(result.replies[0], Ask)
    assert result.replies[0].text == "Question 2 (zh, Asia/Shanghai)"
    assert result.lang == "zh"  # the stored choice wins over the profile's first-contact default
    with pytest.raises(ValueError, match="time zone"):
        store.set_timezone("tg:42", "Mars/Olympus")
    with pytest.raises(ValueError, match="language"):
        store.set_language("tg:42", "fr")
    store.set_active("tg:42", False)
    user = store.user("tg:42")
    assert user is not None
    assert (user.lang, user.tz, user.active) == ("zh", "Asia/Shanghai", False)


def test_profile_with_bad_preferences_falls_back(store: Store, now: datetime) -> None:
    store.handle(Profile("tg:7", lang="xx", tz="Nowhere/Land"), TextIn("x"), now=now)
    user = store.user("tg:7")
    assert user is not None
    assert (user.lang, user.tz) == ("en", "UTC")


def test_timestamps_are_aware_utc(store: Store) -> None:
    berlin = datetime(2025, 3, 30, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    store.handle(ANNA, TextIn("a1"), now=berlin)
    [run] = store.runs(ANNA.key)
    assert run.started_at == berlin
    assert run.started_at.tzinfo == UTC
    with pytest.raises(ValueError, match="naive datetime"):
        store.handle(ANNA, TextIn("a2"), now=datetime(2025, 1, 1))


def test_optimistic_version_check_retries_a_lost_race(db_url: str, now: datetime) -> None:
    engine = make_engine(db_url)
    other = make_engine(db_url)  # "another process"
    calls: list[int] = []

    def racing_turn(state: Conversation, event: Event, ctx: Context) -> Turn:
        calls.append(state.token)
        if len(calls) == 1:  # someone else writes between our read and our write
            with other.begin() as conn:
                conn.execute(
                    sa.update(conversation_table).values(version=conversation_table.c.version + 1)
                )
        return fake_turn(state, event, ctx)

    store = Store(engine, racing_turn, lock=False)
    try:
        store.handle(ANNA, TextIn("a1"), now=now, external_id="1")
        store.handle(ANNA, TextIn("a2"), now=now, external_id="2")
        assert len(calls) == 3  # the first turn ran twice, the second once
        assert store.version(ANNA.key) == 3  # 2 turns + the concurrent bump
        assert store.answers(ANNA.key) == {"q1": "a1", "q2": "a2"}
        assert count(engine, inbox_table) == 2
        assert count(engine, outbox_table) == 2
    finally:
        engine.dispose()
        other.dispose()


def test_optimistic_gives_up_after_retries(db_url: str, now: datetime) -> None:
    engine = make_engine(db_url)

    def always_losing(state: Conversation, event: Event, ctx: Context) -> Turn:
        with engine.begin() as conn:
            conn.execute(
                sa.update(conversation_table).values(version=conversation_table.c.version + 1)
            )
        return fake_turn(state, event, ctx)

    store = Store(engine, always_losing, lock=False, retries=2)
    with pytest.raises(ConflictError):
        store.handle(ANNA, CommandIn("start"), now=now)  # fails, but creates the user first
    with pytest.raises(ConflictError, match="3 times"):
        store.handle(ANNA, TextIn("a1"), now=now, external_id="9")
    assert count(engine, inbox_table) == 0
    assert store.answers(ANNA.key) == {}
    engine.dispose()


def scripted(effects: dict[str, tuple[Effect, ...]]) -> TurnFn:
    """A turn function that answers text ``t`` with ``Say(t)`` and the effects listed for it."""

    def turn(state: Conversation, event: Event, ctx: Context) -> Turn:
        assert isinstance(event, TextIn)
        return Turn(replace(state, token=state.token + 1), (Say(event.text),), effects[event.text])

    return turn


def test_a_reopened_run_finishes_again_and_replaces_its_notices(
    engine: sa.Engine, now: datetime
) -> None:
    later = now + timedelta(hours=2)
    at = now + timedelta(days=1)
    store = Store(
        engine,
        scripted(
            {
                "start": (RunStarted(1, "debrief", 1), AnswerSaved(1, "q1", "a")),
                "finish": (
                    RunFinished(1, "debrief", "first", {"q1": "a"}),
                    ManagerNotice(1, "debrief", "first"),
                    FollowUpWanted(1, at, "call"),
                    MediaKept(1, "q1", "photo", "file-1"),
                ),
                "reopen": (RunResumed(1),),
                "change": (AnswerSaved(1, "q1", "b"),),
                "refinish": (
                    RunFinished(1, "debrief", "second", {"q1": "b"}, revised=True),
                    ManagerNotice(1, "debrief", "second"),
                ),
            }
        ),
    )
    store.handle(ANNA, TextIn("start"), now=now)
    store.handle(ANNA, TextIn("finish"), now=now)
    store.handle(ANNA, TextIn("reopen"), now=later)
    [run] = store.runs(ANNA.key)
    assert (run.status, run.finished_at) == ("active", None)
    store.handle(ANNA, TextIn("change"), now=later)
    store.handle(ANNA, TextIn("refinish"), now=later)

    [run] = store.runs(ANNA.key)
    assert (run.status, run.finished_at, run.summary) == ("finished", later, "second")
    assert store.answers(ANNA.key) == {"q1": "b"}
    effects = store.effects(ANNA.key)
    assert [(e.kind, e.done_at) for e in effects] == [
        ("run_finished", later),  # superseded
        ("manager_notice", later),
        ("follow_up", later),
        ("media", None),  # evidence stays
        ("run_finished", None),
        ("manager_notice", None),
    ]
    assert [e.kind for e in store.effects(ANNA.key, pending_only=True)] == [
        "media",
        "run_finished",
        "manager_notice",
    ]


def test_pending_outbox_across_users_for_a_restarted_sender(store: Store, now: datetime) -> None:
    anna = store.handle(ANNA, TextIn("a1"), now=now)
    bob = store.handle(Profile("tg:2"), TextIn("b1"), now=now)
    carl = store.handle(Profile("tg:3"), TextIn("c1"), now=now)
    store.mark_sent(bob.outbox_ids, now=now)
    store.set_active("tg:3", False)  # blocked the bot: nothing to deliver
    pending = store.pending_outbox()
    assert [(item.id, item.user_key, item.reply) for item in pending] == [
        (anna.outbox_ids[0], ANNA.key, anna.replies[0])
    ]
    assert (pending[0].attempts, pending[0].created_at) == (0, now)
    assert carl.outbox_ids
    assert store.pending_outbox(limit=0) == []


def test_numbers_lists_and_yes_no_answers_read_back_as_stored(
    engine: sa.Engine, now: datetime
) -> None:
    """SQLite gives a JSON column numeric affinity: a stored 4 must still read back as 4."""
    from functools import partial

    from coaching_scripts import load_catalog
    from dialogs.engine import step
    from dialogs.types import CommandIn

    store = Store(engine, partial(step, load_catalog()))
    rep = Profile("tg:7")
    store.handle(rep, CommandIn("start", "debrief"), now=now)
    route = ("4", "Long wait, short meeting", "Acme", "2", "2", "/skip", "2", "1", "1", "4")
    route += ("A trial order", "Demo, then ask", "They said it costs too much", "no", "1, 3")
    for answer in route:
        event = CommandIn("skip") if answer == "/skip" else TextIn(answer)
        store.handle(rep, event, now=now)
    answers = store.answers("tg:7")
    assert (answers["feeling_score"], answers["deal_size"]) == (4, "large")
    assert (answers["contact"], answers["known_facts"]) == (None, None)
    assert answers["goal_met"] is False
    assert answers["objections"] == ["need", "price"]


def test_a_note_is_kept_with_its_run_once_even_when_the_update_comes_again(
    engine: sa.Engine, now: datetime
) -> None:
    store = Store(
        engine,
        scripted(
            {
                "start": (RunStarted(1, "debrief", 1),),
                "vent": (NoteKept(1, "feeling_score", "Terrible. The buyer was an idiot"),),
            }
        ),
    )
    store.handle(ANNA, TextIn("start"), now=now)
    store.handle(ANNA, TextIn("vent"), now=now, source="telegram", external_id="7")
    again = store.handle(ANNA, TextIn("vent"), now=now, source="telegram", external_id="7")

    assert again.duplicate
    assert store.notes(ANNA.key) == [
        NoteKept(1, "feeling_score", "Terrible. The buyer was an idiot")
    ]
    assert store.answers(ANNA.key) == {}  # a note is never an answer
