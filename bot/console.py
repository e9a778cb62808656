"""``coachbot chat``: the coach in a terminal, on the same engine and database as the Telegram bot.

Works interactively and with piped standard input, so a whole session can be scripted; every
answer is committed before the next question is printed, so killing the process loses nothing.
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

from bot.commands import script_for
from dialogs.catalog import Catalog
from dialogs.engine import step
from dialogs.types import Ask, CommandIn, Event, Reply, TextIn

if TYPE_CHECKING:
    from config import Settings

QUIT_COMMANDS = frozenset({"quit", "exit", "q"})
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
    script = script_for(name, catalog.scripts)
    if script is not None:
        return CommandIn("start", script)
    return CommandIn(name, arg.strip())


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
        choices = () if reply.kind == "scale" else reply.choices  # the hint names the range
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
    from coaching_scripts import load_catalog
    from storage.db import make_engine
    from storage.migrate import upgrade
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
    key = f"console:{name}"
    profile = Profile(
        key=key, display_name=name, lang=lang or settings.language, tz=settings.timezone
    )
    known = store.user(key)
    if known is None:  # first visit: the rep starts in the deployment's time zone
        store.set_timezone(key, profile.tz)
        store.set_language(key, profile.lang)
    if lang:
        store.set_language(key, lang)
    current_lang = lang or (known.lang if known else profile.lang)
    interactive = stdin.isatty()

    def turn(event: Event) -> None:
        result = store.handle(profile, event, now=clock(), source="console")
        print(render(result.replies, catalog, current_lang), file=stdout, flush=True)
        store.mark_sent(result.outbox_ids, now=clock())

    try:
        print(to_plain(catalog.messages.render("console_commands", current_lang)), file=stdout)
        turn(CommandIn("open", script or ""))
        while True:
            if interactive:
                print("> ", end="", file=stdout, flush=True)
            line = stdin.readline()
            if not line:
                break
            if not interactive:
                print(f"> {line.rstrip()}", file=stdout)
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


def _default_user() -> str:
    try:
        return getpass.getuser() or "me"
    except (KeyError, OSError):
        return "me"
