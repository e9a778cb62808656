"""What code outside the engine reads from the scripts by name, and the check that it is there.

The digest counts ``goal_met``, a manager's flags read ``feeling_score``, the export has a column
per report answer: renaming such a step (or one of its options) in YAML would leave the scripts
valid and the digest silently empty. So each reading module declares what it reads — once, as a
``Contract`` of the items below, next to the code that reads them, which uses the declared names
instead of string literals — and ``coachbot scripts check`` verifies every item against the
compiled scripts (``check_contracts``), naming the script, the step and the module that needs it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from dialogs.catalog import Catalog
from dialogs.compile import CompiledScript, Problem
from dialogs.engine import UNIT_SUFFIX
from dialogs.model import Kind
from dialogs.readers import PARTLY


@dataclass(frozen=True, slots=True)
class ScriptRef:
    """A script code starts or picks runs of by its id (``/week``, the digest's weekly plans)."""

    id: str

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class Answer:
    """A step whose answer code reads by its id, of this kind, in each of these scripts."""

    step: str
    kind: Kind
    scripts: tuple[str, ...]

    def __str__(self) -> str:
        return self.step


@dataclass(frozen=True, slots=True)
class Value:
    """An option id of a choice or multi step that code compares an answer with — or
    ``PARTLY``, the third answer of a ``partial`` yesno step."""

    answer: Answer
    value: str

    def __str__(self) -> str:
        return f"{self.answer.step}={self.value}"


@dataclass(frozen=True, slots=True)
class Unit:
    """The unit typed with a number answer, kept under ``<step>.unit``."""

    answer: Answer

    def __post_init__(self) -> None:
        if self.answer.kind is not Kind.NUMBER:
            raise ValueError(f"{self.answer.step}: only a number answer has a unit")

    @property
    def key(self) -> str:
        return f"{self.answer.step}{UNIT_SUFFIX}"

    def __str__(self) -> str:
        return self.key


Need = ScriptRef | Answer | Value | Unit


@dataclass(frozen=True, slots=True)
class Contract:
    """Everything one module reads from the scripts by name; ``reader`` names the module."""

    reader: str
    needs: tuple[Need, ...]


def scripts_of(need: Need) -> tuple[str, ...]:
    """The scripts a need is about."""
    if isinstance(need, ScriptRef):
        return (need.id,)
    answer = need if isinstance(need, Answer) else need.answer
    return answer.scripts


def check_contracts(
    catalog: Catalog,
    contracts: Iterable[Contract],
    *,
    given: Collection[str] | None = None,
    whole: bool = True,
) -> list[Problem]:
    """One problem per script, step and kind of break, naming every module that needs the item.

    ``given``: the scripts whose files were read (one that failed to compile is reported by its
    own problems; the catalog's when None). ``whole``: these are all the scripts, so a script
    the code needs and nobody gave is missing (False when checking one file).
    """
    readers: dict[Problem, set[str]] = {}
    for contract in contracts:
        for need in contract.needs:
            for problem in _problems(need, catalog.scripts):
                readers.setdefault(problem, set()).add(contract.reader)
    given = set(catalog.scripts if given is None else given)
    return [
        Problem(p.file, p.where, f"{p.message} (needed by {', '.join(sorted(readers[p]))})")
        for p in sorted(readers, key=lambda p: (p.file, p.where, p.message))
        if p.where or (whole and p.file.removesuffix(".yaml") not in given)
    ]


def _problems(need: Need, scripts: Mapping[str, CompiledScript]) -> Iterable[Problem]:
    for script_id in scripts_of(need):
        compiled = scripts.get(script_id)
        if compiled is None:
            yield Problem(f"{script_id}.yaml", "", f"no script {script_id!r}")
            continue
        file = compiled.script.source
        if isinstance(need, ScriptRef):
            continue
        answer = need if isinstance(need, Answer) else need.answer
        kind = _kind(compiled, answer.step)
        if kind is None:
            yield Problem(file, answer.step, f"no step {answer.step!r}, read as a {answer.kind}")
            continue
        if kind is not answer.kind:
            yield Problem(file, answer.step, f"a {kind} step, read as a {answer.kind}")
            continue
        compiled_step = compiled.steps.get(answer.step)
        if isinstance(need, Value) and compiled_step is not None:
            step = compiled_step.step
            if need.value == PARTLY and kind is Kind.YESNO:
                if not step.partial:
                    yield Problem(file, answer.step, f"not partial: never {PARTLY!r}, read so")
            elif need.value not in {option.id for option in step.options}:
                yield Problem(file, answer.step, f"no option {need.value!r}, read by its id")


def _kind(compiled: CompiledScript, step_id: str) -> Kind | None:
    """The kind of answer kept under ``step_id``: a step's, or a probe's (text)."""
    step = compiled.steps.get(step_id)
    if step is not None:
        return step.step.kind
    return Kind.TEXT if step_id in compiled.probe_steps else None
