"""The rep's own settings and reminders on Telegram: /followups, /tz, /pause, /settings, the
buttons under a reminder, and the reply that names a snooze time.

``ReminderDesk`` decides everything; this module only turns Telegram input into its calls and
its ``Outcome`` into messages. The database calls block, so the coach runs them in a thread,
under the rep's lock, like a turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.telegram.callbacks import PauseData, ReminderData, SettingData, Switch
from bot.telegram.render import Button, Keyboard, Outgoing, nudge_keyboard, render_turn
from coaching.accounts import Accounts
from coaching.reminders import Outcome, ReminderDesk
from dialogs.types import Lang
from storage.store import Store

ACCOUNT_COMMANDS = frozenset({"followups", "tz", "pause", "settings"})
ASKED_REF = re.compile(r"#(\d{1,12})\b")
"""The reminder a "When shall I remind you … (#12)?" question is about."""
AccountTap = ReminderData | SettingData | PauseData


@dataclass(frozen=True)
class Shown:
    """What to show for one input: messages to send, or an edit of the tapped message."""

    send: tuple[Outgoing, ...] = ()
    edit: Outgoing | None = None
    start: str | None = None
    ask_time: bool = False


class Account:
    def __init__(
        self,
        desk: ReminderDesk,
        store: Store,
        clock: Callable[[], datetime],
        default_tz: str,
    ) -> None:
        self._desk = desk
        self._store = store
        self._accounts = Accounts(store)
        self._clock = clock
        self._default_tz = default_tz

    def _who(self, key: str, lang: Lang) -> tuple[Lang, str]:
        return self._accounts.who(key, lang, self._default_tz)

    def seen(self, update_id: int | None) -> bool:
        return update_id is not None and self._desk.reminders.seen("telegram", str(update_id))

    # --- commands -----------------------------------------------------------------------------

    def command(self, key: str, lang: Lang, name: str, arg: str) -> Shown:
        lang, tz = self._who(key, lang)
        now = self._clock()
        desk = self._desk
        if name == "followups":
            replies = desk.follow_ups(key, lang=lang, tz=tz, now=now)
            return Shown(tuple(render_turn(replies, desk.messages, lang)))
        if name == "tz":
            return _text(desk.change_zone(self._store, key, arg, lang=lang, tz=tz, now=now))
        if name == "pause":
            return Shown((_outgoing(desk.pause(key, arg, lang=lang, tz=tz, now=now)),))
        return Shown((_outgoing(desk.settings(key, lang=lang, tz=tz, now=now)),))

    # --- taps ---------------------------------------------------------------------------------

    def tap(self, key: str, lang: Lang, tap: AccountTap, update_id: int | None) -> Shown:
        if self.seen(update_id):
            return Shown()  # a redelivered tap: it was applied and answered the first time
        lang, tz = self._who(key, lang)
        now = self._clock()
        desk = self._desk
        if isinstance(tap, ReminderData):
            outcome = desk.act(
                key, tap.ref, tap.version, tap.action, lang=lang, tz=tz, now=now,
                source="telegram", external_id=None if update_id is None else str(update_id),
            )  # fmt: skip
            if outcome.ask_time:
                return Shown((Outgoing(outcome.text),), ask_time=True)
            return Shown(edit=_outgoing(outcome), start=outcome.start)
        if isinstance(tap, SettingData):
            return Shown(
                edit=_outgoing(desk.switch(key, tap.kind, tap.on, lang=lang, tz=tz, now=now))
            )
        outcome = desk.pause_follow_ups(key, tap.hold, lang=lang, tz=tz, now=now)
        return Shown(edit=Outgoing(outcome.text))

    def snooze_reply(
        self, key: str, lang: Lang, asked: str, words: str, update_id: int | None
    ) -> Shown | None:
        """A reply to "When shall I remind you (#12)?"; None when it replies to something else."""
        found = ASKED_REF.search(asked)
        if found is None:
            return None
        if self.seen(update_id):
            return Shown()
        lang, tz = self._who(key, lang)
        outcome = self._desk.snooze_in_words(
            key, int(found[1]), words, lang=lang, tz=tz, now=self._clock(),
            source="telegram", external_id=None if update_id is None else str(update_id),
        )  # fmt: skip
        return Shown((Outgoing(outcome.text),))


def _text(text: str) -> Shown:
    return Shown((Outgoing(text),))


def _outgoing(outcome: Outcome) -> Outgoing:
    """An outcome's text with its buttons: a reminder's own, or toggles and choices."""
    if outcome.ref and outcome.actions:
        return Outgoing(outcome.text, nudge_keyboard(outcome.ref, outcome.version, outcome.actions))
    rows: list[tuple[Button, ...]] = []
    for action in outcome.actions:
        if action.id in ("keep", "hold"):
            choice: Literal["keep", "hold"] = "hold" if action.id == "hold" else "keep"
            rows.append((Button(action.label, PauseData(choice=choice).pack()),))
        elif ":" in action.id:
            kind, state = action.id.split(":", 1)
            switch: Switch = "on" if state == "on" else "off"
            rows.append((Button(action.label, SettingData(kind=kind, state=switch).pack()),))
    keyboard: Keyboard = tuple(rows)
    return Outgoing(outcome.text, keyboard)


__all__ = ["ACCOUNT_COMMANDS", "Account", "AccountTap", "Shown"]
