"""Visits and answers as tables, for ``coachbot export``: an .xlsx workbook or a .csv file.

Three tables: ``visits`` (one row per debrief, the answers the reports count as columns),
``answers`` (every answer of every finished run, one row each) and ``notes`` (what the reps typed
that answered no question — pushback, a vent — with the step it was typed at). Times are the
team's local wall times. CSV is UTF-8 with a byte-order mark, so Excel opens Chinese names
correctly; a workbook holds the tables as sheets, a CSV file one of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from coaching.answers import (
    CUSTOMER,
    CUSTOMER_CLASS,
    DEAL_SIZE,
    DEBRIEF,
    FEELING_SCORE,
    GOAL_MET,
    MAIN_OBJECTION,
    NEXT_ACTION,
    NEXT_DATE,
    OBJECTIONS,
    ORDER_VALUE,
    VISIT_TYPE,
)
from dialogs.contract import Answer, Contract, Unit
from dialogs.model import Kind
from dialogs.roleplay import transcript
from dialogs.zones import zone_of
from storage.activity import ExportNote, ExportRow

DEPTH = Answer("depth", Kind.CHOICE, (DEBRIEF.id,))
STAGE = Answer("stage", Kind.CHOICE, (DEBRIEF.id,))
CONTACT_ROLE = Answer("contact_role", Kind.CHOICE, (DEBRIEF.id,))
ORDER_UNIT = Unit(ORDER_VALUE)
VISIT_COLUMNS: tuple[Answer | Unit, ...] = (
    CUSTOMER,
    VISIT_TYPE,
    CUSTOMER_CLASS,
    DEAL_SIZE,
    DEPTH,
    STAGE,
    CONTACT_ROLE,
    FEELING_SCORE,
    GOAL_MET,
    ORDER_VALUE,
    ORDER_UNIT,
    OBJECTIONS,
    MAIN_OBJECTION,
    NEXT_ACTION,
    NEXT_DATE,
)
"""The debrief's answers the ``visits`` table has a column for, in order."""
VISIT_STEPS = tuple(
    column.key if isinstance(column, Unit) else column.step for column in VISIT_COLUMNS
)
CONTRACT = Contract("reports.export", (DEBRIEF, *VISIT_COLUMNS))
VISIT_HEADER = ("run_id", "rep", "rep_key", "finished", *VISIT_STEPS)
ANSWER_HEADER = ("run_id", "rep", "rep_key", "script", "started", "finished", "step", "value")
NOTE_HEADER = ("run_id", "rep", "rep_key", "script", "finished", "step", "note", "typed")
TABLES = ("visits", "answers", "notes")


def cell(value: Any, zone: ZoneInfo) -> Any:
    """An answer as a spreadsheet cell: numbers and booleans as they are, lists joined, a date
    answer as the local wall time, anything else as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return ", ".join(str(cell(item, zone)) for item in value)
    if isinstance(value, dict) and isinstance(value.get("at"), str):
        try:
            return local(datetime.fromisoformat(value["at"]), zone)
        except ValueError:
            return value["at"]
    if isinstance(value, dict) and isinstance(value.get("exchanges"), list):
        return role_play_cell(value)
    return str(value)


def role_play_cell(value: dict[str, Any]) -> str:
    """A role-play (``dialogs.roleplay``) as the lines that were said, buyer and rep in turn."""
    lines = []
    for buyer, rep in transcript(value):
        lines.append(f"buyer: {buyer}")
        if rep is not None:
            lines.append(f"rep: {rep}")
    return "\n".join(lines)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall time (spreadsheets have no time zones)."""
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


def visits_table(rows: Iterable[ExportRow], tz: str) -> list[tuple[Any, ...]]:
    zone = zone_of(tz)
    runs: dict[int, tuple[ExportRow, dict[str, Any]]] = {}
    for row in rows:
        if row.script == DEBRIEF.id:
            runs.setdefault(row.run_id, (row, {}))[1][row.step] = row.value
    return [
        (
            first.run_id,
            first.rep_name,
            first.rep_key,
            local(first.finished_at, zone),
            *(cell(answers.get(step), zone) for step in VISIT_STEPS),
        )
        for first, answers in runs.values()
    ]


def answers_table(rows: Iterable[ExportRow], tz: str) -> list[tuple[Any, ...]]:
    zone = zone_of(tz)
    return [
        (
            row.run_id,
            row.rep_name,
            row.rep_key,
            row.script,
            local(row.started_at, zone),
            local(row.finished_at, zone),
            row.step,
            cell(row.value, zone),
        )
        for row in rows
        if row.step
    ]


def notes_table(notes: Iterable[ExportNote], tz: str) -> list[tuple[Any, ...]]:
    """What the reps typed that answered no question (pushback, a vent), one row each."""
    zone = zone_of(tz)
    return [
        (
            note.run_id,
            note.rep_name,
            note.rep_key,
            note.script,
            local(note.finished_at, zone),
            note.step,
            note.text,
            local(note.typed_at, zone),
        )
        for note in notes
    ]


def _tables(
    rows: Sequence[ExportRow], notes: Sequence[ExportNote], tz: str
) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    return {
        "visits": (VISIT_HEADER, visits_table(rows, tz)),
        "answers": (ANSWER_HEADER, answers_table(rows, tz)),
        "notes": (NOTE_HEADER, notes_table(notes, tz)),
    }


def write_xlsx(
    path: Path, rows: Sequence[ExportRow], tz: str, notes: Sequence[ExportNote] = ()
) -> dict[str, int]:
    """The tables as sheets; the number of data rows of each."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for name, (header, table) in _tables(rows, notes, tz).items():
        sheet = book.create_sheet(name)
        sheet.append(list(header))
        for line in table:
            sheet.append([_xlsx_cell(value) for value in line])
        counts[name] = len(table)
    book.save(path)
    return counts


def write_csv(
    path: Path,
    rows: Sequence[ExportRow],
    tz: str,
    table: str = "visits",
    notes: Sequence[ExportNote] = (),
) -> int:
    """One table as CSV (UTF-8 with BOM); the number of data rows."""
    header, lines = _tables(rows, notes, tz)[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for line in lines:
        writer.writerow(["" if value is None else _csv_cell(value) for value in line])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return len(lines)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str):
        return _xlsx_cell(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


_ILLEGAL = {chr(n) for n in range(32) if chr(n) not in "\t\n\r"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's CSV-injection list): a text
starting so gets a leading ``'``, so rep-typed text is shown, never run."""


def _xlsx_cell(value: Any) -> Any:
    """Text without the control characters a workbook cannot hold; one that a spreadsheet would
    take for a formula (``FORMULA_STARTS``) kept as text."""
    if isinstance(value, str):
        value = "".join(ch for ch in value if ch not in _ILLEGAL)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


__all__ = [
    "FORMULA_STARTS",
    "TABLES",
    "answers_table",
    "notes_table",
    "visits_table",
    "write_csv",
    "write_xlsx",
]
