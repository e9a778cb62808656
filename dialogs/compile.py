"""Turn script YAML into checked, compiled scripts, collecting every problem at once.

Everything a conversation needs at run time (step lookup, parsed conditions, compiled templates)
is resolved here, at load time: a typo fails ``coachbot scripts check``, not a rep's debrief.
This module parses text it is given; reading files is the caller's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from jinja2 import (
    ChainableUndefined,
    DictLoader,
    Template,
    TemplateError,
    TemplateSyntaxError,
    meta,
    nodes,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape
from pydantic import ValidationError

from dialogs import pushback
from dialogs.catalog import Catalog, Messages
from dialogs.conditions import Condition, ConditionError, parse_condition
from dialogs.model import END, LANGUAGES, Kind, Script, Step, Text
from dialogs.probes import BUILTIN_SIGNALS, CompiledProbe
from dialogs.roleplay import CompiledRolePlay, compile_rules

TEMPLATE_GLOBALS = frozenset(
    {"raw", "lang", "tables", "about", "latest", "history", "week", "today", "roleplay", "known"}
)
"""Names every script template may use besides step ids."""


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.file}{where}: {self.message}"


SHARED_DIR = "shared"
"""The folder (beside the scripts) of the template blocks several scripts import by file name."""


def make_environment(shared: Mapping[str, str] | None = None) -> ImmutableSandboxedEnvironment:
    """Sandboxed: scripts are edited by sales managers, not programmers.

    Unknown top-level names are errors of ``scripts check``; at run time a missing piece of a
    rep's data (a plan never written, a step never asked) reads as empty, never as a crash.
    ``shared``: blocks a text may import (``{% from "week.jinja" import plan with context %}``),
    by file name: one source for what several texts compute alike.
    """
    return ImmutableSandboxedEnvironment(
        loader=DictLoader(dict(shared or {})),
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda value: "" if value is None else value,
    )


@dataclass(frozen=True, slots=True)
class Templates:
    """One compiled template per language."""

    by_lang: Mapping[str, Template]
    sources: Mapping[str, str] = field(default_factory=dict)
    static: Mapping[str, Markup] = field(default_factory=dict)
    """Texts without any template syntax, ready as they are (most labels and many questions)."""

    def is_static(self, lang: str) -> bool:
        return (lang if lang in self.by_lang else next(iter(self.by_lang))) in self.static

    def render(self, lang: str, context: Mapping[str, Any]) -> Markup:
        """The text in ``lang`` (or another language if a text is missing), HTML-escaped.

        A template that fails on the data of one conversation (``scripts check`` catches what
        can be caught without it) degrades to its plain words; a rep's turn never fails on it.
        """
        if lang not in self.by_lang:
            lang = next(iter(self.by_lang))
        static = self.static.get(lang)
        if static is not None:
            return static
        template = self.by_lang[lang]
        try:
            return Markup(template.render(context).strip("\n"))
        except (TemplateError, TypeError, ValueError, LookupError, AttributeError):
            source = self.sources.get(lang) or next(iter(self.sources.values()), "")
            return escape(_TEMPLATE_TAG.sub("", source).strip())


@dataclass(frozen=True, slots=True)
class Route:
    condition: Condition | None
    target: str


@dataclass(frozen=True, slots=True)
class CompiledStep:
    step: Step
    routes: tuple[Route, ...]
    fallthrough: str
    phase_no: int
    text: Templates
    hint: Templates | None
    ack: Templates | None
    option_labels: Mapping[str, Templates]
    min_label: Templates | None
    max_label: Templates | None
    rephrase: tuple[Templates, ...] = ()
    """Other wordings of the question, asked after pushback."""
    probes: tuple[CompiledProbe, ...] = ()

    @property
    def id(self) -> str:
        return self.step.id

    def wording(self, attempt: int) -> Templates:
        """The question as asked the ``attempt``-th time after pushback (0: as written)."""
        if attempt <= 0 or not self.rephrase:
            return self.text
        return self.rephrase[(attempt - 1) % len(self.rephrase)]

    def next_step(self, answers: Mapping[str, Any]) -> str:
        for route in self.routes:
            if route.condition is None or route.condition.holds(answers):
                return route.target
        return self.fallthrough

    def targets(self) -> list[str]:
        targets = [route.target for route in self.routes]
        if not self.routes or self.routes[-1].condition is not None:
            targets.append(self.fallthrough)
        return targets


class _TableView(Mapping[str, Markup]):
    """One table in one language; a missing key reads as null."""

    def __init__(self, texts: Mapping[str, Text], lang: str) -> None:
        self._texts = texts
        self._lang = lang

    def __getitem__(self, key: object) -> Markup:
        text = self._texts.get(str(key))
        return Markup(text.get(self._lang)) if text is not None else None  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        return str(key) in self._texts

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


@dataclass(frozen=True, slots=True)
class Tables:
    """The script's ``tables:``, author-written texts (trusted HTML) looked up by key."""

    texts: Mapping[str, Mapping[str, Text]] = field(default_factory=dict)

    def view(self, lang: str) -> dict[str, _TableView]:
        return {name: _TableView(table, lang) for name, table in self.texts.items()}


@dataclass(frozen=True, slots=True)
class Chain:
    condition: Condition | None
    start: str
    carry: Mapping[str, str]
    preset: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CompiledScript:
    script: Script
    steps: Mapping[str, CompiledStep]
    title: Templates
    summary: Templates
    follow_up_about: Mapping[str, Templates] = field(default_factory=dict)
    tables: Tables = field(default_factory=Tables)
    chains: tuple[Chain, ...] = ()
    pushback_patterns: tuple[re.Pattern[str], ...] = ()
    pushback_reply: Templates | None = None
    roleplay: CompiledRolePlay | None = None
    """The buyer's rules of the script's ``roleplay`` step (``dialogs.roleplay``)."""
    signal_words: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    """The script's ``signals:``, compiled (probes read them)."""
    probe_steps: Mapping[str, str] = field(default_factory=dict)
    """Each probe's id -> the step it follows (a probe's answer is kept like that step's)."""

    def resists(self, text: str) -> bool:
        """Does the whole answer resist the question ("I don't know.") instead of answering it?"""
        if pushback.resists(text):
            return True
        clean = text.strip().strip(".!?。！？…").strip().casefold()
        return any(pattern.fullmatch(clean) for pattern in self.pushback_patterns)

    @property
    def id(self) -> str:
        return self.script.id

    @property
    def start(self) -> str:
        return self.script.first_step()


# --- loading ------------------------------------------------------------------------------------


def parse_yaml(text: str, file: str, problems: list[Problem]) -> Any:
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        problems.append(Problem(file, "", f"not valid YAML: {exc}"))
        return None


def build_catalog(
    script_sources: Mapping[str, str],
    messages_source: str,
    *,
    messages_file: str = "messages.yaml",
    default_script: str = "debrief",
    shared: Mapping[str, str] | None = None,
) -> tuple[Catalog, list[Problem]]:
    """Compile every script and the engine's messages (with the ``shared`` blocks they may
    import, by file name); return them with all problems found."""
    problems: list[Problem] = []
    env = make_environment(shared)
    _check_shared(env, shared or {}, problems)
    messages = compile_messages(messages_source, messages_file, env, problems)
    scripts: dict[str, CompiledScript] = {}
    for file, text in sorted(script_sources.items()):
        compiled = compile_script(text, file, env, problems)
        if compiled is None:
            continue
        if compiled.id in scripts:
            problems.append(Problem(file, "", f"script id {compiled.id!r} is used twice"))
            continue
        scripts[compiled.id] = compiled
    for compiled in scripts.values():
        for chain in compiled.chains:
            target = scripts.get(chain.start)
            if target is None:
                problems.append(
                    Problem(
                        compiled.script.source, "then", f"starts unknown script {chain.start!r}"
                    )
                )
                continue
            for step in sorted((set(chain.carry) | set(chain.preset)) - set(target.steps)):
                problems.append(
                    Problem(compiled.script.source, "then", f"{chain.start!r} has no step {step!r}")
                )
            for step, value in sorted(chain.preset.items()):
                if step in target.steps and not _valid_preset(target.steps[step], value):
                    problems.append(
                        Problem(
                            compiled.script.source,
                            "then",
                            f"sets {chain.start}.{step} to {value!r}, not one of its answers",
                        )
                    )
    if scripts and default_script not in scripts:
        default_script = next(iter(scripts))
    return Catalog(scripts=scripts, messages=messages, default_script=default_script), problems


def _check_shared(
    env: ImmutableSandboxedEnvironment, shared: Mapping[str, str], problems: list[Problem]
) -> None:
    """A shared block is imported by texts of any script: it may read only what every
    template may (``TEMPLATE_GLOBALS``), never a step of one script."""
    for name, source in sorted(shared.items()):
        file = f"{SHARED_DIR}/{name}"
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            problems.append(Problem(file, "", f"template error: {exc.message}"))
            continue
        for variable in sorted(meta.find_undeclared_variables(tree) - TEMPLATE_GLOBALS):
            problems.append(Problem(file, "", f"template variable {variable!r} is not shared"))
        _check_imports(env, tree, file, "", problems)


def _exports(env: ImmutableSandboxedEnvironment, name: str) -> set[str] | None:
    """The names a shared block exports (its top-level ``set``s and macros; ``_name`` is
    private), or None when there is no such block."""
    if env.loader is None:
        return None
    try:
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source)
    except (TemplateError, LookupError):
        return None
    names = {
        target.name
        for node in tree.body
        if isinstance(node, nodes.Assign)
        for target in node.find_all(nodes.Name)
        if target.ctx == "store"
    } | {node.name for node in tree.body if isinstance(node, nodes.Macro)}
    return {name for name in names if not name.startswith("_")}


def _check_imports(
    env: ImmutableSandboxedEnvironment,
    tree: nodes.Template,
    file: str,
    where: str,
    problems: list[Problem],
) -> None:
    """Every block a text imports or includes exists, with the names it imports."""
    for node in tree.find_all((nodes.Import, nodes.FromImport, nodes.Include)):
        if not isinstance(node, nodes.Import | nodes.FromImport | nodes.Include):
            continue  # pragma: no cover - find_all found one of these
        if not isinstance(node.template, nodes.Const) or not isinstance(node.template.value, str):
            problems.append(Problem(file, where, "import a shared block by its file name"))
            continue
        name = node.template.value
        exported = _exports(env, name)
        if exported is None:
            problems.append(Problem(file, where, f"no shared block {name!r} ({SHARED_DIR}/)"))
            continue
        if isinstance(node, nodes.FromImport):
            for item in node.names:
                wanted = item[0] if isinstance(item, tuple) else item
                if wanted not in exported:
                    problems.append(Problem(file, where, f"{name!r} sets no {wanted!r}"))


def compile_messages(
    text: str, file: str, env: ImmutableSandboxedEnvironment, problems: list[Problem]
) -> Messages:
    data = parse_yaml(text, file, problems)
    if not isinstance(data, dict):
        problems.append(Problem(file, "", "expected a mapping of message keys to texts"))
        return Messages({})
    compiled: dict[str, Templates] = {}
    for key, value in data.items():
        try:
            message = Text.model_validate(value)
        except ValidationError as exc:
            problems.append(Problem(file, str(key), _first_error(exc)))
            continue
        templates = _templates(message, env, file, str(key), problems)
        if templates is not None:
            compiled[str(key)] = templates
    return Messages(compiled)


def compile_script(
    text: str, file: str, env: ImmutableSandboxedEnvironment, problems: list[Problem]
) -> CompiledScript | None:
    data = parse_yaml(text, file, problems)
    if data is None:
        return None
    try:
        script = Script.model_validate({**data, "source": file} if isinstance(data, dict) else data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(Problem(file, _where(data, error["loc"]), error["msg"]))
        return None
    count = len(problems)
    _check_structure(script, file, problems)
    if len(problems) > count:
        return None
    steps = _compile_steps(script, env, file, problems)
    _check_graph(script, steps, file, problems)
    title = _templates(script.title, env, file, "title", problems)
    summary = _templates(script.summary, env, file, "summary", problems)
    follow_ups: dict[str, Templates] = {}
    for effect in script.on_finish:
        if effect.kind == "follow_up":
            about = _templates(effect.about, env, file, "on_finish", problems)
            if about is not None:
                follow_ups[effect.at] = about
    chains = _compile_chains(script, file, problems)
    patterns, reply = _compile_pushback(script, env, file, problems)
    words = _compile_signals(script, file, problems)
    _compile_probes(script, steps, env, words, file, problems)
    for name, table in script.tables.items():
        for key, entry in table.items():
            for lang in entry.missing():
                problems.append(Problem(file, f"tables.{name}.{key}", f"missing in {lang!r}"))
    if title is None or summary is None or len(steps) != len(script.steps):
        return None
    roleplay, roleplay_problems = compile_rules(script, _ancestors(steps, script.first_step()))
    problems.extend(Problem(file, where, message) for where, message in roleplay_problems)
    compiled = CompiledScript(
        script,
        steps,
        title,
        summary,
        follow_ups,
        Tables(script.tables),
        chains,
        patterns,
        reply,
        roleplay,
        words,
        {probe.id: step.id for step in script.steps for probe in step.probes},
    )
    _check_variables(compiled, env, file, problems)
    _lint_manners(script, file, problems)
    return compiled if len(problems) == count else None


def _compile_chains(script: Script, file: str, problems: list[Problem]) -> tuple[Chain, ...]:
    ids = {step.id for step in script.steps}
    chains: list[Chain] = []
    for rule in script.then:
        condition = None
        if rule.when is not None:
            try:
                condition = parse_condition(rule.when)
            except ConditionError as exc:
                problems.append(Problem(file, "then", str(exc)))
                continue
            for name in sorted(condition.names - ids):
                problems.append(Problem(file, "then", f"condition reads unknown step {name!r}"))
        for source in rule.carry.values():
            if source not in ids:
                problems.append(Problem(file, "then", f"carries unknown step {source!r}"))
        chains.append(Chain(condition, rule.start, dict(rule.carry), dict(rule.preset)))
    return tuple(chains)


def _compile_pushback(
    script: Script, env: ImmutableSandboxedEnvironment, file: str, problems: list[Problem]
) -> tuple[tuple[re.Pattern[str], ...], Templates | None]:
    if script.pushback is None:
        return (), None
    patterns: list[re.Pattern[str]] = []
    for lang, sources in script.pushback.patterns.items():
        for source in sources:
            try:
                patterns.append(re.compile(source, re.IGNORECASE))
            except re.error as exc:
                problems.append(Problem(file, f"pushback.{lang}", f"bad pattern {source!r}: {exc}"))
    reply = script.pushback.reply
    return tuple(patterns), _templates(reply, env, file, "pushback", problems) if reply else None


_WHY_DID_YOU = re.compile(
    r"\bwhy\s+(did|didn'?t|were|weren'?t|have|haven'?t)\s+you\b|你为什么|你為什麼", re.I
)
_TEMPLATE_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.S)
MAX_QUESTION_CHARS = 300


def _lint_manners(script: Script, file: str, problems: list[Problem]) -> None:
    """A coach asks why about the buyer, never "why did you"; one question fits a phone screen."""
    for step in script.steps:
        wordings = [(step.id, lang, source) for lang, source in _wordings(step)]
        wordings += [
            (f"{step.id}.{probe.id}", lang, getattr(probe.ask, lang) or "")
            for probe in step.probes
            for lang in LANGUAGES
        ]
        for where, lang, source in wordings:
            if _WHY_DID_YOU.search(source):
                problems.append(
                    Problem(
                        file,
                        where,
                        f"asks the rep why they did something ({lang}); "
                        "ask why about the buyer instead",
                    )
                )
            shown = _TEMPLATE_TAG.sub("", source)
            if len(shown) > MAX_QUESTION_CHARS:
                problems.append(
                    Problem(
                        file,
                        step.id,
                        f"text is {len(shown)} characters ({lang}); keep it "
                        f"under {MAX_QUESTION_CHARS} for a phone screen",
                    )
                )


def _wordings(step: Step) -> Iterator[tuple[str, str]]:
    """(language, source) of the question and of each of its rephrasings."""
    for text in (step.text, *step.rephrase):
        for lang in LANGUAGES:
            yield lang, getattr(text, lang) or ""


def _compile_signals(
    script: Script, file: str, problems: list[Problem]
) -> dict[str, tuple[re.Pattern[str], ...]]:
    ids = {step.id for step in script.steps}
    words: dict[str, tuple[re.Pattern[str], ...]] = {}
    for name, by_lang in script.signals.items():
        where = f"signals.{name}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in BUILTIN_SIGNALS or name in ids:
            problems.append(Problem(file, where, "a signal needs a new lower-case name"))
            continue
        for lang in LANGUAGES:
            if not by_lang.get(lang):
                problems.append(Problem(file, where, f"no words in language {lang!r}"))
        patterns: list[re.Pattern[str]] = []
        for sources in by_lang.values():
            for source in sources:
                try:
                    patterns.append(re.compile(source, re.IGNORECASE))
                except re.error as exc:
                    problems.append(Problem(file, where, f"bad pattern {source!r}: {exc}"))
        words[name] = tuple(patterns)
    return words


def _compile_probes(
    script: Script,
    steps: dict[str, CompiledStep],
    env: ImmutableSandboxedEnvironment,
    words: Mapping[str, Any],
    file: str,
    problems: list[Problem],
) -> None:
    """Compile each step's probes into it; conditions may read the answer's signals and the
    answers asked up to this step; ``of`` names an earlier text step."""
    ids = {step.id for step in script.steps}
    kinds = {step.id: step.kind for step in script.steps}
    ancestors = _ancestors(steps, script.first_step()) if len(steps) == len(ids) else {}
    signal_names = BUILTIN_SIGNALS | set(words)
    seen: set[str] = set()
    for step in script.steps:
        compiled = steps.get(step.id)
        if compiled is None or not step.probes:
            continue
        if len(step.probes) > 4:
            problems.append(Problem(file, step.id, "at most four probes a step"))
        before = ancestors.get(step.id, set()) | {step.id}
        before |= {p.id for s in script.steps if s.id in before - {step.id} for p in s.probes}
        probes: list[CompiledProbe] = []
        for probe in step.probes:
            where = f"{step.id}.probes.{probe.id}"
            if probe.id in ids or probe.id in seen:
                problems.append(Problem(file, where, "probe id is already a step's or a probe's"))
            seen.add(probe.id)
            source = probe.of or step.id
            if probe.of is not None and probe.of not in before:
                problems.append(Problem(file, where, f"of: {probe.of!r} is not asked before"))
            try:
                condition = parse_condition(probe.when)
            except ConditionError as exc:
                problems.append(Problem(file, where, str(exc)))
                continue
            for name in sorted(condition.names - signal_names - before):
                reason = "is asked only later" if name in ids else "is no signal or step"
                problems.append(Problem(file, where, f"unknown condition: {name!r} {reason}"))
            if condition.names & signal_names and kinds.get(source) is not Kind.TEXT:
                problems.append(Problem(file, where, f"signals need a text answer: {source!r}"))
            ask = _templates(probe.ask, env, file, f"{where}.ask", problems)
            ack = _templates(probe.ack, env, file, f"{where}.ack", problems) if probe.ack else None
            if ask is not None:
                probes.append(CompiledProbe(probe.id, condition, probe.of, ask, ack))
        steps[step.id] = replace(compiled, probes=tuple(probes))


def _compile_steps(
    script: Script, env: ImmutableSandboxedEnvironment, file: str, problems: list[Problem]
) -> dict[str, CompiledStep]:
    phases = [phase.id for phase in script.phases]
    steps: dict[str, CompiledStep] = {}
    for index, step in enumerate(script.steps):
        fallthrough = script.steps[index + 1].id if index + 1 < len(script.steps) else END
        routes: list[Route] = []
        for branch in step.next:
            condition = None
            if branch.when is not None:
                try:
                    condition = parse_condition(branch.when)
                except ConditionError as exc:
                    problems.append(Problem(file, step.id, str(exc)))
                    continue
            routes.append(Route(condition, branch.goto))
        where = step.id

        def compile_text(text: Text | None, part: str, where: str = where) -> Templates | None:
            if text is None:
                return None
            return _templates(text, env, file, f"{where}.{part}", problems)

        text = compile_text(step.text, "text")
        rephrase = [
            compile_text(other, f"rephrase.{number}")
            for number, other in enumerate(step.rephrase, start=1)
        ]
        labels = {
            option.id: compile_text(option.label, f"options.{option.id}") for option in step.options
        }
        if text is None or any(item is None for item in (*labels.values(), *rephrase)):
            continue
        steps[step.id] = CompiledStep(
            step=step,
            routes=tuple(routes),
            fallthrough=fallthrough,
            phase_no=phases.index(step.phase) + 1 if step.phase in phases else 0,
            text=text,
            hint=compile_text(step.hint, "hint"),
            ack=compile_text(step.ack, "ack"),
            option_labels={key: value for key, value in labels.items() if value is not None},
            min_label=compile_text(step.min_labels, "min_labels"),
            max_label=compile_text(step.max_labels, "max_labels"),
            rephrase=tuple(item for item in rephrase if item is not None),
        )
    return steps


def _templates(
    text: Text, env: ImmutableSandboxedEnvironment, file: str, where: str, problems: list[Problem]
) -> Templates | None:
    for lang in text.missing():
        problems.append(Problem(file, where, f"text missing in language {lang!r}"))
    compiled: dict[str, Template] = {}
    for lang in LANGUAGES:
        source = getattr(text, lang)
        if not source:
            continue
        try:
            compiled[lang] = env.from_string(source)
            if "import" in source or "include" in source:
                _check_imports(env, env.parse(source), file, where, problems)
        except TemplateSyntaxError as exc:
            problems.append(Problem(file, where, f"template error ({lang}): {exc.message}"))
            return None
    sources = {lang: getattr(text, lang) for lang in compiled}
    static = {
        lang: Markup(source.strip("\n"))
        for lang, source in sources.items()
        if "{" not in source and "}" not in source
    }
    return Templates(compiled, sources, static) if compiled else None


# --- checks -------------------------------------------------------------------------------------


def _check_structure(script: Script, file: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    ids = {step.id for step in script.steps}
    phases = {phase.id for phase in script.phases}
    if script.start is not None and script.start not in ids:
        problems.append(Problem(file, "start", f"unknown step {script.start!r}"))
    for step in script.steps:
        if step.id in seen:
            problems.append(Problem(file, step.id, "step id is used twice"))
        seen.add(step.id)
        if step.id == END:
            problems.append(Problem(file, step.id, f"{END!r} is reserved for the end"))
        for branch in step.next:
            if branch.goto != END and branch.goto not in ids:
                problems.append(Problem(file, step.id, f"goes to unknown step {branch.goto!r}"))
        if step.phase is not None and step.phase not in phases:
            problems.append(Problem(file, step.id, f"unknown phase {step.phase!r}"))
        if script.phases and step.phase is None and step.asks:
            problems.append(Problem(file, step.id, "no phase given"))
        problems.extend(Problem(file, step.id, message) for message in _kind_problems(step))
    probe_ids = {probe.id for step in script.steps for probe in step.probes}
    remembered = [
        script.remember.customer,
        script.remember.objections,
        *script.remember.keep,
        *script.remember.facts,
    ]
    for step in script.steps:
        if step.recall and step.kind is not Kind.YESNO:
            problems.append(Problem(file, step.id, "recall works on a yesno step"))
        if step.recall and script.remember.customer is None:
            problems.append(Problem(file, step.id, "recall needs remember.customer"))
        for fact in step.recall:
            if fact not in ids:
                problems.append(Problem(file, step.id, f"recalls unknown step {fact!r}"))
    for step_id in remembered:
        if step_id is not None and step_id not in ids | probe_ids:
            problems.append(Problem(file, "remember", f"unknown step {step_id!r}"))
    for effect in script.on_finish:
        if effect.kind == "revisit":
            try:
                unknown = parse_condition(effect.when).names - ids
            except ConditionError as error:
                problems.append(Problem(file, "on_finish", str(error)))
            else:
                if unknown:
                    problems.append(
                        Problem(file, "on_finish", f"revisit.if reads unknown {sorted(unknown)}")
                    )
            if script.remember.customer is None:
                problems.append(Problem(file, "on_finish", "revisit needs remember.customer"))
        if effect.kind == "follow_up":
            target = next((s for s in script.steps if s.id == effect.at), None)
            if target is None or target.kind is not Kind.DATETIME:
                problems.append(
                    Problem(file, "on_finish", f"follow_up.at {effect.at!r} is no datetime step")
                )


def _kind_problems(step: Step) -> Iterable[str]:
    has_options = step.kind in (Kind.CHOICE, Kind.MULTI) and step.options_from is None
    if step.options_from is not None:
        if step.kind is not Kind.CHOICE:
            yield "options_from works on a choice step"
        if step.options:
            yield "a step with options_from takes no options"
    if step.rephrase and not step.asks:
        yield "an info step asks nothing, so it has nothing to rephrase"
    if step.partial and step.kind is not Kind.YESNO:
        yield "partial works on a yesno step"
    yield from _synonym_problems(step)
    if has_options and len(step.options) < 2:
        yield f"a {step.kind} step needs at least two options"
    if not has_options and step.options:
        yield f"a {step.kind} step takes no options"
    option_ids = [option.id for option in step.options]
    if len(set(option_ids)) != len(option_ids):
        yield "an option id is used twice"
    if step.kind is Kind.SCALE:
        low, high = step.min or 1, step.max or 5
        if low >= high or high - low > 10 or low != int(low) or high != int(high):
            yield "a scale runs between two whole numbers, at most 10 apart"
    if step.min is not None and step.max is not None and step.min > step.max:
        yield "min is larger than max"
    if step.kind is Kind.INFO and step.optional:
        yield "an info step asks nothing, so it cannot be optional"


def _synonym_problems(step: Step) -> Iterable[str]:
    """Each synonym names one option: never empty, never another option's label or synonym."""
    owner: dict[str, str] = {}
    for option in step.options:
        for lang in ("en", "zh"):
            label = option.label.get(lang)
            if label:
                owner.setdefault(label.strip().casefold(), option.id)
    for option in step.options:
        for word in option.synonyms.all():
            folded = word.strip().casefold()
            if not folded:
                yield f"option {option.id!r} has an empty synonym"
            elif owner.setdefault(folded, option.id) != option.id:
                yield f"synonym {word!r} of option {option.id!r} names another option too"


def _check_graph(
    script: Script, steps: Mapping[str, CompiledStep], file: str, problems: list[Problem]
) -> None:
    if len(steps) != len(script.steps):
        return  # already reported
    start = script.first_step()
    reachable: set[str] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current == END or current in reachable:
            continue
        reachable.add(current)
        stack.extend(steps[current].targets())
    for step in script.steps:
        if step.id not in reachable:
            problems.append(Problem(file, step.id, "unreachable: no way leads to this step"))
    ends: set[str] = set()
    changed = True
    while changed:
        changed = False
        for step_id, compiled in steps.items():
            if step_id not in ends and any(t == END or t in ends for t in compiled.targets()):
                ends.add(step_id)
                changed = True
    for step in script.steps:
        if step.id in reachable and step.id not in ends:
            problems.append(Problem(file, step.id, "no way from this step to the end"))
    for cycle_step in _cycle_entries(steps, start):
        problems.append(Problem(file, cycle_step, "loops back to an earlier step (not supported)"))
    for step_id, compiled in steps.items():
        ancestors = _ancestors(steps, start).get(step_id, set())
        for route in compiled.routes:
            if route.condition is None:
                continue
            for name in sorted(route.condition.names):
                if name not in steps:
                    problems.append(
                        Problem(file, step_id, f"condition reads unknown step {name!r}")
                    )
                elif name not in ancestors and name != step_id:
                    problems.append(
                        Problem(file, step_id, f"condition reads {name!r}, not asked before")
                    )


def _cycle_entries(steps: Mapping[str, CompiledStep], start: str) -> list[str]:
    found: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        for target in steps[node].targets():
            if target == END:
                continue
            if state.get(target) == 1:
                found.append(node)
            elif target not in state:
                visit(target)
        state[node] = 2

    visit(start)
    return found


def _ancestors(steps: Mapping[str, CompiledStep], start: str) -> dict[str, set[str]]:
    """For each step, the steps that can come before it on some way from the start."""
    result: dict[str, set[str]] = {start: set()}
    changed = True
    while changed:
        changed = False
        for step_id, compiled in steps.items():
            if step_id not in result:
                continue
            carried = result[step_id] | {step_id}
            for target in compiled.targets():
                if target == END:
                    continue
                before = result.setdefault(target, set())
                if not carried <= before:
                    before |= carried
                    changed = True
    return result


def _check_variables(
    compiled: CompiledScript, env: ImmutableSandboxedEnvironment, file: str, problems: list[Problem]
) -> None:
    script = compiled.script
    ancestors = _ancestors(compiled.steps, compiled.start)
    every_step = set(compiled.steps) | set(compiled.probe_steps)

    def probed(steps: set[str]) -> set[str]:
        """The steps and the probes that follow them: a probe's answer reads like a step's."""
        return steps | {probe for probe, owner in compiled.probe_steps.items() if owner in steps}

    def check(text: Text | None, where: str, allowed: set[str]) -> None:
        if text is None:
            return
        for lang in LANGUAGES:
            source = getattr(text, lang)
            if not source:
                continue
            names = meta.find_undeclared_variables(env.parse(source)) - TEMPLATE_GLOBALS
            for name in sorted(names - allowed):
                reason = "is asked only later" if name in every_step else "is not a step"
                problems.append(
                    Problem(file, where, f"template variable {name!r} ({lang}) {reason}")
                )

    for step in script.steps:
        before = probed(ancestors.get(step.id, set()))
        check(step.text, step.id, before)
        for number, other in enumerate(step.rephrase, start=1):
            check(other, f"{step.id}.rephrase.{number}", before)
        check(step.hint, step.id, before)
        check(step.ack, step.id, probed(before | {step.id}))
        for probe in step.probes:
            check(probe.ask, f"{step.id}.probes.{probe.id}", before | {step.id})
            check(probe.ack, f"{step.id}.probes.{probe.id}", before | {step.id, probe.id})
        for option in step.options:
            check(option.label, step.id, set())  # labels are rendered on their own
        check(step.min_labels, step.id, set())
        check(step.max_labels, step.id, set())
    check(script.title, "title", set())
    check(script.summary, "summary", every_step)
    for effect in script.on_finish:
        if effect.kind == "follow_up":
            check(effect.about, "on_finish", every_step)


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """Name the step a schema error belongs to: "steps.3" becomes the step's id when it has one."""
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int) and isinstance(data, dict):
        steps = data.get("steps")
        if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
            step_id = steps[loc[1]].get("id", f"step {loc[1] + 1}")
            rest = ".".join(str(part) for part in loc[2:])
            return f"{step_id}{'.' + rest if rest else ''}"
    return ".".join(str(part) for part in loc)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    return f"{location}: {error['msg']}" if location else str(error["msg"])


__all__ = [
    "END",
    "CompiledScript",
    "CompiledStep",
    "Problem",
    "Templates",
    "build_catalog",
    "compile_script",
    "make_environment",
]


def _valid_preset(compiled: CompiledStep, value: Any) -> bool:
    """A fixed answer (``then: set:``) must be one the step itself could have stored."""
    step = compiled.step
    options = {option.id for option in step.options}
    if step.kind is Kind.CHOICE:
        return isinstance(value, str) and (value in options or step.options_from is not None)
    if step.kind is Kind.MULTI:
        return isinstance(value, list) and bool(value) and set(value) <= options
    if step.kind is Kind.YESNO:
        return isinstance(value, bool) or (step.partial and value == "partly")
    if step.kind in (Kind.SCALE, Kind.NUMBER):
        low = step.min if step.min is not None else float("-inf")
        high = step.max if step.max is not None else float("inf")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and low <= value <= high
    return step.kind is Kind.TEXT and isinstance(value, str)
