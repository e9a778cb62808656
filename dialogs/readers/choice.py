"""One option (or several) picked by number, label, or a close synonym: "2", "第二个", "the
second one", "price", "太贵了" (a synonym the script declares), "price and timing"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from dialogs.readers.reading import GUESS, LIKELY, SURE, UNSURE, Read
from dialogs.readers.text import clean, has_cjk, trim, words


@dataclass(frozen=True, slots=True)
class OptionWords:
    """An option's id and every way a rep may name it: its labels in each language, synonyms."""

    id: str
    words: tuple[str, ...]


_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
    "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
_INDEX = re.compile(
    r"^(?:(?:option|number|no\.?|nr\.?|#|choice|pick|i pick|i choose|选|选择|我选|选项|第)\s*)?"
    r"(\d{1,2}|" + "|".join(_ORDINALS) + r")"
    r"(?:\s*(?:one|option|个|项|条|号|种|类|st|nd|rd|th))?(?:\s*(?:please|吧|的|了))?$"
)
_FILLER = re.compile(
    r"^(?:(?:i'?d say|i think|i guess|maybe|probably|it'?s|it was|it is|that'?s|mostly|mainly|"
    r"the|a|an|i pick|i choose|pick|choose|option|"
    r"我选|选|选择|应该是|主要是|是|算是|大概是|就是)(?![a-z])\s*)+"
    r"|(?:\s*(?:please|i think|i guess|吧|的|了|呢|啊|吗|呀))+$"
)
_LIST = re.compile(
    r"\s*(?:[,，、;；/&+]|\band\b|\bplus\b|\bas well as\b|和|与|跟|及|以及|还有|加上)\s*"
)
_MIN_PART = 2
"""Shortest label part that may be found inside a longer answer (Chinese); Latin needs 3."""


def read_choice(text: str, options: Sequence[OptionWords]) -> Read[str] | None:
    """The option ``text`` names; unsure when it only resembles one."""
    said = trim(clean(text))
    if not said or not options:
        return None
    exact = _exact(said, options)
    if exact is not None:
        return Read(exact, SURE)
    core = trim(_FILLER.sub("", said))
    if core and core != said:
        exact = _exact(core, options)
        if exact is not None:
            return Read(exact, LIKELY)
    said = core or said
    return _inside(said, options) or _sharing(said, options) or _resembling(said, options)


def read_choices(text: str, options: Sequence[OptionWords]) -> Read[tuple[str, ...]] | None:
    """Several options: "1, 3", "1 3", "price、need", "price and timing"; in the options' order."""
    said = trim(clean(text))
    if not said or not options:
        return None
    whole = read_choice(said, options)
    if whole is not None and whole.certainty >= LIKELY:
        return Read((whole.value,), whole.certainty)
    for splitter in (_LIST, re.compile(r"\s+")):
        parts = [trim(part) for part in splitter.split(said) if trim(part)]
        if len(parts) < 2:
            continue
        readings = [read_choice(part, options) for part in parts]
        if all(reading is not None for reading in readings):
            chosen = [reading.value for reading in readings if reading is not None]
            certainty = min(reading.certainty for reading in readings if reading is not None)
            order = [option.id for option in options]
            unique = tuple(sorted(dict.fromkeys(chosen), key=order.index))
            return Read(unique, certainty)
    if whole is not None:
        return Read((whole.value,), whole.certainty)
    return None


def _exact(said: str, options: Sequence[OptionWords]) -> str | None:
    index = _INDEX.match(said)
    if index is not None:
        number = index.group(1)
        position = int(number) if number.isdigit() else _ORDINALS[number]
        if 1 <= position <= len(options):
            return options[position - 1].id
    for option in options:
        if said == option.id or said in _folded(option):
            return option.id
    loose = _loose(said)  # "decision maker" for "Decision-maker" (or its id, decision_maker)
    for option in options:
        if loose == _loose(option.id) or loose in _loosened(option):
            return option.id
    return None


_JOINERS = re.compile(r"[\s_\-‐‑–]+")


def _loose(text: str) -> str:
    return _JOINERS.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def _loosened(option: OptionWords) -> frozenset[str]:
    return frozenset(_loose(word) for word in _folded(option))


def _inside(said: str, options: Sequence[OptionWords]) -> Read[str] | None:
    """A label inside the answer ("mostly the price, really"), or the answer inside one label."""
    found = [option.id for option in options if any(_contains(said, w) for w in _folded(option))]
    if len(found) == 1:
        return Read(found[0], UNSURE)
    partial = [
        option.id
        for option in options
        if any(_long_enough(said) and said in word for word in _folded(option))
    ]
    if len(partial) == 1:
        return Read(partial[0], UNSURE)
    return None


_STOP = words(
    "the one and was were with for just our their they them this that option choice "
    "one's think guess maybe kind sort more less not very really quite"
)
_LATIN_WORD = re.compile(r"[a-z][a-z'-]{2,}")


def _keys(text: str) -> set[str]:
    """The words that carry meaning: Latin words of 3+ letters, Chinese character pairs."""
    keys = {word for word in _LATIN_WORD.findall(text) if word not in _STOP}
    chinese = re.sub(r"[^\u3400-\u9fff]", " ", text)
    for run in chinese.split():
        keys.update(run[i : i + 2] for i in range(len(run) - 1))
    return keys


def _sharing(said: str, options: Sequence[OptionWords]) -> Read[str] | None:
    """A word only one option has ("the short one" → "Short — do and check"): offered back."""
    keys = _keys(said)
    if not keys:
        return None
    found = [option.id for option in options if keys & _option_keys(option)]
    return Read(found[0], GUESS) if len(found) == 1 else None


def _resembling(said: str, options: Sequence[OptionWords]) -> Read[str] | None:
    """A typo or a near word ("pirce" for "price"): offered back, with the runner-up."""
    scored = sorted(
        (
            (
                max(SequenceMatcher(None, said, word).ratio() for word in _folded(option)),
                option.id,
            )
            for option in options
            if option.words
        ),
        reverse=True,
    )
    if not scored or scored[0][0] < 0.75:
        return None
    runner = tuple(option for score, option in scored[1:2] if score >= 0.6)
    return Read(scored[0][1], GUESS, runner)


def _contains(said: str, folded: str) -> bool:
    if not _long_enough(folded) or len(folded) > len(said):
        return False
    if has_cjk(folded):
        return folded in said
    return re.search(rf"(?<![a-z]){re.escape(folded)}(?![a-z])", said) is not None


def _long_enough(text: str) -> bool:
    return len(text) >= (_MIN_PART if has_cjk(text) else 3)


def _fold(word: str) -> str:
    return trim(clean(word))


@lru_cache(maxsize=4096)
def _folded(option: OptionWords) -> tuple[str, ...]:
    """An option's words as answers are compared with them (cached: scripts change rarely)."""
    return tuple(dict.fromkeys(_fold(word) for word in option.words))


@lru_cache(maxsize=4096)
def _option_keys(option: OptionWords) -> frozenset[str]:
    return frozenset(key for word in _folded(option) for key in _keys(word))
