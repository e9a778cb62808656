"""English and Chinese words for numbers and clock idioms, rewritten into the digits the rules read.

``canonical`` runs once on the normalised phrase before the rules of ``dialogs.when``: "half past
three pm" becomes "3:30 pm", "the twenty first of march" "the 21st of march", "at seven o'clock"
"at 7:00", "15h30" "15:30", "11ish" "around 11", "早8点" "早上8点". Rewriting first keeps the
grammar in one place (digits) instead of one rule per way of spelling a number.
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_SUFFIX = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}


def _words(table: dict[str, int]) -> str:
    return "|".join(sorted(table, key=len, reverse=True))


_UNIT = _words({k: v for k, v in _UNITS.items() if k != "oh"})
_TEN = _words(_TENS)
_ORD = _words(_ORDINALS)
_W = r"(?<![a-z])"  # a word starts here
_E = r"(?![a-z])"  # a word ends here

# "twenty first" / "twenty-first" / "first": an ordinal day; "twenty one": a number.
_ORDINAL_WORDS = re.compile(rf"{_W}(?:(?P<ten>{_TEN})[\s-]?)?(?P<ord>{_ORD}){_E}")
_NUMBER_WORDS = re.compile(
    rf"{_W}(?:(?P<ten>{_TEN})(?:[\s-]?(?P<unit>{_UNIT}))?|(?P<only>{_UNIT})){_E}"
)
# "five-thirty": an hour and minutes, not a number
_HYPHENED_CLOCK = re.compile(
    rf"{_W}((?:{_UNIT}))-((?:{_TEN}|ten|fifteen|forty-five)(?:-(?:{_UNIT}))?){_E}"
)
# "jan 25 nineteen eighty six", "15 august nineteen hundred ninety three": a year after a date
_SPOKEN_YEAR = re.compile(
    r"(?P<date>[a-z]{3}[a-z]*\.? (?:the )?[0-9]{1,2}(?:st|nd|rd|th)?,? "
    r"|[0-9]{1,2}(?:st|nd|rd|th)? (?:of )?[a-z]{3}[a-z]*\.?,? )"
    r"(?P<c>1[0-9]|20) (?:hundred (?:and )?)?(?:(?:0|oh) )?(?P<y>[0-9]{1,2})(?![0-9:])"
)
_TWO_THOUSAND = re.compile(r"(?<![0-9])2 thousand(?: and)?(?: ([0-9]{1,2}))?(?![0-9])")
# "seven thirty", "ten oh five", "eight forty pm": an hour and minutes said as two numbers
_SPOKEN_CLOCK = re.compile(
    r"(?<![0-9:/.\-])(?P<h>[0-9]{1,2}) (?P<oh>(?:oh|0) )?(?P<m>[0-9]{2}|[1-9])(?![0-9:/.\-])"
)

_CLOCK_MINUTES = re.compile(r"(?<![0-9])([0-9]{1,2}:[0-9]{2}) minutes?(?![a-z])")
_SECONDS = re.compile(r"(?<![0-9:])([0-9]{1,2}:[0-9]{2}):[0-9]{2}(?![0-9])")
_CLOCK_IDIOMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<![a-z])a\s?\.?\s?m(?![a-z])\.?|(?<=[0-9])a(?![a-z])"), "am"),
    (re.compile(r"(?<![a-z])p\s?\.?\s?m(?![a-z])\.?|(?<=[0-9])p(?![a-z])"), "pm"),
    (re.compile(r"(?<![0-9])([0-9]{1,2})\s?o'?\s?clock(?![a-z])"), r"\1:00"),
    (re.compile(r"(?<![a-z])mid[\s-]?night(?![a-z])"), "midnight"),
    (re.compile(r"(?<![a-z])mid[\s-]?day(?![a-z])|(?<![a-z])lunch\s?time(?![a-z])"), "noon"),
    (re.compile(r"(?<![a-z])mid[\s-]?morning(?![a-z])"), "midmorning"),
    (re.compile(r"(?<![a-z])mid[\s-]?afternoon(?![a-z])"), "midafternoon"),
    (
        re.compile(r"(?<![a-z])(?:late (?:in the )?evening|late at night|late night)(?![a-z])"),
        "night",
    ),
    (re.compile(r"(?<![a-z])in ([0-9]{1,2})\s?h(?![a-z0-9])"), r"in \1 hours"),
    (re.compile(r"(?<![0-9])([0-9]{1,2})\s?h\s?([0-9]{2})(?![0-9a-z])"), r"\1:\2"),
    (re.compile(r"(?<![0-9])([0-9]{1,2})\s?h(?![a-z])"), r"\1:00"),
    (_SECONDS, r"\1"),
    (re.compile(r"(?<![0-9:.])([0-9]{1,2})([0-5][0-9])\s?(am|pm)(?![a-z])"), r"\1:\2\3"),
    (re.compile(r"(?<![0-9])12\s?midnight(?![a-z])"), "midnight"),
    (re.compile(r"(?<![a-z0-9])([0-9]{1,2}|noon)\s?-?ish(?![a-z])"), r"around \1"),
    # "at 1030", "around 730 in the evening": a clock without its colon after "at"
    (re.compile(r"(?<![a-z])(at|around|about|by) ([0-9]{1,2})([0-5][0-9])(?![0-9])"), r"\1 \2:\3"),
    # "half three" (British): 3:30
    (re.compile(r"^half ([0-9]{1,2})(?=$| ?[ap]m| tomorrow| today| on )"), r"\1:30"),
    (re.compile(r"(?<![a-z])(past|after|to|before) noon(?![a-z])"), r"\1 12"),
    (re.compile(r"\s+(?:approximately|or so|roughly)$"), ""),
    # "by end of day", "eod", "cob": a deadline, today; "end of tomorrow": tomorrow
    (
        re.compile(
            r"^(?:by\s+)?(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:business\s+|work(?:ing)?\s+)?day"
            r"|eod|cob|close\s+of\s+business|end\s+of\s+business)$"
        ),
        "today",
    ),
    (
        re.compile(
            r"^(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?=today|tomorrow|tmrw|[a-z]+day$)"
        ),
        "",
    ),
]

_PAST_TO = re.compile(
    r"(?P<m>half|(?:a )?quarter|3 quarters|[0-9]{1,2})(?: (?:minutes?|mins?))? "
    r"(?P<dir>past|after|to|before|till) (?P<h>[0-9]{1,2})(?P<tail>:00)?(?![0-9:])"
)

# Chinese: "早8点" 08:00, "晚8点" 20:00, "今晨" this morning, "十点整", "16时40分50秒".
_ZH_IDIOMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile("今晨"), "今天早上"),
    (re.compile("明晨"), "明天早上"),
    (re.compile("(?<![早晚今明昨])早(?=[0-9零一二两三四五六七八九十]{1,3}[点时])"), "早上"),
    (re.compile("(?<![早晚今明昨傍])晚(?=[0-9零一二两三四五六七八九十]{1,3}[点时])"), "晚上"),
    (re.compile("(?<=[点时])整"), ""),
    (re.compile("(?<=分)[0-9零一二两三四五六七八九十]{1,3}秒"), ""),
    (re.compile("^(?:大约|大概|约|差不多)|左右$|前后$"), ""),
    # "下班前" (before the end of the working day): that day, a deadline
    (re.compile("^(?:今天)?(?:下班|收工)(?:之|以)?前$"), "今天"),
    (re.compile("(?<=[天日一二三四五六])(?:下班|收工)(?:之|以)?前$"), ""),
]


_MONTH_FIRST = re.compile(r"(?<![0-9/.\-])([0-9]{1,2})/([0-9]{1,2})(?![0-9/.\-])")
# "26-12-10", "27/1/3": a Chinese rep puts the year first, in two digits too
_YEAR_FIRST = re.compile(
    r"(?<![0-9/.\-:])([0-9]{2})([/.\-])([0-9]{1,2})\2([0-9]{1,2})(?![0-9/.\-:])"
)


_ZH_HOUR = "[0-9]{1,2}|[一二两三四五六七八九十]{1,3}"
# "差一刻五点" / "五点差一刻" 4:45, "差五分四点" 3:55: minutes to an hour
_ZH_TO = re.compile(
    rf"差(?P<m1>一刻|[0-9]{{1,2}}分钟?|[一二两三四五六七八九十]{{1,3}}分钟?)(?P<h1>{_ZH_HOUR})点"
    rf"|(?P<h2>{_ZH_HOUR})点差(?P<m2>一刻|[0-9]{{1,2}}分钟?|[一二两三四五六七八九十]{{1,3}}分钟?)"
)
_ZH_SMALL = {c: n for n, c in enumerate("零一二三四五六七八九", start=0)} | {"两": 2}


def _zh_small(text: str) -> int | None:
    """1-59 in digits or Chinese ("五", "十五", "二十"), for the clock."""
    if text.isdigit():
        return int(text)
    tens, ten, ones = text.partition("十")
    if not ten:
        return _ZH_SMALL.get(text)
    high = _ZH_SMALL.get(tens, -1) if tens else 1
    low = _ZH_SMALL.get(ones, -1) if ones else 0
    return high * 10 + low if high >= 0 and low >= 0 else None


def _zh_to(match: re.Match[str]) -> str:
    said = match["m1"] or match["m2"]
    hour = _zh_small(match["h1"] or match["h2"])
    minutes = 15 if said == "一刻" else _zh_small(said.rstrip("钟").rstrip("分"))
    if hour is None or minutes is None or not 0 < minutes < 60 or not 1 <= hour <= 24:
        return match[0]
    return f"{hour - 1}点{60 - minutes}分"


def canonical(phrase: str, *, month_first: bool = False) -> str:
    """``phrase`` (already lower case, half-width) with number words and clock idioms as digits.

    ``month_first``: "3/7" is 7 March and "27-3-7" 7 March 2027 (how Chinese reps write them),
    else "3/7" is 3 July."""
    if month_first:
        phrase = _YEAR_FIRST.sub(_year_month_day, phrase)
        phrase = _MONTH_FIRST.sub(_month_day, phrase)
    if not phrase.isascii():
        for pattern, replacement in _ZH_IDIOMS:
            phrase = pattern.sub(replacement, phrase)
        phrase = _ZH_TO.sub(_zh_to, phrase)
    if not re.search("[a-z]", phrase):
        return _SECONDS.sub(r"\1", phrase)
    phrase = _HYPHENED_CLOCK.sub(r"\1 \2", phrase)
    phrase = _ORDINAL_WORDS.sub(_ordinal, phrase)
    phrase = _NUMBER_WORDS.sub(_number, phrase)
    phrase = _TWO_THOUSAND.sub(lambda m: str(2000 + int(m[1] or 0)), phrase)
    phrase = _SPOKEN_YEAR.sub(_spoken_year, phrase)
    for pattern, replacement in _CLOCK_IDIOMS:
        phrase = pattern.sub(replacement, phrase)
    phrase = _PAST_TO.sub(_past_to, phrase)
    phrase = _SPOKEN_CLOCK.sub(_spoken_clock, phrase)
    phrase = _CLOCK_MINUTES.sub(r"\1", phrase)  # "six forty-three minutes": 6:43
    return re.sub(r"(?<![a-z])(?:approximately|roughly|about|around)\s+(?=around )", "", phrase)


def _spoken_year(match: re.Match[str]) -> str:
    return f"{match['date']}{int(match['c']) * 100 + int(match['y'])}"


def _year_month_day(match: re.Match[str]) -> str:
    month, day = int(match[3]), int(match[4])
    return f"{match[1]}年{month}月{day}日" if 1 <= month <= 12 and 1 <= day <= 31 else match[0]


def _month_day(match: re.Match[str]) -> str:
    month, day = int(match[1]), int(match[2])
    return f"{month}月{day}日" if 1 <= month <= 12 and 1 <= day <= 31 else match[0]


def _ordinal(match: re.Match[str]) -> str:
    ten = _TENS.get(match["ten"] or "", 0)
    number = ten + _ORDINALS[match["ord"]]
    if number > 31 or (ten and _ORDINALS[match["ord"]] > 9):
        return match[0]
    return f"{number}{_SUFFIX.get(number, 'th')}"


def _number(match: re.Match[str]) -> str:
    if match["only"]:
        return str(_UNITS[match["only"]])
    return str(_TENS[match["ten"]] + (_UNITS[match["unit"]] if match["unit"] else 0))


def _past_to(match: re.Match[str]) -> str:
    said = match["m"]
    minutes = {"half": 30, "quarter": 15, "a quarter": 15, "3 quarters": 45}.get(said)
    if minutes is None:
        minutes = int(said)
    hour = int(match["h"])
    if not 0 < minutes < 60 or hour > 24 or (said == "half" and match["dir"] != "past"):
        return match[0]
    if match["dir"] in ("to", "before", "till"):  # "quarter to 1": 12:45
        hour, minutes = (hour - 1 if hour > 1 else 12 + hour - 1), 60 - minutes
    return f"{hour}:{minutes:02d}"


def _spoken_clock(match: re.Match[str]) -> str:
    hour, minutes = int(match["h"]), int(match["m"])
    if hour > 24 or minutes > 59 or (len(match["m"]) == 1 and not match["oh"]):
        return match[0]
    return f"{hour}:{minutes:02d}"
