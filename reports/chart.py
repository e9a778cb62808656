"""The digest's chart: one PNG a manager reads at a glance, effort next to results.

Top: each rep's visits (light) with the visits that reached their goal inside them (dark), and
the team's average as a dashed line — a rep with many visits and few goals shows as much as one
with few visits. Bottom: the process behind it — planned visits debriefed and visits planned
beforehand, in per cent, with the team's debrief rate as a line. A rep without a weekly plan is
starred. Chinese names and labels use mplfonts' Noto Sans CJK SC.

Matplotlib's object API only (``Figure`` + the Agg canvas): no pyplot, no global figure state, so
the bot can render in a worker thread. The only global touched is the font registry (once).
"""

from __future__ import annotations

import functools
import io
import math
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dialogs.catalog import Messages
from reports.digest import Digest
from reports.text import one_decimal, pct

FONT_FAMILY = "Noto Sans CJK SC"
VISITS, GOALS, DEBRIEFED, PLANNED, TEAM = "#a9c7e8", "#1f5fa8", "#e8a33d", "#7a5195", "#555555"


@functools.cache
def font_family() -> list[str]:
    """Register the CJK font file once; the families to draw with (CJK first, then the default)."""
    try:
        import mplfonts  # type: ignore[import-untyped]

        path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        font_manager.fontManager.addfont(str(path))
    except (ImportError, OSError, RuntimeError):  # pragma: no cover - a broken installation
        return ["DejaVu Sans"]
    return [FONT_FAMILY, "DejaVu Sans"]


def render_chart(messages: Messages, lang: str, digest: Digest, *, dpi: int = 110) -> bytes:
    """The digest's chart as PNG bytes."""
    reps = digest.reps
    no_plan = {rep.id for rep in digest.no_week_plan}
    names = [_short(w.rep.name) + (" *" if w.rep.id in no_plan else "") for w in reps]
    x = list(range(len(reps)))
    width = max(8.0, 0.62 * len(reps) + 2.5)
    with matplotlib.rc_context({"font.family": font_family(), "font.size": 9}):
        figure = Figure(figsize=(width, 7.2), dpi=dpi, layout="constrained")
        FigureCanvasAgg(figure)
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        title = messages.render("digest_page_title", lang, team=digest.team_name, week=digest.week)
        figure.suptitle(f"{title}   ({digest.first_day} – {digest.last_day})", fontsize=12)

        visits = [w.figures.visits for w in reps]
        goals = [w.figures.goals for w in reps]
        top.bar(x, visits, 0.72, color=VISITS, label=messages.render("digest_chart_visits", lang))
        top.bar(x, goals, 0.72, color=GOALS, label=messages.render("digest_chart_goals", lang))
        for i, (v, g) in enumerate(zip(visits, goals, strict=True)):
            top.annotate(
                f"{g}/{v}",
                (i, v),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
        if reps:
            average = digest.team.visits / len(reps)
            top.axhline(
                average,
                color=TEAM,
                linestyle="--",
                linewidth=1.2,
                label=messages.render(
                    "digest_chart_team_average", lang, value=one_decimal(average)
                ),
            )
        top.set_title(messages.render("digest_chart_effort", lang), loc="left", fontsize=10)
        top.set_ylim(0, max([*visits, 1]) * 1.22)
        top.legend(loc="upper right", fontsize=8, ncols=3, frameon=False)
        top.grid(axis="y", alpha=0.3)
        top.spines[["top", "right"]].set_visible(False)

        debriefed = [_percent(w.figures.debrief_rate) for w in reps]
        planned = [_percent(w.figures.plan_rate) for w in reps]
        left = [i - 0.19 for i in x]
        right = [i + 0.19 for i in x]
        bottom.bar(
            left,
            debriefed,
            0.36,
            color=DEBRIEFED,
            label=messages.render("digest_chart_debriefed", lang),
        )
        bottom.bar(
            right, planned, 0.36, color=PLANNED, label=messages.render("digest_chart_planned", lang)
        )
        if digest.team.debrief_rate is not None:
            bottom.axhline(
                100 * digest.team.debrief_rate,
                color=TEAM,
                linestyle="--",
                linewidth=1.2,
                label=messages.render(
                    "digest_chart_team_debriefed", lang, value=pct(digest.team.debrief_rate)
                ),
            )
        bottom.set_title(messages.render("digest_chart_process", lang), loc="left", fontsize=10)
        bottom.set_ylim(0, 118)
        bottom.set_yticks([0, 25, 50, 75, 100])
        bottom.legend(loc="upper right", fontsize=8, ncols=3, frameon=False)
        bottom.grid(axis="y", alpha=0.3)
        bottom.spines[["top", "right"]].set_visible(False)
        bottom.set_xticks(
            x, names, rotation=35 if len(reps) > 8 else 0, ha="right" if len(reps) > 8 else "center"
        )
        if no_plan:
            figure.text(
                0.01,
                0.005,
                messages.render("digest_chart_no_week_plan", lang),
                fontsize=8,
                color=TEAM,
            )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _percent(rate: float | None) -> float:
    return math.nan if rate is None else 100 * rate


def _short(name: str, limit: int = 16) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


__all__ = ["render_chart"]
