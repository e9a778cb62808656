"""Reminders in ``coachbot chat``: what came due is printed once before the prompt, and the rep
acts on it with /done, /snooze and /drop; /followups, /tz, /pause and /settings work as in Telegram.

The console is driven in-process with piped input and an injected clock that the script moves.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.console import read_reminder_command, run_console
from coaching_scripts import load_catalog
from config import Settings, load_settings
from dialogs.engine import step
from storage.reminders import Reminders
from storage.store import Store

GOLDEN_INPUTS = Path(__file__).with_name("golden") / "inputs"
SUNDAY = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sun 22 Nov 2026, 10:00 in Shanghai
VISIT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # "Thursday 10am" in Shanghai


class Script(io.StringIO):
    """Piped input whose items are lines, or a moment the clock jumps to before the next line."""

    def __init__(self, items: Sequence[str | datetime], console: Console) -> None:
        super().__init__()
        self.items = list(items)
        self.console = console

    def isatty(self) -> bool:
        return False

    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
        while self.items:
            item = self.items.pop(0)
            if isinstance(item, datetime):
                self.console.now = item
                continue
            return item + "\n"
        return ""


class Console:
    def __init__(self, tmp_path: Path) -> None:
        self.database = f"sqlite:///{tmp_path / 'coach.db'}"
        self.settings: Settings = load_settings(
            {"COACHBOT_DATABASE_URL": self.database, "COACHBOT_TIMEZONE": "Asia/Shanghai"},
            env_file=None,
        )
        self.now = SUNDAY

    def run(
        self,
        items: Sequence[str | datetime],
        *,
        user: str = "anna",
        lang: str | None = "en",
        script: str | None = None,
    ) -> str:
        out = io.StringIO()
        status = run_console(
            self.settings,
            user=user,
            lang=lang,
            script=script,
            stdin=Script(items, self),
            stdout=out,
            clock=lambda: self.now,
        )
        assert status == 0
        return out.getvalue()

    def plan_a_visit(self, user: str = "anna", lang: str = "en") -> str:
        """A whole pre-call plan (the golden one): the visit is Thursday 10:00 Shanghai time."""
        lines = (GOLDEN_INPUTS / f"precall.{lang}.txt").read_text(encoding="utf-8").splitlines()
        return self.run(list(lines), user=user, lang=lang, script="precall")

    def store(self) -> tuple[Store, Reminders]:
        engine = create_engine(self.database)
        catalog = load_catalog()
        return Store(engine, lambda s, e, c: step(catalog, s, e, c)), Reminders(engine)


def after(transcript: str, line: str) -> str:
    """What the console printed after the rep typed ``line`` (up to the next typed line)."""
    parts = transcript.split(f"> {line}\n", 1)
    assert len(parts) == 2, f"{line!r} was not typed:\n{transcript}"
    return parts[1].split("\n> ", 1)[0]


def ref_of(text: str) -> int:
    found = re.search(r"/done (\d+)", text)
    assert found, f"no reminder number in:\n{text}"
    return int(found[1])


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return Console(tmp_path)


def test_reminder_commands_are_read_before_the_engine() -> None:
    assert read_reminder_command("/followups\n") == ("followups", "")
    assert read_reminder_command("/Snooze 3 tomorrow 9am") == ("snooze", "3 tomorrow 9am")
    assert read_reminder_command("/tz  Berlin ") == ("tz", "Berlin")
    assert read_reminder_command("/plan") is None
    assert read_reminder_command("done 3") is None


def test_a_planned_visit_is_printed_once_then_snoozed_and_done(console: Console) -> None:
    planned = console.plan_a_visit()
    assert "I'll remind you at the visit time." in planned
    assert "Your visit" not in planned  # not due yet

    out = console.run(
        ["/followups", VISIT, "/followups", "/help"],
    )
    upcoming = after(out, "/followups")
    assert "Due Thu 26 Nov, 10:00" in upcoming
    assert out.count("⏰ Your visit, Thu 26 Nov, 10:00:") == 3  # listed, listed, delivered
    delivered = out.split("Good luck. Afterwards, debrief it while it is fresh.")[-2]
    visit = ref_of(out)
    assert f"/done {visit} · /snooze {visit} tomorrow 9am · /drop {visit}" in out
    assert "Your visit" not in after(out, "/help")  # printed once, not at every prompt
    assert "Visit Huaxin Logistics" in delivered

    out = console.run([f"/snooze {visit} tomorrow 9am", "/help"])
    snoozed = after(out, f"/snooze {visit} tomorrow 9am")
    assert "I'll remind you again" in snoozed
    assert "09:00" in snoozed
    assert "Your visit" not in after(out, "/help")

    friday = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # Fri 09:00 in Shanghai
    out = console.run([friday, "/help", "/help", f"/done {visit}", "/followups"])
    assert out.count("⏰ Your visit") == 1
    assert f"/done {visit}" in out.split("> /help\n")[1]  # it came with the first prompt
    assert "✓ Done: Visit Huaxin Logistics" in after(out, f"/done {visit}")
    assert "Your visit" not in after(out, "/followups")

    again = console.run([f"/done {visit}", f"/drop {visit}", "/done 999999", "/done x"])
    gone = "That reminder is no longer open: nothing changed."
    assert gone in after(again, f"/done {visit}")
    assert gone in after(again, f"/drop {visit}")
    assert gone in after(again, "/done 999999")
    assert "/followups" in after(again, "/done x")  # how to use it


def test_drop_cancels_and_another_reps_reminder_is_out_of_reach(console: Console) -> None:
    console.plan_a_visit()
    _, reminders = console.store()
    visit = next(r for r in reminders.open_for("console:anna") if r.kind == "visit")

    lines = [f"/done {visit.id}", f"/snooze {visit.id} tomorrow", f"/drop {visit.id}"]
    bob = console.run(lines, user="bob")
    for line in lines:
        assert "That reminder is no longer open" in after(bob, line)
    assert reminders.get("console:anna", visit.id).status == "pending"  # type: ignore[union-attr]

    anna = console.run([f"/drop {visit.id}", "/followups"])
    assert "✕ Cancelled: Visit Huaxin Logistics" in after(anna, f"/drop {visit.id}")
    assert "Your visit" not in after(anna, "/followups")
    assert reminders.get("console:anna", visit.id).status == "cancelled"  # type: ignore[union-attr]


def test_a_reminder_claimed_by_another_reps_console_still_reaches_its_rep(
    console: Console,
) -> None:
    console.plan_a_visit()
    bob = console.run([VISIT, "/help"], user="bob")
    assert "Your visit" not in bob
    anna = console.run(["/help"])
    assert anna.count("⏰ Your visit") == 1
    assert "Your visit" not in after(anna, "/help")


def test_time_zone(console: Console) -> None:
    out = console.run(["/tz", "/tz Berlin", "/tz nowhere-land", "/tz"])
    assert "Your time zone: Asia/Shanghai" in after(out, "/tz")
    assert "Time zone set: Europe/Berlin" in after(out, "/tz Berlin")
    assert "I don't know the time zone “nowhere-land”" in after(out, "/tz nowhere-land")
    assert out.rstrip().split("> /tz\n")[-1].startswith("Your time zone: Europe/Berlin")
    store, reminders = console.store()
    user = store.user("console:anna")
    assert user is not None
    assert user.tz == "Europe/Berlin"
    weekly = [r for r in reminders.open_for("console:anna") if r.kind == "week_plan"]
    assert [r.due_at.astimezone(UTC).hour for r in weekly] == [8]  # Mon 09:00 in Berlin


def test_pause_with_follow_ups_inside_asks_keep_or_hold(console: Console) -> None:
    console.plan_a_visit()
    out = console.run(["/pause", "/pause until Friday", "/pause hold", "/pause off", "/pause off"])
    assert "/pause off ends a pause" in after(out, "/pause")
    asked = after(out, "/pause until Friday")
    assert "Paused until Fri 27 Nov" in asked
    assert "1 follow-up(s) due before then" in asked
    assert "/pause keep: Yes, remind me" in asked
    assert "/pause hold: No, after the pause" in asked
    assert "OK: everything waits until Fri 27 Nov." in after(out, "/pause hold")
    assert out.count("Welcome back! Nudges are on again.") == 1
    assert "Nudges are not paused." in out.split("Welcome back!")[1]

    _, reminders = console.store()
    prefs, paused = reminders.prefs("console:anna")
    assert paused is None
    assert prefs.hold_follow_ups


def test_pause_keep_and_a_pause_without_follow_ups(console: Console) -> None:
    out = console.run(["/pause until next Monday", "/pause keep", "/pause whenever"])
    plain = after(out, "/pause until next Monday")
    assert "Paused until Mon 23 Nov: no nudges until then." in plain
    assert "/pause keep" not in plain  # nothing to keep or hold
    assert "OK: your follow-ups still come on time" in after(out, "/pause keep")
    assert "Pause nudges until a date" in after(out, "/pause whenever")


def test_settings_switch_a_nudge_off_and_on(console: Console) -> None:
    out = console.run(["/settings", "/settings week_plan off", "/settings week_plan on"])
    shown = after(out, "/settings")
    assert "Quiet hours: 21:00–08:00" in shown
    assert "✅ Weekly plan (Mon 09:00): on  (/settings week_plan off)" in shown
    off = after(out, "/settings week_plan off")
    assert "⬜ Weekly plan (Mon 09:00): off  (/settings week_plan on)" in off
    assert "✅ Weekly plan" in after(out, "/settings week_plan on")

    console.run(["/settings week_review off"])
    _, reminders = console.store()
    prefs, _ = reminders.prefs("console:anna")
    assert prefs.off == {"week_review"}


def test_a_switched_off_nudge_is_not_printed(console: Console) -> None:
    monday = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Mon 09:00 in Shanghai
    out = console.run(["/settings week_plan off", monday, "/help"])
    assert "A new week has started" not in out
    out = console.run(["/settings week_plan on", monday + timedelta(days=7), "/help"])
    assert out.count("A new week has started") == 1


def test_chinese(console: Console) -> None:
    monday = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Mon 09:00 in Shanghai
    out = console.run(
        ["/followups", monday, "/help", "/tz 柏林", "/tz 火星", "/pause off", "/settings"],
        user="chen",
        lang="zh",
    )
    assert "目前没有待办的跟进事项" in after(out, "/followups")
    delivered = after(out, "/help")
    assert "早上好！新的一周开始了" in delivered
    week_plan = ref_of(delivered)
    assert f"/snooze {week_plan} 明天上午9点" in delivered
    assert "时区已设为" in after(out, "/tz 柏林")
    assert "我不认识“火星”这个时区" in after(out, "/tz 火星")
    assert "提醒没有暂停" in after(out, "/pause off")
    assert "周计划（周一 09:00）：开  (/settings week_plan off)" in after(out, "/settings")

    out = console.run([f"/done {week_plan}", "/done 它"], user="chen", lang="zh")
    assert "已完成" in after(out, f"/done {week_plan}")
    assert "编号见 /followups" in after(out, "/done 它")
