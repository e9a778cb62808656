"""The rep's memory: what later conversations may quote from earlier ones.

Kept inside the conversation state (plain JSON, bounded in size), so a debrief can show the
pre-call plan written for the same customer, and the weekly review can count this week's visits,
without the engine ever reading the database. Answers are kept as stored values and shown in the
rep's current language when quoted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from dialogs.compile import CompiledScript
from dialogs.model import Kind
from dialogs.state import Run

MAX_CUSTOMERS = 20
MAX_HISTORY = 40
MAX_OBJECTIONS = 10
MAX_KEPT_TEXT = 500
SHOWN_CHOICES = 8
"""How many recent customers (or objections) are offered as buttons."""


def customers(memory: Mapping[str, Any]) -> list[str]:
    return [str(name) for name in memory.get("customers", ())]


def objections(memory: Mapping[str, Any]) -> list[str]:
    return [str(text) for text in memory.get("objections", ())]


def remember(
    memory: Mapping[str, Any], script: CompiledScript, run: Run, *, day: str, week: str
) -> dict[str, Any]:
    """The memory after ``run`` of ``script`` finished."""
    rules = script.script.remember
    answers = run.answers
    updated = dict(memory)
    kept = {step: _trim(answers[step]) for step in rules.keep if answers.get(step) is not None}
    customer = answers.get(rules.customer) if rules.customer else None
    customer = customer.strip() if isinstance(customer, str) and customer.strip() else None
    entry = {"at": day, "answers": kept}
    if kept:
        updated["last"] = {**memory.get("last", {}), script.id: entry}
    if customer is not None:
        names = [name for name in customers(memory) if name.casefold() != customer.casefold()]
        names = [customer, *names][:MAX_CUSTOMERS]
        updated["customers"] = names
        by_customer = {
            name: value
            for name, value in memory.get("by_customer", {}).items()
            if name in names and name != customer
        }
        previous = memory.get("by_customer", {}).get(customer, {})
        by_customer[customer] = {**previous, script.id: entry} if kept else previous
        updated["by_customer"] = by_customer
        updated["facts"] = _facts_after(memory, names, customer, rules.facts, answers)
    if rules.objections and isinstance(answers.get(rules.objections), str):
        text = _trim(answers[rules.objections].strip())
        known = [o for o in objections(memory) if o != text]
        updated["objections"] = [text, *known][:MAX_OBJECTIONS]
    item: dict[str, Any] = {
        "run": run.no,
        "script": script.id,
        "customer": customer,
        "week": week,
        "day": day,
    }
    for step in rules.keep:  # the countable answers: choices, numbers, yes/no
        compiled = script.steps.get(step)
        if compiled is not None and compiled.step.kind in _COUNTABLE and step in answers:
            item[step] = answers[step]
    earlier = [old for old in memory.get("history", ()) if old.get("run") != run.no]  # an edit
    updated["history"] = [item, *earlier][:MAX_HISTORY]
    return updated


def _facts_after(
    memory: Mapping[str, Any],
    names: list[str],
    customer: str,
    steps: tuple[str, ...],
    answers: Mapping[str, Any],
) -> dict[str, Any]:
    """Facts per customer (only the remembered customers'), this run's answers winning."""
    facts = {name: value for name, value in memory.get("facts", {}).items() if name in names}
    known = dict(_facts_of(memory, customer))
    known.update({step: _trim(answers[step]) for step in steps if answers.get(step) is not None})
    for name in [name for name in facts if name.casefold() == customer.casefold()]:
        del facts[name]
    if known:
        facts[customer] = known
    return facts


def _facts_of(memory: Mapping[str, Any], customer: str | None) -> Mapping[str, Any]:
    if not customer:
        return {}
    for name, facts in memory.get("facts", {}).items():
        if name.casefold() == customer.casefold():
            return facts if isinstance(facts, Mapping) else {}
    return {}


def known_facts(
    memory: Mapping[str, Any], customer: str | None, script: CompiledScript, steps: tuple[str, ...]
) -> dict[str, Any]:
    """What is known of ``customer`` for these steps of ``script``, as stored values; a value
    this script's step could not have stored (an option it lacks) counts as unknown."""
    facts = _facts_of(memory, customer)
    known: dict[str, Any] = {}
    for step in steps:
        compiled = script.steps.get(step)
        value = facts.get(step)
        if compiled is None or value is None:
            continue
        kind = compiled.step.kind
        if kind is Kind.CHOICE and compiled.step.options_from is None:
            if value not in compiled.option_labels:
                continue
        elif kind is Kind.MULTI:
            if not isinstance(value, list) or not set(value) <= set(compiled.option_labels):
                continue
        elif kind is Kind.TEXT and not isinstance(value, str):
            continue
        known[step] = value
    return known


_COUNTABLE = frozenset({Kind.CHOICE, Kind.MULTI, Kind.SCALE, Kind.YESNO, Kind.NUMBER})


def _trim(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_KEPT_TEXT:
        return value[: MAX_KEPT_TEXT - 1] + "…"
    return value


Display = Callable[[str, str, Any], Any]
"""(script id, step id, stored value) -> the value as the rep would say it."""


class Kept(Mapping[str, Any]):
    """Kept answers of one run, shown on access: ``about.precall.objective``."""

    def __init__(self, script: str, entry: Mapping[str, Any], display: Display) -> None:
        self._script = script
        self._answers: Mapping[str, Any] = entry.get("answers", {})
        self._display = display
        self.day = entry.get("at", "")

    @property
    def raw(self) -> Mapping[str, Any]:
        """Stored values (option ids), e.g. ``tables.tips[latest.plan.raw.objection]``."""
        return self._answers

    def __getitem__(self, step: str) -> Any:
        """A step not kept reads as null, like an unanswered one."""
        if step not in self._answers:
            return None
        return self._display(self._script, step, self._answers[step])

    def __contains__(self, step: object) -> bool:
        return step in self._answers

    def __iter__(self) -> Iterator[str]:
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)


class ByScript(Mapping[str, Kept]):
    """``latest.week_plan`` or ``about.precall``: kept answers by script; missing ones are empty."""

    def __init__(self, entries: Mapping[str, Any], display: Display) -> None:
        self._entries = entries
        self._display = display

    def __getitem__(self, script: str) -> Kept:
        return Kept(script, self._entries.get(script, {}), self._display)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def template_names(
    memory: Mapping[str, Any], customer: str | None, display: Display
) -> dict[str, Any]:
    """The names templates use: ``about``, ``latest`` and ``history``."""
    about: Mapping[str, Any] = {}
    if customer:
        for name, entries in memory.get("by_customer", {}).items():
            if name.casefold() == customer.casefold():
                about = entries
                break
    return {
        "about": ByScript(about, display),
        "latest": ByScript(memory.get("last", {}), display),
        "history": list(memory.get("history", ())),
    }
