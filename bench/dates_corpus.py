"""How many dates and times of a public corpus ``parse_when`` reads right, and at what cost.

    python bench/dates_corpus.py PATH [--parser coachbot|dateparser|recognizers|jionlp]
                                      [--misses N] [--lang en|zh]

PATH is a checkout of Microsoft Recognizers-Text (github.com/microsoft/Recognizers-Text): its
``Specs/DateTime/{English,Chinese}/`` files (DateTimeModel, MergedParser, DateParser, TimeParser,
DateTimeParser) hold phrases found in sentences with the moment each names, against a reference
time. Every found phrase whose type is a point in time (``date``, ``time``, ``datetime``; not
ranges, durations or sets) is one example, read alone, as a rep would type it as an answer:

- ``day``: a date. Right when the day is one the corpus lists (it lists both the past and the
  future reading of "Oct 2") and no time was added.
- ``hour`` / ``minute``: a time (the day is not checked: the corpus gives none) or a date and time,
  by the grain of the corpus' TIMEX ("T15" is an hour, "T15:30" a minute). Right when the minute
  matches one the corpus lists and a time was read.

The corpus is not part of this repository and nothing here is tuned to it: it measures. The other
parsers (not dependencies of coachbot; install them to compare) are read the same way; the cost is
the wall time of one call, warm, and the import time.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

LANGS = {"en": "English", "zh": "Chinese"}
FILES = ("DateTimeModel", "MergedParser", "DateParser", "TimeParser", "DateTimeParser")
POINT_TYPES = {"date", "time", "datetime"}
DEFAULT_REFERENCE = datetime(2016, 11, 7)  # the corpus' own default, for examples without one
NOTHING = "nothing"  # an impossible date: reading none is right


@dataclass(frozen=True)
class Example:
    text: str
    reference: datetime  # naive: the corpus' wall time, read here in UTC
    kind: str  # date | time | datetime
    grain: str  # day | hour | minute
    accepted: frozenset[str]  # "YYYY-MM-DD", "HH:MM" or "YYYY-MM-DD HH:MM"
    lunar: bool = False  # the corpus marks the date as one of the Chinese lunar calendar


@dataclass(frozen=True)
class Reading:
    local: datetime  # the wall time read, in the reference's zone (UTC)
    has_time: bool


Reader = Callable[[str, datetime, str], Reading | None]


# --- the corpus -------------------------------------------------------------------------------


def examples(root: Path, lang: str) -> list[Example]:
    """The point-in-time examples of one language, each phrase and reference once."""
    if (root / "Duckling" / "Time").is_dir():
        return duckling_examples(root, lang)
    folder = _spec_folder(root) / LANGS[lang]
    seen: dict[tuple[str, datetime], Example] = {}
    for name in FILES:
        path = folder / f"{name}.json"
        if not path.exists():
            continue
        for case in json.loads(path.read_text(encoding="utf-8-sig")):
            reference = _reference(case)
            for result in case.get("Results") or []:
                for example in _from_result(result, reference):
                    seen.setdefault((example.text, example.reference), example)
    return list(seen.values())


_DUCKLING_REFERENCE = datetime(2013, 2, 12, 4, 30)  # Duckling's test context (a Tuesday)
_DUCKLING_BLOCK = re.compile(
    r"examples \((?:datetime|datetimeHoliday) \((\d+), (\d+), (\d+), (\d+), (\d+), (\d+)\) "
    r"(Second|Minute|Hour|Day)(?: \"[^\"]*\")?\)\s*\[(.*?)\n\s*\]",
    re.DOTALL,
)
_HASKELL_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def duckling_examples(root: Path, lang: str) -> list[Example]:
    """Duckling's corpus (Duckling/Time/{EN,ZH}/Corpus.hs): its main examples that name one
    second, minute, hour or day (not intervals), against its reference time."""
    source = (root / "Duckling" / "Time" / lang.upper() / "Corpus.hs").read_text(encoding="utf-8")
    main = source[source.index("allExamples =") :]
    found: dict[str, Example] = {}
    for block in _DUCKLING_BLOCK.finditer(main):
        year, month, day, hour, minute, _ = (int(part) for part in block.groups()[:6])
        grain = {"Second": "minute", "Minute": "minute", "Hour": "hour", "Day": "day"}[block[7]]
        moment = datetime(year, month, day, hour, minute)
        kind, accepted = (
            ("date", moment.strftime("%Y-%m-%d"))
            if grain == "day"
            else (
                "datetime",
                moment.strftime("%Y-%m-%d %H:%M"),
            )
        )
        for text in _HASKELL_STRING.findall(block[8]):
            text = text.replace('\\"', '"').replace("\\\\", "\\")
            found.setdefault(
                text, Example(text, _DUCKLING_REFERENCE, kind, grain, frozenset([accepted]))
            )
    return list(found.values())


TABLES_ZONE = "Asia/Shanghai"


def table_examples(lang: str) -> list[Example]:
    """coachbot's own tables (testkit/dates), read as the tests read them: for the cost per phrase
    on what reps type (their accuracy is the tests' business: all of them are right)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from testkit.dates import chinese, english

    rows = english.ENGLISH if lang == "en" else chinese.CHINESE
    reference = datetime(2027, 3, 10, 6, 20)  # the tables' NOW, in UTC
    found = []
    for text, local, has_time in rows:
        if local is None:
            continue
        moment = datetime.fromisoformat(local) - timedelta(hours=8)  # Shanghai wall time to UTC
        if not has_time:  # a day: 09:00 in Shanghai, the same day in UTC
            moment = datetime.fromisoformat(local)
        kind, shape = ("datetime", "%Y-%m-%d %H:%M") if has_time else ("date", "%Y-%m-%d")
        grain = "minute" if has_time else "day"
        found.append(Example(text, reference, kind, grain, frozenset([moment.strftime(shape)])))
    return found


def _spec_folder(root: Path) -> Path:
    for candidate in (root / "Specs" / "DateTime", root / "DateTime", root):
        if (candidate / "English").is_dir():
            return candidate
    sys.exit(f"no Specs/DateTime/English under {root}: give the Recognizers-Text checkout")


def _reference(case: dict[str, object]) -> datetime:
    context = case.get("Context")
    if isinstance(context, dict) and context.get("ReferenceDateTime"):
        return datetime.fromisoformat(str(context["ReferenceDateTime"])).replace(tzinfo=None)
    return DEFAULT_REFERENCE


def _from_result(result: dict[str, object], reference: datetime) -> Iterator[Example]:
    kind = str(result.get("TypeName") or result.get("Type") or "").removeprefix("datetimeV2.")
    text = str(result.get("Text") or "").strip()
    if kind not in POINT_TYPES or not text:
        return
    value = result.get("Value") or result.get("Resolution")
    if not isinstance(value, dict):
        return
    if "values" in value:  # a model's result: every reading it lists
        readings = [v for v in value["values"] if v.get("type") == kind and "value" in v]
        if not readings or any("Mod" in v for v in readings):
            return
        timex = str(readings[0].get("timex", ""))
        raw = [str(v["value"]) for v in readings]
        lunar = any(str(v.get("isLunar", "")).lower() == "true" for v in readings)
    else:  # a parser's result: its future and past readings
        lunar = False
        timex = str(value.get("Timex", ""))
        raw = [
            str(resolution[key])
            for resolution in (value.get("FutureResolution"), value.get("PastResolution"))
            if isinstance(resolution, dict)
            for key in ("date", "time", "dateTime")
            if resolution.get(key)
        ]
    accepted = frozenset(filter(None, (_accepted(kind, item) for item in raw)))
    if accepted:
        yield Example(text, reference, kind, _grain(kind, timex), accepted, lunar)


def _accepted(kind: str, value: str) -> str | None:
    if kind == "time":
        return value[:5] if value[2:3] == ":" else None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.year == 1:  # the corpus' "no such day" (30 Feb): reading nothing is right
        return NOTHING
    return moment.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M")


def _grain(kind: str, timex: str) -> str:
    if kind == "date":
        return "day"
    clock = timex.partition("T")[2]
    return "minute" if ":" in clock or not clock or not clock[:2].isdigit() else "hour"


def is_right(example: Example, reading: Reading | None) -> bool:
    if NOTHING in example.accepted:
        return reading is None
    if reading is None:
        return False
    day = _lunar_day(reading.local) if example.lunar else reading.local.strftime("%Y-%m-%d")
    if example.kind == "date":
        return not reading.has_time and day in example.accepted
    if not reading.has_time:
        return False
    if example.kind == "time":
        return reading.local.strftime("%H:%M") in example.accepted
    return f"{day} {reading.local:%H:%M}" in example.accepted


def _lunar_day(moment: datetime) -> str:
    """The corpus writes a lunar date in lunar numbers ("农历2015年十月初一" is 2015-10-01); a
    reading is a Gregorian day (2015-11-12), compared here in the corpus' own notation."""
    from lunardate import LunarDate

    try:
        lunar = LunarDate.from_solar_date(moment.year, moment.month, moment.day)
    except ValueError:  # beyond the tables (1900-2099)
        return moment.strftime("%Y-%m-%d")
    return f"{lunar.year:04d}-{lunar.month:02d}-{lunar.day:02d}"


# --- the readers ------------------------------------------------------------------------------


def coachbot_reader(zone: str = "UTC") -> Reader:
    """parse_when, the rep in ``zone``; readings in UTC, as the corpus' reference times are."""
    from dialogs.when import parse_when

    def read(text: str, reference: datetime, lang: str) -> Reading | None:
        when = parse_when(text, now=reference.replace(tzinfo=UTC), tz=zone, lang=lang)
        if when is None:
            return None
        return Reading(when.at.replace(tzinfo=None), when.has_time)

    return read


# Where the corpus' rep works: its reference times are wall times there. Recognizers-Text's English
# specs are US English (5/3 is 3 May), its Chinese ones mainland Chinese.
CORPUS_ZONES = {"en": "America/New_York", "zh": "Asia/Shanghai"}


def coachbot_rep_reader(zones: dict[str, str]) -> Reader:
    """parse_when, the rep in ``zones[lang]``: reference and reading are wall times there."""
    from zoneinfo import ZoneInfo

    from dialogs.when import parse_when

    def read(text: str, reference: datetime, lang: str) -> Reading | None:
        zone = ZoneInfo(zones[lang])
        when = parse_when(text, now=reference.replace(tzinfo=zone), tz=zone.key, lang=lang)
        if when is None:
            return None
        return Reading(when.at.astimezone(zone).replace(tzinfo=None), when.has_time)

    return read


def dateparser_reader() -> Reader:
    from dateparser.date import DateDataParser

    def read(text: str, reference: datetime, lang: str) -> Reading | None:
        settings = {
            "RELATIVE_BASE": reference,
            "PREFER_DATES_FROM": "future",
            "RETURN_TIME_AS_PERIOD": True,
        }
        try:
            data = DateDataParser(languages=["en", "zh"], settings=settings).get_date_data(text)
        except Exception:
            return None
        if data.date_obj is None or data.period not in ("time", "day"):
            return None
        return Reading(data.date_obj.replace(tzinfo=None), data.period == "time")

    return read


def recognizers_reader() -> Reader:
    """Microsoft's Python port (recognizers-text-date-time 1.0.2a2; needs emoji<1)."""
    from recognizers_date_time import DateTimeRecognizer
    from recognizers_text import Culture

    models = {
        "en": DateTimeRecognizer(Culture.English).get_datetime_model(),
        "zh": DateTimeRecognizer(Culture.Chinese).get_datetime_model(),
    }

    def read(text: str, reference: datetime, lang: str) -> Reading | None:
        try:
            results = models[lang].parse(text, reference)
        except Exception:
            return None
        for result in results:
            kind = result.type_name.removeprefix("datetimeV2.")
            values = [v for v in (result.resolution or {}).get("values", []) if "value" in v]
            if kind not in POINT_TYPES or not values:
                continue
            value = values[-1]["value"]  # the future reading comes last
            try:
                if kind == "time":
                    clock = datetime.strptime(value, "%H:%M:%S").time()
                    return Reading(datetime.combine(reference.date(), clock), True)
                return Reading(datetime.fromisoformat(value), kind == "datetime")
            except ValueError:  # "not resolved"
                return None
        return None

    return read


def jionlp_reader() -> Reader:
    """jionlp's time parser (Chinese only; English text is refused)."""
    import jionlp

    def read(text: str, reference: datetime, lang: str) -> Reading | None:
        try:
            result = jionlp.parse_time(text, time_base=reference.timestamp())
        except Exception:
            return None
        if not result or result.get("type") != "time_point":
            return None
        try:
            start, end = (datetime.fromisoformat(moment) for moment in result["time"][:2])
        except ValueError:  # a year before 1000
            return None
        whole_day = start.time() == datetime.min.time() and (end - start).total_seconds() >= 86399
        return Reading(start, not whole_day)

    return read


READERS: dict[str, Callable[[], Reader]] = {
    "coachbot": coachbot_reader,
    "dateparser": dateparser_reader,
    "recognizers": recognizers_reader,
    "jionlp": jionlp_reader,
}


# --- the run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "corpus",
        type=Path,
        help="a Recognizers-Text or Duckling checkout, or 'tables' for coachbot's own test tables",
    )
    parser.add_argument("--parser", choices=sorted(READERS), default="coachbot")
    parser.add_argument("--lang", choices=sorted(LANGS), action="append")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses per lang")
    parser.add_argument(
        "--zone",
        help="coachbot only: the rep's IANA zone for every language (default: the corpus' own, "
        + ", ".join(f"{lang} {zone}" for lang, zone in CORPUS_ZONES.items())
        + "; UTC reads English d/m day first)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    tables = str(args.corpus) == "tables"
    if tables:
        read = coachbot_reader(TABLES_ZONE)
    elif args.parser == "coachbot":
        zones = dict.fromkeys(LANGS, args.zone) if args.zone else CORPUS_ZONES
        read = coachbot_rep_reader(zones)
    else:
        read = READERS[args.parser]()
    print(f"{args.parser}: import and set-up {1000 * (time.perf_counter() - started):.0f} ms")
    for lang in args.lang or sorted(LANGS):
        cases = table_examples(lang) if tables else examples(args.corpus, lang)
        right: Counter[str] = Counter()
        total: Counter[str] = Counter()
        costs: list[float] = []
        cpu: list[float] = []
        misses: list[tuple[Example, Reading | None]] = []
        for example in cases:
            read(example.text, example.reference, lang)  # warm: caches and lazy tables
            start, start_cpu = time.perf_counter(), time.thread_time()
            reading = read(example.text, example.reference, lang)
            costs.append(1000 * (time.perf_counter() - start))
            cpu.append(1000 * (time.thread_time() - start_cpu))
            total[example.grain] += 1
            if is_right(example, reading):
                right[example.grain] += 1
            else:
                misses.append((example, reading))
        cells = [
            f"{grain} {right[grain]}/{total[grain]} {100 * right[grain] / total[grain]:.1f}%"
            for grain in ("day", "hour", "minute")
            if total[grain]
        ]
        everything = sum(total.values())
        costs.sort()
        cpu.sort()
        p99 = costs[int(0.99 * (len(costs) - 1))]
        cpu_p99 = cpu[int(0.99 * (len(cpu) - 1))]
        print(
            f"{lang}: {' · '.join(cells)} · all {sum(right.values())}/{everything} "
            f"{100 * sum(right.values()) / max(everything, 1):.1f}% · per phrase "
            f"p50 {statistics.median(costs):.2f} ms p99 {p99:.2f} ms "
            f"(CPU p50 {statistics.median(cpu):.2f} ms p99 {cpu_p99:.2f} ms)"
        )
        for example, reading in misses[: args.misses]:
            got = "-" if reading is None else f"{reading.local:%Y-%m-%d %H:%M} {reading.has_time}"
            print(
                f"  miss {example.text!r} @ {example.reference:%Y-%m-%d %H:%M} "
                f"[{example.grain}] want {sorted(example.accepted)} got {got}"
            )


if __name__ == "__main__":
    main()
