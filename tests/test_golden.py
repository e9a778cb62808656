"""Golden transcripts: a realistic rep goes through every script, in both languages, in the
console chat; the whole conversation is compared with the one kept in tests/golden/.

Regenerate after a deliberate change of texts with ``COACHBOT_UPDATE_GOLDEN=1 pytest
tests/test_golden.py`` and read the diff as a rep would.

The debriefs of five kinds of reps — the blamer, the terse rep, the defensive rep, the happy rep
with no evidence, a rep mixing Chinese and English (``debrief.<kind>.<lang>``) — are kept in
docs/reps/ for managers to read: where each probe and each use of memory shows.

An inputs file that starts with ``# after: precall.en`` is played after that other session, by
the same rep: the coach then remembers what the rep said there (the customer's facts, the plan).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.console import run_console
from coaching_scripts import load_catalog
from config import load_settings
from dialogs.engine import step
from storage.store import Store

GOLDEN = Path(__file__).with_name("golden")
REPS = Path(__file__).parents[1] / "docs" / "reps"
KINDS = frozenset({"blamer", "terse", "defensive", "happy", "mixed"})
"""The kinds of reps whose debriefs are kept in docs/reps/."""
INPUTS = sorted((GOLDEN / "inputs").glob("*.txt"))
START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sun 22 Nov 2026, 10:00 in Shanghai
LANGUAGES = ("en", "zh")


class PipedInput(io.StringIO):
    def isatty(self) -> bool:
        return False


def ticking_clock() -> Callable[[], datetime]:
    """A minute passes with every turn, the same way on every run."""
    moments = (START + timedelta(minutes=minute) for minute in range(100_000))
    return lambda: next(moments)


def session(inputs: Path) -> tuple[str | None, str]:
    """The session this one comes after (``# after: NAME`` on the first line), and the lines."""
    text = inputs.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if first.startswith("# after:"):
        return first.removeprefix("# after:").strip(), rest
    return None, text


def script_and_language(inputs: Path) -> tuple[str, str]:
    """``debrief.en.txt`` or, for a second route through a script, ``debrief.short.zh.txt``."""
    parts = inputs.stem.split(".")
    return parts[0], parts[-1]


def test_every_script_has_a_golden_session_in_each_language() -> None:
    have = {script_and_language(path) for path in INPUTS}
    missing = [
        f"{script}.{lang}"
        for script in load_catalog().scripts
        for lang in LANGUAGES
        if (script, lang) not in have
    ]
    assert missing == []


@pytest.mark.parametrize("inputs", INPUTS, ids=lambda path: path.stem)
def test_golden_transcript(inputs: Path, tmp_path: Path) -> None:
    script, lang = script_and_language(inputs)
    database = f"sqlite:///{tmp_path / 'golden.db'}"
    settings = load_settings(
        {"COACHBOT_DATABASE_URL": database, "COACHBOT_TIMEZONE": "Asia/Shanghai"}, env_file=None
    )
    clock = ticking_clock()
    earlier, lines = session(inputs)
    if earlier is not None:
        before = GOLDEN / "inputs" / f"{earlier}.txt"
        run_console(
            settings,
            user="golden",
            lang=lang,
            script=script_and_language(before)[0],
            stdin=PipedInput(session(before)[1]),
            stdout=io.StringIO(),
            clock=clock,
        )
    out = io.StringIO()
    status = run_console(
        settings,
        user="golden",
        lang=lang,
        script=script,
        stdin=PipedInput(lines),
        stdout=out,
        clock=clock,
    )
    assert status == 0
    transcript = out.getvalue()

    engine = create_engine(database)
    try:
        catalog = load_catalog()
        runs = Store(engine, lambda s, e, c: step(catalog, s, e, c)).runs("console:golden")
    finally:
        engine.dispose()
    assert any(run.script == script and run.status == "finished" for run in runs), (
        f"the {script} session in {inputs.name} does not reach the end:\n{transcript[-1500:]}"
    )

    kind = inputs.stem.split(".")[1] if inputs.stem.count(".") == 2 else ""
    golden = (REPS if kind in KINDS else GOLDEN) / f"{inputs.stem}.txt"
    if os.environ.get("COACHBOT_UPDATE_GOLDEN"):
        golden.write_text(transcript, encoding="utf-8")
    assert golden.exists(), f"no {golden.name}: run with COACHBOT_UPDATE_GOLDEN=1 and read it"
    assert transcript == golden.read_text(encoding="utf-8")
