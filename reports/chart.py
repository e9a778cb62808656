"""The digest's chart: one PNG a manager reads at a glance, effort next to results.

Top: each rep's visits (light) with the visits that reached their goal inside them (dark), and
the team's average as a dashed line — a rep with many visits and few goals shows as much as one
with few visits. Bottom: the process behind it — planned visits debriefed and visits planned
beforehand, in per cent, with the team's debrief rate as a line. A rep without a weekly plan is
starred. Chinese names and labels use mplfonts' Noto Sans CJK SC.

Matplotlib's object API only (``Figure`` + the Agg canvas): no pyplot, no global figure state, so
the bot can render in a worker thread. The globals touched are the font registry (once) and the
rc parameters for the font family, set for the drawing only (``rc_context``) — under a lock, so
two digests drawn in two threads at once cannot restore each other's settings mid-drawing.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
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


WIDE_UP_TO = 16
"""Up to this many reps the bars stand side by side; more reps are drawn as horizontal bars,
one row each, in a tall figure (a phone scrolls down, not sideways)."""


_DRAWING = threading.Lock()


def render_chart(messages: Messages, lang: str, digest: Digest, *, dpi: int = 110) -> bytes:
    """The digest's chart as PNG bytes."""
    with _DRAWING:
        return _render(messages, lang, digest, dpi)


def _render(messages: Messages, lang: str, digest: Digest, dpi: int) -> bytes:
    reps = digest.reps
    no_plan = {rep.id for rep in digest.no_week_plan}
    names = [_short(w.rep.name) + (" *" if w.rep.id in no_plan else "") for w in reps]
    tall = len(reps) > WIDE_UP_TO
    with matplotlib.rc_context({"font.family": font_family(), "font.size": 9}):
        # Margins from the longest name, in inches: a layout engine measures every text again
        # and again, which costs more than drawing the whole chart for 50 reps.
        label = max((_inches(name) for name in names), default=0.5)
        if tall:
            height = 0.26 * len(reps) + 1.9
            figure = Figure(figsize=(11.0, height), dpi=dpi)
            first, second = figure.subplots(
                1,
                2,
                sharey=True,
                width_ratios=(3, 2),
                gridspec_kw={
                    "left": (label + 0.25) / 11.0,
                    "right": 0.98,
                    "top": 1 - 1.25 / height,
                    "bottom": 0.45 / height,
                    "wspace": 0.06,
                },
            )
        else:
            width = max(8.0, 0.62 * len(reps) + 2.5)
            below = 0.45 + (0.6 * label if len(reps) > 8 else 0.1)
            figure = Figure(figsize=(width, 6.9 + below), dpi=dpi)
            first, second = figure.subplots(
                2,
                1,
                sharex=True,
                height_ratios=(3, 2),
                gridspec_kw={
                    "left": 0.6 / width,
                    "right": 1 - 0.2 / width,
                    "top": 1 - 0.75 / (6.9 + below),
                    "bottom": below / (6.9 + below),
                    "hspace": 0.18,
                },
            )
        FigureCanvasAgg(figure)
        title = messages.render("digest_page_title", lang, team=digest.team_name, week=digest.week)
        figure.suptitle(f"{title}   ({digest.first_day} – {digest.last_day})", fontsize=12)
        _effort(first, messages, lang, digest, tall)
        _process(second, messages, lang, digest, tall)
        axis = first if tall else second
        positions = list(range(len(reps)))
        if tall:
            axis.set_yticks(positions, names)
            axis.set_ylim(len(reps) - 0.5, -0.5)  # the first rep on top, as in the text
        else:
            rotate = len(reps) > 8
            axis.set_xticks(
                positions, names, rotation=35 if rotate else 0, ha="right" if rotate else "center"
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


def _effort(axes: Axes, messages: Messages, lang: str, digest: Digest, tall: bool) -> None:
    """Visits (light) with the goals reached inside them (dark); the team average as a line."""
    visits = [w.figures.visits for w in digest.reps]
    goals = [w.figures.goals for w in digest.reps]
    positions = list(range(len(visits)))
    bar = axes.barh if tall else axes.bar
    bar(positions, visits, 0.72, color=VISITS, label=messages.render("digest_chart_visits", lang))
    bar(positions, goals, 0.72, color=GOALS, label=messages.render("digest_chart_goals", lang))
    for i, (v, g) in enumerate(zip(visits, goals, strict=True)):
        axes.annotate(
            f"{g}/{v}",
            (v, i) if tall else (i, v),
            ha="left" if tall else "center",
            va="center" if tall else "bottom",
            fontsize=8,
            xytext=(3, 0) if tall else (0, 2),
            textcoords="offset points",
        )
    if visits:
        # the average rep's, former members of the week included (as in the team's figures)
        average = digest.team.visits / max(digest.team.reps, len(visits))
        line = axes.axvline if tall else axes.axhline
        line(
            average,
            color=TEAM,
            linestyle="--",
            linewidth=1.2,
            label=messages.render("digest_chart_team_average", lang, value=one_decimal(average)),
        )
    axes.set_title(messages.render("digest_chart_effort", lang), loc="left", fontsize=10)
    limit = (0, max([*visits, 1]) * (1.15 if tall else 1.22))
    (axes.set_xlim if tall else axes.set_ylim)(*limit)
    _finish(axes, tall)


def _process(axes: Axes, messages: Messages, lang: str, digest: Digest, tall: bool) -> None:
    """Planned visits debriefed and visits with a plan, in per cent; the team's debrief rate."""
    debriefed = [_percent(w.figures.debrief_rate) for w in digest.reps]
    planned = [_percent(w.figures.plan_rate) for w in digest.reps]
    positions = list(range(len(debriefed)))
    bar = axes.barh if tall else axes.bar
    bar(
        [i - 0.19 for i in positions],
        debriefed,
        0.36,
        color=DEBRIEFED,
        label=messages.render("digest_chart_debriefed", lang),
    )
    bar(
        [i + 0.19 for i in positions],
        planned,
        0.36,
        color=PLANNED,
        label=messages.render("digest_chart_planned", lang),
    )
    rate = digest.team.debrief_rate
    if rate is not None:
        line = axes.axvline if tall else axes.axhline
        line(
            100 * rate,
            color=TEAM,
            linestyle="--",
            linewidth=1.2,
            label=messages.render("digest_chart_team_debriefed", lang, value=pct(rate)),
        )
    axes.set_title(messages.render("digest_chart_process", lang), loc="left", fontsize=10)
    (axes.set_xlim if tall else axes.set_ylim)(0, 118)
    (axes.set_xticks if tall else axes.set_yticks)([0, 25, 50, 75, 100])
    _finish(axes, tall)


def _finish(axes: Axes, tall: bool) -> None:
    if tall:
        axes.legend(
            loc="lower center", bbox_to_anchor=(0.5, 1.02), fontsize=8, ncols=2, frameon=False
        )
        axes.grid(axis="x", alpha=0.3)
    else:
        axes.legend(loc="upper right", fontsize=8, ncols=3, frameon=False)
        axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)


def _percent(rate: float | None) -> float:
    return math.nan if rate is None else 100 * rate


def _inches(text: str) -> float:
    """About how wide ``text`` is at 9 points (CJK characters are twice as wide)."""
    return sum(0.125 if ord(ch) >= 0x2E80 else 0.068 for ch in text)


def _short(name: str, limit: int = 16) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


__all__ = ["render_chart"]
