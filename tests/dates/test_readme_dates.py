"""The date examples the README promises are read, in the language of their column."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialogs.when import parse_when

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("Dates in plain words") :]
ROWS = re.findall(r"^\| [a-z][^|]* \| (.+) \| (.+) \|$", SECTION.split("\n\n")[1], re.M)
NOW = datetime(2027, 3, 10, 6, 20, tzinfo=UTC)


def _examples() -> list[tuple[str, str]]:
    found = []
    for english, chinese in ROWS:
        found += [(text, "en") for text in re.findall(r'"([^"]+)"', english)]
        found += [(text, "zh") for text in re.findall(r'"([^"]+)"', chinese)]
    return found


def test_the_readme_lists_examples_in_both_languages() -> None:
    langs = [lang for _, lang in _examples()]
    assert langs.count("en") >= 20
    assert langs.count("zh") >= 20


@pytest.mark.parametrize(("text", "lang"), _examples())
def test_each_readme_example_is_read(text: str, lang: str) -> None:
    assert parse_when(text, now=NOW, tz="Asia/Shanghai", lang=lang) is not None
