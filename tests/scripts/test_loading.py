"""Loading a scripts folder: compiled once per process, but an edited file is read anew."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coaching_scripts import BUILTIN_DIR, ScriptsError, load_catalog

BYE = "Bye for now — everything is saved."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "scripts"
    shutil.copytree(BUILTIN_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def test_an_edited_message_is_what_the_next_load_says(folder: Path) -> None:
    before = load_catalog(folder)
    assert load_catalog(folder) is before  # the same files: not compiled again
    messages = folder / "messages.yaml"
    messages.write_text(
        messages.read_text(encoding="utf-8").replace(BYE, "See you after the next call."),
        encoding="utf-8",
    )
    after = load_catalog(folder)
    assert after.messages.render("console_bye", "en").startswith("See you after the next call.")
    assert before.messages.render("console_bye", "en").startswith(BYE)


def test_a_broken_edit_is_refused_after_a_good_load(folder: Path) -> None:
    load_catalog(folder)
    script = folder / "debrief.yaml"
    script.write_text(script.read_text(encoding="utf-8") + "\n  - {{ unclosed\n", encoding="utf-8")
    with pytest.raises(ScriptsError):
        load_catalog(folder)
