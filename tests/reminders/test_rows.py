"""Reminder rows (``storage.reminders.Reminders``) on SQLite and PostgreSQL: created once per key,
claimed once into the outbox, changed only by their own rep, and only once per Telegram update."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from dialogs.types import Choice, CommandIn, Nudge, TextIn
from storage.reminders import (
    Decision,
    Due,
    NewReminder,
    Postpone,
    ReminderInfo,
    Reminders,
    Send,
    Skip,
)
from storage.store import Profile, Store
from tests.reminders.conftest import BERLIN, make_rep, replay

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
LATER = T0 + timedelta(days=2)


def nudge_for(due: Due) -> Nudge:
    info = due.reminder
    return Nudge(info.id, f"about: {info.about}", (Choice("done", "Done"),), info.snoozes)


def by_about(due: Due) -> Decision:
    """Send unless the reminder's ``about`` says to postpone or skip it."""
    about = due.reminder.about
    if about == "postpone":
        return Postpone(LATER)
    if about == "skip":
        return Skip("told to")
    return Send(nudge_for(due))


def send_all(due: Due) -> Decision:
    return Send(nudge_for(due))


def one(reminders: Reminders, key: str, reminder_key: str) -> ReminderInfo:
    found = [
        r
        for r in reminders.listing(
            user_key=key, statuses=("pending", "sent", "done", "cancelled", "skipped")
        )
        if r.key == reminder_key
    ]
    assert len(found) == 1, found
    return found[0]


def follow_up(uid: int, key: str, due: datetime, about: str = "", **kw: object) -> NewReminder:
    return NewReminder(uid, "follow_up", key, due, about=about or key, **kw)  # type: ignore[arg-type]


# --- add --------------------------------------------------------------------------------------


def test_add_with_the_same_key_updates_a_pending_reminder_instead_of_adding_one(
    store: Store, reminders: Reminders
) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "k", T0, "call Li")], now=T0 - timedelta(days=1))
    reminders.add([follow_up(uid, "k", T0 + timedelta(hours=3), "call Li at 1pm")], now=T0)

    rows = reminders.listing(user_key="tg:1", statuses=("pending", "sent"))
    assert len(rows) == 1
    assert rows[0].due_at == T0 + timedelta(hours=3)
    assert rows[0].about == "call Li at 1pm"


def test_add_does_not_revive_a_sent_or_done_reminder(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "sent", T0), follow_up(uid, "done", T0)], now=T0)
    report = reminders.claim_due(send_all, now=T0)
    assert len(report.deliveries) == 2
    done = one(reminders, "tg:1", "done")
    assert reminders.close("tg:1", done.id, "done", now=T0) is not None

    again = T0 + timedelta(days=1)
    reminders.add([follow_up(uid, "sent", again), follow_up(uid, "done", again)], now=again)

    assert one(reminders, "tg:1", "sent").status == "sent"
    assert one(reminders, "tg:1", "sent").due_at == T0
    assert one(reminders, "tg:1", "done").status == "done"
    assert reminders.claim_due(send_all, now=again + timedelta(hours=1)).deliveries == []
    assert len(store.unsent("tg:1")) == 2


# --- claim_due --------------------------------------------------------------------------------


def test_claim_sends_each_due_reminder_once_and_leaves_the_rest(
    store: Store, reminders: Reminders
) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add(
        [
            follow_up(uid, "a", T0 - timedelta(minutes=5), "send a"),
            follow_up(uid, "b", T0, "send b"),
            follow_up(uid, "later", T0 + timedelta(minutes=1), "send later"),
            follow_up(uid, "p", T0 - timedelta(hours=1), "postpone"),
            follow_up(uid, "s", T0 - timedelta(hours=1), "skip"),
        ],
        now=T0 - timedelta(days=1),
    )

    report = reminders.claim_due(by_about, now=T0)

    assert [d.reply.text for d in report.deliveries] == ["about: send a", "about: send b"]
    assert (report.postponed, report.skipped) == (1, 1)
    assert {d.user_key for d in report.deliveries} == {"tg:1"}
    for name in ("a", "b"):
        row = one(reminders, "tg:1", name)
        assert (row.status, row.sent_at) == ("sent", T0)
    assert one(reminders, "tg:1", "later").status == "pending"
    postponed = one(reminders, "tg:1", "p")
    assert (postponed.status, postponed.due_at) == ("pending", LATER)
    skipped = one(reminders, "tg:1", "s")
    assert (skipped.status, skipped.closed_at) == ("skipped", T0)

    # the outbox holds exactly the two nudges, with their buttons, for the sender to deliver
    unsent = store.unsent("tg:1")
    assert [outbox_id for outbox_id, _ in unsent] == [d.outbox_id for d in report.deliveries]
    assert [reply for _, reply in unsent] == [d.reply for d in report.deliveries]
    first = unsent[0][1]
    assert isinstance(first, Nudge)
    assert first.ref == one(reminders, "tg:1", "a").id
    assert first.actions == (Choice("done", "Done"),)
    pending = store.pending_outbox()
    assert [(item.id, item.user_key) for item in pending] == [(i, "tg:1") for i, _ in unsent]

    # claiming again, now or later, finds only what became due since
    assert reminders.claim_due(by_about, now=T0).deliveries == []
    later = reminders.claim_due(by_about, now=T0 + timedelta(hours=1))
    assert [d.reply.text for d in later.deliveries] == ["about: send later"]
    assert reminders.claim_due(by_about, now=T0 + timedelta(hours=2)).deliveries == []
    assert len(store.unsent("tg:1")) == 3


def test_claim_takes_only_the_adapters_own_reps(store: Store, reminders: Reminders) -> None:
    tg = make_rep(store, "tg:1")
    console = make_rep(store, "console:1")
    reminders.add([follow_up(tg, "tg", T0), follow_up(console, "console", T0)], now=T0)

    report = reminders.claim_due(send_all, now=T0, key_prefix="tg:")

    assert [d.user_key for d in report.deliveries] == ["tg:1"]
    assert one(reminders, "console:1", "console").status == "pending"
    assert store.unsent("console:1") == []


def test_claim_respects_the_limit(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, f"k{n}", T0 + timedelta(seconds=n)) for n in range(5)], now=T0)
    now = T0 + timedelta(minutes=1)
    assert len(reminders.claim_due(send_all, now=now, limit=3).deliveries) == 3
    assert len(reminders.claim_due(send_all, now=now, limit=3).deliveries) == 2
    assert reminders.claim_due(send_all, now=now, limit=3).deliveries == []


def test_a_nudge_to_send_is_never_sent_twice_when_decide_fails(
    store: Store, reminders: Reminders
) -> None:
    """A decide that raises rolls the whole claim back: nothing sent, the row still due."""
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "a", T0), follow_up(uid, "b", T0)], now=T0)
    calls = 0

    def fail_on_second(due: Due) -> Decision:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("boom")
        return send_all(due)

    with contextlib.suppress(RuntimeError):
        reminders.claim_due(fail_on_second, now=T0)
    assert store.unsent("tg:1") == []
    assert {r.status for r in reminders.listing(user_key="tg:1")} == {"pending"}
    assert len(reminders.claim_due(send_all, now=T0).deliveries) == 2
    assert len(store.unsent("tg:1")) == 2


# --- the rep's side ---------------------------------------------------------------------------


def test_a_forged_id_of_another_reps_reminder_changes_nothing(
    store: Store, reminders: Reminders
) -> None:
    mine = make_rep(store, "tg:1")
    make_rep(store, "tg:2")
    reminders.add([follow_up(mine, "mine", T0)], now=T0)
    reminders.claim_due(send_all, now=T0)
    row = one(reminders, "tg:1", "mine")

    assert reminders.get("tg:2", row.id) is None
    assert reminders.close("tg:2", row.id, "done", now=T0) is None
    assert reminders.close("tg:2", row.id, "cancelled", now=T0) is None
    assert reminders.snooze("tg:2", row.id, T0 + timedelta(hours=1), now=T0) is None
    assert reminders.snooze("tg:unknown", row.id, T0 + timedelta(hours=1), now=T0) is None
    assert reminders.open_for("tg:2") == []

    assert reminders.get("tg:1", row.id) == row
    assert reminders.claim_due(send_all, now=T0 + timedelta(hours=2)).deliveries == []


def test_a_stale_snooze_button_changes_nothing(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "a", T0)], now=T0)
    reminders.claim_due(send_all, now=T0)
    row = one(reminders, "tg:1", "a")
    assert row.snoozes == 0

    first = reminders.snooze("tg:1", row.id, T0 + timedelta(hours=1), now=T0, seen_snoozes=0)
    assert first is not None
    assert first.snoozes == 1

    stale = reminders.snooze("tg:1", row.id, T0 + timedelta(days=1), now=T0, seen_snoozes=0)
    assert stale is None
    assert reminders.get("tg:1", row.id) == first


def test_a_redelivered_update_acts_only_once(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "a", T0), follow_up(uid, "b", T0)], now=T0)
    reminders.claim_due(send_all, now=T0)
    a, b = one(reminders, "tg:1", "a"), one(reminders, "tg:1", "b")

    closed = reminders.close("tg:1", a.id, "done", now=T0, source="telegram", external_id="7")
    assert closed is not None
    assert closed.status == "done"
    again = reminders.close(
        "tg:1", a.id, "done", now=T0 + timedelta(minutes=1), source="telegram", external_id="7"
    )
    assert again is None
    assert reminders.get("tg:1", a.id) == closed

    until = T0 + timedelta(hours=1)
    snoozed = reminders.snooze("tg:1", b.id, until, now=T0, source="telegram", external_id="8")
    assert snoozed is not None
    assert snoozed.snoozes == 1
    redelivered = reminders.snooze(
        "tg:1", b.id, until, now=T0 + timedelta(minutes=1), source="telegram", external_id="8"
    )
    assert redelivered is None
    assert reminders.get("tg:1", b.id) == snoozed
    assert [(source, ext) for _, source, ext, _ in store.inbox("tg:1")] == [
        ("telegram", "7"),
        ("telegram", "8"),
    ]


def test_close_acts_only_on_open_reminders(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "a", T0)], now=T0)
    row = one(reminders, "tg:1", "a")
    cancelled = reminders.close("tg:1", row.id, "cancelled", now=T0)
    assert cancelled is not None
    assert (cancelled.status, cancelled.closed_at) == ("cancelled", T0)
    assert reminders.close("tg:1", row.id, "done", now=T0) is None
    assert reminders.snooze("tg:1", row.id, T0 + timedelta(hours=1), now=T0) is None
    assert reminders.claim_due(send_all, now=T0 + timedelta(days=1)).deliveries == []


def test_a_snoozed_reminder_comes_back_at_the_new_time(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "a", T0, "call Li")], now=T0)
    assert len(reminders.claim_due(send_all, now=T0).deliveries) == 1
    row = one(reminders, "tg:1", "a")
    until = T0 + timedelta(hours=3)

    snoozed = reminders.snooze("tg:1", row.id, until, now=T0 + timedelta(minutes=2))

    assert snoozed is not None
    assert (snoozed.status, snoozed.due_at, snoozed.snoozes) == ("pending", until, 1)
    assert snoozed.explicit
    assert reminders.claim_due(send_all, now=until - timedelta(minutes=1)).deliveries == []
    report = reminders.claim_due(send_all, now=until)
    assert [d.reminder_id for d in report.deliveries] == [row.id]
    reply = report.deliveries[0].reply
    assert isinstance(reply, Nudge)
    assert reply.version == 1
    assert reminders.claim_due(send_all, now=until + timedelta(hours=1)).deliveries == []
    assert len(store.unsent("tg:1")) == 2


# --- /edit ------------------------------------------------------------------------------------


def test_cancel_for_run_and_the_edit_bringing_one_back(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    other = make_rep(store, "tg:2")
    reminders.add(
        [
            follow_up(uid, "run3:sent", T0 - timedelta(hours=1), run_no=3),
            follow_up(uid, "run3:a", T0 + timedelta(days=1), run_no=3),
            follow_up(uid, "run3:b", T0 + timedelta(days=2), run_no=3),
            follow_up(uid, "run4", T0 + timedelta(days=1), run_no=4),
            follow_up(other, "other:run3", T0 + timedelta(days=1), run_no=3),
        ],
        now=T0 - timedelta(days=1),
    )
    assert len(reminders.claim_due(send_all, now=T0).deliveries) == 1

    assert reminders.cancel_for_run(uid, 3, now=T0) == 2

    assert one(reminders, "tg:1", "run3:sent").status == "sent"
    assert one(reminders, "tg:1", "run3:a").status == "cancelled"
    assert one(reminders, "tg:1", "run3:b").status == "cancelled"
    assert one(reminders, "tg:1", "run4").status == "pending"
    assert one(reminders, "tg:2", "other:run3").status == "pending"

    # the revised run still wants "a", a day later; "b" is gone
    moved = T0 + timedelta(days=3)
    reminders.add([follow_up(uid, "run3:a", moved, "call Li later", run_no=3)], now=T0)
    back = one(reminders, "tg:1", "run3:a")
    assert (back.status, back.due_at, back.closed_at, back.about) == (
        "pending",
        moved,
        None,
        "call Li later",
    )
    report = reminders.claim_due(send_all, now=moved)
    sent = sorted(d.reminder_id for d in report.deliveries if d.user_key == "tg:1")
    assert sent == sorted([back.id, one(reminders, "tg:1", "run4").id])
    assert one(reminders, "tg:1", "run3:b").status == "cancelled"


def test_a_cancelled_reminder_of_no_run_is_not_revived(store: Store, reminders: Reminders) -> None:
    uid = make_rep(store, "tg:1")
    reminders.add([follow_up(uid, "k", T0)], now=T0)
    row = one(reminders, "tg:1", "k")
    assert reminders.close("tg:1", row.id, "cancelled", now=T0) is not None
    reminders.add([follow_up(uid, "k", T0 + timedelta(days=1))], now=T0)
    assert one(reminders, "tg:1", "k").status == "cancelled"


# --- customers --------------------------------------------------------------------------------


def test_customers_from_finished_debriefs(store: Store, reminders: Reminders) -> None:
    ann = Profile("tg:1", "Ann", "en", BERLIN)
    first = T0
    replay(store, ann, "debrief.en", now=first)  # Huaxin Logistics, class A
    replay(store, ann, "debrief.short.en", now=first + timedelta(days=1))  # Baker & Sons
    second = first + timedelta(days=5)
    replay(store, ann, "debrief.again.en", now=second)  # Huaxin again, later: facts known
    unfinished = second + timedelta(days=1)  # a debrief started, not finished: no visit yet
    store.handle(ann, CommandIn("start", "debrief"), now=unfinished)
    store.handle(ann, TextIn("4"), now=unfinished)

    found = {name: (klass, at) for name, klass, at in reminders.customers("tg:1")}

    assert set(found) == {"Huaxin Logistics", "Baker & Sons"}
    klass, at = found["Huaxin Logistics"]
    assert klass is not None
    assert klass.upper() == "A"
    assert at == second
    assert found["Baker & Sons"] == (None, first + timedelta(days=1))
    assert reminders.customers("tg:2") == []
