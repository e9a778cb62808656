"""One call for the weekly team report: figures, Telegram text, chart and HTML page.

Used by ``coachbot report weekly`` and by the bot's digest delivery (``sendPhoto`` with
``report.png`` and ``report.text.caption``, then each of ``report.text.messages``). The bot passes
the manager's ``ManagerScope`` (a team they do not manage raises ``NotYourTeam``); the operator's
CLI passes none and may report on any team.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from coaching.schedule import week_name
from dialogs.catalog import Messages
from reports.chart import render_chart
from reports.digest import Digest, compute, last_week, parse_week, week_window
from reports.page import render_page
from reports.text import DigestText, render_text
from storage.activity import UnknownTeam, load_scoped, load_team
from storage.teams import ManagerScope, Teams


@dataclass(frozen=True)
class WeeklyReport:
    digest: Digest
    text: DigestText
    """``caption`` (with the chart, at most 1,024 characters) and the detail ``messages``."""
    png: bytes | None
    html: str | None
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent: load, compute, chart, text, page (for the bench and the logs)."""

    @property
    def week(self) -> str:
        return self.digest.week


def build_weekly(
    engine: sa.Engine,
    team_id: int,
    *,
    messages: Messages,
    now: datetime,
    week: str | None = None,
    lang: str = "en",
    scope: ManagerScope | None = None,
    chart: bool = True,
    page: bool = True,
) -> WeeklyReport:
    """The report on ``week`` (ISO, "2026-W47"; None: the last whole week before ``now`` in the
    team's zone) for ``team_id``.

    ``scope``: the manager asking (``NotYourTeam`` unless they manage the team); None: the
    operator. Raises ``UnknownTeam`` (no such team, operator only) and ``BadWeek`` (not an ISO
    week, or one that has not started by ``now``). ``chart``/``page`` False skip the PNG/HTML.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    team = scope.team(team_id) if scope is not None else Teams(engine).get(team_id)
    if team is None:
        raise UnknownTeam(f"no team {team_id}")
    tz = team.settings.tz or "UTC"
    week = last_week(now, tz) if week is None else week_name(*parse_week(week))
    start, end = week_window(week, tz)
    as_of = min(now, end)
    if scope is not None:
        activity = load_scoped(engine, scope, team_id, start, end, as_of=as_of)
    else:
        activity = load_team(engine, team_id, start, end, as_of=as_of)
    clock = _lap(timings, "load", clock)
    digest = compute(activity, week, now)
    clock = _lap(timings, "compute", clock)
    png = render_chart(messages, lang, digest) if chart and digest.reps else None
    clock = _lap(timings, "chart", clock)
    text = render_text(messages, lang, digest)
    clock = _lap(timings, "text", clock)
    html = render_page(messages, lang, digest, png) if page else None
    _lap(timings, "page", clock)
    return WeeklyReport(digest, text, png, html, timings)


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    timings[name] = now - since
    return now


__all__ = ["WeeklyReport", "build_weekly"]
