"""Every text of every script, rendered along several ways through it — with sparse answers
(optional questions skipped, nothing remembered) and with full ones (everything answered, a
memory of earlier conversations) — reads as one clean message: no template seams, no dangling
punctuation, no empty quotes, no "None", and at most one question in it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from coaching_scripts import load_catalog
from dialogs import memory
from dialogs.catalog import Catalog
from dialogs.compile import CompiledScript, CompiledStep, Templates
from dialogs.engine import template_context
from dialogs.model import END, Kind
from dialogs.state import Run
from dialogs.types import Context
from tests.chat import plain

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
SAMPLES = {
    "en": "Mr Li, the warehouse manager, asked for a 50-pallet trial by 15 Dec",
    "zh": "李经理说 12 月 15 日前先试用 50 个托盘",
}
CUSTOMER = "Huaxin Logistics"


@dataclass(frozen=True)
class Way:
    """How a rep answers on one way through a script."""

    name: str
    full: bool
    """Answer optional questions too (else skip them) and remember earlier conversations."""
    pick: Callable[[list[str]], list[str]]
    yes: bool


WAYS = (
    Way("sparse-first", False, lambda ids: ids[:1], False),
    Way("sparse-last", False, lambda ids: ids[-1:], True),
    Way("full-first", True, lambda ids: ids[:2], True),
    Way("full-last", True, lambda ids: ids[-1:], False),
)


def answer(compiled: CompiledStep, way: Way, lang: str) -> Any:
    step = compiled.step
    if step.optional and not way.full:
        return None
    options = [option.id for option in step.options]
    if step.options_from == "customers":
        return CUSTOMER
    if step.options_from is not None:
        return SAMPLES[lang]
    if step.kind is Kind.CHOICE:
        return way.pick(options)[0]
    if step.kind is Kind.MULTI:
        return [o for o in way.pick(options) if o != "none"] or options[:1]
    if step.kind in (Kind.SCALE, Kind.NUMBER):
        return int(step.min or 1) + 2
    if step.kind is Kind.YESNO:
        return way.yes
    if step.kind is Kind.DATETIME:
        return {"at": "2026-11-24T02:00:00+00:00", "has_time": True}
    return SAMPLES[lang]


def full_memory(catalog: Catalog, lang: str) -> dict[str, Any]:
    """A memory in which every script was finished once, about the same customer."""
    remembered: dict[str, Any] = {}
    for number, script in enumerate(catalog.scripts.values(), start=1):
        answers = {
            step_id: answer(compiled, WAYS[2], lang)
            for step_id, compiled in script.steps.items()
            if compiled.step.kind is not Kind.INFO
        }
        answers.update(dict.fromkeys(script.probe_steps, SAMPLES[lang]))
        run = Run(number, script.id, 1, "", answers)
        remembered = memory.remember(remembered, script, run, day="2026-11-20", week="2026-W47")
    return remembered


def texts_along(
    catalog: Catalog, script: CompiledScript, way: Way, lang: str
) -> Iterator[tuple[str, str, bool]]:
    """(where, rendered text, is a question) for each text met on this way, summary last."""
    ctx = Context(NOW, lang, "Asia/Shanghai")  # type: ignore[arg-type]
    remembered = full_memory(catalog, lang) if way.full else {}
    answers: dict[str, Any] = {}
    node = script.start
    seen: set[str] = set()
    while node != END and node not in seen:
        seen.add(node)
        compiled = script.steps[node]
        context = template_context(catalog, script, answers, ctx, remembered)
        if compiled.step.recall and not context["known"]:
            answers[node] = None  # nothing known: the engine passes it over
            node = compiled.next_step(answers)
            continue
        text = render(compiled.text, lang, context)
        hint = render(compiled.hint, lang, context) if compiled.hint else ""
        yield node, f"{text}\n{hint}".strip(), compiled.step.asks
        if compiled.step.asks:
            answers[node] = answer(compiled, way, lang)
            context = template_context(catalog, script, answers, ctx, remembered)
            if compiled.ack is not None:
                yield f"{node}.ack", render(compiled.ack, lang, context), False
            for probe in compiled.probes:  # each probe's question, as if it was the one asked
                yield f"{node}.{probe.id}", render(probe.ask, lang, context), True
                if way.full:
                    answers[probe.id] = SAMPLES[lang]
                    if probe.ack is not None:
                        context = template_context(catalog, script, answers, ctx, remembered)
                        yield f"{node}.{probe.id}.ack", render(probe.ack, lang, context), False
        node = compiled.next_step(answers)
    context = template_context(catalog, script, answers, ctx, remembered)
    yield "summary", render(script.summary, lang, context), False


def render(templates: Templates, lang: str, context: dict[str, Any]) -> str:
    """The template itself, so that an error shows here instead of the engine's fallback."""
    return plain(templates.by_lang[lang].render(context).strip("\n"))


SEAMS = [
    (re.compile(r"\bNone\b|\bnull\b|Undefined"), "a missing value shown"),
    (re.compile(r"[^\S\n]{2,}"), "doubled spaces"),
    (re.compile(r"[^\S\n][,.;:!?，。；：！？、]"), "a space before punctuation"),
    (re.compile(r"^[ \t]*[,.;:!?，。；：！？、·—]", re.M), "a line starting with punctuation"),
    (re.compile(r"[,;，；、·—][ \t]*$", re.M), "a line ending in a dangling mark"),
    (re.compile(r"[:：]\s*(\Z|\n\s*\n)"), "a colon with nothing after it"),
    (re.compile(r"[,;:，；：][ \t]*[,.;:?，。；：？]"), "punctuation doubled up"),
    (re.compile(r"“\s*”|\"\s*\"|‘\s*’|「\s*」|\(\s*\)|（\s*）"), "empty quotes or brackets"),
    (re.compile(r"·\s*·"), "an empty item between separators"),
    (re.compile(r"\{\{|\{%|%\}|\}\}"), "template syntax left over"),
    (re.compile(r"\n\s*\n\s*\n"), "an empty line in a row"),
]
QUESTION = re.compile(r"[?？]+")


def problems_in(where: str, text: str, asks: bool) -> list[str]:
    found = [f"{where}: {why}: {text!r}" for pattern, why in SEAMS if pattern.search(text)]
    questions = len(QUESTION.findall(re.sub(r"“[^”]*”|\"[^\"]*\"", "", text)))
    if where != "summary" and questions > 1:
        found.append(f"{where}: {questions} questions in one message: {text!r}")
    if asks and not text.strip():
        found.append(f"{where}: an empty question")
    for sample in SAMPLES.values():  # a rep's words end their line: nothing spliced after them
        if asks and re.search(re.escape(sample) + r"[^\n”\"」)）]", text):
            found.append(f"{where}: the rep's words spliced into a sentence: {text!r}")
    return found


CATALOG = load_catalog()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("script_id", sorted(CATALOG.scripts))
def test_every_text_reads_cleanly_with_sparse_and_full_answers(script_id: str, lang: str) -> None:
    script = CATALOG.scripts[script_id]
    problems: list[str] = []
    rendered: set[str] = set()
    for way in WAYS:
        for where, text, asks in texts_along(CATALOG, script, way, lang):
            rendered.add(where.split(".")[0])
            found = problems_in(where, text, asks)
            if where == "summary" and script.roleplay is not None:
                # the role-play's transcript is not played here (tests/test_roleplay*.py are)
                found = [p for p in found if "a colon with nothing after it" not in p]
            problems += [f"[{way.name}] {p}" for p in found]
    assert problems == []
    unreached = set(script.steps) - rendered
    assert len(unreached) <= len(script.steps) // 3, f"never rendered: {sorted(unreached)}"


def test_the_checks_catch_a_seam() -> None:
    assert problems_in("x", "You met:\nMs Wang\nWhich role does she play?", True) == []
    assert problems_in("x", f"{SAMPLES['en']}: which role does this person play?", True)
    assert problems_in("x", "You said:\n“”\nWhy?", True)
    assert problems_in("x", "Visit:  · Large deal", False)
    assert problems_in("x", "What was it? And why?", True)
    assert problems_in("x", "Role: None", False)
