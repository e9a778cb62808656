"""The dialog engine: one pure function from (state, event) to (new state, replies, effects).

``step`` never does I/O and never raises for any event: whatever a rep sends, it answers with a
question or a message, and the state it returns is always one the next turn can continue from.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from dialogs import memory, roleplay
from dialogs.answers import (
    Accepted,
    Confirm,
    Reading,
    Rejected,
    Unsure,
    check_selection,
    datetime_of,
    normalise,
    read_pick,
    read_text,
    read_yes_no,
    scale_bounds,
)
from dialogs.catalog import Catalog
from dialogs.compile import Chain, CompiledScript, CompiledStep
from dialogs.conditions import Condition, parse_condition
from dialogs.model import END, Kind
from dialogs.probes import CompiledProbe, probe_for
from dialogs.pushback import hesitates, hurries, wants_skip
from dialogs.readers import CURRENCIES, PARTLY, read_confirmation
from dialogs.readers.decision import is_decision, read_decision
from dialogs.readers.text import length
from dialogs.state import Conversation, Pending, Run
from dialogs.types import (
    BACK,
    DONE,
    SKIP,
    AnswerDropped,
    AnswerSaved,
    Ask,
    Choice,
    CommandIn,
    Context,
    Effect,
    Event,
    FollowUpWanted,
    ManagerNotice,
    MediaIn,
    MediaKept,
    NoteKept,
    PickIn,
    Reply,
    RevisitWanted,
    RunDiscarded,
    RunDrafted,
    RunFinished,
    RunResumed,
    RunStarted,
    Say,
    TextIn,
    Turn,
)
from dialogs.when import When, describe_when

EVIDENCE_MEDIA = frozenset({"photo", "location"})
"""Media kept as evidence of the visit; the question is then asked again."""
VOICE_MEDIA = frozenset({"voice", "audio", "video_note"})
KEEP_FINISHED = 3
"""Finished runs /edit can offer (within each script's ``editable_hours``)."""
_TAG = re.compile(r"<[^>]+>")
_NAV_BUTTONS = {BACK: "back", SKIP: "skip"}
DATE_CONFIRMATIONS = frozenset({"confirm_date", "confirm_past"})
PUSHBACK = "pushback"
"""Pending after pushback: the question is asked in its ``value``-th other wording."""
OFFER_SKIP = "offer_skip"
"""Pending after a second pushback: skip the question, or try answering it."""
RETRY = "__retry__"
"""The "let me answer" button of a skip offer."""
READING = "confirm_reading"
"""A pending answer read with doubt: shown back with buttons until the rep confirms it."""
VENT_WORDS = 5
# Refusals of text that may be a story rather than a malformed answer (not "too long", not empty).
_SAID_SOMETHING_ELSE = frozenset(
    {
        "scale_range", "pick_one", "pick_some", "pick_at_least", "pick_at_most", "not_a_date",
        "not_a_number", "whole_number", "number_range", "say_yes_or_no",
    }
)  # fmt: skip
"""A text this long at a rating step, with no rating in it, is a vent: acknowledged, kept."""
UNIT_SUFFIX = ".unit"
"""``order_value.unit``: the currency or unit typed with a number, kept beside the answer."""
COMMANDS = frozenset(
    {"hello", "open", "start", "resume", "edit", "back", "skip", "cancel", "discard", "help"}
)


def step(catalog: Catalog, state: Conversation, event: Event, ctx: Context) -> Turn:
    """Apply one event to a rep's conversation."""
    turn = _TurnBuilder(catalog, ctx, state.memory)
    state = replace(state, last_seen=ctx.now.isoformat())
    if isinstance(event, PickIn) and event.option in _NAV_BUTTONS and event.token == state.token:
        event = CommandIn(_NAV_BUTTONS[event.option])  # stale ones fall through: "moved on"
    active = state.active
    if state.mode:
        state = _confirming(turn, state, event)
    elif isinstance(event, CommandIn):
        state = _command(turn, state, event)
    elif active is None or turn.script_of(active) is None:
        state = _idle(turn, state, event)
    elif isinstance(event, TextIn):
        state = _text(turn, state, active, event.text, event.buyer)
    elif isinstance(event, PickIn):
        state = _pick(turn, state, active, event)
    else:
        state = _media(turn, state, active, event)
    return Turn(state, tuple(turn.replies), tuple(turn.effects))


@dataclass
class _TurnBuilder:
    catalog: Catalog
    ctx: Context
    memory: Mapping[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.ctx.lang

    def text(self, key: str, **context: Any) -> str:
        return self.catalog.messages.render(key, self.lang, **context)

    def say(self, key: str, **context: Any) -> None:
        self.replies.append(Say(self.text(key, **context)))

    def script_of(self, run: Run) -> CompiledScript | None:
        return self.catalog.scripts.get(run.script)

    def title(self, script_id: str) -> str:
        script = self.catalog.scripts.get(script_id)
        return script.title.render(self.lang, {}) if script else script_id


# --- the way through a script ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Walk:
    path: tuple[str, ...]
    """Questions answered on the way from the start, in order."""
    current: str | None
    """The first unanswered question, or None at the end."""
    infos: tuple[str, ...]
    """Info steps passed after the last answered question: to be said before ``current``."""


def _walk(script: CompiledScript, answers: Mapping[str, Any]) -> _Walk:
    path: list[str] = []
    infos: list[str] = []
    node = script.start
    seen: set[str] = set()
    while node != END and node in script.steps and node not in seen:
        seen.add(node)
        compiled = script.steps[node]
        if compiled.step.kind is Kind.INFO:
            infos.append(node)
        elif _answered(compiled, answers):
            path.append(node)
            infos.clear()
        else:
            return _Walk(tuple(path), node, tuple(infos))
        node = compiled.next_step(answers)
    return _Walk(tuple(path), None, tuple(infos))


def _answered(compiled: CompiledStep, answers: Mapping[str, Any]) -> bool:
    """A role-play is answered once it is over; until then its step stays the current one."""
    if compiled.step.kind is Kind.ROLEPLAY:
        return roleplay.finished(answers.get(compiled.id))
    return compiled.id in answers


def _still_possible(script: CompiledScript, answers: Mapping[str, Any]) -> set[str]:
    """Steps that may still lie on the way: the taken branch where answered, every branch not."""
    possible: set[str] = set()
    stack = [script.start]
    while stack:
        node = stack.pop()
        if node == END or node in possible or node not in script.steps:
            continue
        possible.add(node)
        compiled = script.steps[node]
        if compiled.step.kind is Kind.INFO or node in answers:
            stack.append(compiled.next_step(answers))
        else:
            stack.extend(compiled.targets())
    return possible


def _infos_after(script: CompiledScript, step_id: str, answers: Mapping[str, Any]) -> list[str]:
    """Info steps right after a question: what the coach says in answer to it."""
    infos: list[str] = []
    node = script.steps[step_id].next_step(answers)
    while node in script.steps and script.steps[node].step.kind is Kind.INFO and node not in infos:
        infos.append(node)
        node = script.steps[node].next_step(answers)
    return infos


def _most_left(turn: _TurnBuilder, script: CompiledScript, run: Run, start: str | None) -> int:
    """The most questions still to come from ``start`` on (taken branches where answered, the
    longest one where not): it only shrinks as the rep answers, so the progress line only moves
    forward."""
    answers = run.answers
    memo: dict[str, int] = {}

    def left(node: str) -> int:
        if node == END or node not in script.steps:
            return 0
        if node in memo:
            return memo[node]
        memo[node] = 0  # a loop (refused by scripts check) counts nothing
        compiled = script.steps[node]
        if compiled.step.kind is Kind.INFO or node in answers:
            memo[node] = left(compiled.next_step(answers))
        else:
            customer = script.script.remember.customer
            known_customer = customer is None or customer in answers
            here = 0 if known_customer and _nothing_to_recall(turn, script, run, node) else 1
            memo[node] = here + max((left(t) for t in compiled.targets()), default=0)
        return memo[node]

    return left(start) if start is not None else 0


def _asked(
    turn: _TurnBuilder, script: CompiledScript, run: Run, path: tuple[str, ...]
) -> list[str]:
    """The questions of ``path`` the rep was asked (not filled from memory or a chained run)."""
    return [
        step_id
        for step_id in path
        if step_id not in run.carried
        and not (script.steps[step_id].step.recall and run.answers.get(step_id) is None)
    ]


# --- asking ------------------------------------------------------------------------------------


def _ask(turn: _TurnBuilder, state: Conversation, run: Run, *, where: bool = False) -> Conversation:
    """Ask the run's current question (or its pending confirmation) with fresh buttons."""
    script = turn.script_of(run)
    if script is None:
        return _idle(turn, replace(state, active=None), None)
    if run.step not in script.steps or not script.steps[run.step].step.asks:
        walk = _walk(script, run.answers)
        if walk.current is None:
            return _finish(turn, state, run, script)
        run = replace(run, step=walk.current, revisit=False, pending=None, selection=())
    compiled = script.steps[run.step]
    token = state.token + 1
    walk = _walk(script, run.answers)
    progress = _progress(turn, script, run, walk)
    if where:
        turn.say("where_we_are", title=turn.title(run.script), progress=progress)
    wording = compiled.wording(_attempt(run))
    playing = compiled.step.kind is Kind.ROLEPLAY
    needs_context = (
        playing
        or not wording.is_static(turn.lang)
        or (compiled.hint is not None and not compiled.hint.is_static(turn.lang))
    )
    shown = run.answers
    if playing and run.revisit and roleplay.finished(shown.get(run.step)):
        shown = {k: v for k, v in shown.items() if k != run.step}  # /edit plays it again
    context = _render_context(turn, script, shown) if needs_context else {}
    can_back = bool(walk.path) and (
        not run.revisit or run.step not in walk.path or walk.path.index(run.step) > 0
    )
    probe = _pending_probe(script, run)
    if probe is not None:
        text = probe.ask.render(turn.lang, _render_context(turn, script, run.answers))
        turn.replies.append(
            Ask(token, run.step, "text", text, progress, can_skip=True, can_back=True)
        )
        return replace(state, active=run, token=token)
    if run.pending is not None and run.pending.kind == READING:
        return _ask_reading(turn, state, run, script, compiled, progress)
    if run.pending is not None and run.pending.kind in DATE_CONFIRMATIONS:
        when = _when(run.pending.value)
        key = "confirm_past" if run.pending.kind == "confirm_past" else "confirm_date"
        turn.replies.append(
            Ask(
                token=token,
                step=run.step,
                kind="yesno",
                text=turn.text(key, when=describe_when(when, tz=turn.ctx.tz, lang=turn.lang)),
                progress=progress,
                choices=_yes_no(turn),
                can_back=True,
            )
        )
        return replace(state, active=run, token=token)
    if run.pending is not None and run.pending.kind == OFFER_SKIP:
        turn.replies.append(
            Ask(
                token=token,
                step=run.step,
                kind="choice",
                text=turn.text("pushback_offer_skip"),
                progress=progress,
                choices=(
                    Choice(SKIP, turn.text("option_skip_question")),
                    Choice(RETRY, turn.text("option_try_answer")),
                ),
                can_back=True,
            )
        )
        return replace(state, active=run, token=token)
    current = ""
    if run.revisit and run.step in run.answers:
        earlier = _display(turn, script, compiled, run.answers[run.step])
        unit = run.answers.get(run.step + UNIT_SUFFIX)
        if earlier is not None and unit in CURRENCIES:  # "410000 EUR"
            earlier = f"{earlier} {unit}"
        current = escape(earlier) if earlier is not None else turn.text("skipped")
    hint = compiled.hint.render(turn.lang, context) if compiled.hint else ""
    turn.replies.append(
        Ask(
            token=token,
            step=run.step,
            kind="text" if playing else compiled.step.kind.value,
            text=wording.render(turn.lang, context),
            progress=progress,
            choices=_choices(turn, compiled, run),
            hint=hint or _kind_hint(turn, compiled),
            current=current,
            can_skip=compiled.step.optional or run.revisit,
            can_back=can_back,
        )
    )
    return replace(state, active=run, token=token)


def _progress(turn: _TurnBuilder, script: CompiledScript, run: Run, walk: _Walk) -> str:
    compiled = script.steps[run.step]
    asked = _asked(turn, script, run, walk.path)
    if run.step in asked and (run.revisit or run.pending is not None):
        number = asked.index(run.step) + 1  # going back, or the probe of an answered question
    else:
        number = len(asked) + 1
    total = max(number, len(asked) + _most_left(turn, script, run, walk.current))
    phases = len(script.script.phases)
    if phases and compiled.phase_no:
        return turn.text(
            "progress", phase=compiled.phase_no, phases=phases, number=number, total=total
        )
    return turn.text("progress_no_phase", number=number, total=total)


def _choices(turn: _TurnBuilder, compiled: CompiledStep, run: Run) -> tuple[Choice, ...]:
    kind = compiled.step.kind
    if compiled.step.options_from is not None:
        names = _dynamic_options(turn, compiled)
        return tuple(Choice(f"m{i}", escape(name)) for i, name in enumerate(names))
    if kind in (Kind.CHOICE, Kind.MULTI):
        lang_context = {"lang": turn.lang}
        return tuple(
            Choice(
                option.id,
                compiled.option_labels[option.id].render(turn.lang, lang_context),
                selected=option.id in run.selection,
            )
            for option in compiled.step.options
        )
    if kind is Kind.SCALE:
        low, high = scale_bounds(compiled)
        return tuple(Choice(str(value), str(value)) for value in range(low, high + 1))
    if kind is Kind.YESNO and compiled.step.partial:
        return (*_yes_no(turn), Choice(PARTLY, turn.text("partly")))
    if kind is Kind.YESNO:
        return _yes_no(turn)
    return ()


def _yes_no(turn: _TurnBuilder) -> tuple[Choice, ...]:
    return (Choice("yes", turn.text("yes")), Choice("no", turn.text("no")))


def _kind_hint(turn: _TurnBuilder, compiled: CompiledStep) -> str:
    kind = compiled.step.kind
    if kind is Kind.SCALE:
        low, high = scale_bounds(compiled)
        lang_context = {"lang": turn.lang}
        low_label = compiled.min_label.render(turn.lang, lang_context) if compiled.min_label else ""
        high_label = (
            compiled.max_label.render(turn.lang, lang_context) if compiled.max_label else ""
        )
        return turn.text(
            "hint_scale", low=low, high=high, low_label=low_label, high_label=high_label
        )
    if kind is Kind.MULTI:
        return turn.text("hint_multi")
    if kind is Kind.DATETIME:
        return turn.text("hint_datetime")
    return ""


def _render_context(
    turn: _TurnBuilder, script: CompiledScript, answers: Mapping[str, Any]
) -> dict[str, Any]:
    context: dict[str, Any] = {**dict.fromkeys(script.steps), **dict.fromkeys(script.probe_steps)}
    for step_id, value in answers.items():
        compiled = script.steps.get(step_id)
        if compiled is not None:
            context[step_id] = _display(turn, script, compiled, value)
        elif step_id in script.probe_steps:
            context[step_id] = value
    for key, unit in answers.items():  # "410000 EUR": an amount shown with its currency
        if key.endswith(UNIT_SUFFIX) and unit in CURRENCIES and context.get(_step_of(key)):
            context[_step_of(key)] = f"{context[_step_of(key)]} {unit}"
    context["raw"] = {**dict.fromkeys(context), **answers}  # unanswered steps read as null
    context["lang"] = turn.lang
    customer_step = script.script.remember.customer
    customer = answers.get(customer_step) if customer_step else None
    context.update(
        memory.template_names(
            turn.memory,
            customer if isinstance(customer, str) else None,
            partial(_display_stored, turn),
        )
    )
    context["known"] = _known_shown(turn, script, answers)
    context["tables"] = script.tables.view(turn.lang)
    if script.roleplay is not None:
        context["roleplay"] = _roleplay_view(turn, script, script.roleplay, answers)
    context["today"], context["week"] = _today_and_week(turn.ctx)
    return context


def _roleplay_view(
    turn: _TurnBuilder,
    script: CompiledScript,
    play: roleplay.CompiledRolePlay,
    answers: Mapping[str, Any],
) -> dict[str, Any]:
    lang_context = {"lang": turn.lang}

    def label(step_id: str, option: str) -> str:
        labels = script.steps[step_id].option_labels if step_id in script.steps else {}
        return labels[option].render(turn.lang, lang_context) if option in labels else option

    value = answers.get(play.step)
    return roleplay.view(play, script.script.tables, answers, value, turn.lang, label)


def _today_and_week(ctx: Context) -> tuple[str, str]:
    """The rep's local date and ISO week ("2026-W47"), as templates and the memory name them."""
    local = ctx.now.astimezone(ZoneInfo(ctx.tz))
    year, week, _ = local.isocalendar()
    return local.date().isoformat(), f"{year}-W{week:02d}"


def _display_stored(turn: _TurnBuilder, script_id: str, step_id: str, value: Any) -> Any:
    """A kept answer of another script, shown as that script would show it."""
    script = turn.catalog.scripts.get(script_id)
    compiled = script.steps.get(step_id) if script else None
    if script is None or compiled is None:
        return value
    return _display(turn, script, compiled, value)


def _display(turn: _TurnBuilder, script: CompiledScript, step: CompiledStep, value: Any) -> Any:
    """An answer as the rep would say it: option labels, "yes", a date in words."""
    if value is None:
        return None
    kind = step.step.kind
    lang_context = {"lang": turn.lang}
    if kind is Kind.CHOICE and value in step.option_labels:
        return step.option_labels[value].render(turn.lang, lang_context)
    if kind is Kind.MULTI and isinstance(value, list):
        labels = [
            step.option_labels[item].render(turn.lang, lang_context)
            for item in value
            if item in step.option_labels
        ]
        return Markup(turn.text("list_separator")).join(labels)
    if kind is Kind.YESNO:
        return turn.text("partly" if value == PARTLY else "yes" if value else "no")
    if kind is Kind.ROLEPLAY:
        return turn.text("roleplay_transcript", exchanges=roleplay.transcript(value))
    if kind is Kind.DATETIME:
        when = _when(value)
        return describe_when(when, tz=turn.ctx.tz, lang=turn.lang, now=turn.ctx.now)
    return value


def _when(value: Any) -> When:
    moment = datetime_of(value)
    if moment is None:  # a corrupted answer: show "now" rather than crash the turn
        return When(at=_epoch(), has_time=False)
    return When(at=moment, has_time=bool(value.get("has_time", True)))


def _epoch() -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC)


# --- answering ---------------------------------------------------------------------------------


def _text(
    turn: _TurnBuilder, state: Conversation, run: Run, text: str, buyer: str = ""
) -> Conversation:
    script = turn.script_of(run)
    assert script is not None  # checked by step()
    if run.step not in script.steps:
        return _ask(turn, state, run)
    compiled = script.steps[run.step]
    if compiled.step.kind is Kind.ROLEPLAY and script.roleplay is not None:
        return _roleplay_reply(turn, state, run, script, script.roleplay, text, buyer)
    dynamic = _dynamic_options(turn, compiled)
    pending = run.pending
    if pending is not None and pending.kind == READING:
        return _reading_typed(turn, state, run, script, compiled, text)
    if pending is not None and pending.kind in DATE_CONFIRMATIONS:
        answer = read_yes_no(text)
        if answer is True:
            return _accept(turn, state, run, script, pending.value)
        if answer is False:
            turn.say("date_again")
            return _ask(turn, state, replace(run, pending=None))
        reading = read_text(compiled, text, turn.ctx, dynamic)
        if not isinstance(reading, Confirm):
            _keep_note(turn, run, text)
            turn.say("confirm_or_new_date")
            return _ask(turn, state, run)
        return _apply(turn, state, run, script, reading)
    if _pending_probe(script, run) is not None:
        return _probe_answered(turn, state, run, script, text)
    if pending is not None and pending.kind == OFFER_SKIP:
        choice = _skip_offer_choice(turn, state, text)
        if choice is not None:
            return _skip_offer_taken(turn, state, run, script, choice)
        run = replace(run, pending=Pending(PUSHBACK, _attempt(run)))  # typed: an answer?
    reading = read_text(compiled, text, turn.ctx, dynamic)
    if _may_resist(compiled, reading, text) and script.resists(text):
        return _pushback(turn, state, run, script, text)
    if (isinstance(reading, Rejected) or compiled.step.kind is Kind.TEXT) and hurries(text):
        _keep_note(turn, run, text)  # "快点吧", "I only have 2 minutes": short answers will do
        turn.say("hurried")
        return _ask(turn, state, run)
    return _apply(turn, state, run, script, reading, typed=text)


# --- pushback: resisting the question is never its answer -------------------------------------


def _may_resist(compiled: CompiledStep, reading: Reading, text: str) -> bool:
    """Whether resisting words are pushback here rather than the answer read from them. A
    choice's options are named precisely (an option may be "还不清楚" or "Not now"): there the
    reading wins. Yes/no, ratings, numbers and dates are read generously ("问这些有什么用" is
    no "yes", "skip this one" no 1): there pushback wins, but for a bare "嗯" (yes) or "meh"."""
    if not compiled.step.pushback or isinstance(reading, Rejected):
        return compiled.step.pushback
    if compiled.step.options_from is not None:
        return True  # any typed text would be a new name
    if compiled.step.kind in (Kind.CHOICE, Kind.MULTI):
        return False
    if compiled.step.kind is Kind.YESNO and length(text) == 1:
        return False  # one word read as yes or no ("nah", "nope") is the answer, not a pass
    return compiled.step.kind is Kind.TEXT or not hesitates(text)


def _attempt(run: Run) -> int:
    """How often the rep pushed back at the current question (0: not yet)."""
    pending = run.pending
    if pending is None or pending.kind not in (PUSHBACK, OFFER_SKIP):
        return 0
    return pending.value if isinstance(pending.value, int) else 1


def _pushback(
    turn: _TurnBuilder, state: Conversation, run: Run, script: CompiledScript, text: str
) -> Conversation:
    """Kept as a note; the method's recovery line and the question in other words; the second
    time (or when the rep asks to pass), an offer to skip the question."""
    _keep_note(turn, run, text)
    attempt = _attempt(run)
    compiled = script.steps[run.step]
    if wants_skip(text) and (compiled.step.optional or run.revisit):
        return _skip(turn, state, replace(run, pending=None))
    if attempt or wants_skip(text):
        return _ask(turn, state, replace(run, pending=Pending(OFFER_SKIP, attempt)))
    if compiled.step.kind in (Kind.CHOICE, Kind.MULTI) and compiled.step.options_from is None:
        turn.say("pushback_choice")  # "不知道" between two options: help to pick, no lecture
    elif script.pushback_reply is not None:
        context = _render_context(turn, script, run.answers)
        turn.replies.append(Say(script.pushback_reply.render(turn.lang, context)))
    else:
        turn.say("pushback_reply")
    return _ask(turn, state, replace(run, pending=Pending(PUSHBACK, attempt + 1)))


def _skip_offer_choice(turn: _TurnBuilder, state: Conversation, text: str) -> str | None:
    """The rep's typed reply to a skip offer: SKIP, RETRY, or None (not a reply to it)."""
    if wants_skip(text):
        return SKIP
    choices = (
        Choice(SKIP, turn.text("option_skip_question")),
        Choice(RETRY, turn.text("option_try_answer")),
    )
    choice = _read_choice(turn, TextIn(text), state.token, choices)
    if choice is not None:
        return choice
    answer = read_yes_no(normalise(text).casefold())
    return None if answer is None else (SKIP if answer else RETRY)


def _skip_offer_taken(
    turn: _TurnBuilder, state: Conversation, run: Run, script: CompiledScript, choice: str
) -> Conversation:
    """Skipped: the answer is empty (null), as an optional question's; or asked once more."""
    if choice == SKIP:
        turn.say("pushback_skipped")
        return _accept(turn, state, replace(run, pending=None), script, None)
    return _ask(turn, state, replace(run, pending=Pending(PUSHBACK, _attempt(run) + 1)))


def _keep_note(turn: _TurnBuilder, run: Run, text: str) -> None:
    """Nothing typed is lost: text that is not the step's answer stays with the run."""
    if text.strip():
        turn.effects.append(NoteKept(run.no, run.step, text.strip()))


def _roleplay_reply(
    turn: _TurnBuilder,
    state: Conversation,
    run: Run,
    script: CompiledScript,
    play: roleplay.CompiledRolePlay,
    text: str,
    buyer: str,
) -> Conversation:
    """The rep answered the buyer: keep the exchange, and the buyer answers back (the next
    question is the same step) until the role-play is over."""
    reading = read_text(script.steps[run.step], text, turn.ctx)
    if not isinstance(reading, Accepted):
        return _apply(turn, state, run, script, reading)
    value = run.answers.get(run.step)
    if run.revisit and roleplay.finished(value):
        value = None  # /edit of a finished role-play plays it again
    tables = script.script.tables
    value = roleplay.react(play, tables, run.answers, value, reading.value, turn.lang, buyer)
    return _accept(turn, state, run, script, value)


def _dynamic_options(turn: _TurnBuilder, compiled: CompiledStep) -> tuple[str, ...]:
    """The rep's own recent customers (or objections) offered on an ``options_from`` step."""
    source = compiled.step.options_from
    if source == "customers":
        return tuple(memory.customers(turn.memory)[: memory.SHOWN_CHOICES])
    if source == "objections":
        return tuple(memory.objections(turn.memory)[: memory.SHOWN_CHOICES])
    return ()


def _pick(turn: _TurnBuilder, state: Conversation, run: Run, event: PickIn) -> Conversation:
    script = turn.script_of(run)
    assert script is not None
    if event.token != state.token or run.step not in script.steps:
        turn.say("moved_on")
        return _ask(turn, state, run)
    compiled = script.steps[run.step]
    if run.pending is not None and run.pending.kind == OFFER_SKIP:
        if event.option in (SKIP, RETRY):
            return _skip_offer_taken(turn, state, run, script, event.option)
        turn.say("moved_on")
        return _ask(turn, state, run)
    if run.pending is not None and run.pending.kind == READING:
        return _reading_tapped(turn, state, run, script, event.option)
    if run.pending is not None and run.pending.kind in DATE_CONFIRMATIONS:
        if event.option == "yes":
            return _accept(turn, state, run, script, run.pending.value)
        if event.option == "no":
            turn.say("date_again")
            return _ask(turn, state, replace(run, pending=None))
        turn.say("moved_on")
        return _ask(turn, state, run)
    if compiled.step.kind is Kind.MULTI:
        if event.option == DONE:
            return _apply(turn, state, run, script, check_selection(compiled, list(run.selection)))
        if event.option not in compiled.option_labels:
            turn.say("moved_on")
            return _ask(turn, state, run)
        selection = set(run.selection) ^ {event.option}
        ordered = tuple(o.id for o in compiled.step.options if o.id in selection)
        return _ask(turn, state, replace(run, selection=ordered))
    reading = read_pick(compiled, event.option, _dynamic_options(turn, compiled))
    if isinstance(reading, Rejected) and reading.reason == "stale_button":
        turn.say("moved_on")
        return _ask(turn, state, run)
    return _apply(turn, state, run, script, reading)


def _apply(
    turn: _TurnBuilder,
    state: Conversation,
    run: Run,
    script: CompiledScript,
    reading: Reading,
    *,
    typed: str = "",
) -> Conversation:
    """Accept, confirm or refuse a reading; refused ``typed`` text is kept as a note."""
    if isinstance(reading, Accepted):
        return _accept(turn, state, run, script, reading.value, reading.unit)
    if isinstance(reading, Confirm):
        return _ask(turn, state, replace(run, pending=Pending(reading.kind, reading.value)))
    if isinstance(reading, Unsure):
        return _unsure(turn, state, run, reading)
    _keep_note(turn, run, typed)
    if reading.reason in _SAID_SOMETHING_ELSE and length(typed) > VENT_WORDS:
        # a story instead of the answer: heard and kept (a rating's vent: heard), then the
        # question again — a rep refused with no word about what they wrote stops debriefing
        turn.say("vent_heard" if reading.reason == "scale_range" else "note_kept")
    turn.say(reading.reason, **reading.details)
    return _ask(turn, state, run)


def _accept(
    turn: _TurnBuilder,
    state: Conversation,
    run: Run,
    script: CompiledScript,
    value: Any,
    unit: str = "",
) -> Conversation:
    compiled = script.steps[run.step]
    answers = {**run.answers, run.step: value}
    turn.effects.append(AnswerSaved(run.no, run.step, value))
    unit_key = run.step + UNIT_SUFFIX
    if unit:
        answers[unit_key] = unit
        turn.effects.append(AnswerSaved(run.no, unit_key, unit))
    elif unit_key in answers:
        del answers[unit_key]
        turn.effects.append(AnswerDropped(run.no, unit_key))
    run = _recalled(turn, script, _unprobed(turn, compiled, replace(run, answers=answers)))
    if compiled.ack is not None:
        ack = compiled.ack.render(turn.lang, _render_context(turn, script, run.answers))
        if ack:
            turn.replies.append(Say(ack))
    probe = probe_for(compiled.probes, run.step, run.answers, script.signal_words)
    if probe is not None and turn.ctx.probes:
        return _ask(turn, state, replace(run, pending=Pending("probe", probe.id), revisit=False))
    return _advance(turn, state, run, script)


def _advance(
    turn: _TurnBuilder, state: Conversation, run: Run, script: CompiledScript
) -> Conversation:
    """Drop answers whose branch is no longer taken, then ask the next open question."""
    possible = _still_possible(script, run.answers)
    answers = dict(run.answers)
    for step_id in [s for s in answers if _step_of(s) not in possible and s not in run.carried]:
        if script.probe_steps.get(step_id) in possible:
            continue  # a probe's answer stays with its question
        del answers[step_id]
        turn.effects.append(AnswerDropped(run.no, step_id))
    answers = _settle_recalls(turn, script, replace(run, answers=answers))
    walk = _walk(script, answers)
    answered = run.step in script.steps and _answered(script.steps[run.step], answers)
    infos = _infos_after(script, run.step, answers) if answered else []
    if walk.current != run.step:  # still in a role-play: what led to it was said already
        infos += [info for info in walk.infos if info not in infos]
    context = _render_context(turn, script, answers) if infos else {}
    for info in infos:
        turn.replies.append(Say(script.steps[info].text.render(turn.lang, context)))
    run = replace(
        run,
        answers=answers,
        revisit=False,
        pending=None,
        selection=(),
        updated_at=turn.ctx.now.isoformat(),
    )
    if walk.current is None:
        return _finish(turn, state, run, script)
    return _ask(turn, state, replace(run, step=walk.current))


def _finish(
    turn: _TurnBuilder, state: Conversation, run: Run, script: CompiledScript
) -> Conversation:
    context = _render_context(turn, script, run.answers)
    summary = script.summary.render(turn.lang, context)
    turn.replies.append(Say(summary))
    revised = run.edits > 0
    turn.effects.append(RunFinished(run.no, run.script, summary, dict(run.answers), revised))
    customer_step = script.script.remember.customer
    customer = run.answers.get(customer_step) if customer_step else None
    customer = str(customer) if customer is not None else ""
    for effect in script.script.on_finish:
        if effect.kind == "follow_up":
            moment = datetime_of(run.answers.get(effect.at))
            if moment is not None:
                about = script.follow_up_about[effect.at].render(turn.lang, context)
                turn.effects.append(
                    FollowUpWanted(run.no, moment, about, effect.at, effect.visit, customer)
                )
        elif effect.kind == "revisit":
            if _condition(effect.when).holds(run.answers):
                turn.effects.append(RevisitWanted(run.no, customer))
        else:
            turn.effects.append(ManagerNotice(run.no, run.script, summary))
    chained = _chained_script(turn, script, run)
    if chained is None:
        turn.say("finished", title=turn.title(run.script))
    today, week = _today_and_week(turn.ctx)
    remembered = memory.remember(state.memory, script, run, day=today, week=week)
    turn.memory = remembered
    done = replace(run, revisit=False, pending=None, updated_at=turn.ctx.now.isoformat())
    finished = (*(r for r in state.finished if r.no != run.no), done)[-KEEP_FINISHED:]
    state = replace(state, active=None, memory=remembered, finished=finished)
    if chained is None:
        return state
    follow, chain = chained
    carried = {
        **{target: value for target, value in chain.preset.items() if target in follow.steps},
        **{
            target: run.answers[source]
            for target, source in chain.carry.items()
            if run.answers.get(source) is not None and target in follow.steps
        },
    }
    return _begin(turn, state, follow, carried)


def _chained_script(
    turn: _TurnBuilder, script: CompiledScript, run: Run
) -> tuple[CompiledScript, Chain] | None:
    """The script to start right after ``run`` finishes (``then:``), if any."""
    for chain in script.chains:
        if chain.condition is None or chain.condition.holds(run.answers):
            follow = turn.catalog.scripts.get(chain.start)
            if follow is not None:
                return follow, chain
    return None


# --- confirming an answer read with doubt ("I read that as 3 of 5 — right?") -------------------


def _step_of(key: str) -> str:
    """The step an answer key belongs to: ``order_value.unit`` belongs to ``order_value``."""
    return key.removesuffix(UNIT_SUFFIX)


def _unsure(turn: _TurnBuilder, state: Conversation, run: Run, reading: Unsure) -> Conversation:
    """Show what was understood, with one-tap buttons, instead of refusing."""
    if reading.vent:  # kept with the run, acknowledged without judgement
        _keep_note(turn, run, reading.vent)
        turn.say("vent_heard")
    pending = {
        "value": reading.value,
        "alternatives": list(reading.alternatives),
        "unit": reading.unit,
        "name": reading.name,
    }
    return _ask(turn, state, replace(run, pending=Pending(READING, pending)))


def _ask_reading(
    turn: _TurnBuilder,
    state: Conversation,
    run: Run,
    script: CompiledScript,
    compiled: CompiledStep,
    progress: str,
) -> Conversation:
    assert run.pending is not None
    value, alternatives, unit = _pending_reading(run.pending.value)
    shown = _shown(turn, script, compiled, value, unit)
    choices = [Choice("ok", turn.text("reading_right"))]
    choices += [
        Choice(f"alt{index}", escape(_shown(turn, script, compiled, alternative, unit)))
        for index, alternative in enumerate(alternatives)
    ]
    token = state.token + 1
    turn.replies.append(
        Ask(
            token=token,
            step=run.step,
            kind="confirm",
            text=turn.text(
                "confirm_name" if _pending_name(run.pending.value) else "confirm_reading",
                answer=shown,
            ),
            progress=progress,
            choices=tuple(choices),
            can_back=True,
        )
    )
    return replace(state, active=run, token=token)


def _pending_name(value: Any) -> bool:
    """The reading is a new customer's name that reads like a remark."""
    return isinstance(value, dict) and value.get("name") is True


def _pending_reading(value: Any) -> tuple[Any, list[Any], str]:
    data = value if isinstance(value, dict) else {}
    alternatives = data.get("alternatives")
    return (
        data.get("value"),
        alternatives if isinstance(alternatives, list) else [],
        str(data.get("unit") or ""),
    )


def _shown(
    turn: _TurnBuilder, script: CompiledScript, compiled: CompiledStep, value: Any, unit: str
) -> str:
    shown = _display(turn, script, compiled, value)
    if compiled.step.kind is Kind.SCALE:
        low, high = scale_bounds(compiled)
        return turn.text("reading_scale", value=value, low=low, high=high)
    text = _plain(str(shown)) if shown is not None else ""
    return f"{text} {unit}" if unit else text


def _reading_typed(
    turn: _TurnBuilder,
    state: Conversation,
    run: Run,
    script: CompiledScript,
    compiled: CompiledStep,
    text: str,
) -> Conversation:
    """A button's label picks it; "yes"/"对"/"ok" stores the reading, "no"/"不对" asks again;
    anything else is read anew as the answer (at a number, rating or choice a digit is a new
    answer; elsewhere it is the button of that number)."""
    assert run.pending is not None
    value, alternatives, unit = _pending_reading(run.pending.value)
    name = _pending_name(run.pending.value)  # a new customer's name, asked about
    said = normalise(text).casefold()
    labels = [_plain(_shown(turn, script, compiled, a, unit)).casefold() for a in alternatives]
    if said in labels:
        return _reading_tapped(turn, state, run, script, f"alt{labels.index(said)}")
    numeric = compiled.step.kind in (Kind.SCALE, Kind.NUMBER, Kind.CHOICE, Kind.MULTI)
    if said.isdigit() and not numeric and 2 <= int(said) <= len(alternatives) + 1:
        return _reading_tapped(turn, state, run, script, f"alt{int(said) - 2}")
    confirmation = None if numeric and said.isdigit() else read_confirmation(text)
    if confirmation is not None and confirmation.value:
        return _accept(turn, state, run, script, value, unit)
    if name and said == normalise(str(value)).casefold():
        return _accept(turn, state, run, script, value, unit)  # the same name again: it is
    if name:
        _keep_note(turn, run, str(value))  # not the name after all: what was said stays
    run = replace(run, pending=None)
    if confirmation is not None:
        turn.say("reading_again")
        return _ask(turn, state, run)
    reading = read_text(compiled, text, turn.ctx, _dynamic_options(turn, compiled))
    story = isinstance(reading, Rejected) and reading.reason in _SAID_SOMETHING_ELSE
    if story and length(text) > VENT_WORDS and not name:
        # the rep went on talking instead of tapping "right": the reading shown stands (kept,
        # said so, /back undoes it) and their words stay as a note — never refused twice
        _keep_note(turn, run, text)
        turn.say("reading_kept", value=_plain(_shown(turn, script, compiled, value, unit)))
        return _accept(turn, state, run, script, value, unit)
    return _apply(turn, state, run, script, reading, typed=text)


def _reading_tapped(
    turn: _TurnBuilder, state: Conversation, run: Run, script: CompiledScript, option: str
) -> Conversation:
    assert run.pending is not None
    value, alternatives, unit = _pending_reading(run.pending.value)
    if option == "ok":
        return _accept(turn, state, run, script, value, unit)
    index = option.removeprefix("alt")
    if option.startswith("alt") and index.isdigit() and int(index) < len(alternatives):
        return _accept(turn, state, run, script, alternatives[int(index)], unit)
    turn.say("moved_on")
    return _ask(turn, state, run)


# --- commands ----------------------------------------------------------------------------------


def _command(turn: _TurnBuilder, state: Conversation, event: CommandIn) -> Conversation:
    name = event.name
    active = state.active
    if name == "start":
        return _start(turn, state, event.arg or turn.catalog.default_script)
    if name == "hello":  # a rep says hello (Telegram's /start): where we are, or what we can do
        if active is not None and turn.script_of(active) is not None:
            return _ask(turn, state, active, where=True)
        return _idle(turn, state, None)
    if name == "open":  # a chat opens: continue what is in progress, else start
        if active is not None and turn.script_of(active) is not None and not event.arg:
            return _ask(turn, state, active, where=True)
        return _start(turn, state, event.arg or turn.catalog.default_script)
    if name == "resume":
        return _resume(turn, state, event.arg)
    if name == "help":
        turn.say("help", scripts=_script_list(turn))
        return _ask(turn, state, active) if active else state
    if name == "discard":
        return _discard(turn, state)
    if name == "edit":
        return _edit(turn, state)
    if name not in COMMANDS:
        turn.say("unknown_command", command=name)
        return _ask(turn, state, active) if active else state
    if active is None or turn.script_of(active) is None:
        turn.say("nothing_in_progress", scripts=_script_list(turn))
        return replace(state, active=None)
    if name == "back":
        return _back(turn, state, active)
    if name == "skip":
        return _skip(turn, state, active)
    return _enter_mode(turn, state, "confirm_cancel")


def _back(turn: _TurnBuilder, state: Conversation, run: Run) -> Conversation:
    script = turn.script_of(run)
    assert script is not None
    if _pending_probe(script, run) is not None:  # back from a probe: its question again
        return _ask(turn, state, replace(run, pending=None, revisit=True))
    if run.pending is not None and run.pending.kind != PUSHBACK:
        return _ask(turn, state, replace(run, pending=None))
    compiled = script.steps.get(run.step)
    if compiled is not None and compiled.step.kind is Kind.ROLEPLAY and script.roleplay:
        value = run.answers.get(run.step)
        if value is not None and not roleplay.finished(value):
            return _take_back(turn, state, run, script, script.roleplay, value)
    walk = _walk(script, run.answers)
    position = walk.path.index(run.step) if run.revisit and run.step in walk.path else None
    before = walk.path[:position] if position is not None else walk.path
    previous = _asked(turn, script, run, before)
    if not previous:
        turn.say("at_first_question")
        return _ask(turn, state, run)
    target = previous[-1]
    return _ask(turn, state, replace(run, step=target, revisit=True, selection=(), pending=None))


def _take_back(
    turn: _TurnBuilder,
    state: Conversation,
    run: Run,
    script: CompiledScript,
    play: roleplay.CompiledRolePlay,
    value: Any,
) -> Conversation:
    """/back in a role-play takes back the rep's last reply; the buyer's line comes again."""
    tables = script.script.tables
    earlier = roleplay.take_back(play, tables, run.answers, value, turn.lang)
    answers = dict(run.answers)
    if earlier is None:
        del answers[run.step]
        turn.effects.append(AnswerDropped(run.no, run.step))
    else:
        answers[run.step] = earlier
        turn.effects.append(AnswerSaved(run.no, run.step, earlier))
    return _ask(turn, state, replace(run, answers=answers))


def _skip(turn: _TurnBuilder, state: Conversation, run: Run) -> Conversation:
    script = turn.script_of(run)
    assert script is not None
    compiled = script.steps.get(run.step)
    if compiled is None:
        return _ask(turn, state, run)
    if _pending_probe(script, run) is not None:  # a probe is never insisted on
        return _advance(turn, state, replace(run, pending=None), script)
    if run.pending is not None and run.pending.kind in (PUSHBACK, OFFER_SKIP):
        return _skip_offer_taken(turn, state, run, script, SKIP)  # after pushback: granted
    if run.revisit and run.step in run.answers:
        turn.say("kept_answer")
        return _advance(turn, state, run, script)
    if not compiled.step.optional:
        turn.say("cannot_skip")
        return _ask(turn, state, run)
    return _accept(turn, state, run, script, None)


def _start(turn: _TurnBuilder, state: Conversation, script_id: str) -> Conversation:
    script = turn.catalog.scripts.get(script_id)
    if script is None:
        turn.say("unknown_script", name=script_id, scripts=_script_list(turn))
        return _ask(turn, state, state.active) if state.active else state
    active = state.active
    if active is not None and active.script == script_id:  # nothing answered: no "where we are"
        return _ask(turn, state, active, where=bool(active.answers))
    if active is not None:
        return _enter_mode(turn, state, "confirm_switch", script_id)
    if _latest_draft(state, script_id) is not None:
        return _enter_mode(turn, state, "draft_waiting", script_id)
    return _begin(turn, state, script)


def _begin(
    turn: _TurnBuilder,
    state: Conversation,
    script: CompiledScript,
    prefill: Mapping[str, Any] | None = None,
) -> Conversation:
    """A new run; ``prefill`` answers (carried over from a chained run) are not asked again."""
    number = state.runs + 1
    now = turn.ctx.now.isoformat()
    answers = dict(prefill or {})
    run = Run(
        no=number,
        script=script.id,
        version=script.script.version,
        step=script.start,
        answers=answers,
        started_at=now,
        updated_at=now,
        carried=tuple(answers),
    )
    turn.effects.append(RunStarted(number, script.id, script.script.version))
    turn.effects.extend(AnswerSaved(number, step_id, value) for step_id, value in answers.items())
    turn.say("started", title=turn.title(script.id))
    return _advance(turn, replace(state, runs=number), run, script)


def _resume(turn: _TurnBuilder, state: Conversation, script_id: str) -> Conversation:
    if state.active is not None and turn.script_of(state.active) is not None:
        return _ask(turn, state, state.active, where=True)
    draft = _latest_draft(state, script_id or None)
    if draft is None:
        turn.say("nothing_to_resume", scripts=_script_list(turn))
        return replace(state, active=None)
    drafts = tuple(d for d in state.drafts if d is not draft)
    turn.effects.append(RunResumed(draft.no))
    return _ask(turn, replace(state, drafts=drafts), draft, where=True)


def _discard(turn: _TurnBuilder, state: Conversation) -> Conversation:
    draft = _latest_draft(state, None)
    if draft is None:
        turn.say("no_draft")
        return _ask(turn, state, state.active) if state.active else state
    return _enter_mode(turn, state, "confirm_discard", str(draft.no))


def _edit(turn: _TurnBuilder, state: Conversation) -> Conversation:
    """Change an answer: of the conversation in progress, or of a recently finished one."""
    if state.active is not None and turn.script_of(state.active) is not None:
        return _enter_mode(turn, state, "edit_step", "active")
    runs = _editable_runs(turn, state)
    if not runs:
        turn.say("nothing_to_edit")
        return state
    if len(runs) == 1:
        return _enter_mode(turn, state, "edit_step", str(runs[0].no))
    return _enter_mode(turn, state, "edit_run")


def _editable_runs(turn: _TurnBuilder, state: Conversation) -> list[Run]:
    """Finished runs still within their script's ``editable_hours``, newest first."""
    runs = []
    for run in reversed(state.finished):
        script = turn.script_of(run)
        try:
            finished = datetime.fromisoformat(run.updated_at)
        except ValueError:
            continue
        if script is not None:
            age = (turn.ctx.now - finished).total_seconds() / 3600
            if age <= script.script.editable_hours:
                runs.append(run)
    return runs


def _edit_target(state: Conversation, arg: str) -> Run | None:
    if arg == "active":
        return state.active
    return next((run for run in state.finished if str(run.no) == arg), None)


def _latest_draft(state: Conversation, script_id: str | None) -> Run | None:
    for draft in reversed(state.drafts):
        if script_id is None or draft.script == script_id:
            return draft
    return None


def _started(turn: _TurnBuilder, run: Run) -> str:
    try:
        moment = datetime.fromisoformat(run.started_at)
    except ValueError:
        return ""
    return describe_when(When(moment, True), tz=turn.ctx.tz, lang=turn.lang, now=turn.ctx.now)


def _script_list(turn: _TurnBuilder) -> str:
    return ", ".join(f"/{script_id}" for script_id in turn.catalog.scripts)


# --- modes: the conversation waits for a choice (cancel? switch? which answer to edit?) -------


def _enter_mode(turn: _TurnBuilder, state: Conversation, mode: str, arg: str = "") -> Conversation:
    return _prompt_mode(turn, replace(state, mode=mode, mode_arg=arg))


def _mode_choices(
    turn: _TurnBuilder, state: Conversation
) -> tuple[str, tuple[Choice, ...], dict[str, Any]]:
    """The question a mode asks: its message key, its choices and the message's context."""
    mode, arg, active = state.mode, state.mode_arg, state.active

    def fixed(*options: str) -> tuple[Choice, ...]:
        return tuple(Choice(option, turn.text(f"option_{option}")) for option in options)

    if mode == "confirm_switch":
        current = turn.title(active.script) if active else ""
        return mode, fixed("yes", "no"), {"current": current, "new": turn.title(arg)}
    if mode == "draft_waiting":
        draft = _latest_draft(state, arg)
        started = _started(turn, draft) if draft else ""
        return mode, fixed("continue", "restart"), {"title": turn.title(arg), "started": started}
    if mode == "confirm_discard":
        draft = next((d for d in state.drafts if str(d.no) == arg), None)
        context = {"title": turn.title(draft.script) if draft else "", "started": ""}
        if draft is not None:
            context["started"] = _started(turn, draft)
        return mode, fixed("yes", "no"), context
    if mode == "edit_run":
        choices = tuple(
            Choice(str(run.no), escape(f"{turn.title(run.script)} · {_started(turn, run)}"))
            for run in _editable_runs(turn, state)
        )
        return mode, choices, {}
    if mode == "edit_step":
        run = _edit_target(state, arg)
        return mode, _answered_steps(turn, run) if run else (), {}
    return (
        "confirm_cancel",
        fixed("yes", "no"),
        {"title": turn.title(active.script) if active else ""},
    )


def _answered_steps(turn: _TurnBuilder, run: Run) -> tuple[Choice, ...]:
    script = turn.script_of(run)
    if script is None:
        return ()
    context = _render_context(turn, script, run.answers)
    choices = []
    for step_id in _walk(script, run.answers).path:
        compiled = script.steps[step_id]
        question = _shorten(_plain(compiled.text.render(turn.lang, context)), 40)
        shown = _display(turn, script, compiled, run.answers[step_id])
        answer = (
            _shorten(_plain(str(shown)), 30) if shown is not None else _plain(turn.text("skipped"))
        )
        choices.append(Choice(step_id, escape(f"{question} — {answer}")))
    return tuple(choices)


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text)).replace("\n", " ").strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _prompt_mode(turn: _TurnBuilder, state: Conversation) -> Conversation:
    key, choices, context = _mode_choices(turn, state)
    if not choices:  # nothing left to choose from (e.g. the run to edit went away)
        return _continue(turn, replace(state, mode="", mode_arg=""))
    token = state.token + 1
    turn.replies.append(
        Ask(
            token=token,
            step=f"@{key}",
            kind="choice",
            text=turn.text(key, **context),
            progress="",
            choices=choices,
        )
    )
    return replace(state, token=token)


def _confirming(turn: _TurnBuilder, state: Conversation, event: Event) -> Conversation:
    mode, arg = state.mode, state.mode_arg
    calm = replace(state, mode="", mode_arg="")
    if isinstance(event, CommandIn):
        return _command(turn, calm, event)
    _, choices, _ = _mode_choices(turn, state)
    choice = _read_choice(turn, event, state.token, choices)
    if choice is None and isinstance(event, TextIn) and is_decision(mode):
        decided = read_decision(mode, event.text)  # "no, keep it", "继续吧"
        choice = None if decided is None else "yes" if decided else "no"
    if choice is None:
        if isinstance(event, TextIn) and state.active is not None:
            _keep_note(turn, state.active, event.text)  # said while asked to choose: kept too
        turn.say("please_choose")
        return _prompt_mode(turn, state)
    if mode == "confirm_cancel":
        return _cancel(turn, calm) if choice == "yes" else _continue(turn, calm)
    if mode == "confirm_switch":
        if choice == "no":
            return _continue(turn, calm)
        drafted = _to_draft(turn, calm)
        script = turn.catalog.scripts.get(arg)
        return _begin(turn, drafted, script) if script else _idle(turn, drafted, None)
    if mode == "draft_waiting":
        if choice == "continue":
            return _resume(turn, calm, arg)
        draft = _latest_draft(calm, arg)
        if draft is not None:
            turn.effects.append(RunDiscarded(draft.no))
            calm = replace(calm, drafts=tuple(d for d in calm.drafts if d is not draft))
        script = turn.catalog.scripts.get(arg)
        return _begin(turn, calm, script) if script else _idle(turn, calm, None)
    if mode == "confirm_discard":
        if choice == "yes":
            kept = tuple(d for d in calm.drafts if str(d.no) != arg)
            if len(kept) != len(calm.drafts):
                turn.effects.append(RunDiscarded(int(arg)))
            turn.say("discarded")
            calm = replace(calm, drafts=kept)
        elif calm.active is None:  # "no, keep it" with nothing open: where the draft waits
            return _idle(turn, calm, None)
        return _continue(turn, calm)
    if mode == "edit_run":
        return _enter_mode(turn, calm, "edit_step", choice)
    if mode == "edit_step":
        return _reopen(turn, calm, arg, choice)
    return _continue(turn, calm)


def _reopen(turn: _TurnBuilder, state: Conversation, arg: str, step_id: str) -> Conversation:
    """Ask ``step_id`` of the run again; a finished run becomes active until finished again."""
    run = _edit_target(state, arg)
    if run is None:
        return _continue(turn, state)
    if arg != "active":
        turn.effects.append(RunResumed(run.no))
        run = replace(run, edits=run.edits + 1)
        state = replace(state, finished=tuple(r for r in state.finished if r.no != run.no))
    return _ask(turn, state, replace(run, step=step_id, revisit=True, pending=None, selection=()))


def _read_choice(
    turn: _TurnBuilder, event: Event, token: int, choices: tuple[Choice, ...]
) -> str | None:
    options = tuple(choice.id for choice in choices)
    if isinstance(event, PickIn):
        return event.option if event.token == token and event.option in options else None
    if not isinstance(event, TextIn):
        return None
    text = normalise(event.text).casefold()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    for choice in choices:
        if text in (choice.id.casefold(), _plain(choice.label).casefold()):
            return choice.id
    answer = read_yes_no(text)
    if answer is not None and options[:2] in (("yes", "no"), ("continue", "restart")):
        return options[0] if answer else options[1]
    return None


def _cancel(turn: _TurnBuilder, state: Conversation) -> Conversation:
    state = _to_draft(turn, state)
    turn.say("drafted")
    return state


def _to_draft(turn: _TurnBuilder, state: Conversation) -> Conversation:
    run = state.active
    if run is None:
        return state
    turn.effects.append(RunDrafted(run.no))
    run = replace(run, pending=None, selection=(), updated_at=turn.ctx.now.isoformat())
    return replace(state, active=None, drafts=(*state.drafts, run))


def _continue(turn: _TurnBuilder, state: Conversation) -> Conversation:
    if state.active is not None:
        turn.say("continuing")
        return _ask(turn, state, state.active)
    return state


# --- everything else ---------------------------------------------------------------------------


def _idle(turn: _TurnBuilder, state: Conversation, event: Event | None) -> Conversation:
    """No conversation in progress: point the rep to what they can start."""
    if isinstance(event, MediaIn):
        turn.say("media_when_idle", kind=event.kind)
    elif state.drafts:
        turn.say("idle_with_draft", title=turn.title(state.drafts[-1].script))
    else:
        turn.say("idle", scripts=_script_list(turn))
    return replace(state, active=None) if state.active is not None else state


def _media(turn: _TurnBuilder, state: Conversation, run: Run, event: MediaIn) -> Conversation:
    if event.kind in EVIDENCE_MEDIA or event.kind in VOICE_MEDIA:
        turn.effects.append(MediaKept(run.no, run.step, event.kind, event.ref))
        turn.say("voice_kept" if event.kind in VOICE_MEDIA else "evidence_kept", kind=event.kind)
    else:
        turn.say("media_unsupported", kind=event.kind)
    return _ask(turn, state, run)


# --- probes and facts recalled from memory (see dialogs.probes, dialogs.memory) ---------------


def _pending_probe(script: CompiledScript, run: Run) -> CompiledProbe | None:
    """The probe asked right now (after ``run.step`` was answered), if any."""
    if run.pending is None or run.pending.kind != "probe" or run.step not in script.steps:
        return None
    probes = script.steps[run.step].probes
    return next((probe for probe in probes if probe.id == run.pending.value), None)


def _probe_answered(
    turn: _TurnBuilder, state: Conversation, run: Run, script: CompiledScript, text: str
) -> Conversation:
    probe = _pending_probe(script, run)
    assert probe is not None
    clean = text.strip()
    limit = max(script.steps[run.step].step.max_length, 800)
    if not normalise(clean) or len(clean) > limit:
        reason, details = (
            ("too_long", {"length": len(clean), "limit": limit})
            if clean
            else (
                "empty_answer",
                {},
            )
        )
        turn.say(reason, **details)
        return _ask(turn, state, run)
    answers = {**run.answers, probe.id: clean}
    turn.effects.append(AnswerSaved(run.no, probe.id, clean))
    if probe.ack is not None:
        ack = probe.ack.render(turn.lang, _render_context(turn, script, answers))
        if ack:
            turn.replies.append(Say(ack))
    return _advance(turn, state, replace(run, answers=answers, pending=None), script)


def _unprobed(turn: _TurnBuilder, compiled: CompiledStep, run: Run) -> Run:
    """A question answered again loses its earlier probe's answer (it may be asked anew)."""
    stale = [probe.id for probe in compiled.probes if probe.id in run.answers]
    for probe_id in stale:
        turn.effects.append(AnswerDropped(run.no, probe_id))
    answers = {k: v for k, v in run.answers.items() if k not in stale}
    return replace(run, answers=answers) if stale else run


def _customer_of(script: CompiledScript, answers: Mapping[str, Any]) -> str | None:
    step_id = script.script.remember.customer
    customer = answers.get(step_id) if step_id else None
    return customer if isinstance(customer, str) else None


def _known(
    turn: _TurnBuilder, script: CompiledScript, step_id: str, answers: Mapping[str, Any]
) -> dict[str, Any]:
    recall = script.steps[step_id].step.recall
    return memory.known_facts(turn.memory, _customer_of(script, answers), script, recall)


def _nothing_to_recall(turn: _TurnBuilder, script: CompiledScript, run: Run, step_id: str) -> bool:
    return bool(script.steps[step_id].step.recall) and not _known(
        turn, script, step_id, run.answers
    )


def _known_shown(
    turn: _TurnBuilder, script: CompiledScript, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """``known`` in templates: the customer's remembered facts, as the rep would say them."""
    steps = tuple(dict.fromkeys(f for c in script.steps.values() for f in c.step.recall))
    if not steps:
        return {}
    facts = memory.known_facts(turn.memory, _customer_of(script, answers), script, steps)
    return {
        step_id: _display(turn, script, script.steps[step_id], value)
        for step_id, value in facts.items()
    }


def _recalled(turn: _TurnBuilder, script: CompiledScript, run: Run) -> Run:
    """A confirmed recall fills its steps from memory (not asked then); a denied one takes back
    what an earlier "yes" filled, so those questions are asked."""
    recall = script.steps[run.step].step.recall
    if not recall:
        return run
    answers = dict(run.answers)
    carried = [step_id for step_id in run.carried if step_id not in recall]
    if answers.get(run.step) is True:
        for step_id, value in _known(turn, script, run.step, answers).items():
            answers[step_id] = value
            carried.append(step_id)
            turn.effects.append(AnswerSaved(run.no, step_id, value))
    else:
        for step_id in [s for s in recall if s in run.carried and s in answers]:
            del answers[step_id]
            turn.effects.append(AnswerDropped(run.no, step_id))
    return replace(run, answers=answers, carried=tuple(carried))


def _settle_recalls(turn: _TurnBuilder, script: CompiledScript, run: Run) -> dict[str, Any]:
    """A recall step with nothing known is passed over (kept as skipped); one passed over while
    the customer had no facts is asked once the customer changes to one that has."""
    answers = dict(run.answers)
    for step_id, compiled in script.steps.items():
        passed = compiled.step.recall and step_id in answers and answers[step_id] is None
        if passed and _known(turn, script, step_id, answers):
            del answers[step_id]
            turn.effects.append(AnswerDropped(run.no, step_id))
    while True:
        current = _walk(script, answers).current
        settled = replace(run, answers=answers)
        if current is None or not _nothing_to_recall(turn, script, settled, current):
            return answers
        answers[current] = None
        turn.effects.append(AnswerSaved(run.no, current, None))


def template_context(
    catalog: Catalog,
    script: CompiledScript,
    answers: Mapping[str, Any],
    ctx: Context,
    remembered: Mapping[str, Any],
) -> dict[str, Any]:
    """What a script's templates see for these answers and this memory (tests and previews)."""
    return _render_context(_TurnBuilder(catalog, ctx, remembered), script, answers)


MESSAGE_KEYS = frozenset(
    {
        "at_first_question",
        "cannot_skip",
        "confirm_cancel",
        "confirm_date",
        "confirm_discard",
        "confirm_or_new_date",
        "confirm_past",
        "confirm_name",
        "confirm_reading",
        "confirm_switch",
        "continuing",
        "date_again",
        "discarded",
        "edit_run",
        "edit_step",
        "draft_waiting",
        "drafted",
        "empty_answer",
        "evidence_kept",
        "finished",
        "help",
        "hint_datetime",
        "hint_multi",
        "hint_scale",
        "idle",
        "idle_with_draft",
        "kept_answer",
        "list_separator",
        "media_unsupported",
        "media_when_idle",
        "moved_on",
        "no",
        "no_draft",
        "note_kept",
        "not_a_date",
        "not_a_number",
        "nothing_in_progress",
        "nothing_to_answer",
        "nothing_to_edit",
        "nothing_to_resume",
        "number_range",
        "option_continue",
        "option_no",
        "option_restart",
        "option_skip_question",
        "option_try_answer",
        "option_yes",
        "partly",
        "pick_at_least",
        "pick_at_most",
        "pick_one",
        "pick_some",
        "please_choose",
        "progress",
        "progress_no_phase",
        "hurried",
        "pushback_offer_skip",
        "pushback_reply",
        "pushback_choice",
        "pushback_skipped",
        "reading_again",
        "reading_kept",
        "reading_right",
        "reading_scale",
        "roleplay_transcript",
        "say_yes_or_no",
        "scale_range",
        "skipped",
        "started",
        "too_long",
        "unknown_command",
        "unknown_script",
        "vent_heard",
        "voice_kept",
        "where_we_are",
        "whole_number",
        "yes",
    }
)
"""Every message key the engine uses; ``coachbot scripts check`` verifies each exists."""


@lru_cache(maxsize=64)
def _condition(source: str) -> Condition:
    """A script's on_finish condition (checked by ``scripts check``), parsed once."""
    return parse_condition(source)
