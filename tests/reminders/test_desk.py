"""``ReminderDesk`` end to end over real rows: what a rep receives, when, and what a tap does.

Time is always passed in: the tests tick a fake clock through days and DST changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from coaching.reminders import ReminderDesk
from dialogs.catalog import Catalog
from dialogs.types import Nudge, Say
from reminders.policy import Policy
from storage.reminders import Delivery, NewReminder, ReminderInfo, Reminders
from storage.store import Profile, Store
from tests.reminders.conftest import BERLIN, make_rep, replay

MON = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 23 Nov 2026, 09:00 in Berlin
HOUR = timedelta(hours=1)
LATE_EN = "could not send it then"
LATE_ZH = "当时未能发出"


@pytest.fixture
def desk(reminders: Reminders, catalog: Catalog) -> ReminderDesk:
    return ReminderDesk(reminders, catalog.messages, Policy(), key_prefix="tg:")


Sent = list[tuple[datetime, Delivery]]


def ticks(desk: ReminderDesk, start: datetime, end: datetime, every: timedelta) -> Sent:
    """Tick every ``every`` from ``start`` to ``end`` (both included): what went out, when."""
    sent: Sent = []
    moment = start
    while moment <= end:
        sent.extend((moment, delivery) for delivery in desk.tick(moment).deliveries)
        moment += every
    return sent


def of(sent: Sent, reminder_id: int) -> list[datetime]:
    return [moment for moment, delivery in sent if delivery.reminder_id == reminder_id]


def by_kind(reminders: Reminders, key: str, kind: str) -> list[ReminderInfo]:
    every = ("pending", "sent", "done", "cancelled", "skipped")
    return [r for r in reminders.listing(user_key=key, statuses=every) if r.kind == kind]


def status(reminders: Reminders, key: str, reminder_id: int) -> str:
    found = reminders.get(key, reminder_id)
    assert found is not None
    return found.status


def text(delivery: Delivery) -> str:
    assert isinstance(delivery.reply, Nudge)
    return delivery.reply.text


def add(reminders: Reminders, key: str, new: NewReminder, *, now: datetime) -> ReminderInfo:
    reminders.add([new], now=now)
    return next(r for r in reminders.listing(user_key=key) if r.key == new.key)


# --- a planned visit ---------------------------------------------------------------------------

VISIT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # "Thursday 10am" in Berlin
ANN = Profile("tg:1", "Ann", "en", BERLIN)


def plan_visit(store: Store, desk: ReminderDesk, reminders: Reminders) -> tuple[ReminderInfo, ...]:
    replay(store, ANN, "precall.en", now=MON)
    desk.plan(MON)
    (visit,) = by_kind(reminders, "tg:1", "visit")
    first, second = sorted(by_kind(reminders, "tg:1", "debrief_nudge"), key=lambda r: r.due_at)
    return visit, first, second


def test_a_finished_precall_plans_the_visit_and_two_debrief_nudges(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    visit, first, second = plan_visit(store, desk, reminders)

    assert (visit.due_at, visit.customer, visit.explicit) == (VISIT, "Huaxin Logistics", True)
    assert first.due_at == VISIT + timedelta(hours=3)  # 13:00 in Berlin
    assert second.due_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # Friday 09:00 in Berlin
    assert {first.customer, second.customer} == {"Huaxin Logistics"}

    assert ticks(desk, VISIT - timedelta(minutes=5), VISIT - timedelta(minutes=1), HOUR) == []
    (delivery,) = desk.tick(VISIT).deliveries
    assert delivery.reminder_id == visit.id
    nudge = delivery.reply
    assert isinstance(nudge, Nudge)
    assert "Your visit" in nudge.text
    assert "Huaxin Logistics" in nudge.text
    assert "Thu 26 Nov, 10:00" in nudge.text
    assert LATE_EN not in nudge.text
    assert [(c.id, c.label) for c in nudge.actions] == [
        ("debrief", "Start the debrief"),
        ("snooze", "⏰ Snooze"),
        ("done", "✓ Done"),
        ("cancel", "✕ Cancel"),
    ]
    assert status(reminders, "tg:1", visit.id) == "sent"
    assert desk.tick(VISIT + timedelta(minutes=5)).deliveries == []


def test_no_debrief_nudge_once_the_visit_is_debriefed(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    _visit, first, second = plan_visit(store, desk, reminders)
    desk.tick(VISIT)
    replay(store, ANN, "debrief.planned.en", now=VISIT + timedelta(hours=2))  # Huaxin Logistics

    sent = ticks(desk, VISIT + timedelta(hours=2), second.due_at + HOUR, timedelta(minutes=30))

    assert of(sent, first.id) == []
    assert of(sent, second.id) == []
    assert status(reminders, "tg:1", first.id) == "skipped"
    assert status(reminders, "tg:1", second.id) == "skipped"


def test_an_undebriefed_visit_is_nudged_with_the_debrief_button(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    _visit, first, second = plan_visit(store, desk, reminders)

    sent = ticks(desk, VISIT, second.due_at, timedelta(minutes=30))

    assert of(sent, first.id) == [first.due_at]
    assert of(sent, second.id) == [second.due_at]
    nudge = next(d.reply for _, d in sent if d.reminder_id == first.id)
    assert isinstance(nudge, Nudge)
    assert "Huaxin Logistics" in nudge.text
    assert [c.id for c in nudge.actions] == ["debrief", "snooze", "cancel"]


# --- daylight saving ---------------------------------------------------------------------------


def test_a_follow_up_in_the_repeated_autumn_hour_is_sent_once(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    uid = make_rep(store, "tg:1")
    first_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, before the change
    start = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    follow = add(
        reminders,
        "tg:1",
        NewReminder(uid, "follow_up", "dst", first_0230, about="call Li", explicit=True),
        now=start - timedelta(days=1),
    )

    sent = ticks(desk, start, datetime(2026, 10, 25, 3, 0, tzinfo=UTC), timedelta(minutes=5))

    assert of(sent, follow.id) == [first_0230]
    assert [d.reminder_id for _, d in sent] == [follow.id]
    (delivery,) = (d for _, d in sent)
    assert "02:30" in text(delivery)
    assert "call Li" in text(delivery)


def test_the_weekly_plan_nudge_keeps_9am_across_the_spring_change(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    make_rep(store, "tg:1")
    make_rep(store, "tg:2")
    start = datetime(2027, 3, 17, 0, 0, tzinfo=UTC)  # a Wednesday
    done_on = datetime(2027, 3, 28, 12, 0, tzinfo=UTC)  # Sunday after the change
    before = ticks(desk, start, done_on - HOUR, HOUR)
    replay(store, Profile("tg:2", "Bo", "en", BERLIN), "week_plan.en", now=done_on)
    after = ticks(desk, done_on, datetime(2027, 4, 7, 0, 0, tzinfo=UTC), HOUR)
    sent = before + after

    def week_plans(key: str) -> list[datetime]:
        ids = {r.id for r in by_kind(reminders, key, "week_plan")}
        return [m for m, d in sent if d.user_key == key and d.reminder_id in ids]

    expected = [
        datetime(2027, 3, 22, 8, 0, tzinfo=UTC),  # 09:00 CET
        datetime(2027, 3, 29, 7, 0, tzinfo=UTC),  # 09:00 CEST
        datetime(2027, 4, 5, 7, 0, tzinfo=UTC),
    ]
    assert week_plans("tg:1") == expected
    assert week_plans("tg:2") == [expected[0], expected[2]]  # planned that week: not nudged
    skipped = [r for r in by_kind(reminders, "tg:2", "week_plan") if r.status == "skipped"]
    assert [r.due_at for r in skipped] == [expected[1]]
    pending = [r for r in by_kind(reminders, "tg:1", "week_plan") if r.status == "pending"]
    assert [r.due_at for r in pending] == [datetime(2027, 4, 12, 7, 0, tzinfo=UTC)]  # one ahead


# --- quiet hours -------------------------------------------------------------------------------

FRI_22 = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)  # Friday 22:00 in Berlin
NEXT_MON_8 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin


def test_a_nudge_waits_for_the_morning_but_a_timed_follow_up_does_not(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    uid = make_rep(store, "tg:1")
    earlier = FRI_22 - timedelta(hours=3)
    nudge = add(
        reminders,
        "tg:1",
        NewReminder(
            uid, "debrief_nudge", "n", FRI_22, wanted_at=earlier, customer="Baker & Sons", run_no=1
        ),
        now=earlier,
    )
    follow = add(
        reminders,
        "tg:1",
        NewReminder(uid, "follow_up", "f", FRI_22, about="send the quote", explicit=True),
        now=earlier,
    )

    sent = ticks(desk, FRI_22 - HOUR, NEXT_MON_8 + HOUR, timedelta(minutes=30))

    assert of(sent, follow.id) == [FRI_22]
    assert of(sent, nudge.id) == [NEXT_MON_8]
    delivered = next(d for _, d in sent if d.reminder_id == nudge.id)
    assert "<b>Baker &amp; Sons</b>" in text(delivered)  # the customer's name, escaped


# --- downtime ----------------------------------------------------------------------------------


def test_a_follow_up_due_while_down_is_sent_once_and_says_it_is_late(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    en = make_rep(store, "tg:1")
    zh = make_rep(store, "tg:2", lang="zh")
    due = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Tuesday 11:00 in Berlin
    ids = {}
    for key, uid in (("tg:1", en), ("tg:2", zh)):
        new = NewReminder(uid, "follow_up", f"f:{uid}", due, about="call Li", explicit=True)
        ids[key] = add(reminders, key, new, now=due - timedelta(days=1)).id
    assert desk.tick(due - timedelta(minutes=5)).deliveries == []

    back = due + timedelta(hours=6)  # down from just before the due time until now
    sent = ticks(desk, back, back + timedelta(minutes=30), timedelta(minutes=5))

    assert of(sent, ids["tg:1"]) == [back]
    assert of(sent, ids["tg:2"]) == [back]
    by_key = {d.user_key: text(d) for _, d in sent}
    assert LATE_EN in by_key["tg:1"]
    assert "Tue 24 Nov, 11:00" in by_key["tg:1"]
    assert LATE_ZH in by_key["tg:2"]
    assert "跟进提醒" in by_key["tg:2"]
    assert LATE_EN not in by_key["tg:2"]


# --- pause -------------------------------------------------------------------------------------

WED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday 11:00 in Berlin
PAUSE_END = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Monday 30 Nov 00:00 in Berlin


@pytest.mark.parametrize("hold", [False, True], ids=["keep", "hold"])
def test_a_pause_skips_nudges_and_keeps_or_holds_follow_ups(
    hold: bool, store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    uid = make_rep(store, "tg:1")
    desk.plan(WED)  # the weekly nudges
    follow_at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    follow = add(
        reminders,
        "tg:1",
        NewReminder(uid, "follow_up", "f", follow_at, about="call Li", explicit=True),
        now=WED,
    )
    nudge = add(
        reminders,
        "tg:1",
        NewReminder(uid, "debrief_nudge", "n", follow_at + HOUR, customer="Huaxin", run_no=1),
        now=WED,
    )

    outcome = desk.pause("tg:1", "until next Monday", lang="en", tz=BERLIN, now=WED)
    assert outcome.changed
    assert "Paused until" in outcome.text
    assert [c.id for c in outcome.actions] == ["keep", "hold"]  # one follow-up falls inside
    assert reminders.prefs("tg:1")[1] == PAUSE_END
    chosen = desk.pause_follow_ups("tg:1", hold, lang="en", tz=BERLIN, now=WED)
    assert chosen.changed

    sent = ticks(desk, WED, datetime(2026, 11, 30, 9, 0, tzinfo=UTC), HOUR)

    (review,) = [r for r in by_kind(reminders, "tg:1", "week_review") if r.due_at < PAUSE_END]
    (plan,) = [
        r for r in by_kind(reminders, "tg:1", "week_plan") if r.due_at < PAUSE_END + HOUR * 12
    ]
    assert of(sent, nudge.id) == []
    assert status(reminders, "tg:1", nudge.id) == "skipped"
    assert of(sent, review.id) == []
    assert status(reminders, "tg:1", review.id) == "skipped"
    assert of(sent, plan.id) == [datetime(2026, 11, 30, 8, 0, tzinfo=UTC)]  # after the pause
    held = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # the pause's end, after the quiet night
    assert of(sent, follow.id) == ([held] if hold else [follow_at])


def test_pause_off_ends_the_pause(store: Store, reminders: Reminders, desk: ReminderDesk) -> None:
    uid = make_rep(store, "tg:1")
    nudge_at = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    nudge = add(
        reminders,
        "tg:1",
        NewReminder(uid, "debrief_nudge", "n", nudge_at, customer="Huaxin", run_no=1),
        now=WED,
    )
    assert "not paused" in desk.pause("tg:1", "off", lang="en", tz=BERLIN, now=WED).text
    desk.pause("tg:1", "until next Monday", lang="en", tz=BERLIN, now=WED)
    later = WED + HOUR

    off = desk.pause("tg:1", "off", lang="en", tz=BERLIN, now=later)

    assert off.changed
    assert "Welcome back" in off.text
    assert reminders.prefs("tg:1")[1] is None
    assert of(ticks(desk, later, nudge_at, HOUR), nudge.id) == [nudge_at]


# --- settings ----------------------------------------------------------------------------------


def test_a_nudge_switched_off_is_skipped_and_on_again_comes_back(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    make_rep(store, "tg:1")
    desk.plan(WED)
    shown = desk.switch("tg:1", "week_plan", False, lang="en", tz=BERLIN, now=WED)
    toggles = {c.id: c.label for c in shown.actions}
    assert "week_plan:on" in toggles
    assert "off" in toggles["week_plan:on"]
    assert "debrief_nudge:off" in toggles  # the others stay on

    first_monday = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    sent = ticks(desk, WED, first_monday + HOUR, HOUR)
    (skipped,) = [r for r in by_kind(reminders, "tg:1", "week_plan") if r.due_at == first_monday]
    assert skipped.status == "skipped"
    assert of(sent, skipped.id) == []

    desk.switch("tg:1", "week_plan", True, lang="en", tz=BERLIN, now=first_monday + HOUR)
    next_monday = first_monday + timedelta(weeks=1)
    sent = ticks(desk, next_monday - HOUR, next_monday, HOUR)
    (again,) = [r for r in by_kind(reminders, "tg:1", "week_plan") if r.due_at == next_monday]
    assert of(sent, again.id) == [next_monday]


# --- taps --------------------------------------------------------------------------------------

DUE = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Tuesday 11:00 in Berlin


def sent_follow_up(store: Store, reminders: Reminders, desk: ReminderDesk) -> ReminderInfo:
    uid = make_rep(store, "tg:1")
    new = NewReminder(uid, "follow_up", "f", DUE, about="call Li", explicit=True)
    follow = add(reminders, "tg:1", new, now=DUE - timedelta(days=1))
    assert [d.reminder_id for d in desk.tick(DUE).deliveries if d.user_key == "tg:1"] == [follow.id]
    return follow


def test_done_closes_the_reminder(store: Store, reminders: Reminders, desk: ReminderDesk) -> None:
    follow = sent_follow_up(store, reminders, desk)
    now = DUE + timedelta(minutes=3)

    outcome = desk.act("tg:1", follow.id, 0, "done", lang="en", tz=BERLIN, now=now)

    assert outcome.changed
    assert outcome.text == "✓ Done: call Li"
    assert outcome.actions == ()
    assert status(reminders, "tg:1", follow.id) == "done"
    again = desk.act("tg:1", follow.id, 0, "done", lang="en", tz=BERLIN, now=now)
    assert "no longer open" in again.text
    assert not again.changed
    assert desk.act("tg:2", follow.id, 0, "cancel", lang="en", tz=BERLIN, now=now).text == (
        again.text
    )


def test_snooze_an_hour_and_an_old_copy_changes_nothing(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    follow = sent_follow_up(store, reminders, desk)
    now = DUE + timedelta(minutes=3, seconds=20)

    menu = desk.act("tg:1", follow.id, 0, "snooze", lang="en", tz=BERLIN, now=now)
    assert [c.id for c in menu.actions] == ["hour", "tomorrow", "next_week", "pick", "back"]
    assert not menu.changed
    snoozed = desk.act("tg:1", follow.id, 0, "hour", lang="en", tz=BERLIN, now=now)

    assert snoozed.changed
    assert "remind you again" in snoozed.text
    row = reminders.get("tg:1", follow.id)
    assert row is not None
    assert (row.status, row.due_at, row.snoozes) == (
        "pending",
        DUE + timedelta(hours=1, minutes=3),
        1,
    )

    stale = desk.act("tg:1", follow.id, 0, "hour", lang="en", tz=BERLIN, now=now + HOUR / 2)
    assert "no longer open" in stale.text
    assert reminders.get("tg:1", follow.id) == row

    (delivery,) = desk.tick(row.due_at).deliveries
    assert isinstance(delivery.reply, Nudge)
    assert delivery.reply.version == 1  # the new copy's buttons carry the new version


def test_done_on_an_old_copy_changes_nothing(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    follow = sent_follow_up(store, reminders, desk)
    now = DUE + timedelta(minutes=3)
    desk.act("tg:1", follow.id, 0, "hour", lang="en", tz=BERLIN, now=now)  # now version 1
    before = reminders.get("tg:1", follow.id)

    stale = desk.act("tg:1", follow.id, 0, "done", lang="en", tz=BERLIN, now=now + HOUR / 2)

    assert "no longer open" in stale.text
    assert reminders.get("tg:1", follow.id) == before


def test_debrief_on_a_visit_reminder_starts_the_debrief(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    visit, _, _ = plan_visit(store, desk, reminders)
    desk.tick(VISIT)

    outcome = desk.act("tg:1", visit.id, 0, "debrief", lang="en", tz=BERLIN, now=VISIT + HOUR)

    assert outcome.start == "debrief"
    assert outcome.changed
    assert status(reminders, "tg:1", visit.id) == "done"


# --- /followups --------------------------------------------------------------------------------


def test_follow_ups_lists_overdue_first_then_upcoming(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    uid = make_rep(store, "tg:1")
    now = DUE
    when = {
        "two days late": now - timedelta(days=2),
        "an hour late": now - HOUR,
        "in a day": now + timedelta(days=1),
        "in three hours": now + timedelta(hours=3),
    }
    reminders.add(
        [
            NewReminder(uid, "follow_up", about, at, about=about, explicit=True)
            for about, at in when.items()
        ],
        now=now - timedelta(days=3),
    )
    reminders.add(  # the bot's own nudges, not yet sent, are not the rep's list
        [NewReminder(uid, "debrief_nudge", "n", now + HOUR, customer="Huaxin", run_no=1)],
        now=now,
    )

    replies = desk.follow_ups("tg:1", lang="en", tz=BERLIN, now=now)

    assert isinstance(replies[0], Say)
    assert "Your follow-ups" in replies[0].text
    nudges = replies[1:]
    assert all(isinstance(n, Nudge) for n in nudges)
    order = [next(a for a in when if a in n.text) for n in nudges]
    assert order == ["an hour late", "two days late", "in three hours", "in a day"]
    assert all("Overdue since" in n.text for n in nudges[:2])
    assert all("Due " in n.text for n in nudges[2:])
    assert all(
        [c.id for c in n.actions] == ["done", "snooze", "cancel"]
        for n in nudges
        if isinstance(n, Nudge)
    )


def test_follow_ups_says_when_there_are_none(store: Store, desk: ReminderDesk) -> None:
    make_rep(store, "tg:1")
    (reply,) = desk.follow_ups("tg:1", lang="en", tz=BERLIN, now=DUE)
    assert isinstance(reply, Say)
    assert "no open follow-ups" in reply.text


def test_follow_ups_suggests_revisiting_a_class_a_customer_after_twenty_days(
    store: Store, reminders: Reminders, desk: ReminderDesk
) -> None:
    visited = DUE - timedelta(days=20)
    replay(store, ANN, "debrief.en", now=visited)  # Huaxin Logistics, class A
    replay(store, ANN, "debrief.short.en", now=visited)  # Baker & Sons, no class

    replies = desk.follow_ups("tg:1", lang="en", tz=BERLIN, now=DUE)

    (revisits,) = [r for r in replies if isinstance(r, Say) and "due a visit" in r.text]
    assert "Huaxin Logistics" in revisits.text
    assert "20 days" in revisits.text
    assert "Baker" not in revisits.text
    fresh = desk.follow_ups("tg:1", lang="en", tz=BERLIN, now=visited + timedelta(days=10))
    assert not any(isinstance(r, Say) and "due a visit" in r.text for r in fresh)


def test_the_revisit_suggestion_names_the_class_as_the_rep_chose_it(
    store: Store, desk: ReminderDesk
) -> None:
    replay(store, ANN, "debrief.en", now=DUE - timedelta(days=20))  # class A

    def revisits(lang: Literal["en", "zh"]) -> str:
        replies = desk.follow_ups("tg:1", lang=lang, tz=BERLIN, now=DUE)
        return next(r.text for r in replies if isinstance(r, Say) and "Huaxin" in r.text)

    assert "(class A, 20 days)" in revisits("en")
    assert "（A类，20天）" in revisits("zh")
