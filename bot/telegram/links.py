"""Telegram's deep links: how an invite code reaches a rep as something to tap.

Storage keeps only the code (``coaching.teams.Invite``); the link's format is Telegram's business.
"""

from __future__ import annotations


def invite_link(code: str, bot_username: str | None) -> str:
    """The deep link a rep opens; without a known bot name, the ``/start`` line to type."""
    if bot_username:
        return f"https://t.me/{bot_username}?start={code}"
    return f"/start {code}"


__all__ = ["invite_link"]
