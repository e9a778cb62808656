"""Reading a rep's input as the answer to one question, with a clear reason when it is not one."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.compile import CompiledStep
from dialogs.model import Kind
from dialogs.types import Context
from dialogs.when import parse_when


@dataclass(frozen=True, slots=True)
class Accepted:
    value: Any


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


Reading = Accepted | Rejected | Confirm

YES_WORDS = frozenset(
    [
        "yes",
        "y",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "right",
        "correct",
        "true",
        "是",
        "是的",
        "对",
        "对的",
        "好",
        "好的",
        "嗯",
        "有",
        "可以",
        "没错",
        "确定",
    ]
)
NO_WORDS = frozenset(
    [
        "no",
        "n",
        "nope",
        "nah",
        "false",
        "wrong",
        "否",
        "不",
        "不是",
        "不对",
        "没有",
        "没",
        "不要",
        "错",
    ]
)
_LIST_SEPARATORS = re.compile(r"[,，、;；/]+")
_SEPARATORS = re.compile(r"[,，、;；/\s]+")
_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*([kKmM万千]?)$")
_MULTIPLIERS = {"": 1, "k": 1_000, "K": 1_000, "千": 1_000, "m": 1_000_000, "M": 1_000_000}
_MULTIPLIERS["万"] = 10_000


def normalise(text: str) -> str:
    """Full-width digits and punctuation become their ASCII twins; surrounding space goes."""
    return unicodedata.normalize("NFKC", text).strip()


def read_yes_no(text: str) -> bool | None:
    word = normalise(text).lower().rstrip(".!。！")
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


MAX_NAME = 120
"""A customer's name (or an objection) typed on an ``options_from`` question."""


def read_text(step: CompiledStep, text: str, ctx: Context, dynamic: Sequence[str] = ()) -> Reading:
    """``dynamic``: the choices of an ``options_from`` question (recent customers ...)."""
    kind = step.step.kind
    clean = normalise(text)
    if not clean:
        return Rejected("empty_answer")
    if step.step.options_from is not None:
        limit = MAX_NAME if step.step.options_from == "customers" else step.step.max_length
        return _read_dynamic(text.strip(), clean, dynamic, limit)
    if kind is Kind.TEXT:
        return _read_free_text(step, text.strip())
    if kind is Kind.CHOICE:
        option = _match_option(step, clean)
        return Accepted(option) if option else Rejected("pick_one", {"count": _option_count(step)})
    if kind is Kind.MULTI:
        return _read_multi(step, clean)
    if kind is Kind.SCALE:
        return _read_scale(step, clean)
    if kind is Kind.YESNO:
        answer = read_yes_no(clean)
        if answer is None and clean in ("1", "2"):
            answer = clean == "1"
        return Accepted(answer) if answer is not None else Rejected("say_yes_or_no")
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
    if kind is Kind.SCALE:
        return _read_scale(step, option)
    return Rejected("stale_button")


def _read_dynamic(text: str, clean: str, dynamic: Sequence[str], limit: int) -> Reading:
    """A number picks a shown name; a shown name in any case picks it; anything else is new."""
    if clean.isdigit() and 1 <= int(clean) <= len(dynamic):
        return Accepted(dynamic[int(clean) - 1])
    for name in dynamic:
        if name.casefold() == clean.casefold():
            return Accepted(name)
    if len(text) > limit:
        return Rejected("too_long", {"length": len(text), "limit": limit})
    return Accepted(text)


def _read_free_text(step: CompiledStep, text: str) -> Reading:
    limit = step.step.max_length
    if len(text) > limit:
        return Rejected("too_long", {"length": len(text), "limit": limit})
    return Accepted(text)


def _option_count(step: CompiledStep) -> int:
    return len(step.step.options)


def _match_option(step: CompiledStep, text: str) -> str | None:
    options = step.step.options
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1].id
    lowered = text.casefold()
    for option in options:
        if lowered == option.id:
            return option.id
        for lang in ("en", "zh"):
            label = option.label.get(lang)
            if label and lowered == label.casefold().strip():
                return option.id
    return None


def _read_multi(step: CompiledStep, text: str) -> Reading:
    """Numbers, ids or labels: "1, 3", "1 3", "price、need", "the competition, 1"."""
    for separators in (_LIST_SEPARATORS, _SEPARATORS):
        parts = [part.strip() for part in separators.split(text) if part.strip()]
        chosen = [_match_option(step, part) for part in parts]
        if chosen and all(chosen):
            unique = list(dict.fromkeys(option for option in chosen if option))
            return check_selection(step, unique)
    whole = _match_option(step, text)
    if whole is not None:
        return check_selection(step, [whole])
    return Rejected("pick_some", {"count": _option_count(step)})


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
    value = _to_number(text)
    if value is None or value != int(value) or not low <= value <= high:
        return Rejected("scale_range", {"low": low, "high": high})
    return Accepted(int(value))


def _to_number(text: str) -> float | None:
    clean = text.replace(",", "").replace("_", "").replace(" ", "")
    match = _NUMBER.match(clean)
    if match is None:
        return None
    return float(match.group(1)) * _MULTIPLIERS[match.group(2)]


def _read_number(step: CompiledStep, text: str) -> Reading:
    value = _to_number(text)
    if value is None:
        return Rejected("not_a_number")
    if step.step.integer and value != int(value):
        return Rejected("whole_number")
    low, high = step.step.min, step.step.max
    if (low is not None and value < low) or (high is not None and value > high):
        return Rejected("number_range", {"low": _plain(low), "high": _plain(high)})
    return Accepted(int(value) if step.step.integer else value)


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
