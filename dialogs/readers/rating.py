"""A rating on a small scale: "4", "3分吧", "about a 3 I guess", "3/5", "⭐⭐⭐", "three", and —
unsure — feeling words ("terrible" → the lowest, "不错" → a good one).

Feeling words are offered back, never stored unasked: a rep's "ok" may be a 3 or a 4.
"""

from __future__ import annotations

import re

from dialogs.readers.reading import GUESS, LIKELY, SURE, UNSURE, Read
from dialogs.readers.text import clean, length, remove_spans, trim

_STARS = re.compile(r"[★⭐🌟]")
_EMPTY_STARS = re.compile(r"[☆✩]")
_OUT_OF = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:/|out of|of|分?\s*满分)\s*(\d+)"
    r"|满分\s*(\d+)\s*分?[,，]?\s*(?:打|给|评)?\s*(\d+(?:\.\d+)?)"
)
_DIGITS = re.compile(r"(?<![\d.])(?<!^-)(?<! -)\d+(?:\.\d+)?(?![\d.])")
_COUNTED = re.compile(
    r"\s*(?:(?:minutes?|mins?|hours?|hrs?|seconds?|secs?|days?|weeks?|months?|years?|people|"
    r"persons?|buyers?|customers?|clients?|visits?|calls?|meetings?|times|units?|boxes|cases|"
    r"pieces|pcs|orders?|items?|percent|dollars?|bucks|yuan|rmb|usd|euros?|k|m)(?![a-z])"
    r"|%|分钟|钟头|小时|秒|天|周|星期|个月|月|年|个人|人|位|次|家|箱|件|台|单|元|块|万|千|百)"
)
"""After a number, what it counts: "2 minutes", "3 people", "5分钟" are not ratings."""
_MONEY_BEFORE = re.compile(r"[$¥￥€£]\s*$")
_EN_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_EN_NUMBER = re.compile(r"(?<![a-z])(" + "|".join(_EN_WORDS) + r")(?![a-z])")
_ZH_WORDS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_ZH_NUMBER = re.compile(
    r"(?:(?<=[打给评就是算约个一二两三四五六七八九])|(?<![\u3400-\u9fff]))([零一二两三四五六七八九十])"
    r"(?=分|颗|星|个星|[一二两三四五六七八九]|(?![\u3400-\u9fff])|吧|左右|的样子|呢|啊)"
)
_HEDGES = re.compile(
    r"(?<![a-z])(?:about|around|roughly|maybe|probably|perhaps|like|a|an|i guess|i think|i'?d say|"
    r"i'?d give it|give it|i give it|it'?s|its|it was|say|rating|score|points?|stars?|solid|"
    r"honestly|hmm+|um+|uh+|well|just|only|so|to be honest|out of|max)(?![a-z])"
    r"|大概|大约|差不多|可能|也许|估计|应该|就|吧|呢|啊|呀|嗯|打|给|评|分|颗星|星|左右|的样子|个|我|算|是|了"
)
_FEELINGS: tuple[tuple[str, float], ...] = (
    # longest first within each language, so "not bad" is read before "bad"
    (r"not (?:that |too |so )?bad", 0.5),
    (r"not (?:very |that |so |too )?(?:good|great)", 0.25),
    (
        r"very bad|really bad|so bad|terrible|terribly|awful|horrible|horrid|dreadful|disaster|"
        r"disastrous|worst|catastrophe|a mess|hopeless|useless|nightmare",
        0.0,
    ),
    (
        r"very good|really good|so good|great|excellent|amazing|fantastic|awesome|brilliant|"
        r"perfect|superb|outstanding|wonderful|best",
        1.0,
    ),
    (r"pretty good|quite good|good|well|nice|positive|fine|decent|solid|productive", 0.75),
    (r"ok|okay|so-so|so so|meh|average|mediocre|alright|all right|mixed|neutral|fair", 0.5),
    (r"bad|poor|rough|disappointing|weak|not great|tough|hard|difficult|frustrating", 0.25),
)
_ZH_FEELINGS: tuple[tuple[str, float], ...] = (
    # the worst first, then the negated ones, so "不太好" is never read as "太好"
    ("太差|很差|非常差|特别差|极差|糟透|糟糕|太糟|很糟|烂透|太烂|一塌糊涂|惨|失败|最差|崩了", 0.0),
    ("不太好|不怎么样|不太理想|不理想|不太满意|不满意|不好|不太行|不行|差|难|郁闷|失望", 0.25),
    ("一般|还行|还可以|凑合|马马虎虎|普通|中等|过得去|说得过去|将就", 0.5),
    ("非常好|特别好|太好|很好|完美|很棒|太棒|超好|极好|顺利|满意|最好", 1.0),
    ("不错|挺好|蛮好|还好|好|棒|可以", 0.75),
)
_FEELING = [(re.compile(rf"(?<![a-z])(?:{words})(?![a-z])"), share) for words, share in _FEELINGS]
_ZH_FEELING = [(re.compile(words), share) for words, share in _ZH_FEELINGS]
_SHORT = 6
"""What is left besides the rating: a few words of hedging, or a story (then worth keeping)."""


def read_rating(text: str, low: int = 1, high: int = 5) -> Read[int] | None:
    """A whole number in [low, high], or None when the text holds no rating."""
    said = clean(text)
    if not said:
        return None
    return (
        _stars(said, low, high)
        or _out_of(said, low, high)
        or _numbers(said, low, high)
        or _points_of_ten(said, low, high)
        or _feeling(said, low, high)
    )


_POINTS = re.compile(
    r"(?:(?<![\d.])(10|[6-9])\s*|(?<![一二两三四五六七八九十])([六七八九十]))分"
    r"(?:(?![\u3400-\u9fff])|(?=吧|啊|呢|呀|左右|的样子))"  # not "十分满意" (very pleased)
)


def _points_of_ten(said: str, low: int, high: int) -> Read[int] | None:
    """ "七分", "8分吧" on a 1–5 scale: points out of ten, as Chinese reps often score — offered
    (7 as 4), never stored unasked."""
    match = _POINTS.search(said)
    if match is None or high >= 10:
        return None
    given = int(match.group(1)) if match.group(1) else _ZH_WORDS[match.group(2)]
    if given <= high:
        return None
    return _rescaled(given, 10, low, high, said[: match.start()] + " " + said[match.end() :])


def _stars(said: str, low: int, high: int) -> Read[int] | None:
    count = len(_STARS.findall(said))
    if not count:
        return None
    rest = _EMPTY_STARS.sub("", _STARS.sub("", said))
    if low <= count <= high:
        return _sure(count, rest, low, high)
    return None


def _out_of(said: str, low: int, high: int) -> Read[int] | None:
    """ "3/5", "3 out of 5", "满分5分打3分"; "8/10" on a 1–5 scale is offered as 4."""
    match = _OUT_OF.search(said)
    if match is None:
        return None
    given = float(match.group(1) or match.group(4))
    scale = float(match.group(2) or match.group(3))
    if scale <= 0 or given > scale:
        return None
    rest = said[: match.start()] + " " + said[match.end() :]
    if scale == high and given == int(given):
        return _sure(int(given), rest, low, high)
    if scale == high:  # "3.5/5": between two values
        value = int(given)
        if not low <= value <= high:
            return None
        return Read(value, UNSURE, _neighbours(value, low, high), said_more=_more(rest))
    return _rescaled(given, scale, low, high, rest)


def _rescaled(given: float, scale: float, low: int, high: int, rest: str) -> Read[int] | None:
    """A score on another scale ("8/10", "七分") offered on this one, never stored unasked."""
    value = round(low + given / scale * (high - low))
    if not low <= value <= high:
        return None
    return Read(value, UNSURE, _neighbours(value, low, high), said_more=_more(rest))


def _numbers(said: str, low: int, high: int) -> Read[int] | None:
    found: list[tuple[int, float]] = []
    spans: list[tuple[int, int]] = []
    for match in _DIGITS.finditer(said):
        if not _counts(said, match):
            found.append((match.start(), float(match.group())))
        spans.append(match.span())
    for match in _EN_NUMBER.finditer(said):
        if not _counts(said, match):
            found.append((match.start(), float(_EN_WORDS[match.group(1)])))
        spans.append(match.span())
    for match in _ZH_NUMBER.finditer(said):
        found.append((match.start(), float(_ZH_WORDS[match.group(1)])))
        spans.append(match.span())
    values = list(dict.fromkeys(value for _, value in sorted(found)))
    inside = [value for value in values if low <= value <= high]
    if not inside:
        return None
    rest = remove_spans(said, spans)
    first = inside[0]
    if len(values) > 1:  # "3 or 4", "3-4", "三四分吧"
        others = tuple(int(v) for v in inside[1:] if v == int(v) and v != first)
        if first != int(first):
            return _between(first, low, high, rest)
        return Read(
            int(first), GUESS, others or _neighbours(int(first), low, high), said_more=_more(rest)
        )
    if first != int(first):
        return _between(first, low, high, rest)
    return _sure(int(first), rest, low, high)


def _counts(said: str, number: re.Match[str]) -> bool:
    """The number counts something (minutes, people, money): it is no rating."""
    return bool(_COUNTED.match(said, number.end()) or _MONEY_BEFORE.search(said, 0, number.start()))


def _between(value: float, low: int, high: int, rest: str) -> Read[int]:
    """ "3.5": the rep is between two values; offer both."""
    down = max(low, int(value))
    up = min(high, down + 1)
    return Read(down, UNSURE, (up,) if up != down else (), said_more=_more(rest))


def _feeling(said: str, low: int, high: int) -> Read[int] | None:
    hits: list[tuple[int, float]] = []
    spans: list[tuple[int, int]] = []
    text = said
    for pattern, share in (*_FEELING, *_ZH_FEELING):
        for match in pattern.finditer(text):
            hits.append((match.start(), share))
            spans.append(match.span())
        if spans:
            text = remove_spans(said, spans)
    if not hits:
        return None
    share = min(hits)[1]
    value = round(low + share * (high - low))
    return Read(value, GUESS, _neighbours(value, low, high), said_more=_more(text))


def _sure(value: int, rest: str, low: int, high: int) -> Read[int]:
    if not low <= value <= high:
        return Read(min(max(value, low), high), GUESS)
    words = _HEDGES.sub(" ", rest)
    if not trim(words.strip()):
        hedged = trim(rest.strip()) != ""
        return Read(value, LIKELY if hedged else SURE)
    if _more(rest):
        return Read(value, UNSURE, _neighbours(value, low, high), said_more=True)
    return Read(value, LIKELY)


def _more(rest: str) -> bool:
    """The rep said more than a rating: a few words beyond the hedges, or a story."""
    return length(_HEDGES.sub(" ", rest)) > _SHORT // 2


def _neighbours(value: int, low: int, high: int) -> tuple[int, ...]:
    return tuple(v for v in (value - 1, value + 1) if low <= v <= high)
