"""Reading a rep's input as the answer to one question, with a clear reason when it is not one."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.compile import CompiledStep
from dialogs.model import LANGUAGES, Kind
from dialogs.readers import (
    PARTLY,
    OptionWords,
    read_choice,
    read_choices,
    read_confirmation,
    read_number,
    read_rating,
)
from dialogs.readers import read_yes_no as read_answer_yes_no
from dialogs.readers.text import reads_like_a_sentence, says_nothing
from dialogs.types import Context
from dialogs.when import parse_when


@dataclass(frozen=True, slots=True)
class Accepted:
    value: Any
    unit: str = ""
    """For a number: the currency or unit typed with it ("EUR", "次"), kept beside the answer."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """``reason`` is a message key; ``details`` fill its template."""

    reason: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Confirm:
    """A date that must be confirmed ("Tue 25 Nov, 15:00 — right?") before it is accepted."""

    kind: str  # "confirm_date" | "confirm_past"
    value: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Unsure:
    """An answer read with doubt ("terrible" → 1, "sort of" → yes): shown back to the rep with
    one-tap buttons, ``value`` first, then ``alternatives``; stored only once confirmed."""

    value: Any
    alternatives: tuple[Any, ...] = ()
    unit: str = ""
    vent: str = ""
    """The rep said more than the answer (a vent at a rating): their words, to keep."""
    name: bool = False
    """A new customer's name that reads like a remark: asked about as a name, and kept as a note
    when the rep types another one."""


Reading = Accepted | Rejected | Confirm | Unsure


def normalise(text: str) -> str:
    """Full-width digits and punctuation become their ASCII twins; surrounding space goes."""
    return unicodedata.normalize("NFKC", text).strip()


def read_yes_no(text: str) -> bool | None:
    """Yes or no to a question of the coach's own ("right?", "cancel?"): "1", "对", "ok", "no"."""
    reading = read_confirmation(text)
    return reading.value if reading is not None else None


MAX_NAME = 120
"""A customer's name (or an objection) typed on an ``options_from`` question."""


def read_text(step: CompiledStep, text: str, ctx: Context, dynamic: Sequence[str] = ()) -> Reading:
    """``dynamic``: the choices of an ``options_from`` question (recent customers ...)."""
    kind = step.step.kind
    clean = normalise(text)
    if not clean:
        return Rejected("empty_answer")
    if step.step.options_from is not None:
        names = step.step.options_from == "customers"
        limit = MAX_NAME if names else step.step.max_length
        return _read_dynamic(text.strip(), clean, dynamic, limit, names=names)
    if kind in (Kind.TEXT, Kind.ROLEPLAY):
        return _read_free_text(step, text.strip())
    if kind is Kind.CHOICE:
        return _read_choice(step, clean)
    if kind is Kind.MULTI:
        return _read_multi(step, clean)
    if kind is Kind.SCALE:
        return _read_scale(step, text.strip())
    if kind is Kind.YESNO:
        return _read_yes_no(step, clean)
    if kind is Kind.NUMBER:
        return _read_number(step, clean)
    if kind is Kind.DATETIME:
        return _read_datetime(step, clean, ctx)
    return Rejected("nothing_to_answer")


def read_pick(step: CompiledStep, option: str, dynamic: Sequence[str] = ()) -> Reading:
    """A tapped button. Its option id was produced by us, but callback data can be forged."""
    kind = step.step.kind
    if step.step.options_from is not None:
        index = option[1:]
        if option.startswith("m") and index.isdigit() and int(index) < len(dynamic):
            return Accepted(dynamic[int(index)])
        return Rejected("stale_button")
    if kind is Kind.CHOICE and option in step.option_labels:
        return Accepted(option)
    if kind is Kind.YESNO and option in ("yes", "no"):
        return Accepted(option == "yes")
    if kind is Kind.YESNO and option == PARTLY and step.step.partial:
        return Accepted(PARTLY)
    if kind is Kind.SCALE:
        return _read_scale(step, option)
    return Rejected("stale_button")


def _read_dynamic(
    text: str, clean: str, dynamic: Sequence[str], limit: int, *, names: bool
) -> Reading:
    """A number picks a shown name; a shown name in any case picks it; anything else is new (a
    new customer ``names`` that reads like a remark is asked about first)."""
    if clean.isdigit() and 1 <= int(clean) <= len(dynamic):
        return Accepted(dynamic[int(clean) - 1])
    for name in dynamic:
        if name.casefold() == clean.casefold():
            return Accepted(name)
    if len(text) > limit:
        return Rejected("too_long", {"length": len(text), "limit": limit})
    if names and (reads_like_a_sentence(text) or _a_yes_or_no(text)):
        return Unsure(text, name=True)  # "yes" or "好" is no company's name either
    return Accepted(text)


def _a_yes_or_no(text: str) -> bool:
    """ "yes", "ok", "好": no company's name (a digit is left to the customer list)."""
    return not normalise(text).isdigit() and read_yes_no(text) is not None


def _read_free_text(step: CompiledStep, text: str) -> Reading:
    if step.step.optional and says_nothing(text):
        return Accepted(None)  # "nothing", "没什么问题": there is none, as with /skip
    limit = step.step.max_length
    if len(text) > limit:
        return Rejected("too_long", {"length": len(text), "limit": limit})
    return Accepted(text)


def _option_count(step: CompiledStep) -> int:
    return len(step.step.options)


def _read_yes_no(step: CompiledStep, text: str) -> Reading:
    if step.step.partial and text == "3":  # the third numbered choice: "Partly"
        return Accepted(PARTLY)
    reading = read_answer_yes_no(text, partial=step.step.partial)
    if reading is None:
        return Rejected("say_yes_or_no")
    if reading.sure:
        return Accepted(reading.value)
    return Unsure(reading.value, reading.alternatives)


_WORDS: dict[int, tuple[CompiledStep, tuple[OptionWords, ...]]] = {}
"""Option words per compiled step (kept with the step, so an id is never reused wrongly)."""


def option_words(step: CompiledStep) -> tuple[OptionWords, ...]:
    """Every way to name each option: its labels in both languages and its synonyms."""
    cached = _WORDS.get(id(step))
    if cached is not None and cached[0] is step:
        return cached[1]
    if len(_WORDS) > 1024:  # scripts reloaded many times: start over
        _WORDS.clear()
    words = []
    for option in step.step.options:
        labels = step.option_labels.get(option.id)
        names = (
            [_plain_label(labels.render(lang, {"lang": lang})) for lang in LANGUAGES]
            if labels
            else []
        )
        names += [option.label.get(lang) for lang in LANGUAGES]
        names += list(option.synonyms.all())
        names += [_head(name) for name in names]  # "Short — do and check" → "Short"
        words.append(OptionWords(option.id, tuple(dict.fromkeys(n for n in names if n))))
    _WORDS[id(step)] = (step, tuple(words))
    return tuple(words)


_TAG = re.compile(r"<[^>]+>")
_HEAD = re.compile(r"\s*(?:—|–|:|：|\(|（|,|，)")


def _head(label: str) -> str:
    """A label's first part, before its explanation: "Timing — “not now”" → "Timing"."""
    head = _HEAD.split(label, maxsplit=1)[0].strip()
    return head if head != label and len(head) >= 2 else ""


def _plain_label(label: str) -> str:
    return html.unescape(_TAG.sub("", label)).strip()


def _read_choice(step: CompiledStep, text: str) -> Reading:
    reading = read_choice(text, option_words(step))
    if reading is None:
        return Rejected("pick_one", {"count": _option_count(step)})
    if reading.sure:
        return Accepted(reading.value)
    others = [option.id for option in step.step.options if option.id != reading.value]
    likely = [option for option in reading.alternatives if option in others]
    return Unsure(reading.value, tuple(dict.fromkeys([*likely, *others])))


def _read_multi(step: CompiledStep, text: str) -> Reading:
    """Numbers, ids, labels or synonyms: "1, 3", "1 3", "price、need", "price and timing"."""
    reading = read_choices(text, option_words(step))
    if reading is None:
        return Rejected("pick_some", {"count": _option_count(step)})
    checked = check_selection(step, list(reading.value))
    if isinstance(checked, Accepted) and not reading.sure:
        return Unsure(checked.value)
    return checked


def check_selection(step: CompiledStep, chosen: list[str]) -> Reading:
    least = int(step.step.min) if step.step.min is not None else 1
    most = int(step.step.max) if step.step.max is not None else len(step.step.options)
    if len(chosen) < least:
        return Rejected("pick_at_least", {"least": least})
    if len(chosen) > most:
        return Rejected("pick_at_most", {"most": most})
    order = [option.id for option in step.step.options]
    return Accepted(sorted(chosen, key=order.index))


def scale_bounds(step: CompiledStep) -> tuple[int, int]:
    low = int(step.step.min) if step.step.min is not None else 1
    high = int(step.step.max) if step.step.max is not None else 5
    return low, high


def _read_scale(step: CompiledStep, text: str) -> Reading:
    low, high = scale_bounds(step)
    reading = read_rating(text, low, high)
    if reading is None:
        return Rejected("scale_range", {"low": low, "high": high})
    if reading.sure:
        return Accepted(reading.value)
    others = tuple(value for value in range(low, high + 1) if value != reading.value)
    return Unsure(reading.value, others, vent=text if reading.said_more else "")


def _read_number(step: CompiledStep, text: str) -> Reading:
    reading = read_number(text)
    if reading is None:
        return Rejected("not_a_number")
    checked = _check_number(step, reading.value)
    if isinstance(checked, Rejected):
        return checked
    if reading.sure:
        return Accepted(checked, reading.unit)
    alternatives = tuple(
        value
        for value in map(partial(_check_number, step), reading.alternatives)
        if not isinstance(value, Rejected) and value != checked
    )
    return Unsure(checked, alternatives, reading.unit)


def _check_number(step: CompiledStep, value: float) -> float | int | Rejected:
    if step.step.integer and value != int(value):
        return Rejected("whole_number")
    low, high = step.step.min, step.step.max
    if (low is not None and value < low) or (high is not None and value > high):
        return Rejected("number_range", {"low": _plain(low), "high": _plain(high)})
    return int(value) if step.step.integer else value


def _plain(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if number == int(number) else str(number)


def _read_datetime(step: CompiledStep, text: str, ctx: Context) -> Reading:
    if len(text) > 200:
        return Rejected("not_a_date")
    when = parse_when(text, now=ctx.now, tz=ctx.tz, lang=ctx.lang)
    if when is None:
        return Rejected("not_a_date")
    value = {"at": when.at.isoformat(), "has_time": when.has_time}
    if step.step.future and _is_past(when.at, when.has_time, ctx):
        return Confirm("confirm_past", value)
    return Confirm("confirm_date", value)


def _is_past(moment: datetime, has_time: bool, ctx: Context) -> bool:
    """A day without a time ("today") is past only once the whole day is."""
    if has_time:  # to the minute, as dates are read: "now" at 10:07:42 is 10:07, not the past
        return moment < ctx.now.replace(second=0, microsecond=0)
    zone = ZoneInfo(ctx.tz)
    return moment.astimezone(zone).date() < ctx.now.astimezone(zone).date()


def datetime_of(value: Any) -> datetime | None:
    """The moment a datetime answer names (answers are stored as JSON)."""
    if isinstance(value, dict) and isinstance(value.get("at"), str):
        return datetime.fromisoformat(value["at"])
    return None
