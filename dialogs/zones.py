"""The one way to turn a stored zone name into a zone.

A zone name comes from a rep, a team or the settings and was checked when it was set; should one
still not be in this machine's tz database (an older tzdata, a hand-edited row), the coach works
in UTC rather than failing a turn, a reminder or a summary.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo


def zone_of(tz: str) -> ZoneInfo:
    """The zone named ``tz``; a name the tz database does not know is UTC."""
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")


__all__ = ["zone_of"]
