"""The engine's replies as Telegram messages: HTML text, inline keyboards, and nothing over the
4096-character limit. Pure: no aiogram calls here, so the layout is testable on its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.telegram.callbacks import Nav, Pick, ReminderData
from dialogs.catalog import Messages
from dialogs.types import DONE, Ask, Choice, Nudge, Reply

MAX_TEXT = 4096
"""Telegram's limit, in characters of the text without tags; counting the tags too is safe."""
SHORT_LABEL = 14
"""Options whose labels are all at most this long sit two to a row."""
_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: Telegram-HTML text and, under a question, its buttons."""

    text: str
    keyboard: Keyboard = ()


def render_turn(replies: Iterable[Reply], messages: Messages, lang: str) -> list[Outgoing]:
    """One message per question (with what was said before it); few messages, no button piles."""
    out: list[Outgoing] = []
    blocks: list[str] = []
    for reply in replies:
        if isinstance(reply, Ask):
            blocks.append(question_text(reply, messages, lang))
            out.extend(_split("\n\n".join(blocks), keyboard(reply, messages, lang)))
            blocks = []
        elif isinstance(reply, Nudge):  # its own message: its buttons act on it alone
            if blocks:
                out.extend(_split("\n\n".join(blocks), ()))
                blocks = []
            out.extend(_split(reply.text, nudge_keyboard(reply.ref, reply.version, reply.actions)))
        elif reply.text:
            blocks.append(reply.text)
    if blocks:
        out.extend(_split("\n\n".join(blocks), ()))
    return out


def question_text(ask: Ask, messages: Messages, lang: str) -> str:
    lines = []
    if ask.progress:
        lines.append(f"<i>{ask.progress}</i>")
    lines.append(ask.text)
    if ask.hint:
        lines.append(f"<i>{ask.hint}</i>")
    if ask.current:
        lines.append(messages.render("tg_current", lang, answer=ask.current))
    return "\n".join(lines)


def keyboard(ask: Ask, messages: Messages, lang: str) -> Keyboard:
    buttons = [
        Button(
            ("✅ " if choice.selected else "") + button_text(choice.label),
            Pick(token=ask.token, option=choice.id).pack(),
        )
        for choice in ask.choices
    ]
    rows: list[tuple[Button, ...]]
    if ask.kind in ("scale", "yesno") or all(len(b.text) <= SHORT_LABEL for b in buttons):
        width = len(buttons) if ask.kind in ("scale", "yesno") else 2
        rows = [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]
    else:
        rows = [(button,) for button in buttons]
    if ask.kind == "multi":
        rows.append(
            (Button(messages.render("tg_done", lang), Pick(token=ask.token, option=DONE).pack()),)
        )
    nav = []
    if ask.can_back:
        nav.append(
            Button(messages.render("tg_back", lang), Nav(token=ask.token, command="back").pack())
        )
    if ask.can_skip:
        nav.append(
            Button(messages.render("tg_skip", lang), Nav(token=ask.token, command="skip").pack())
        )
    if nav:
        rows.append(tuple(nav))
    return tuple(row for row in rows if row)


def nudge_keyboard(ref: int, version: int, actions: Iterable[Choice]) -> Keyboard:
    """A reminder's buttons, two to a row."""
    buttons = [
        Button(button_text(a.label), ReminderData(ref=ref, version=version, action=a.id).pack())
        for a in actions
    ]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def button_text(label: str) -> str:
    """Button texts are plain text: the engine's labels are escaped HTML."""
    return html.unescape(_TAG.sub("", label))


def chosen_text(question_html: str, label: str) -> str:
    """A tapped question, edited to show the answer instead of its buttons."""
    return _fit(f"{question_html}\n\n✓ <b>{html.escape(label, quote=False)}</b>")


def _fit(text: str) -> str:
    return text if len(text) <= MAX_TEXT else _split(text, ())[0].text


def _split(text: str, buttons: Keyboard) -> list[Outgoing]:
    """Pieces under the limit, cut at line breaks (inside a line only when it must), tags closed
    at the end of a piece and opened again at the start of the next; the buttons go last."""
    if len(text) <= MAX_TEXT:
        return [Outgoing(text, buttons)]
    pieces: list[str] = []
    current = ""
    for line in _lines_within(text, MAX_TEXT // 2):
        candidate = f"{current}\n{line}" if current else line
        if current and len(_closed(candidate)) > MAX_TEXT:
            pieces.append(current)
            candidate = _reopen(current) + line
        current = candidate
    pieces.append(current)
    finished = [_closed(piece) for piece in pieces]
    return [Outgoing(piece, ()) for piece in finished[:-1]] + [Outgoing(finished[-1], buttons)]


def _lines_within(text: str, limit: int) -> Iterable[str]:
    for line in text.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            yield line[:cut]
            line = line[cut:]
        yield line


def _safe_cut(line: str, limit: int) -> int:
    """A cut at or before ``limit``, preferably at a space, never inside a tag or an entity."""
    cut = line.rfind(" ", limit // 2, limit) + 1 or limit
    while True:
        tag_open, tag_close = line.rfind("<", 0, cut), line.rfind(">", 0, cut)
        amp, semi = line.rfind("&", 0, cut), line.rfind(";", 0, cut)
        if tag_open > tag_close:
            cut = tag_open
        elif amp > semi and cut - amp <= 10:
            cut = amp
        else:
            return max(cut, 1)


def _open_tags(text: str) -> list[str]:
    stack: list[str] = []
    for match in _TAG.finditer(text):
        if match[1]:
            if stack and _name(stack[-1]) == match[2]:
                stack.pop()
        else:
            stack.append(match[0])
    return stack


def _name(tag: str) -> str:
    match = _TAG.match(tag)
    return match[2] if match else ""


def _closed(piece: str) -> str:
    return piece + "".join(f"</{_name(tag)}>" for tag in reversed(_open_tags(piece)))


def _reopen(piece: str) -> str:
    return "".join(_open_tags(piece))
