"""``coachbot reminders list|due``: the operator's look at the reminder rows."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot import cli
from storage.migrate import upgrade
from storage.reminders import NewReminder, Prefs, Reminders
from storage.store import Store
from storage.teams import Teams

NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)  # Thu 09:30 in Shanghai, 02:30 in Berlin
LONG = "Call Huaxin Logistics about the <b>50-pallet trial</b> &amp; the price list " * 2


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A migrated SQLite database with two reps' reminders, set as COACHBOT_DATABASE_URL."""
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    monkeypatch.setenv("COACHBOT_DATABASE_URL", url)
    upgrade(url)
    engine = create_engine(url)
    try:
        store = Store(engine, lambda *_: pytest.fail("no turn expected"))
        store.set_timezone("tg:1", "Asia/Shanghai")
        store.set_timezone("console:anna", "Europe/Berlin")
        ann, anna = store.user("tg:1"), store.user("console:anna")
        assert ann is not None
        assert anna is not None
        reminders = Reminders(engine)
        reminders.add(
            [
                NewReminder(ann.id, "follow_up", "f:1", NOW - timedelta(minutes=30), about=LONG),
                NewReminder(ann.id, "visit", "v:1", NOW + timedelta(days=1), about="Visit Acme"),
                NewReminder(ann.id, "week_review", "w:1", NOW - timedelta(hours=2)),
                NewReminder(anna.id, "revisit", "r:1", NOW - timedelta(hours=1), customer="Bolt"),
                NewReminder(anna.id, "follow_up", "f:2", NOW + timedelta(hours=2), about="Ring"),
            ],
            now=NOW - timedelta(days=1),
        )
        done = next(r for r in reminders.open_for("console:anna") if r.key == "f:2")
        reminders.close("console:anna", done.id, "done", now=NOW)
        reminders.set_prefs("tg:1", Prefs(off=frozenset({"week_review"})))
        teams = Teams(engine)  # a Telegram rep is on a team (or the bot turns them away)
        team = teams.create_team("tg:9", "North", now=NOW, check=False)
        teams.add_member(team.id, "tg:1", "rep", now=NOW)
    finally:
        engine.dispose()
    return url


def lines_of(out: str) -> list[str]:
    return out.rstrip("\n").split("\n")


def test_list_shows_pending_reminders_soonest_first(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["reminders", "list"]) == 0
    head, *rows = lines_of(capsys.readouterr().out)
    columns = ["ID", "USER", "KIND", "STATUS", "DUE", "(UTC)", "DUE", "(LOCAL)", "ABOUT"]
    assert head.split() == columns
    assert [row.split()[1:3] for row in rows] == [
        ["tg:1", "week_review"],
        ["console:anna", "revisit"],
        ["tg:1", "follow_up"],
        ["tg:1", "visit"],
    ]
    follow_up = rows[2]
    assert "2026-11-26T01:00Z" in follow_up
    assert "2026-11-26 09:00 Asia/Shanghai" in follow_up
    about = follow_up.split("Asia/Shanghai", 1)[1].strip()
    assert about.startswith("Call Huaxin Logistics about the 50-pallet trial & the price")
    assert len(about) == 60
    assert about.endswith("…")
    assert "2026-11-26 01:30 Europe/Berlin" in rows[1]
    assert rows[1].rstrip().endswith("Bolt")
    assert rows[0].rstrip().endswith("-")  # a weekly nudge is about nothing in particular


def test_list_all_and_one_user(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["reminders", "list", "--user", "console:anna"]) == 0
    rows = lines_of(capsys.readouterr().out)[1:]
    assert [row.split()[2:4] for row in rows] == [["revisit", "pending"]]

    assert cli.main(["reminders", "list", "--user", "console:anna", "--all"]) == 0
    rows = lines_of(capsys.readouterr().out)[1:]
    assert [row.split()[2:4] for row in rows] == [["revisit", "pending"], ["follow_up", "done"]]

    assert cli.main(["reminders", "list", "--user", "tg:404"]) == 0
    assert capsys.readouterr().out == "no reminders\n"


def test_due_says_what_the_next_tick_would_do(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["reminders", "due", "--at", NOW.isoformat()]) == 0
    head, *rows = lines_of(capsys.readouterr().out)
    assert "NEXT TICK" in head
    by_kind = {row.split()[2]: row for row in rows}
    assert set(by_kind) == {"week_review", "revisit", "follow_up"}  # not tomorrow's visit
    assert "skip: switched off" in by_kind["week_review"]
    assert "send" in by_kind["follow_up"]  # the rep timed it: quiet hours do not apply
    # 01:30 in Berlin is quiet: the revisit nudge waits until 08:00 Berlin time
    assert "postpone to 2026-11-26T07:00Z" in by_kind["revisit"]

    later = "2026-11-27T10:00+08:00"  # Friday 10:00 in Shanghai: the visit is due too
    assert cli.main(["reminders", "due", "--at", later]) == 0
    rows = lines_of(capsys.readouterr().out)[1:]
    assert "visit" in {row.split()[2] for row in rows}

    assert cli.main(["reminders", "due", "--at", "2026-11-20T00:00"]) == 0
    assert capsys.readouterr().out == "nothing due at 2026-11-20T00:00Z\n"


def test_due_now_and_a_bad_moment(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["reminders", "due"]) == 0  # now: long after every reminder above
    assert len(lines_of(capsys.readouterr().out)) == 1 + 4

    with pytest.raises(SystemExit) as exited:
        cli.main(["reminders", "due", "--at", "next tuesday"])
    assert exited.value.code == 2
    assert "not an ISO 8601 moment" in capsys.readouterr().err


def test_reminders_on_a_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert cli.main(["reminders", "list", "--all"]) == 0
    assert capsys.readouterr().out == "no reminders\n"


def test_parse_reminders() -> None:
    parser = cli.build_parser()
    listing = parser.parse_args(["reminders", "list", "--user", "tg:1", "--all"])
    assert listing.command is cli.cmd_reminders_list
    assert (listing.user, listing.all) == ("tg:1", True)
    due = parser.parse_args(["reminders", "due", "--at", "2026-11-26T09:00"])
    assert due.command is cli.cmd_reminders_due
    assert due.at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
