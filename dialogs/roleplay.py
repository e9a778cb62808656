"""The buyer who answers back: a role-play driven by rules over what the rep types.

The method's objection handling (listen, confirm you understood, don't argue, answer) is read
from each reply: the script's patterns find signals in it (an acknowledgement, a question, a
benefit with a figure, an argument), and the buyer reacts by the script's stages — softens and
raises a second objection when the first is handled, hardens when the rep argues or ignores
them, agrees to a next step at the end. Pure and deterministic: the same replies always meet the
same buyer. A language model may phrase the buyer's line instead (``TextIn.buyer``, computed at
the edge from :func:`brief`); what the buyer does stays the rules' decision.

The run keeps the whole role-play as the step's answer::

    {"exchanges": [{"buyer": "...", "stance": "opens", "rep": "...", "shows": ["question"]},
                   ..., {"buyer": "...", "stance": "agrees"}],
     "stage": 3, "collected": [], "outcome": "agreed"}

The last exchange without ``rep`` is the buyer's line waiting for a reply (or, once ``outcome``
is set, the buyer's last word).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dialogs.model import LANGUAGES, Kind, RolePlay, RolePlayCheck, Script, Text

IGNORE = "ignore"
LISTENS = "listens"
"""The buyer was listened to and adds a detail (the stage's ``detail``, once)."""
WAITS = "waits"
"""The buyer was listened to but waits for more."""
HARDENS = "hardens"
OPENS = "opens"
MAX_VOICE = 600
"""A model's buyer line longer than this is cut: a buyer says a sentence or two."""

Tables = Mapping[str, Mapping[str, Text]]
Value = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CompiledRolePlay:
    rules: RolePlay
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    """Signal -> the patterns of every language: a rep mixing 中英 is read either way."""
    step: str
    """The script's roleplay step, whose answer is the role-play."""

    def signals(self, text: str) -> tuple[str, ...]:
        """What one reply shows, in the script's order of signals."""
        found = [
            name
            for name, patterns in self.patterns.items()
            if any(pattern.search(text) for pattern in patterns)
        ]
        found += [name for name, parts in self.rules.both.items() if set(parts) <= set(found)]
        if self.rules.engages and not set(self.rules.engages) & set(found):
            found.append(IGNORE)
        return tuple(found)


# --- the buyer's turn ---------------------------------------------------------------------------


def finished(value: Any) -> bool:
    """Is the role-play over (the step answered)? A partial one keeps the step current."""
    return isinstance(value, dict) and value.get("outcome") is not None


def opening(play: CompiledRolePlay, tables: Tables, answers: Mapping[str, Any], lang: str) -> str:
    """The buyer's first line: the rep's own objection, or the script's for type and style."""
    own = answers.get(play.rules.own_objection) if play.rules.own_objection else None
    if isinstance(own, str) and own.strip():
        return own.strip()
    key = f"{answers.get(play.rules.objection)}_{answers.get(play.rules.style)}"
    return _line(tables, play.rules.opening, key, lang)


def current_line(
    play: CompiledRolePlay, tables: Tables, answers: Mapping[str, Any], value: Any, lang: str
) -> str:
    """What the buyer says now: the line waiting for a reply, or the last word once over."""
    exchanges = _exchanges(value)
    if exchanges:
        return str(exchanges[-1].get("buyer", ""))
    return opening(play, tables, answers, lang)


def react(
    play: CompiledRolePlay,
    tables: Tables,
    answers: Mapping[str, Any],
    value: Any,
    text: str,
    lang: str,
    voice: str = "",
) -> Value:
    """The role-play after the rep's reply ``text``: the buyer's reaction added (phrased by
    ``voice`` when a language model gave one), the outcome set when it is over."""
    rules = play.rules
    if not isinstance(value, dict) or finished(value) or not _exchanges(value):
        value = _fresh(opening(play, tables, answers, lang))
    exchanges = [dict(exchange) for exchange in _exchanges(value)]
    shows = play.signals(text)
    exchanges[-1].update(rep=text, shows=list(shows))
    replies = sum(1 for exchange in exchanges if "rep" in exchange)
    stage = int(value.get("stage", 0))
    collected = set(value.get("collected", ()))
    detailed = bool(value.get("detailed", False))
    style = str(answers.get(rules.style))
    objection = str(answers.get(rules.objection))
    parts: list[str]
    if set(shows) & set(rules.hardens_on):
        stance, collected = HARDENS, set()
        parts = [_line(tables, rules.reactions, f"{style}_{HARDENS}", lang)]
        if exchanges[-1].get("stance") == HARDENS:  # the buyer repeats the objection, firmer
            parts.append(_stage_objection(play, tables, exchanges, stage, objection, lang))
    else:
        collected |= set(shows)
        current = rules.stages[min(stage, len(rules.stages) - 1)]
        if set(current.needs) <= collected:
            stage, collected, detailed = stage + 1, set(), False
            stance = current.handled
            parts = [_line(tables, rules.reactions, f"{style}_{stance}", lang)]
            if current.raise_table and stage < len(rules.stages):
                parts.append(_line(tables, current.raise_table, objection, lang))
        else:
            stance = LISTENS if current.detail and not detailed else WAITS
            parts = [_line(tables, rules.reactions, f"{style}_{stance}", lang)]
            if stance == LISTENS and current.detail:
                parts.append(_line(tables, current.detail, objection, lang))
                detailed = True
    outcome = None
    hardened = 1 + _hardened_in_a_row(exchanges) if stance == HARDENS else 0
    if stage >= len(rules.stages):
        outcome = "agreed"
    elif replies >= rules.max_replies or hardened >= rules.walks_after:
        outcome, stance = "open", rules.ends
        parts = [_line(tables, rules.reactions, f"{style}_{rules.ends}", lang)]
    joiner = "" if lang == "zh" else " "
    line = voice.strip()[:MAX_VOICE] or joiner.join(part for part in parts if part)
    exchanges.append({"buyer": line, "stance": stance})
    return {
        "exchanges": exchanges,
        "stage": stage,
        "collected": sorted(collected),
        "detailed": detailed,
        "outcome": outcome,
    }


def take_back(
    play: CompiledRolePlay, tables: Tables, answers: Mapping[str, Any], value: Any, lang: str
) -> Value | None:
    """The role-play without the rep's last reply (/back), the buyer's lines kept as they were
    said; None when no reply is left."""
    exchanges = _exchanges(value)
    replies = [exchange for exchange in exchanges if "rep" in exchange]
    if len(replies) <= 1:
        return None
    rebuilt: Value = _fresh(str(exchanges[0].get("buyer", "")))
    for index, exchange in enumerate(replies[:-1]):
        said = str(exchanges[index + 1].get("buyer", ""))
        rebuilt = react(play, tables, answers, rebuilt, str(exchange["rep"]), lang, voice=said)
    return rebuilt


def _hardened_in_a_row(exchanges: Sequence[Mapping[str, Any]]) -> int:
    count = 0
    for exchange in reversed(exchanges):
        if exchange.get("stance") != HARDENS:
            break
        count += 1
    return count


def _stage_objection(
    play: CompiledRolePlay,
    tables: Tables,
    exchanges: Sequence[Mapping[str, Any]],
    stage: int,
    objection: str,
    lang: str,
) -> str:
    """The objection the rep is working on: the opening one, or the one a stage raised."""
    if stage == 0:
        return str(exchanges[0].get("buyer", "")) if exchanges else ""
    raised = play.rules.stages[stage - 1].raise_table
    return _line(tables, raised, objection, lang) if raised else ""


def _fresh(line: str) -> Value:
    return {"exchanges": [{"buyer": line, "stance": OPENS}], "stage": 0, "collected": []}


def _exchanges(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, dict):
        return []
    exchanges = value.get("exchanges")
    return [e for e in exchanges if isinstance(e, dict)] if isinstance(exchanges, list) else []


def _line(tables: Tables, table: str, key: str, lang: str) -> str:
    text = tables.get(table, {}).get(key)
    return text.get(lang) if text is not None else ""


# --- what the replies showed, for the review ---------------------------------------------------


def shown(check: RolePlayCheck, replies: Sequence[Iterable[str]]) -> bool:
    """Did the replies show this: any of its signals in some reply, all in one, none in any?"""
    sets = [set(reply) for reply in replies]
    if not sets:
        return False
    any_ok = not check.any_of or any(s & set(check.any_of) for s in sets)
    all_ok = not check.all_of or any(set(check.all_of) <= s for s in sets)
    none_ok = not any(s & set(check.none_of) for s in sets)
    return any_ok and all_ok and none_ok


def view(
    play: CompiledRolePlay,
    tables: Tables,
    answers: Mapping[str, Any],
    value: Any,
    lang: str,
    label: Callable[[str, str], str],
) -> dict[str, Any]:
    """The role-play as templates read it (``roleplay.buyer``, ``roleplay.checks`` ...).

    ``checks`` compares each self-check tick with what the replies showed: ``verdict`` is
    ``both`` (ticked and shown), ``ticked_only``, ``shown_only`` or ``neither``.
    """
    rules = play.rules
    exchanges = _exchanges(value)
    replies = [exchange for exchange in exchanges if "rep" in exchange]
    shows = [tuple(exchange.get("shows", ())) for exchange in replies]
    ticks = answers.get(rules.self_check) if rules.self_check else None
    ticked = set(ticks) if isinstance(ticks, list) else set()
    checks = []
    for option, check in rules.checklist.items():
        seen = shown(check, shows)
        tick = option in ticked
        verdict = (
            ("both" if tick else "shown_only") if seen else ("ticked_only" if tick else "neither")
        )
        checks.append(
            {
                "id": option,
                "label": label(rules.self_check or "", option),
                "ticked": tick,
                "shown": seen,
                "verdict": verdict,
            }
        )
    technique = answers.get(rules.technique) if rules.technique else None
    technique_verdict = ""
    if isinstance(technique, str) and technique in rules.techniques and replies:
        technique_verdict = "shown" if shown(rules.techniques[technique], shows) else "not_shown"
    argued = next(
        (str(e["rep"]) for e in replies if set(e.get("shows", ())) & set(rules.hardens_on)), ""
    )
    return {
        "buyer": current_line(play, tables, answers, value, lang),
        "exchange": len(replies) + 1,
        "replies": len(replies),
        "outcome": value.get("outcome") if isinstance(value, dict) else None,
        "stances": [str(exchange.get("stance", "")) for exchange in exchanges[1:]],
        "hardened": sum(1 for e in exchanges if e.get("stance") == HARDENS),
        "checks": checks,
        "missing": [check for check in checks if not check["shown"]],
        "argued": argued,
        "technique": technique_verdict,
    }


def transcript(value: Any) -> list[tuple[str, str | None]]:
    """(buyer's line, rep's reply or None) in order: what the summary and exports show."""
    return [
        (str(e.get("buyer", "")), str(e["rep"]) if "rep" in e else None) for e in _exchanges(value)
    ]


@dataclass(frozen=True, slots=True)
class Brief:
    """What a language-model buyer needs to phrase the next line; the rules chose it."""

    lang: str
    persona: str
    objection: str
    transcript: tuple[tuple[str, str | None], ...]
    stance: str
    rule_line: str
    outcome: str | None


def brief(
    play: CompiledRolePlay,
    tables: Tables,
    answers: Mapping[str, Any],
    value: Any,
    text: str,
    lang: str,
    persona: str,
) -> Brief:
    """The rules' reaction to ``text`` and the conversation so far, for a model to voice."""
    after = react(play, tables, answers, value, text, lang)
    last = after["exchanges"][-1]
    return Brief(
        lang=lang,
        persona=persona,
        objection=str(answers.get(play.rules.objection)),
        transcript=tuple(transcript(after))[:-1],
        stance=str(last["stance"]),
        rule_line=str(last["buyer"]),
        outcome=after.get("outcome"),
    )


# --- checking the rules at load time -----------------------------------------------------------


def compile_rules(
    script: Script, before: Mapping[str, set[str]]
) -> tuple[CompiledRolePlay | None, list[tuple[str, str]]]:
    """The script's role-play rules compiled, with every problem as (where, message).

    ``before``: for each step, the steps that may be asked before it.
    """
    rules = script.roleplay
    problems: list[tuple[str, str]] = []
    steps = {step.id: step for step in script.steps}
    playing = [step.id for step in script.steps if step.kind is Kind.ROLEPLAY]
    if rules is None:
        problems += [
            (step, "a roleplay step needs the script's roleplay rules") for step in playing
        ]
        return None, problems
    if len(playing) != 1:
        problems.append(
            ("roleplay", f"the rules need exactly one roleplay step, not {len(playing)}")
        )
    asked_before = before.get(playing[0], set()) if playing else set()

    def options(step_id: str | None, kind: Kind, field: str) -> list[str]:
        if step_id is None:
            return []
        step = steps.get(step_id)
        if step is None or step.kind is not kind:
            problems.append(("roleplay", f"{field} {step_id!r} is no {kind.value} step"))
            return []
        if field in ("objection", "style") and playing and step_id not in asked_before:
            problems.append(("roleplay", f"{field} {step_id!r} is not asked before the role-play"))
        return [option.id for option in step.options]

    objections = options(rules.objection, Kind.CHOICE, "objection")
    styles = options(rules.style, Kind.CHOICE, "style")
    ticks = options(rules.self_check, Kind.MULTI, "self_check")
    techniques = options(rules.technique, Kind.CHOICE, "technique")
    if rules.own_objection is not None and rules.own_objection not in steps:
        problems.append(("roleplay", f"own_objection {rules.own_objection!r} is not a step"))

    patterns: dict[str, tuple[re.Pattern[str], ...]] = {}
    for name, by_lang in rules.signals.items():
        compiled: list[re.Pattern[str]] = []
        for lang in LANGUAGES:
            if not by_lang.get(lang):
                problems.append((f"roleplay.signals.{name}", f"no patterns in {lang!r}"))
        for lang, sources in by_lang.items():
            for source in sources:
                try:
                    compiled.append(re.compile(source, re.IGNORECASE))
                except re.error as exc:
                    where = f"roleplay.signals.{name}.{lang}"
                    problems.append((where, f"bad pattern {source!r}: {exc}"))
        patterns[name] = tuple(compiled)
    known = set(rules.signals) | set(rules.both) | ({IGNORE} if rules.engages else set())
    used: list[tuple[str, Iterable[str]]] = [
        ("roleplay.engages", rules.engages),
        ("roleplay.hardens_on", rules.hardens_on),
        *((f"roleplay.both.{name}", parts) for name, parts in rules.both.items()),
        *((f"roleplay.stages.{stage.id}", stage.needs) for stage in rules.stages),
        *(
            (f"roleplay.{part}.{key}", (*check.any_of, *check.all_of, *check.none_of))
            for part, table in (("checklist", rules.checklist), ("techniques", rules.techniques))
            for key, check in table.items()
        ),
    ]
    for where, names in used:
        for name in names:
            if name not in known:
                problems.append((where, f"unknown signal {name!r}"))
    if not rules.stages:
        problems.append(("roleplay.stages", "the role-play needs at least one stage"))
    if rules.max_replies < len(rules.stages):
        problems.append(
            ("roleplay.max_replies", "fewer replies than stages: it can never end well")
        )
    for key in rules.checklist:
        if key not in ticks:
            problems.append(("roleplay.checklist", f"{key!r} is no option of {rules.self_check!r}"))
    for key in rules.techniques:
        if key not in techniques:
            problems.append(("roleplay.techniques", f"{key!r} is no option of {rules.technique!r}"))

    stances = {HARDENS, LISTENS, WAITS, rules.ends, *(stage.handled for stage in rules.stages)}
    wanted: list[tuple[str, list[str]]] = [
        (rules.opening, [f"{o}_{s}" for o in objections for s in styles]),
        (rules.reactions, [f"{s}_{stance}" for s in styles for stance in sorted(stances)]),
        *((stage.raise_table, objections) for stage in rules.stages if stage.raise_table),
        *((stage.detail, objections) for stage in rules.stages if stage.detail),
    ]
    for table, keys in wanted:
        if table not in script.tables:
            problems.append(("roleplay", f"no table {table!r}"))
            continue
        for key in keys:
            if key not in script.tables[table]:
                problems.append((f"tables.{table}", f"no line for {key!r}"))
    if problems:
        return None, problems
    return CompiledRolePlay(rules, patterns, playing[0]), problems
