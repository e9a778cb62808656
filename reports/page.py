"""The digest as one self-contained HTML page: figures, per-rep table, lists, the chart inline.

Self-contained (the chart is a base64 ``data:`` URI, the style is inline) so the page can be
mailed or archived as one file. The template (``templates/weekly.html``) escapes every value;
the texts come from ``coaching_scripts/messages.yaml`` and are escaped there.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from dialogs.catalog import Messages
from dialogs.zones import zone_of
from reports.digest import ESCALATE_AFTER, Digest
from reports.text import (
    comma,
    escalated_lines,
    headline,
    objections_line,
    rep_context,
    revisits_line,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_page(messages: Messages, lang: str, digest: Digest, png: bytes | None) -> str:
    """The page; ``png`` is the chart (None: a page without it)."""

    def t(key: str, **context: Any) -> Markup:
        return Markup(messages.render(key, lang, **context))  # the catalog escapes its inputs

    zone = zone_of(digest.tz)
    rows = [
        {
            "name": w.rep.name,
            "f": rep_context(messages, lang, w.figures),
            "team": False,
            "former": False,
        }
        for w in digest.reps
    ]
    if digest.former is not None:  # their work is in the team's row; never their names
        rows.append(
            {
                "name": t("digest_col_former", reps=digest.former.reps),
                "f": rep_context(messages, lang, digest.former),
                "team": False,
                "former": True,
            }
        )
    rows.append(
        {
            "name": t("digest_col_team"),
            "f": rep_context(messages, lang, digest.team),
            "team": True,
            "former": False,
        }
    )
    blocks: list[dict[str, Any]] = []
    if digest.not_debriefed:
        blocks.append(
            {
                "heading": t("digest_not_debriefed_heading"),
                "items": [
                    f"{u.rep.name}: {comma(lang).join(u.customers)}" for u in digest.not_debriefed
                ],
            }
        )
    if digest.no_week_plan:
        names = comma(lang).join(rep.name for rep in digest.no_week_plan)
        blocks.append({"heading": t("digest_no_week_plan", names=names), "items": []})
    if digest.escalated:
        blocks.append(
            {
                "heading": t("digest_escalated_heading", days=ESCALATE_AFTER.days),
                "items": [
                    Markup(line.removeprefix("• "))
                    for line in escalated_lines(messages, lang, digest)
                ],
            }
        )
    if not (digest.not_debriefed or digest.no_week_plan or digest.escalated):
        blocks.append({"heading": t("digest_all_clear"), "items": []})
    blocks.append({"heading": Markup(objections_line(messages, lang, digest.team)), "items": []})
    blocks.append({"heading": Markup(revisits_line(messages, lang, digest.team)), "items": []})
    template = _environment().get_template("weekly.html")
    return template.render(
        lang=lang,
        t=t,
        digest=digest,
        as_of=digest.as_of.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        headline=[Markup(line) for line in headline(messages, lang, digest)[1:]],
        rows=rows,
        blocks=blocks,
        chart=base64.b64encode(png).decode("ascii") if png else "",
    )


__all__ = ["render_page"]
