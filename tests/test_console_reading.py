"""`coachbot chat` reads a rep's own words: a natural debrief piped in is stored as meant, and a
doubtful reading shows its choices as one line of buttons to type."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import create_engine

from bot.console import run_console
from coaching_scripts import load_catalog
from config import load_settings
from dialogs.engine import step
from storage.store import Store
from tests.natural_rep import CHINESE, CHINESE_ANSWERS, ENGLISH, ENGLISH_ANSWERS, REFUSALS
from tests.test_golden import PipedInput, ticking_clock


def chat(tmp_path: Path, lang: str, lines: list[str]) -> tuple[str, dict[str, object]]:
    database = f"sqlite:///{tmp_path / f'{lang}.db'}"
    settings = load_settings(
        {"COACHBOT_DATABASE_URL": database, "COACHBOT_TIMEZONE": "Asia/Shanghai"}, env_file=None
    )
    out = io.StringIO()
    status = run_console(
        settings,
        user="rep",
        lang=lang,
        script="debrief",
        stdin=PipedInput("\n".join(lines) + "\n"),
        stdout=out,
        clock=ticking_clock(),
    )
    assert status == 0
    engine = create_engine(database)
    try:
        catalog = load_catalog()
        answers = Store(engine, lambda s, e, c: step(catalog, s, e, c)).answers("console:rep")
    finally:
        engine.dispose()
    return out.getvalue(), answers


def test_a_natural_debrief_in_the_console_in_both_languages(tmp_path: Path) -> None:
    for lang, lines, expected in (
        ("en", ENGLISH, ENGLISH_ANSWERS),
        ("zh", CHINESE, CHINESE_ANSWERS),
    ):
        transcript, answers = chat(tmp_path, lang, lines)
        assert not [r for r in REFUSALS[lang] if r in transcript], transcript
        assert {s: answers.get(s) for s in expected} == expected


def test_a_doubtful_rating_shows_its_buttons_and_a_typed_label_picks_one(tmp_path: Path) -> None:
    transcript, answers = chat(tmp_path, "en", ["terrible", "2 of 5"])
    assert "I read that as 1 of 5 — right?" in transcript
    assert "  [Yes, right]  [2 of 5]  [3 of 5]  [4 of 5]  [5 of 5]" in transcript
    assert answers.get("feeling_score") == 2
