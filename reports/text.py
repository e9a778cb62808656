"""The digest as Telegram text (HTML parse mode) in the manager's language.

Two parts, because the chart goes out with ``sendPhoto``, whose caption holds 1,024 characters:
the caption — the team's effort, process and results side by side, then who is behind — and
the full per-rep message, split at line ends into messages of at most 4,096 characters.
Every text is a template of ``coaching_scripts/messages.yaml`` (which escapes what it is given),
so names and customers typed by reps cannot break the markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.catalog import Messages
from dialogs.zones import zone_of
from reports.digest import CLASSES, ESCALATE_AFTER, OBJECTION_TYPES, Digest, Escalation, Figures

ESCALATED_LIST = 15
"""Up to this many escalated follow-ups are listed one by one; more are summed up per rep."""
CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class DigestText:
    caption: str
    """Goes with the chart (at most ``CAPTION_LIMIT`` characters as Telegram counts them)."""
    messages: tuple[str, ...]
    """The per-rep detail and the lists, each at most ``MESSAGE_LIMIT`` characters."""


def visible_length(text: str) -> int:
    """The length Telegram counts: the text without tags, entities decoded."""
    return len(html.unescape(_TAG.sub("", text)))


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def one_decimal(value: float) -> str:
    return f"{value:.1f}"


def headline(messages: Messages, lang: str, digest: Digest) -> list[str]:
    """Title, effort, process and results of the whole team: never one number alone."""
    t = digest.team
    return [
        messages.render(
            "digest_title",
            lang,
            team=digest.team_name,
            week=digest.week,
            first=digest.first_day.isoformat(),
            last=digest.last_day.isoformat(),
        ),
        messages.render("digest_effort", lang, **figure_context(t)),
        messages.render("digest_process", lang, **figure_context(t)),
        messages.render("digest_results", lang, **figure_context(t)),
    ]


def figure_context(f: Figures) -> dict[str, Any]:
    """The template variables of one set of figures."""
    return {
        "reps": f.reps,
        "visits": f.visits,
        "per_day": one_decimal(f.visits_per_day),
        "new": f.new,
        "existing": f.existing,
        "planned": f.planned,
        "debriefed": f.planned_debriefed,
        "debrief_pct": pct(f.debrief_rate),
        "with_plan": f.with_plan,
        "plan_pct": pct(f.plan_rate),
        "week_plans": f.week_plans,
        "week_plan": bool(f.week_plans),
        "goals": f.goals,
        "goal_pct": pct(f.goal_rate),
        "done": f.follow_ups_done,
        "overdue": f.follow_ups_overdue,
        "revisits": f.revisit_overdue_total,
    }


def render_text(messages: Messages, lang: str, digest: Digest) -> DigestText:
    if not digest.reps and digest.former is None:
        title = headline(messages, lang, digest)[0]
        return DigestText(title + "\n" + messages.render("digest_no_reps", lang), ())
    lines = headline(messages, lang, digest)
    behind = _behind(messages, lang, digest)
    caption = "\n".join([*lines, *behind, messages.render("digest_see_below", lang)])
    if visible_length(caption) > CAPTION_LIMIT:  # long names: the lists move to the message
        caption = "\n".join([*lines, messages.render("digest_see_below", lang)])
    return DigestText(caption, tuple(split(detail(messages, lang, digest), MESSAGE_LIMIT)))


def _behind(messages: Messages, lang: str, digest: Digest) -> list[str]:
    """Who is behind, in one line each (names cut to fit the caption)."""
    lines: list[str] = []
    if digest.not_debriefed:
        names = [f"{u.rep.name} ({len(u.customers)})" for u in digest.not_debriefed]
        lines.append(
            messages.render("digest_not_debriefed", lang, names=_names(messages, lang, names))
        )
    if digest.no_week_plan:
        names = [rep.name for rep in digest.no_week_plan]
        lines.append(
            messages.render("digest_no_week_plan", lang, names=_names(messages, lang, names))
        )
    if digest.escalated:
        lines.append(
            messages.render(
                "digest_escalated_count",
                lang,
                days=ESCALATE_AFTER.days,
                count=len(digest.escalated),
            )
        )
    if not lines:
        lines.append(messages.render("digest_all_clear", lang))
    return lines


def comma(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _names(messages: Messages, lang: str, names: Sequence[str], limit: int = 8) -> str:
    text = comma(lang).join(names[:limit])
    if len(names) > limit:
        text += " " + messages.render("digest_more", lang, count=len(names) - limit)
    return text


def detail(messages: Messages, lang: str, digest: Digest) -> list[str]:
    """The full digest, one line per item: per rep, then the lists, objections, revisits."""
    lines = [messages.render("digest_reps_heading", lang)]
    for week in digest.reps:
        lines.append(
            messages.render(
                "digest_rep_line",
                lang,
                name=week.rep.name,
                **rep_context(messages, lang, week.figures),
            )
        )
    if digest.former is not None:  # in the team's totals; never a name
        lines.append(messages.render("digest_former_line", lang, **figure_context(digest.former)))
    if digest.not_debriefed:
        lines += ["", messages.render("digest_not_debriefed_heading", lang)]
        for undebriefed in digest.not_debriefed:
            lines.append(
                messages.render(
                    "digest_not_debriefed_item",
                    lang,
                    name=undebriefed.rep.name,
                    customers=_names(messages, lang, undebriefed.customers, limit=10),
                )
            )
    if digest.no_week_plan:
        names = comma(lang).join(rep.name for rep in digest.no_week_plan)
        lines += ["", messages.render("digest_no_week_plan", lang, names=names)]
    if digest.escalated:
        lines += ["", messages.render("digest_escalated_heading", lang, days=ESCALATE_AFTER.days)]
        lines += escalated_lines(messages, lang, digest)
    lines += ["", objections_line(messages, lang, digest.team)]
    lines.append(revisits_line(messages, lang, digest.team))
    return lines


def escalated_lines(messages: Messages, lang: str, digest: Digest) -> list[str]:
    """Each escalated follow-up, oldest first; when there are more than ``ESCALATED_LIST``, one
    line per rep instead (how many, and the oldest), the reps with most first."""
    zone = zone_of(digest.tz)
    if len(digest.escalated) <= ESCALATED_LIST:
        return [
            messages.render(
                "digest_escalated_item",
                lang,
                name=item.rep.name,
                about=item.about or item.customer,
                due=_day(item.due_at, zone),
                days=item.days_overdue,
            )
            for item in digest.escalated
        ]
    by_rep: dict[int, list[Escalation]] = {}
    for item in digest.escalated:  # oldest first
        by_rep.setdefault(item.rep.id, []).append(item)
    groups = sorted(by_rep.values(), key=lambda items: (-len(items), items[0].due_at))
    return [
        messages.render(
            "digest_escalated_rep",
            lang,
            name=items[0].rep.name,
            count=len(items),
            about=items[0].about or items[0].customer,
            due=_day(items[0].due_at, zone),
            days=items[0].days_overdue,
        )
        for items in groups
    ]


def objection_items(
    messages: Messages, lang: str, counts: Mapping[str, int], sep: str = " · "
) -> str:
    """``price 3 · timing 2``: the most frequent first ("" when none)."""
    ordered = sorted(
        (kind for kind in counts if counts[kind]),
        key=lambda kind: (-counts[kind], _order(kind, OBJECTION_TYPES)),
    )
    return sep.join(f"{objection_label(messages, lang, kind)} {counts[kind]}" for kind in ordered)


def objections_line(messages: Messages, lang: str, figures: Figures) -> str:
    items = objection_items(messages, lang, figures.objections)
    if not items:
        return messages.render("digest_objections_none", lang)
    return messages.render("digest_objections", lang, items=items)


def objection_label(messages: Messages, lang: str, kind: str) -> str:
    key = f"digest_objection_{kind}"
    return messages.render(key, lang) if key in messages else kind


def class_items(messages: Messages, lang: str, counts: Mapping[str, int], sep: str = " · ") -> str:
    """``class A: 3 · class B: 1`` ("" when none)."""
    names = sorted((name for name in counts if counts[name]), key=lambda n: _order(n, CLASSES))
    return sep.join(
        messages.render("digest_class", lang, name=name, count=counts[name]) for name in names
    )


def revisits_line(messages: Messages, lang: str, figures: Figures) -> str:
    items = class_items(messages, lang, figures.revisit_overdue)
    if not items:
        return messages.render("digest_revisits_none", lang)
    return messages.render("digest_revisits", lang, items=items)


def rep_context(messages: Messages, lang: str, figures: Figures) -> dict[str, Any]:
    """``figure_context`` and the rep's objections and overdue customers by class, as text."""
    return {
        **figure_context(figures),
        "objections": objection_items(messages, lang, figures.objections, comma(lang)),
        "revisit_classes": class_items(messages, lang, figures.revisit_overdue, comma(lang)),
    }


def split(lines: Iterable[str], limit: int) -> list[str]:
    """Lines joined into messages of at most ``limit`` characters (a longer line is cut)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current.strip("\n"))
            candidate = line
        current = candidate
    if current.strip():
        chunks.append(current.strip("\n"))
    return chunks


def _order(name: str, known: Sequence[str]) -> int:
    return known.index(name) if name in known else len(known)


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d")


__all__ = ["CAPTION_LIMIT", "MESSAGE_LIMIT", "DigestText", "render_text", "visible_length"]
