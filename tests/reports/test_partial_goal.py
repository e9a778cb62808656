"""A goal reached only partly (the debrief's third answer) is neither counted as reached in the
digest nor lost: the export shows it, and a deleted rep's anonymous answers keep it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from reports.digest import _rep_figures
from reports.export import VISIT_HEADER, visits_table
from storage.activity import ActivityRun, ExportRow
from storage.privacy import KEPT_ANSWERS

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def visit(number: int, goal: object) -> ActivityRun:
    moment = MONDAY + timedelta(days=1, hours=number)
    return ActivityRun(number, 1, "debrief", moment, moment, {"goal_met": goal})


def test_the_digest_counts_only_goals_fully_reached() -> None:
    runs = [visit(1, True), visit(2, "partly"), visit(3, False), visit(4, "partly")]
    end = MONDAY + timedelta(days=7)
    figures, _ = _rep_figures(runs, [], MONDAY, end, end, 5, Counter())
    assert (figures.visits, figures.goals) == (4, 1)


def test_the_export_shows_partly_and_the_order_currency() -> None:
    finished = MONDAY + timedelta(days=1)
    rows = [
        ExportRow(7, "tg:1", "Anna", "debrief", finished, finished, step, value, finished)
        for step, value in (
            ("goal_met", "partly"),
            ("order_value", 410_000),
            ("order_value.unit", "EUR"),
        )
    ]
    (row,) = visits_table(rows, "UTC")
    cells = dict(zip(VISIT_HEADER, row, strict=True))
    assert (cells["goal_met"], cells["order_value"], cells["order_value.unit"]) == (
        "partly",
        410_000,
        "EUR",
    )


def test_a_deleted_reps_kept_answers_keep_partly() -> None:
    keep = KEPT_ANSWERS["goal_met"]
    assert (keep(True), keep(False), keep("partly"), keep("my words")) == (
        True,
        False,
        "partly",
        None,
    )


def test_a_deleted_reps_order_value_keeps_its_currency_but_no_word_she_typed() -> None:
    keep = KEPT_ANSWERS["order_value.unit"]
    assert (keep("EUR"), keep("CNY"), keep("%"), keep("pallets"), keep("次"), keep(None)) == (
        "EUR",
        "CNY",
        "%",
        None,
        None,
        None,
    )
