"""What ``/tz`` understands: the zone a rep means, typed as they would type it.

Case, spaces and full-width characters do not matter. Understood, in this order:

- common cities in English and Chinese, many not in the tz database ("Beijing", "深圳", "Munich",
  "Mumbai", "旧金山"), and "北京时间";
- IANA names ("Europe/Berlin", "europe/berlin") and their last part ("Berlin", "new york",
  "ho chi minh");
- UTC offsets ("UTC+8", "GMT-5", "+08:00", "UTC+5:30", "UTC", "Z") and "东八区"/"西五区"
  (东 is east of Greenwich, +). A whole-hour offset is an ``Etc/GMT`` zone (whose sign is
  inverted: UTC+8 is "Etc/GMT-8"); a half or three-quarter hour is a real zone that keeps it, if
  any; offsets beyond -12..+14 are nobody's.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import available_timezones

from dialogs.types import Lang
from dialogs.zones import zone_of

_MAX_INPUT = 100  # nobody's zone is longer
_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe"}
    | {"Indian", "Pacific"}
)

_CHINA = "Asia/Shanghai"
_INDIA = "Asia/Kolkata"

# Cities reps name that the tz database does not (or names differently), by their zone.
_CITIES_BY_ZONE: dict[str, tuple[str, ...]] = {
    _CHINA: (
        "beijing", "peking", "北京", "shanghai", "上海", "shenzhen", "深圳", "guangzhou", "canton",
        "广州", "chengdu", "成都", "hangzhou", "杭州", "chongqing", "重庆", "nanjing", "南京",
        "wuhan", "武汉", "xian", "xi'an", "西安", "tianjin", "天津", "suzhou", "苏州", "changsha",
        "长沙", "zhengzhou", "郑州", "qingdao", "青岛", "xiamen", "厦门", "ningbo", "宁波",
        "dongguan", "东莞", "foshan", "佛山", "hefei", "合肥", "jinan", "济南", "shenyang", "沈阳",
        "dalian", "大连", "harbin", "哈尔滨", "kunming", "昆明", "fuzhou", "福州", "wuxi", "无锡",
        "中国", "china", "北京时间", "中国时间",
    ),
    "Asia/Hong_Kong": ("hong kong", "hongkong", "hk", "香港"),
    "Asia/Macau": ("macau", "macao", "澳门"),
    "Asia/Taipei": ("taipei", "台北", "臺北"),
    "Asia/Tokyo": ("tokyo", "东京", "osaka", "大阪", "japan", "日本"),
    "Asia/Seoul": ("seoul", "首尔", "汉城", "korea", "韩国"),
    "Asia/Singapore": ("singapore", "新加坡"),
    "Asia/Bangkok": ("bangkok", "曼谷"),
    "Asia/Kuala_Lumpur": ("kuala lumpur", "kl", "吉隆坡"),
    "Asia/Jakarta": ("jakarta", "雅加达"),
    "Asia/Ho_Chi_Minh": (
        "hanoi", "河内", "ho chi minh city", "saigon", "胡志明市", "胡志明", "西贡", "vietnam",
        "越南",
    ),
    "Asia/Manila": ("manila", "马尼拉"),
    "Australia/Sydney": ("sydney", "悉尼"),
    "Australia/Melbourne": ("melbourne", "墨尔本"),
    "Australia/Brisbane": ("brisbane", "布里斯班"),
    "Australia/Perth": ("perth", "珀斯"),
    "Pacific/Auckland": ("auckland", "奥克兰"),
    "Asia/Dubai": ("dubai", "迪拜", "abu dhabi", "阿布扎比"),
    "Asia/Riyadh": ("riyadh", "利雅得"),
    "Europe/Istanbul": ("istanbul", "伊斯坦布尔"),
    "Europe/Moscow": ("moscow", "莫斯科"),
    "Europe/London": ("london", "伦敦", "manchester", "曼彻斯特"),
    "Europe/Paris": ("paris", "巴黎"),
    "Europe/Berlin": (
        "berlin", "柏林", "munich", "münchen", "muenchen", "慕尼黑", "frankfurt", "法兰克福",
        "hamburg", "汉堡", "cologne", "köln", "科隆", "düsseldorf", "dusseldorf", "杜塞尔多夫",
        "stuttgart", "斯图加特",
    ),
    "Europe/Madrid": ("madrid", "马德里", "barcelona", "巴塞罗那"),
    "Europe/Rome": ("rome", "罗马", "milan", "米兰"),
    "Europe/Amsterdam": ("amsterdam", "阿姆斯特丹"),
    "Europe/Zurich": ("zurich", "zürich", "苏黎世", "geneva", "日内瓦"),
    "Europe/Vienna": ("vienna", "维也纳"),
    "Europe/Brussels": ("brussels", "布鲁塞尔"),
    "America/New_York": (
        "new york", "new york city", "nyc", "纽约", "washington", "washington dc", "华盛顿",
        "boston", "波士顿", "miami", "迈阿密",
    ),
    "America/Los_Angeles": (
        "los angeles", "洛杉矶", "san francisco", "旧金山", "三藩市", "seattle", "西雅图",
        "silicon valley", "硅谷", "san jose",
    ),
    "America/Chicago": ("chicago", "芝加哥", "houston", "休斯顿", "dallas", "达拉斯"),
    "America/Toronto": ("toronto", "多伦多", "montreal", "蒙特利尔"),
    "America/Vancouver": ("vancouver", "温哥华"),
    "America/Mexico_City": ("mexico city", "墨西哥城"),
    "America/Sao_Paulo": ("sao paulo", "são paulo", "圣保罗"),
    _INDIA: (
        "mumbai", "bombay", "孟买", "delhi", "new delhi", "德里", "新德里", "bangalore",
        "bengaluru", "班加罗尔", "chennai", "hyderabad", "pune", "india", "印度",
    ),
}  # fmt: skip

# Offsets that are not whole hours, by minutes east of UTC: a real zone that keeps them.
_ODD_OFFSETS = {
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    9 * 60 + 30: "Australia/Darwin",
    3 * 60 + 30: "Asia/Tehran",
    -(3 * 60 + 30): "America/St_Johns",
    6 * 60 + 30: "Asia/Yangon",
    4 * 60 + 30: "Asia/Kabul",
    10 * 60 + 30: "Australia/Lord_Howe",
    12 * 60 + 45: "Pacific/Chatham",
    -(9 * 60 + 30): "Pacific/Marquesas",
}
_MIN_OFFSET, _MAX_OFFSET = -12 * 60, 14 * 60

_OFFSET = re.compile(
    r"(?:utc|gmt)?(?P<sign>[+-])(?P<h>[0-9]{1,2})(?:(?::|\.|h)?(?P<m>[0-9]{2}))?(?:h|小时)?"
)
_ZH_BAND = re.compile(r"(?P<side>[东西])(?P<n>[0-9]{1,2}|[一二三四五六七八九十]{1,3})区")
_UTC_WORDS = frozenset({"utc", "gmt", "z", "zulu", "零时区", "中时区"})
_ZH_DIGITS = {char: n for n, char in enumerate("零一二三四五六七八九")}
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "﹣": "-", "_": " "})
_SUFFIXES = (" time", " timezone", " time zone", "时间", "时区", "标准时间", "市")


def parse_zone(text: str) -> str | None:
    """The IANA name for the zone a rep typed, or None when it names no zone."""
    if len(text) > _MAX_INPUT:
        return None
    phrase = _normalise(text)
    if not phrase:
        return None
    for candidate in _variants(phrase):
        found = _by_offset(candidate) or _by_name(candidate)
        if found:
            return found
    return None


def describe_zone(tz: str, now: datetime, lang: Lang) -> str:
    """What the bot says back: the zone, its offset now and the time there, so a rep can check.

    en "Europe/Berlin (UTC+01:00), it is 10:43 there now"; zh "Europe/Berlin（UTC+01:00），当地现在
    10:43". An ``Etc/GMT-8`` zone (or UTC) is shown by its offset alone: its sign reads backwards.
    """
    zone = zone_of(tz)
    local = (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).astimezone(zone)
    offset = _format_offset(local.utcoffset() or timedelta(0))
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if _by_offset_only(zone.key):
        return (
            f"{offset}, it is {clock} there now" if lang == "en" else f"{offset}，当地现在 {clock}"
        )
    if lang == "en":
        return f"{zone.key} ({offset}), it is {clock} there now"
    return f"{zone.key}（{offset}），当地现在 {clock}"


# --- reading --------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Half-width, lower case, no accents, one space at most, none around Chinese or signs."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_DASHES)
    text = re.sub(r"\s+", " ", text).strip(" .,;:!?。，、；！？~")
    text = re.sub(r"\s*([\u3400-\u9fff+\-/:])\s*", r"\1", text)
    return text


def _variants(phrase: str) -> tuple[str, ...]:
    """The phrase, then without a trailing "time"/"时间"/"市" ("Tokyo time", "深圳市")."""
    variants = [phrase]
    for suffix in _SUFFIXES:
        if phrase.endswith(suffix) and len(phrase) > len(suffix):
            variants.append(phrase.removesuffix(suffix).strip())
    return tuple(variants)


def _key(name: str) -> str:
    """A lookup key: accents, case, spaces, "_" and "-" do not matter ("Port-au-Prince")."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return re.sub(r"[\s_\-']+", " ", unicodedata.normalize("NFKC", plain)).strip()


@cache
def _names() -> dict[str, str]:
    """Every key a rep may type for a named zone: the table, IANA names, their last part."""
    names: dict[str, str] = {}
    zones = sorted(available_timezones(), key=lambda zone: (-zone.count("/"), zone))
    for zone in zones:  # a city's deepest name wins: America/Argentina/Cordoba
        if zone.split("/")[0] in _REGIONS:
            names.setdefault(_key(zone.rsplit("/", 1)[-1]), zone)
    for zone in zones:
        names[_key(zone)] = zone
    for zone, cities in _CITIES_BY_ZONE.items():
        names.update((_key(city), zone) for city in cities)
    return names


def _by_name(phrase: str) -> str | None:
    return _names().get(_key(phrase))


def _by_offset(phrase: str) -> str | None:
    """A zone for an offset; tried before names, so "GMT+0" is UTC, not the legacy "GMT+0"."""
    if phrase in _UTC_WORDS:
        return "UTC"
    if match := _OFFSET.fullmatch(phrase):
        sign = -1 if match["sign"] == "-" else 1
        minutes = int(match["m"] or 0)
        if minutes >= 60:
            return None
        return _zone_for_offset(sign * (int(match["h"]) * 60 + minutes))
    if match := _ZH_BAND.fullmatch(phrase):
        hours = _zh_number(match["n"])
        if hours is None:
            return None
        return _zone_for_offset((1 if match["side"] == "东" else -1) * hours * 60)
    return None


def _zone_for_offset(minutes: int) -> str | None:
    """An IANA zone at ``minutes`` east of UTC: Etc/GMT∓h for whole hours, else a real one."""
    if not _MIN_OFFSET <= minutes <= _MAX_OFFSET:
        return None
    if minutes == 0:
        return "UTC"
    if minutes % 60:
        return _ODD_OFFSETS.get(minutes)
    hours = minutes // 60
    return f"Etc/GMT{-hours:+d}"  # Etc signs are POSIX: east of Greenwich is negative


def _zh_number(text: str) -> int | None:
    """0 to 19 in digits or Chinese: "8", "八", "十二"."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _ZH_DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if tens or len(ones) > 1:
        return None
    if not ones:
        return 10
    return 10 + _ZH_DIGITS[ones] if ones in _ZH_DIGITS else None


# --- saying ---------------------------------------------------------------------------------------


def _by_offset_only(name: str) -> bool:
    """Whether a zone's name says nothing but its offset (and Etc/GMT-8 says it backwards)."""
    return name.startswith("Etc/") or name in {"UTC", "GMT", "UCT", "Zulu", "Universal"}


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"
