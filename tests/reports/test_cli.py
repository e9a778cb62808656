"""``coachbot report weekly`` and ``coachbot export`` on the seeded team (SQLite file)."""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine

from bot import cli
from storage.migrate import upgrade
from storage.schema import run_table, step_note_table, user_table
from tests.reports.seed import NOW, seed_team

NOW_ARG = ["--now", NOW.isoformat()]


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    monkeypatch.setenv("COACHBOT_DATABASE_URL", url)
    upgrade(url)
    engine = create_engine(url)
    try:
        seed_team(engine)
    finally:
        engine.dispose()
    return url


def test_report_weekly_writes_the_page(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w47.html"
    args = ["report", "weekly", "--team", "north 北区", "--out", str(out), *NOW_ARG]
    assert cli.main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "<td>23/42 (55%)</td>" in page
    assert capsys.readouterr().out == (
        f"{out}: team 'North 北区', week 2026-W47: 12 reps, 42 visits, goal reached in 23\n"
    )


def test_report_weekly_an_earlier_week_in_chinese_as_a_png(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w40.png"
    args = ["report", "weekly", "--team", "1", "--week", "2026-W40", "--lang", "zh"]
    assert cli.main([*args, "--out", str(out), *NOW_ARG]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "week 2026-W40: 12 reps, 46 visits" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--team", "Nowhere"],
            "coachbot: no team 'Nowhere' (give the team's id or its exact name)",
        ),
        (["--team", "1", "--week", "2026-47"], "coachbot: --week: not an ISO week: '2026-47'"),
        (["--team", "1", "--week", "2025-W53"], "coachbot: --week: no such week: '2025-W53'"),
        (["--team", "1", "--week", "2027-W02"], "coachbot: --week: 2027-W02 has not started yet"),
    ],
)
def test_report_weekly_errors(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    error: str,
) -> None:
    out = tmp_path / "r.html"
    assert cli.main(["report", "weekly", *args, "--out", str(out), *NOW_ARG]) == 2
    assert capsys.readouterr().err.startswith(error)
    assert not out.exists()


def test_report_weekly_wants_html_or_png(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", "weekly", "--team", "1", "--out", "r.pdf"]) == 2
    assert "write a .html page or a .png chart" in capsys.readouterr().err


def test_export_xlsx_has_the_visits_and_the_answers(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "north.xlsx"
    assert cli.main(["export", "--team", "North 北区", "--out", str(out)]) == 0
    # 8 weeks x 42 visits + 5 old customers' visits; outsiders, the manager, removed rep: none
    book = openpyxl.load_workbook(out)
    visits = list(book["visits"].iter_rows(values_only=True))
    assert visits[0][:6] == ("run_id", "rep", "rep_key", "finished", "customer", "visit_type")
    assert len(visits) - 1 == 8 * 42 + 5
    header = visits[0]
    first = dict(zip(header, visits[1], strict=True))
    assert first["rep"] == "Anna Li"
    assert first["customer"] == "Cust 1-0"
    assert first["finished"] == datetime(2026, 9, 28, 12, 0)  # Monday 10:00 visit + 2 h, Shanghai
    assert first["goal_met"] is True
    assert first["objections"] == "price"
    assert first["next_date"] == datetime(2026, 9, 30, 10, 0)
    bob = [dict(zip(header, row, strict=True)) for row in visits[1:] if row[2] == "tg:3"]
    assert bob[0]["rep"] == "Bob <B&B>"
    answers = list(book["answers"].iter_rows(values_only=True))
    assert answers[0] == (
        "run_id",
        "rep",
        "rep_key",
        "script",
        "started",
        "finished",
        "step",
        "value",
    )
    scripts = {row[3] for row in answers[1:]}
    assert scripts == {"debrief", "precall", "week_plan", "week_review"}
    out_text = capsys.readouterr().out
    assert out_text.startswith(f"{out}: team 'North 北区': 341 visits, ")


def test_export_csv_is_utf8_with_a_bom_and_can_be_limited_to_days(
    database: str, tmp_path: Path
) -> None:
    out = tmp_path / "w47.csv"
    args = ["export", "--team", "1", "--out", str(out), "--since", "2026-11-16"]
    assert cli.main([*args, "--until", "2026-11-23"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 42
    wang = [row for row in rows if row["rep_key"] == "tg:2"]
    assert wang[0]["rep"] == "王芳"
    assert wang[0]["goal_met"] == "yes"
    assert wang[0]["finished"] == "2026-11-16 12:00"
    answers = tmp_path / "answers.csv"
    assert cli.main(["export", "--team", "1", "--out", str(answers), "--table", "answers"]) == 0
    lines = answers.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "run_id,rep,rep_key,script,started,finished,step,value"


def test_export_errors(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--team", "7", "--out", "x.xlsx"]) == 2
    assert "no team '7'" in capsys.readouterr().err
    assert cli.main(["export", "--team", "1", "--out", "x.json"]) == 2
    assert "an .xlsx workbook or a .csv file" in capsys.readouterr().err


def test_export_has_what_reps_typed_that_was_no_answer(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(database)
    try:
        with engine.begin() as conn:
            for key in ("tg:2", "tg:201"):  # 王芳 of the team, and a rep of another team
                run = conn.execute(
                    sa.select(run_table.c.id, run_table.c.finished_at)
                    .join(user_table, user_table.c.id == run_table.c.user_id)
                    .where(user_table.c.key == key, run_table.c.script == "debrief")
                    .order_by(run_table.c.finished_at.desc())
                    .limit(1)
                ).one()
                conn.execute(
                    sa.insert(step_note_table).values(
                        run_id=run.id,
                        step="why_outcome",
                        text=f"问这些有什么用 ({key})",
                        created_at=run.finished_at,
                    )
                )
    finally:
        engine.dispose()

    out = tmp_path / "north.xlsx"
    assert cli.main(["export", "--team", "1", "--out", str(out)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(", 1 notes")
    notes = list(openpyxl.load_workbook(out)["notes"].iter_rows(values_only=True))
    assert notes[0] == ("run_id", "rep", "rep_key", "script", "finished", "step", "note", "typed")
    [(_, rep, key, script, _, step, text, _)] = notes[1:]
    assert (rep, key, script, step, text) == (
        "王芳",
        "tg:2",
        "debrief",
        "why_outcome",
        "问这些有什么用 (tg:2)",
    )
    csv_out = tmp_path / "notes.csv"
    assert cli.main(["export", "--team", "1", "--out", str(csv_out), "--table", "notes"]) == 0
    rows = list(csv.DictReader(csv_out.read_text(encoding="utf-8-sig").splitlines()))
    assert [row["note"] for row in rows] == ["问这些有什么用 (tg:2)"]
