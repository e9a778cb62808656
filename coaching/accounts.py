"""A user's account: the language and time zone a rep is answered in, and whether the bot may
still write to them.

The rules the adapters shared (Telegram's coach, account, team gate and runner, the console):
what is stored wins, else the default the adapter knows (Telegram's language, the deployment's
zone); a block is recorded only for a user the bot knows (a stranger's refusal keeps nothing);
a console rep's first visit starts in the deployment's zone and language. The database is
reached through the ``UserAccounts`` port, which ``storage.store.Store`` satisfies.
"""

from __future__ import annotations

from coaching.ports import UserAccounts
from dialogs.types import Lang, lang_of


class Accounts:
    def __init__(self, users: UserAccounts) -> None:
        self.users = users

    def who(self, key: str, lang: Lang, tz: str) -> tuple[Lang, str]:
        """The user's language and zone as stored; ``lang`` and ``tz`` when nothing is."""
        known = self.users.user(key)
        if known is None:
            return lang, tz
        return lang_of(known.lang), known.tz

    def language(self, key: str, default: Lang) -> Lang:
        """The user's language as stored; ``default`` when nothing is."""
        known = self.users.user(key)
        return default if known is None else lang_of(known.lang)

    def zone(self, key: str, default: str) -> str:
        """The user's time zone as stored; ``default`` when nothing is."""
        known = self.users.user(key)
        return default if known is None else known.tz

    def set_language(self, key: str, lang: str) -> None:
        """The language of every later reply (the user is created when missing)."""
        self.users.set_language(key, lang)

    def set_active(self, key: str, active: bool) -> bool:
        """The user blocked the bot (False) or came back (True); recorded only for a user the
        bot knows — a stranger's refusal keeps nothing. True when it was recorded."""
        if self.users.user(key) is None:
            return False
        self.users.set_active(key, active)
        return True

    def welcome(self, key: str, *, lang: str, tz: str, chosen: str | None = None) -> str:
        """A console rep opens a session: on the first visit they start in ``lang`` and ``tz``
        (the deployment's); ``chosen`` (asked for on the command line) replaces the stored
        language. Returns the language the session is in."""
        known = self.users.user(key)
        if known is None:
            self.users.set_timezone(key, tz)
            self.users.set_language(key, lang)
        if chosen:
            self.users.set_language(key, chosen)
        return chosen or (known.lang if known else lang)


__all__ = ["Accounts"]
