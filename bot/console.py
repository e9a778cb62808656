"""``coachbot chat``: the coach in a terminal, on the same engine and database as the Telegram bot.

Works interactively and with piped standard input, so a whole session can be scripted; every
answer is committed before the next question is printed, so killing the process loses nothing.

Reminders work here too: before each prompt the console ticks its own ``ReminderDesk`` (users
``console:*``) and prints the rep's reminders that came due, each with the commands that act on it
(``/done N``, ``/snooze N <when>``, ``/drop N``). ``/followups``, ``/tz``, ``/pause`` and
``/settings`` are the console's own commands, like the Telegram bot's, handled before the engine.
"""

from __future__ import annotations

import getpass
import html
import re
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, TextIO

from markupsafe import Markup

from bot.llm_buyer import LlmBuyer
from coaching.accounts import Accounts
from coaching.conversations import Conversations, command_event, open_chat
from coaching.users import CONSOLE, UserRef
from dialogs.catalog import Catalog
from dialogs.engine import step
from dialogs.state import Conversation
from dialogs.types import Ask, Event, Lang, Nudge, Reply, TextIn, lang_of

if TYPE_CHECKING:
    from coaching.ports import Profile
    from coaching.reminders import Outcome, ReminderDesk
    from config import Settings
    from storage.store import Store

QUIT_COMMANDS = frozenset({"quit", "exit", "q"})
REMINDER_COMMANDS = frozenset({"followups", "done", "snooze", "drop", "tz", "pause", "settings"})
"""The console's own reminder commands, answered without the engine."""
PRIVACY_COMMANDS = frozenset({"export", "deleteme"})
"""The rep's own data, as in Telegram: everything kept about them, or delete it all."""
YES = frozenset({"1", "y", "yes", "是"})
_TAG = re.compile(r"<[^>]+>")


def to_plain(text: str) -> str:
    """Telegram-HTML reply text as a terminal shows it."""
    return html.unescape(_TAG.sub("", text))


def system_clock() -> datetime:
    return datetime.now(UTC)


def read_event(line: str, catalog: Catalog) -> Event | None:
    """A typed line as an engine event; None for /quit."""
    text = line.strip()
    if not text.startswith("/") or len(text) < 2:
        return TextIn(line.rstrip("\r\n"))
    name, _, arg = text[1:].partition(" ")
    name = name.lower()
    if name in QUIT_COMMANDS:
        return None
    return command_event(name, arg.strip(), catalog.scripts)


def read_reminder_command(line: str) -> tuple[str, str] | None:
    """A typed ``/followups``, ``/done 3``, ``/tz Berlin`` … as (name, argument); None otherwise."""
    text = line.strip()
    if not text.startswith("/"):
        return None
    name, _, arg = text[1:].partition(" ")
    name = name.lower()
    return (name, arg.strip()) if name in REMINDER_COMMANDS else None


def privacy(
    name: str,
    store: Store,
    key: str,
    lang: Lang,
    catalog: Catalog,
    ask: Callable[[str], str],
    now: datetime,
) -> tuple[str, bool]:
    """``/export`` (the JSON the bot sends as a file) or ``/deleteme`` (asks first: ``ask``
    shows the question and reads the answer): the text to print, and whether the session ends
    (nobody is left to talk to)."""
    import json

    from storage.privacy import delete_user, export_user

    say = catalog.messages.render
    if name == "export":
        data = export_user(store, key, now=now)
        if data is None:
            return to_plain(say("tg_nothing_kept", lang)), False
        return json.dumps(data, ensure_ascii=False, indent=2), False
    yes, no = to_plain(say("tg_delete_yes", lang)), to_plain(say("tg_delete_no", lang))
    answer = ask(f"{to_plain(say('tg_delete_confirm', lang))}\n  1. {yes}\n  2. {no}")
    if answer.strip().casefold() not in {*YES, yes.casefold()}:
        return to_plain(say("tg_delete_kept", lang)), False
    delete_user(store, key, now=now)
    return to_plain(say("tg_deleted", lang)), True


class ConsoleReminders:
    """The console's side of reminders: prints what came due and answers the rep's commands.

    ``ReminderDesk`` decides everything; this only turns its replies and outcomes into lines."""

    def __init__(self, desk: ReminderDesk, store: Store, key: str, *, lang: Lang, tz: str) -> None:
        self.desk = desk
        self.store = store
        self.accounts = Accounts(store)
        self.key = key
        self._lang: Lang = lang
        self._tz = tz

    def who(self) -> tuple[Lang, str]:
        """The rep's language and zone as stored now (``/tz`` and ``/lang`` change them)."""
        return self.accounts.who(self.key, self._lang, self._tz)

    def deliver(self, now: datetime) -> str:
        """Tick, then print this rep's reminders not yet shown (also those another console
        claimed for this rep), and mark them sent. Empty when nothing came due."""
        self.desk.tick(now)
        due = [
            (oid, reply) for oid, reply in self.store.unsent(self.key) if isinstance(reply, Nudge)
        ]
        if not due:
            return ""
        lang, _ = self.who()
        text = "\n\n".join(self.nudge(reply, lang) for _, reply in due)
        self.store.mark_sent([oid for oid, _ in due], now=now)
        return "\n" + text

    def nudge(self, reply: Nudge, lang: Lang) -> str:
        actions = self.desk.messages.render("rem_console_actions", lang, ref=reply.ref)
        return f"{to_plain(reply.text)}\n{to_plain(actions)}"

    def command(self, name: str, arg: str, now: datetime) -> str:
        """One of ``REMINDER_COMMANDS``, answered as plain text."""
        lang, tz = self.who()
        desk, key = self.desk, self.key
        if name == "followups":
            replies = desk.follow_ups(key, lang=lang, tz=tz, now=now)
            return "\n\n".join(
                self.nudge(reply, lang) if isinstance(reply, Nudge) else to_plain(reply.text)
                for reply in replies
            )
        if name in ("done", "drop", "snooze"):
            number, _, words = arg.partition(" ")
            ref = number.removeprefix("#")
            if not ref.isdigit() or (name == "snooze" and not words.strip()):
                return self._say("rem_console_usage", lang)
            if name == "snooze":
                outcome = desk.snooze_in_words(key, int(ref), words, lang=lang, tz=tz, now=now)
            else:
                action = "done" if name == "done" else "cancel"
                outcome = desk.act(key, int(ref), None, action, lang=lang, tz=tz, now=now)
            return to_plain(outcome.text)
        if name == "tz":
            return to_plain(desk.change_zone(self.store, key, arg, lang=lang, tz=tz, now=now))
        if name == "pause":
            answer = arg.casefold()
            if answer in ("keep", "hold"):
                hold = answer == "hold"
                outcome = desk.pause_follow_ups(key, hold, lang=lang, tz=tz, now=now)
            else:
                outcome = desk.pause(key, arg, lang=lang, tz=tz, now=now)
            return self._outcome(outcome)
        kind, _, state = arg.partition(" ")
        if kind and state.strip().lower() in ("on", "off"):
            on = state.strip().lower() == "on"
            return self._outcome(desk.switch(key, kind, on, lang=lang, tz=tz, now=now))
        return self._outcome(desk.settings(key, lang=lang, tz=tz, now=now))

    def _outcome(self, outcome: Outcome) -> str:
        """An outcome's text, its buttons as the commands that do the same."""
        lines = [to_plain(outcome.text)]
        for action in outcome.actions:
            if action.id in ("keep", "hold"):
                lines.append(f"  /pause {action.id}: {to_plain(action.label)}")
            elif ":" in action.id:
                kind, state = action.id.split(":", 1)
                lines.append(f"  {to_plain(action.label)}  (/settings {kind} {state})")
        return "\n".join(lines)

    def _say(self, key: str, lang: Lang) -> str:
        return to_plain(self.desk.messages.render(key, lang))


def render(replies: Iterable[Reply], catalog: Catalog, lang: str) -> str:
    lines: list[str] = []
    for reply in replies:
        if not isinstance(reply, Ask):
            lines.append(to_plain(reply.text))
            continue
        lines.append("")
        if reply.progress:
            lines.append(f"[{to_plain(reply.progress)}]")
        lines.append(to_plain(reply.text))
        if reply.kind == "confirm":  # "I read that as … — right?": type yes, or a label
            lines.append("  " + "  ".join(f"[{to_plain(c.label)}]" for c in reply.choices))
        choices = () if reply.kind in ("scale", "confirm") else reply.choices  # hint: the range
        for number, choice in enumerate(choices, start=1):
            mark = "[x] " if choice.selected else ""
            lines.append(f"  {number}. {mark}{to_plain(choice.label)}")
        if reply.hint:
            lines.append(f"  ({to_plain(reply.hint)})")
        if reply.current:
            answer = Markup(reply.current)  # already escaped by the engine
            lines.append(to_plain(catalog.messages.render("console_current", lang, answer=answer)))
    return "\n".join(lines)


def run_console(
    settings: Settings,
    *,
    user: str | None = None,
    lang: str | None = None,
    script: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    clock: Callable[[], datetime] = system_clock,
) -> int:
    """Chat until /quit or end of input. Returns the exit status."""
    from coaching.reminders import ReminderDesk
    from coaching_scripts import load_catalog
    from reminders.policy import Policy
    from storage.db import make_engine
    from storage.migrate import upgrade
    from storage.reminders import Reminders
    from storage.store import Profile, Store

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    catalog = load_catalog(settings.scripts_dir)
    if script and script not in catalog.scripts:
        available = ", ".join(catalog.scripts)
        print(f"coachbot: no script {script!r}; available: {available}", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    store = Store(engine, partial(step, catalog))
    name = user or _default_user()
    key = str(UserRef(CONSOLE, name))
    profile = Profile(
        key=key, display_name=name, lang=lang or settings.language, tz=settings.timezone
    )
    current_lang = Accounts(store).welcome(key, lang=profile.lang, tz=profile.tz, chosen=lang)
    interactive = stdin.isatty()
    desk = ReminderDesk(
        Reminders(engine), catalog.messages, Policy(), key_prefix=UserRef.prefix(CONSOLE)
    )
    rep_lang = lang_of(current_lang)
    reminders = ConsoleReminders(desk, store, key, lang=rep_lang, tz=profile.tz)

    buyer = LlmBuyer.from_settings(settings, catalog)
    voice = None if buyer is None else partial(_voiced, buyer, current_lang)
    conversations = Conversations(store, source="console", clock=clock, voice=voice)

    def turn(event: Event) -> None:
        result = conversations.turn(profile, event)
        print(render(result.replies, catalog, current_lang), file=stdout, flush=True)
        conversations.delivered(result.outbox_ids)

    def answer(question: str) -> str:
        """The rep's answer to a question asked outside the engine (``/deleteme``)."""
        print(question, file=stdout, flush=True)
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        reply = stdin.readline()
        if not interactive:
            print(f"> {reply.rstrip()}", file=stdout)
        return reply

    def remind() -> None:
        due = reminders.deliver(clock())
        if due:
            print(due, file=stdout, flush=True)

    try:
        print(to_plain(catalog.messages.render("console_commands", current_lang)), file=stdout)
        turn(open_chat(script or ""))
        while True:
            remind()
            if interactive:
                print("> ", end="", file=stdout, flush=True)
            line = stdin.readline()
            if not line:
                break
            if not interactive:
                print(f"> {line.rstrip()}", file=stdout)
            own = read_reminder_command(line)
            if own is not None:
                print(reminders.command(*own, now=clock()), file=stdout, flush=True)
                continue
            command = line.strip().lstrip("/").casefold()
            if line.strip().startswith("/") and command in PRIVACY_COMMANDS:
                lang_now, _ = reminders.who()
                text, gone = privacy(command, store, key, lang_now, catalog, answer, clock())
                print(text, file=stdout, flush=True)
                if gone:
                    return 0  # nothing is saved any more: no "see you" either
                continue
            event = read_event(line, catalog)
            if event is None:
                break
            turn(event)
    except KeyboardInterrupt:
        print(file=stdout)
        print(to_plain(catalog.messages.render("console_bye", current_lang)), file=stdout)
        return 130
    finally:
        engine.dispose()
    print(to_plain(catalog.messages.render("console_bye", current_lang)), file=stdout)
    return 0


def _voiced(buyer: LlmBuyer, lang: str, state: Conversation, event: Event, rep: Profile) -> Event:
    """The role-play buyer's line in the model's words, in the session's language."""
    return buyer.voice(state, event, lang)


def _default_user() -> str:
    try:
        return getpass.getuser() or "me"
    except (KeyError, OSError):
        return "me"
