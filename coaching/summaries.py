"""What a manager reads about a rep's finished run, and the rep's side of what the manager sends.

Pure: notices in, Telegram HTML and buttons out, in the manager's language (the rep's messages in
the rep's). What a button carries is the messenger's business: the adapter passes its encoder
(``ButtonData``; Telegram's is ``bot.telegram.callbacks.manage_data``). Every text comes from
``coaching_scripts/messages.yaml`` (``mgr_*``); templates escape what the rep or the manager
typed, and the engine's own summaries go in as the HTML they are.

A debrief summary: customer and visit type, the feeling in a line, goal against what happened,
the buyer's side (the "why" of phase 4, about the customer), next step and date, what the rep
said that answered no question (pushback, a vent: kept as notes), and the flags.
Other scripts (week plan, skills...) show their own summary under a one-line head.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from markupsafe import Markup

from coaching.answers import (
    COACHING,
    CUSTOMER,
    DEBRIEF,
    FEELING_SCORE,
    GOAL_MET,
    GOAL_PARTLY,
    NEXT_ACTION,
    NEXT_DATE,
    VISIT_TYPE,
)
from coaching.ports import Draft, Notice, Reader, RepText
from dialogs.catalog import Catalog
from dialogs.contract import Answer, Contract
from dialogs.model import Kind
from dialogs.when import When, describe_when

BATCH_TEXT = 3500
"""Characters per message of a daily batch (Telegram's limit is 4096)."""
BATCH_ITEMS = 15
"""Summaries per batch message at most (three buttons each)."""
NOTES_SHOWN = 5
"""Notes (what the rep typed that was no answer) quoted in a summary; the rest are counted."""
NOTE_CHARS = 160
SKILL = Answer("skill", Kind.CHOICE, (COACHING.id,))
"""The skills a manager can send a rep to practise: the coaching script's options."""
COACHING_SCRIPT = COACHING.id
SKILL_STEP = SKILL.step
_DEBRIEF = (DEBRIEF.id,)
FEELING_WORDS = Answer("feeling_words", Kind.TEXT, _DEBRIEF)
GOAL = Answer("goal", Kind.TEXT, _DEBRIEF)
WHAT_HAPPENED = Answer("what_happened", Kind.TEXT, _DEBRIEF)
INSIGHT = (Answer("why_outcome", Kind.TEXT, _DEBRIEF), Answer("why_objection", Kind.TEXT, _DEBRIEF))
"""The buyer's side of the visit (phase 4's "why", about the customer)."""
CONTRACT = Contract(
    "coaching.summaries",
    (
        DEBRIEF,
        COACHING,
        SKILL,
        CUSTOMER,
        VISIT_TYPE,
        FEELING_SCORE,
        FEELING_WORDS,
        GOAL,
        WHAT_HAPPENED,
        GOAL_MET,
        GOAL_PARTLY,
        *INSIGHT,
        NEXT_ACTION,
        NEXT_DATE,
    ),
)
Buttons = tuple[tuple[tuple[str, str], ...], ...]


class ButtonData(Protocol):
    """What a manager's button sends back: ``action`` is ``n`` (write a note), ``c`` (coach a
    skill), ``v`` (mark reviewed) or ``s`` (the skill chosen, with ``skill``)."""

    def __call__(self, action: str, review: int = 0, skill: str = "") -> str: ...


class Summaries:
    def __init__(self, catalog: Catalog, *, button_data: ButtonData) -> None:
        self._catalog = catalog
        self._data = button_data

    def say(self, key: str, lang: str, **context: Any) -> str:
        return self._catalog.messages.render(key, lang, **context)

    # --- the manager's side ---------------------------------------------------------------

    def render(self, reader: Reader, notices: Sequence[Notice], daily: bool) -> list[Draft]:
        """``coaching.ports.Render``: one message per summary, or the day's batch."""
        lang = reader.lang
        if not daily:
            return [
                Draft(
                    self.text(n, lang, reader.tz), self.buttons(n.review_id, lang), (n.review_id,)
                )
                for n in notices
            ]
        drafts: list[Draft] = []
        head = self.say("mgr_batch_head", lang, count=len(notices))
        parts: list[str] = [head]
        rows: list[tuple[tuple[str, str], ...]] = []
        shown: list[int] = []
        size = len(head)
        for number, notice in enumerate(notices, start=1):
            text = f"<b>{number}.</b> " + self.text(notice, lang, reader.tz)
            if rows and (size + len(text) > BATCH_TEXT or len(rows) >= BATCH_ITEMS):
                drafts.append(Draft("\n\n".join(parts), tuple(rows), tuple(shown)))
                parts, rows, shown, size = [], [], [], 0
            parts.append(text)
            shown.append(notice.review_id)
            size += len(text) + 2
            rows.extend(self.buttons(notice.review_id, lang, number))
        drafts.append(Draft("\n\n".join(parts), tuple(rows), tuple(shown)))
        return drafts

    def text(self, notice: Notice, lang: str, tz: str) -> str:
        """One summary, for a manager reading in ``lang`` in zone ``tz``."""
        if notice.script != DEBRIEF.id:
            title = self._title(notice.script, lang)
            lines = [
                self.say(
                    "mgr_other",
                    lang,
                    rep=notice.rep_name,
                    title=title,
                    summary=Markup(notice.summary),
                )
            ]
            return "\n".join([*lines, *self.notes(notice, lang), *self.flags(notice, lang)])
        a = notice.answers
        lines = [
            self.say(
                "mgr_debrief_head",
                lang,
                rep=notice.rep_name,
                customer=_text(a.get(CUSTOMER.step)) or "—",
                visit_type=self._label(DEBRIEF.id, VISIT_TYPE.step, a.get(VISIT_TYPE.step), lang),
            )
        ]
        if a.get(FEELING_SCORE.step) is not None:
            lines.append(
                self.say(
                    "mgr_feeling",
                    lang,
                    score=a.get(FEELING_SCORE.step),
                    words=_line(_text(a.get(FEELING_WORDS.step))),
                )
            )
        lines.append(
            self.say(
                "mgr_goal",
                lang,
                goal=_text(a.get(GOAL.step)) or "—",
                happened=_text(a.get(WHAT_HAPPENED.step)) or "—",
                met=_goal_met(a.get(GOAL_MET.step)),
            )
        )
        insight = [_text(a.get(answer.step)) for answer in INSIGHT]
        if any(insight):
            lines.append(self.say("mgr_insight", lang, insight=" ".join(i for i in insight if i)))
        if _text(a.get(NEXT_ACTION.step)):
            lines.append(
                self.say(
                    "mgr_next",
                    lang,
                    action=_text(a.get(NEXT_ACTION.step)),
                    when=self._when(a.get(NEXT_DATE.step), lang, tz),
                )
            )
        return "\n".join([*lines, *self.notes(notice, lang), *self.flags(notice, lang)])

    def notes(self, notice: Notice, lang: str) -> list[str]:
        """What the rep typed that answered no question (pushback, a vent): nothing is lost."""
        if not notice.notes:
            return []
        shown = [_line(note, NOTE_CHARS) for note in notice.notes[:NOTES_SHOWN]]
        more = len(notice.notes) - len(shown)
        return [self.say("mgr_notes", lang, notes=shown, more=more)]

    def flags(self, notice: Notice, lang: str) -> list[str]:
        out = []
        for flag in notice.flags:
            name, _, count = flag.partition(":")
            key = f"mgr_flag_{name}"
            if key in self._catalog.messages:
                out.append(self.say(key, lang, count=int(count) if count.isdigit() else 0))
        return out

    def buttons(self, review_id: int, lang: str, number: int | None = None) -> Buttons:
        """Reply with a note, coach a skill, mark reviewed (numbered in a batch)."""
        if number is None:
            return (
                ((self.say("mgr_btn_note", lang), self._data("n", review_id)),),
                (
                    (self.say("mgr_btn_coach", lang), self._data("c", review_id)),
                    (self.say("mgr_btn_reviewed", lang), self._data("v", review_id)),
                ),
            )
        return (
            (
                (f"💬 {number}", self._data("n", review_id)),
                (f"🎯 {number}", self._data("c", review_id)),
                (f"✓ {number}", self._data("v", review_id)),
            ),
        )

    def skills(self) -> list[str]:
        """The skills a coaching session can work on (the coaching script's options)."""
        step = self._step(COACHING_SCRIPT, SKILL_STEP)
        return list(step.option_labels) if step is not None else []

    def skill_label(self, skill: str, lang: str) -> str:
        return self._label(COACHING_SCRIPT, SKILL_STEP, skill, lang) or skill

    def skill_buttons(self, review_id: int, lang: str) -> Buttons:
        buttons = [
            (self.skill_label(skill, lang), self._data("s", review_id, skill))
            for skill in self.skills()
        ]
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def visit(self, notice: Notice, lang: str, tz: str) -> str:
        """The visit named in a line: customer and day (or the script's title and day)."""
        day = ""
        if notice.finished_at is not None:
            day = describe_when(When(notice.finished_at, False), tz=tz, lang=lang)
        customer = _text(notice.answers.get(CUSTOMER.step))
        what = customer or self._title(notice.script, lang)
        return self.say("mgr_visit", lang, what=what, day=day)

    # --- the rep's side -------------------------------------------------------------------

    def note_for_rep(self, text: str) -> RepText:
        """The rep's message carrying a manager's note (``coaching.ports.RepText``)."""

        def render(notice: Notice, manager: str) -> str:
            lang = notice.rep_lang
            visit = self.visit(notice, lang, notice.rep_tz)
            return self.say("mgr_note_to_rep", lang, manager=manager, visit=visit, text=text)

        return render

    def invitation_for_rep(self, skill: str) -> RepText:
        def render(notice: Notice, manager: str) -> str:
            lang = notice.rep_lang
            return self.say(
                "mgr_coach_to_rep",
                lang,
                manager=manager,
                skill=self.skill_label(skill, lang),
                visit=self.visit(notice, lang, notice.rep_tz),
            )

        return render

    # --- helpers ----------------------------------------------------------------------------

    def _step(self, script: str, step: str) -> Any:
        compiled = self._catalog.scripts.get(script)
        return compiled.steps.get(step) if compiled is not None else None

    def _label(self, script: str, step: str, value: Any, lang: str) -> str:
        found = self._step(script, step)
        if found is None or not isinstance(value, str):
            return _text(value)
        template = found.option_labels.get(value)
        return str(template.render(lang, {})) if template is not None else value

    def _title(self, script: str, lang: str) -> str:
        compiled = self._catalog.scripts.get(script)
        return str(compiled.title.render(lang, {})) if compiled is not None else script

    def _when(self, value: Any, lang: str, tz: str) -> str:
        if not isinstance(value, Mapping) or "at" not in value:
            return _text(value)
        try:
            at = datetime.fromisoformat(str(value["at"]))
        except ValueError:
            return ""
        return describe_when(When(at, bool(value.get("has_time", True))), tz=tz, lang=lang)


def _goal_met(value: Any) -> bool | str | None:
    """Yes, no or partly; anything else (not asked, a changed script) shows as unknown."""
    return value if value in (True, False, GOAL_PARTLY.value) else None


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value).strip()


def _line(text: str, limit: int = 160) -> str:
    """The first line of ``text``, cut at ``limit`` characters."""
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


__all__ = ["ButtonData", "Summaries"]
