"""The script fields the readers use are checked when a script loads."""

from __future__ import annotations

from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE
from dialogs.compile import build_catalog

MESSAGES = (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8")
SCRIPT = """
id: t
title: {{en: T, zh: T}}
steps:
  - id: first
    kind: {kind}
    {extra}
    text: {{en: Q, zh: 问}}
    options:
      - {{id: price, label: {{en: Price, zh: 价格}}, synonyms: {{en: [{price_word}], zh: [太贵]}}}}
      - {{id: need, label: {{en: No need, zh: 不需要}}}}
summary: {{en: S, zh: S}}
"""


def problems(kind: str = "choice", extra: str = "", price_word: str = "too expensive") -> list[str]:
    source = SCRIPT.format(kind=kind, extra=extra, price_word=price_word)
    _, found = build_catalog({"t.yaml": source}, MESSAGES)
    return [problem.message for problem in found]


def test_synonyms_and_partial_are_accepted_where_they_belong() -> None:
    assert problems() == []
    assert problems("multi") == []


def test_a_synonym_naming_another_option_is_refused() -> None:
    assert any("names another option" in p for p in problems(price_word="No need"))


def test_an_empty_synonym_is_refused() -> None:
    assert any("empty synonym" in p for p in problems(price_word="' '"))


def test_partial_only_on_yes_no() -> None:
    assert any("partial works on a yesno step" in p for p in problems(extra="partial: true"))
