"""The flowchart of every shipped script is in docs/scripts/, and it matches the script."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coaching_scripts import load_catalog
from dialogs.diagram import script_page

DOCS = Path(__file__).resolve().parent.parent / "docs" / "scripts"
SCRIPTS = sorted(load_catalog().scripts)


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_script_page_is_up_to_date(script_id: str) -> None:
    page = script_page(load_catalog().scripts[script_id])
    path = DOCS / f"{script_id}.md"
    if os.environ.get("COACHBOT_UPDATE_GOLDEN"):
        DOCS.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    assert path.exists(), f"no {path.name}: run with COACHBOT_UPDATE_GOLDEN=1"
    assert path.read_text(encoding="utf-8") == page
    assert "```mermaid\nflowchart TD\n" in page


def test_no_page_for_a_script_that_is_gone() -> None:
    pages = {path.stem for path in DOCS.glob("*.md")}
    assert pages <= set(SCRIPTS)
