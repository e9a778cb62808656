"""Who a user is: a platform and that platform's id, stored as one key (``"tg:123"``).

The key is how storage names a user (``user.key``) and how the adapters find the chat to answer
in; this module is the one place that writes and reads it. A console user is
``console:NAME``, a Telegram user ``tg:ID`` (their private chat has the same id).
"""

from __future__ import annotations

from dataclasses import dataclass

TELEGRAM = "tg"
CONSOLE = "console"


@dataclass(frozen=True)
class UserRef:
    platform: str
    id: str

    @classmethod
    def parse(cls, key: str) -> UserRef | None:
        """The stored key read back; None when it names no platform or no id."""
        platform, colon, ident = key.partition(":")
        return cls(platform, ident) if colon and platform and ident else None

    @classmethod
    def telegram(cls, user_id: int) -> UserRef:
        return cls(TELEGRAM, str(user_id))

    @staticmethod
    def prefix(platform: str) -> str:
        """What every stored key of ``platform``'s users starts with (to select them in SQL)."""
        return f"{platform}:"

    @property
    def chat_id(self) -> int | None:
        """The Telegram user's id, which is also their private chat's; None for another
        platform's user (or an id that is not a number)."""
        if self.platform != TELEGRAM or not (self.id.isascii() and self.id.isdigit()):
            return None
        return int(self.id)

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"


TELEGRAM_KEYS = UserRef.prefix(TELEGRAM)
"""The start of every Telegram user's key (``"tg:"``)."""


def telegram_chat(key: str) -> int | None:
    """The Telegram chat of the stored key ``key`` (``tg:42`` → 42); None for a console user."""
    ref = UserRef.parse(key)
    return ref.chat_id if ref is not None else None


__all__ = ["CONSOLE", "TELEGRAM", "TELEGRAM_KEYS", "UserRef", "telegram_chat"]
