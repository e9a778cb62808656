"""Probes: what an answer says about itself, and the one follow-up question a coach would ask.

A step's probes are conditions (``dialogs.conditions``) over the *signals* of an answer — is it a
one-word "fine", does it hold a number or a date, how many items does it list, does it use the
script's word lists (optimism, commitment, blame) — and over earlier answers. The first probe
whose condition holds is asked once, right after the answer. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.conditions import Condition

BUILTIN_SIGNALS = frozenset({"short", "number", "date", "items"})
"""Signals every script may use: ``short`` (at most two words, "fine", "还行"), ``number`` (a
figure, "250", "三箱"), ``date`` ("Tuesday", "by the 5th", "下周二"), ``items`` (how many things an
answer lists, one per line or separated by ";", ",", "、")."""
SHORT_UNITS = 2
"""An answer of at most this many words (two Chinese characters count as one) is ``short``."""

_LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|dozen|half)\b"
    r"|[一二两三四五六七八九十百千万半]+\s*[个件台箱托次天周月号日万千百元块吨套家人份单成%]",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|"
    r"dec|next (week|month)|this week|end of (the )?(week|month)|eow|eom)\b"
    r"|今天|明天|后天|下周|下个?月|月底|年底|本周|这周|周末|[周礼拜星期][一二三四五六日天]"
    r"|\d+\s*[月号日]",
    re.IGNORECASE,
)
_LIST_LINES = re.compile(r"[\n;；]+")
_LIST_COMMAS = re.compile(r"[,，、]+")


@dataclass(frozen=True, slots=True)
class CompiledProbe:
    id: str
    condition: Condition
    of: str | None
    ask: Any  # dialogs.compile.Templates (kept loose to avoid an import cycle)
    ack: Any | None = None


def signals(text: str, words: Mapping[str, tuple[re.Pattern[str], ...]]) -> dict[str, Any]:
    """The signals of one answer: the built-in ones and the script's word lists."""
    clean = text.strip()
    units = len(_LATIN_WORD.findall(clean)) + (len(_CJK.findall(clean)) + 1) // 2
    parts = [part for part in _LIST_LINES.split(clean) if part.strip()]
    if len(parts) <= 1:
        parts = [part for part in _LIST_COMMAS.split(clean) if part.strip()]
    found: dict[str, Any] = {
        "short": units <= SHORT_UNITS,
        "number": bool(_NUMBER.search(clean)),
        "date": bool(_DATE.search(clean)),
        "items": len(parts),
    }
    for name, patterns in words.items():
        found[name] = any(pattern.search(clean) for pattern in patterns)
    return found


def probe_for(
    probes: tuple[CompiledProbe, ...],
    step_id: str,
    answers: Mapping[str, Any],
    words: Mapping[str, tuple[re.Pattern[str], ...]],
) -> CompiledProbe | None:
    """The probe to ask after ``step_id`` was answered (``answers`` includes it), if any."""
    if answers.get(step_id) is None:
        return None  # skipped: nothing to probe
    for probe in probes:
        source = answers.get(probe.of or step_id)
        text = source if isinstance(source, str) else ""
        if probe.condition.holds({**answers, **signals(text, words)}):
            return probe
    return None


__all__ = ["BUILTIN_SIGNALS", "CompiledProbe", "probe_for", "signals"]
