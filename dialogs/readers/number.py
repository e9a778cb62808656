"""A number as reps write it: "410k", "1.5万", "两百", "8次左右", "about 410k EUR", "大概41万欧元".

The currency or unit typed with it is kept beside the number (``Read.unit``: "EUR", "CNY",
"次", "visits"), so the number itself stays a number for the reports that add them up.
Chinese numerals are read by cn2an.
"""

from __future__ import annotations

import re
from dataclasses import replace

import cn2an

from dialogs.readers.reading import GUESS, LIKELY, SURE, UNSURE, Read
from dialogs.readers.text import clean, length, trim

_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("EUR", r"€|eur|euros?|欧元|欧"),
    ("USD", r"us\$|\$|usd|us dollars?|dollars?|bucks|美元|美金|刀"),
    ("CNY", r"¥|￥|rmb|cny|yuan|人民币|块钱|块|元"),
    ("GBP", r"£|gbp|pounds?|英镑"),
    ("HKD", r"hkd|hk\$|港币|港元"),
    ("JPY", r"jpy|yen|日元"),
    ("CHF", r"chf|swiss francs?|瑞郎"),
)
CURRENCIES = frozenset(code for code, _ in _CURRENCIES)
"""Units that are money: shown with the amount ("410000 EUR"); counts ("8 次") are not."""
_UNITS: tuple[tuple[str, str], ...] = (("%", r"%|percent|per cent|pct|百分之"),)
_CURRENCY = [(code, re.compile(rf"(?<![a-z])(?:{words})(?![a-z])")) for code, words in _CURRENCIES]
_UNIT = [(code, re.compile(rf"(?<![a-z])(?:{words})(?![a-z])")) for code, words in _UNITS]
_HEDGE = re.compile(
    r"(?<![a-z])(?:between|from|about|around|roughly|approx(?:imately)?\.?|circa|ca\.|some|maybe|probably|"
    r"perhaps|i think|i guess|i'?d say|like|say|almost|nearly|close to|just over|just under|"
    r"over|under|more than|less than|at least|at most|up to|or so|ish|give or take|estimated|"
    r"est\.?|total|in total|overall|it'?s|it was|was|is|we got|got|a total of|odd|plus|"
    r"north of|upwards of|in excess of|a bit over|a bit under|a little over|a little under"
    r")(?![a-z])"
    r"|(?<=\d)\s*\+"
    r"|[~≈约]|大概|大约|大致|差不多|左右|上下|将近|接近|估计|可能|应该|至少|最少|超过|不到|"
    r"多一点|多|几|来|吧|呢|啊|呀|嗯|总共|一共|合计|是|有|了|的样子"
)
_RANGE = re.compile(r"\s*(?:-|–|—|~|to|and|到|至)\s*")
_EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "dozen": 12, "couple": 2,
    "half": 0,
}  # fmt: skip
_EN_SCALE = {"hundred": 100, "thousand": 1_000, "grand": 1_000, "million": 1_000_000,
             "billion": 1_000_000_000}  # fmt: skip
_SUFFIX = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000, "mio": 1_000_000,
           "b": 1_000_000_000, "bn": 1_000_000_000, "千": 1_000, "万": 10_000, "w": 10_000,
           "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000}  # fmt: skip
_DIGITS = (
    r"(?:(?<![\w.])[+-])?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|"
    r"\d+,\d{1,2}(?!\d)|\d+(?:\.\d+)?)"
)
_SCALE_WORDS = "|".join(_EN_SCALE)
_ZH_CHARS = "零〇一二两三四五六七八九十百千万亿"
_NUMBER = re.compile(
    # digits, maybe mixed with Chinese magnitudes ("41万", "1万2", "3千5"), or Chinese numerals
    rf"(?P<zh>(?:{_DIGITS})?[{_ZH_CHARS}][{_ZH_CHARS}\d点.]*)"
    # digits with a magnitude: "410k", "1.5 million", "2 thousand"
    rf"|(?P<num>{_DIGITS})\s*(?P<suffix>(?:mm|mn|mio|bn|k|m|b|w)(?![a-z])|"
    rf"(?:{_SCALE_WORDS})s?(?![a-z]))?"
    # English number words: "two hundred", "a dozen", "twelve thousand"
    rf"|(?P<words>(?<![a-z])(?:(?:{'|'.join(_EN_SMALL)}|{_SCALE_WORDS}|and)(?:\s+|-)?)+(?![a-z]))"
)
_DOTTED_THOUSANDS = re.compile(r"[+-]?\d{1,3}\.\d{3}")
_STORY = 6
"""More words than this around the number: the rep is telling something, not answering."""
_LEFTOVER_UNIT = re.compile(r"^(?:[a-z][a-z.\- ]{0,24}|[\u3400-\u9fff]{1,4})$")


# "二十多万", "三十来万", "一百余万": a round figure and a bit more, said before the magnitude
_MORE_THAN = re.compile(r"(?<=[\d零〇一二两三四五六七八九十百千])(?:多|来|余)(?=[万千百亿])")
# "十几万", "几十万", "几千": "a few" in place of a digit — a guess to show, never to store unasked
_A_FEW = (
    (
        re.compile(r"(?<![\d一二两三四五六七八九])十几(?=[万千百亿个次件台家]|$)"),
        "十五",
        ("十二", "十八"),
    ),
    (re.compile(r"几(?=[十百千万])"), "三", ("二", "五")),
    (
        re.compile(
            r"(?<![a-z])(?:a few|several|a handful of)"
            r"(?=\s+(?:hundred|thousand|million|grand|k(?![a-z])))"
        ),
        "three",
        ("two", "five"),
    ),
)
# A magnitude left after the number: "a hundred k", "half a mil", "1.5 mil", "3 lakh"
_TRAILING_MAGNITUDE = {
    **{word: _SUFFIX[word] for word in ("k", "m", "mn", "w", "万")},
    "mil": 1_000_000, "mill": 1_000_000, "lakh": 100_000, "lakhs": 100_000,
    "crore": 10_000_000, "crores": 10_000_000,
}  # fmt: skip


def read_number(text: str) -> Read[float] | None:
    """The number in ``text``, its unit, and how sure the reading is."""
    said = clean(text)
    if not said:
        return None
    said, about = _MORE_THAN.subn("", said)
    for pattern, stand_in, others in _A_FEW:
        if pattern.search(said):
            reading = _read_number(pattern.sub(stand_in, said, count=1))
            if reading is None:
                return None
            guesses = (_read_number(pattern.sub(other, said, count=1)) for other in others)
            alternatives = tuple(guess.value for guess in guesses if guess is not None)
            return replace(
                reading, certainty=min(reading.certainty, UNSURE), alternatives=alternatives
            )
    reading = _read_number(said)
    if reading is None or not about:
        return reading
    return replace(reading, certainty=min(reading.certainty, LIKELY))


def _read_number(said: str) -> Read[float] | None:
    unit, rest = _unit(said)
    found = [(match, value) for match, value in _numbers(rest) if value is not None]
    if not found:
        return None
    scaled = [pair for pair in found if _scaled(pair[0])]
    ranged = len(found) > 1 and _RANGE.fullmatch(rest[found[0][0].end() : found[1][0].start()])
    if len(found) > 1 and len(scaled) == 1 and not ranged:
        # "50 pallets, about 3w": the amount is the one with a magnitude; the count comes second
        found.remove(scaled[0])
        found.insert(0, scaled[0])
    (first, value), *others = found
    leftover = rest[: first.start()] + " " + rest[first.end() :]
    if others:
        second, high = others[0]
        between = rest[first.end() : second.start()]
        if len(others) == 1 and _RANGE.fullmatch(between) and high > value:
            value = _shared_magnitude(first.group(), value, high)
            leftover = rest[: first.start()] + " " + rest[second.end() :]
            middle = (value + high) / 2
            return _unit_read(middle, GUESS, (value, high), unit, leftover)
        if length(leftover) > _STORY:  # numbers inside a story ("50 pallets, 300 boxes")
            return None
        alternatives = tuple(dict.fromkeys(v for _, v in others[:3] if v != value))
        return _unit_read(value, GUESS if alternatives else LIKELY, alternatives, unit, leftover)
    hedged = _HEDGE.search(leftover) is not None
    written = first.group("num") or ""
    if _DOTTED_THOUSANDS.fullmatch(written) and not first.group("suffix"):
        # "410.000": 410000 in much of Europe, 410 elsewhere
        return _unit_read(value * 1000, UNSURE, (value,), unit, leftover)
    return _unit_read(value, LIKELY if hedged else SURE, (), unit, leftover)


def _unit_read(
    value: float, certainty: float, alternatives: tuple[float, ...], unit: str, leftover: str
) -> Read[float] | None:
    words = trim(_HEDGE.sub(" ", leftover).strip())
    if words in _TRAILING_MAGNITUDE:
        factor = _TRAILING_MAGNITUDE[words]
        value = round(value * factor, 6)
        alternatives = tuple(round(other * factor, 6) for other in alternatives)
        words = ""
    if words:
        if unit or not _LEFTOVER_UNIT.match(words):
            if length(words) > _STORY:
                return Read(value, min(certainty, UNSURE), alternatives, unit, said_more=True)
            return Read(value, min(certainty, UNSURE), alternatives, unit)
        unit = words  # "8 visits", "12 pallets", "8次", "3台"
    return Read(value, certainty, alternatives, unit)


def _unit(said: str) -> tuple[str, str]:
    """The currency or unit named in ``said`` and the text without it."""
    for code, pattern in (*_CURRENCY, *_UNIT):
        match = pattern.search(said)
        if match is not None:
            return code, said[: match.start()] + " " + said[match.end() :]
    return "", said


_COUNTED = "次个家台件人位套单天年月周元块万千百亿"
"""What may follow a lone Chinese numeral: "一次", "三个"; not "一起", "一下", "一般"."""


def _numbers(text: str) -> list[tuple[re.Match[str], float | None]]:
    return [
        (match, _value(match))
        for match in _NUMBER.finditer(text)
        if match.group().strip() and not _word_not_number(match, text)
    ]


def _scaled(match: re.Match[str]) -> bool:
    """Written with a magnitude ("3w", "50k", "8万"): how amounts of money are written."""
    return bool(match.group("suffix")) or any(m in (match.group("zh") or "") for m in "万亿")


def _word_not_number(match: re.Match[str], text: str) -> bool:
    """ "一起", "一下", "两边": a Chinese numeral inside a word, not a number."""
    found = match.group("zh")
    if not found or len(found) != 1 or match.end() >= len(text):
        return False
    after = text[match.end()]
    return "\u3400" <= after <= "\u9fff" and after not in _COUNTED


def _value(match: re.Match[str]) -> float | None:
    if match.group("zh"):
        return _chinese(match.group("zh"))
    if match.group("num"):
        number = _digits(match.group("num"))
        suffix = (match.group("suffix") or "").rstrip("s")
        return round(number * (_SUFFIX.get(suffix) or _EN_SCALE.get(suffix, 1)), 6)
    return _english(match.group("words"))


def _digits(text: str) -> float:
    """ "410,000" and "1.250.000" (thousands), "12,5" (a decimal comma), "3.5"."""
    if text.count(".") > 1:
        return float(text.replace(".", ""))
    if re.fullmatch(r"[+-]?\d+,\d{1,2}", text):
        return float(text.replace(",", "."))
    return float(text.replace(",", ""))


def _chinese(text: str) -> float | None:
    text = text.rstrip(".点")
    if text in ("十", "百", "千", "万", "亿") or not text:
        return None  # a word, not a number: "万一", "千万别"
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _english(text: str) -> float | None:
    """ "two hundred and five" → 205, "a dozen" → 12, "twelve thousand" → 12000."""
    words = [w for w in re.split(r"[\s-]+", text.strip()) if w and w != "and"]
    if not words or all(w in ("a", "an") for w in words):
        return None
    total = current = 0
    half = 1.0
    for word in words:
        if word == "half":  # "half a million"
            half = 0.5
            continue
        if word == "couple":  # "a couple hundred"
            current = 2
            continue
        if word in _EN_SMALL:
            current += _EN_SMALL[word] if word != "dozen" else 0
            current = current * 12 if word == "dozen" else current
            if word == "dozen" and current == 0:
                current = 12
        elif word in _EN_SCALE:
            scale = _EN_SCALE[word]
            current = (current or 1) * scale
            if scale >= 1_000:
                total += current
                current = 0
    return float(total + current) * half


def _shared_magnitude(low_text: str, low: float, high: float) -> float:
    """ "30-40k": the low end takes the magnitude of the high end."""
    if low_text.strip().replace(",", "").replace(".", "").isdigit() and high >= 1_000 * low > 0:
        for magnitude in (1_000_000_000, 1_000_000, 10_000, 1_000):
            if low * magnitude <= high and high / (low * magnitude) < 10:
                return low * magnitude
    return low
