"""Rep-typed text that a spreadsheet would run as a formula is written as text, in both formats
(OWASP's CSV-injection list: a cell starting with = + - @, a tab or a carriage return)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest

from reports.export import write_csv, write_xlsx
from storage.activity import ExportRow

FINISHED = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)
DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["Baker & Sons", "1 = 1", "王芳 = 客户", "a-b"]


def _rows(texts: list[str]) -> list[ExportRow]:
    """One debrief per text: the text as the customer, and as the rep's own name."""
    return [
        ExportRow(
            run_id=number,
            rep_key=f"tg:{number}",
            rep_name=text,
            script="debrief",
            started_at=FINISHED,
            finished_at=FINISHED,
            step="customer",
            value=text,
            answered_at=FINISHED,
        )
        for number, text in enumerate(texts, start=1)
    ]


def test_csv_keeps_formula_starts_as_text(tmp_path: Path) -> None:
    out = tmp_path / "visits.csv"
    write_csv(out, _rows(DANGEROUS + HARMLESS), "UTC")
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    customers = [row["customer"] for row in rows]
    assert customers == ["'" + text for text in DANGEROUS] + HARMLESS
    assert [row["rep"] for row in rows] == customers


@pytest.mark.parametrize("table", ["visits", "answers"])
def test_xlsx_keeps_formula_starts_as_text(tmp_path: Path, table: str) -> None:
    out = tmp_path / "north.xlsx"
    write_xlsx(out, _rows(DANGEROUS + HARMLESS), "UTC")
    sheet = openpyxl.load_workbook(out)[table]
    lines = list(sheet.iter_rows(values_only=True))
    header = lines[0]
    column = "customer" if table == "visits" else "value"
    cells = [dict(zip(header, line, strict=True))[column] for line in lines[1:]]
    # (the workbook's XML reads a carriage return back as a line feed)
    written = [text.replace("\r", "\n") for text in DANGEROUS]
    assert cells == ["'" + text for text in written] + HARMLESS
    # nothing stored as a formula: every cell of the sheet is a plain value
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
