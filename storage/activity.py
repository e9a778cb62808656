"""One team's activity over a period, read in a handful of set-based queries for the reports.

Why a module of its own: the weekly digest and the exports need the same rows — the team's reps,
their finished runs with the answers the reports count, their follow-up reminders and every
customer they have seen — and must read them without one query per rep or per run (a team of 50
reps has about 500 visits a week and 25,000 a year). Each read is one query over all the team's
reps at once, limited in SQL by the team's rep memberships.

Who counts: the team's active reps (``reps``: named, with every run of theirs), and its former
members (``former``: reps removed since, and the anonymous stand-ins ``storage.privacy`` leaves
for reps who deleted their data, membership status ``deleted``) whose membership overlapped the
period — their runs are read too, and the digest counts only those inside the membership, in
the team's totals and never by name.

Two entry points: ``load_scoped`` for a manager (the team must be one they manage: ``scope.team``
raises ``NotYourTeam``, and every query is limited by ``scope.managed_ids()`` as well) and
``load_team`` for the operator's CLI (any team by id).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from coaching.answers import (
    CUSTOMER,
    CUSTOMER_CLASS,
    DEAL_SIZE,
    DEBRIEF,
    FEELING_SCORE,
    GOAL_MET,
    MAIN_OBJECTION,
    OBJECTIONS,
    ORDER_VALUE,
    PRECALL,
    REVISIT,
    VISIT_AT,
    VISIT_TYPE,
    VISITS,
    WEEK_PLAN,
    WEEK_REVIEW,
)
from dialogs.contract import Contract
from storage.db import READ_ONLY
from storage.schema import (
    answer_table,
    membership_table,
    reminder_table,
    run_table,
    step_note_table,
    user_table,
)
from storage.teams import ManagerScope, Team, Teams, TeamSettings

REPORT_SCRIPTS = tuple(script.id for script in (DEBRIEF, PRECALL, WEEK_PLAN, WEEK_REVIEW, REVISIT))
"""The scripts the reports count."""
REPORT_ANSWERS = (
    CUSTOMER,
    VISIT_TYPE,
    CUSTOMER_CLASS,
    GOAL_MET,
    OBJECTIONS,
    MAIN_OBJECTION,
    ORDER_VALUE,
    VISIT_AT,
    DEAL_SIZE,
    FEELING_SCORE,
)
"""The answers the digest reads (the export reads every answer)."""
REPORT_STEPS = tuple(answer.step for answer in REPORT_ANSWERS)
CONTRACT = Contract(
    "storage.activity", (DEBRIEF, PRECALL, WEEK_PLAN, WEEK_REVIEW, REVISIT, *REPORT_ANSWERS)
)
PLAN_LOOKBACK = timedelta(days=28)
"""A pre-call plan for a visit in the period may have been written up to this long before it."""
DEBRIEF_GRACE = timedelta(days=3)
"""A visit late in the period may be debriefed up to this long after the period ends."""
OPEN = ("pending", "sent")


class UnknownTeam(LookupError):
    """The operator named a team that does not exist."""


@dataclass(frozen=True)
class ActivityRep:
    id: int
    key: str
    name: str
    tz: str


@dataclass(frozen=True)
class FormerRep:
    """A rep who was in the team from ``joined_at`` until ``left_at`` (removed, or deleted and
    anonymised): their work of that time counts in the team's totals, never under a name."""

    id: int
    joined_at: datetime
    left_at: datetime


FORMER = ("removed", "deleted")
"""Membership statuses of reps no longer in the team (``deleted``: an anonymised rep)."""


@dataclass(frozen=True)
class ActivityRun:
    """A finished run with the answers the reports read (option ids, JSON values)."""

    id: int
    rep_id: int
    script: str
    started_at: datetime
    finished_at: datetime
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class FollowUp:
    id: int
    rep_id: int
    about: str
    customer: str
    due_at: datetime
    status: str
    closed_at: datetime | None


@dataclass(frozen=True)
class Seen:
    """A customer a rep debriefed or revisited before ``as_of``: latest class, latest visit."""

    rep_id: int
    name: str
    customer_class: str | None
    last_visit: datetime


@dataclass(frozen=True)
class Activity:
    team: Team
    start: datetime
    end: datetime
    as_of: datetime
    reps: tuple[ActivityRep, ...]
    runs: tuple[ActivityRun, ...]
    """Finished runs of the reports' scripts, from ``start - PLAN_LOOKBACK`` to
    ``end + DEBRIEF_GRACE`` (and not after ``as_of``), oldest first."""
    follow_ups: tuple[FollowUp, ...]
    """Follow-ups due before ``end`` that were still open at ``start`` (or closed since)."""
    customers: tuple[Seen, ...] = field(default=())
    former: tuple[FormerRep, ...] = field(default=())
    """Reps in the team for part of the period and not any more; their runs, follow-ups and
    customers are in the tuples above, under their ids."""

    @property
    def settings(self) -> TeamSettings:
        return self.team.settings


def load_scoped(
    engine: sa.Engine,
    scope: ManagerScope,
    team_id: int,
    start: datetime,
    end: datetime,
    *,
    as_of: datetime,
) -> Activity:
    """A manager's team's activity; ``NotYourTeam`` for a team the manager does not manage."""
    team = scope.team(team_id)
    return _load(engine, team, start, end, as_of, scope.managed_ids())


def load_team(
    engine: sa.Engine, team_id: int, start: datetime, end: datetime, *, as_of: datetime
) -> Activity:
    """Any team's activity, for the operator (the CLI); ``UnknownTeam`` when there is none."""
    team = Teams(engine).get(team_id)
    if team is None:
        raise UnknownTeam(f"no team {team_id}")
    return _load(engine, team, start, end, as_of, None)


def _load(
    engine: sa.Engine,
    team: Team,
    start: datetime,
    end: datetime,
    as_of: datetime,
    managed: sa.ScalarSelect[Any] | None,
) -> Activity:
    u, m, r, a, rem = user_table, membership_table, run_table, answer_table, reminder_table
    team_reps = [m.c.team_id == team.id, m.c.role == "rep"]
    if managed is not None:
        team_reps.append(m.c.team_id.in_(managed))
    # former members whose membership overlapped the period (``changed_at``: when they left)
    overlapped = sa.and_(m.c.status.in_(FORMER), m.c.joined_at < end, m.c.changed_at > start)
    where = [*team_reps, m.c.status == "active"]
    former_where = [*team_reps, overlapped]
    rep_ids = (
        sa.select(m.c.user_id)
        .where(*team_reps, sa.or_(m.c.status == "active", overlapped))
        .scalar_subquery()
    )
    runs_from, runs_to = start - PLAN_LOOKBACK, min(end + DEBRIEF_GRACE, as_of)
    run_where = (
        r.c.user_id.in_(rep_ids),
        r.c.status == "finished",
        r.c.script.in_(REPORT_SCRIPTS),
        r.c.finished_at >= runs_from,
        r.c.finished_at < runs_to,
    )
    reader = engine.execution_options(**READ_ONLY)
    with reader.connect() as conn:
        reps = tuple(
            ActivityRep(row.id, row.key, row.display_name or row.key, row.tz)
            for row in conn.execute(
                sa.select(u.c.id, u.c.key, u.c.display_name, u.c.tz)
                .select_from(m.join(u, u.c.id == m.c.user_id))
                .where(*where)
                .order_by(u.c.display_name, u.c.id)
            )
        )
        former = tuple(
            FormerRep(row.user_id, _utc(row.joined_at), _utc(row.changed_at))
            for row in conn.execute(
                sa.select(m.c.user_id, m.c.joined_at, m.c.changed_at)
                .where(*former_where)
                .order_by(m.c.changed_at, m.c.user_id)
            )
        )
        answers: dict[int, dict[str, Any]] = {}
        for run_id, step, value in conn.execute(
            sa.select(a.c.run_id, a.c.step, a.c.value)
            .join(r, r.c.id == a.c.run_id)
            .where(*run_where, a.c.step.in_(REPORT_STEPS))
        ):
            answers.setdefault(run_id, {})[step] = value
        runs = tuple(
            ActivityRun(
                row.id,
                row.user_id,
                row.script,
                _utc(row.started_at),
                _utc(row.finished_at),
                answers.get(row.id, {}),
            )
            for row in conn.execute(
                sa.select(r.c.id, r.c.user_id, r.c.script, r.c.started_at, r.c.finished_at)
                .where(*run_where)
                .order_by(r.c.finished_at, r.c.id)
            )
        )
        follow_ups = tuple(
            FollowUp(
                row.id,
                row.user_id,
                row.about,
                row.customer,
                _utc(row.wanted_at),  # the day promised: a snooze does not hide it
                row.status,
                None if row.closed_at is None else _utc(row.closed_at),
            )
            for row in conn.execute(
                sa.select(
                    rem.c.id,
                    rem.c.user_id,
                    rem.c.about,
                    rem.c.customer,
                    rem.c.wanted_at,
                    rem.c.status,
                    rem.c.closed_at,
                )
                .where(
                    rem.c.user_id.in_(rep_ids),
                    rem.c.kind == "follow_up",
                    rem.c.wanted_at < end,
                    sa.or_(rem.c.status.in_(OPEN), rem.c.closed_at >= start),
                )
                .order_by(rem.c.wanted_at, rem.c.id)
            )
        )
        customers = _customers(conn, rep_ids, as_of)
    return Activity(team, start, end, as_of, reps, runs, follow_ups, customers, former)


def _customers(conn: sa.Connection, rep_ids: Any, as_of: datetime) -> tuple[Seen, ...]:
    """Every customer each rep debriefed or revisited before ``as_of``, with the latest visit
    and the latest class named (a visit without a class keeps the one known before).

    Grouped in SQL — one row per rep, customer and class, not one per visit: a year of a big
    team's visits would otherwise cross the wire for a few thousand customers. JSON values are
    compared as text (PostgreSQL's ``json`` has no equality)."""
    r, a = run_table, answer_table
    named, klass = a.alias("named"), a.alias("klass")
    customer_text = sa.cast(named.c.value, sa.Text)
    class_text = sa.cast(klass.c.value, sa.Text)
    query = (
        sa.select(r.c.user_id, customer_text, class_text, sa.func.max(r.c.finished_at))
        .join(named, sa.and_(named.c.run_id == r.c.id, named.c.step == CUSTOMER.step))
        .outerjoin(klass, sa.and_(klass.c.run_id == r.c.id, klass.c.step == CUSTOMER_CLASS.step))
        .where(
            r.c.user_id.in_(rep_ids),
            r.c.status == "finished",
            r.c.script.in_(VISITS),
            r.c.finished_at < as_of,
        )
        .group_by(r.c.user_id, customer_text, class_text)
    )
    last: dict[tuple[int, str], tuple[str, datetime]] = {}  # (rep, folded name) -> name, visit
    classes: dict[tuple[int, str], tuple[datetime, str]] = {}  # -> when, latest class named
    for user_id, name_json, class_json, finished_at in conn.execute(query):
        name = _json_text(name_json)
        if not isinstance(name, str) or not name.strip():
            continue
        key, when = (user_id, name.strip().casefold()), _utc(finished_at)
        if key not in last or last[key][1] < when:
            last[key] = (name.strip(), when)
        named_class = _json_text(class_json)
        if isinstance(named_class, str) and (key not in classes or classes[key][0] < when):
            classes[key] = (when, named_class)
    return tuple(
        Seen(key[0], name, classes[key][1] if key in classes else None, when)
        for key, (name, when) in last.items()
    )


def _json_text(value: Any) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class ExportRow:
    """One answer of one finished run of a rep of the team (a run without answers: step '')."""

    run_id: int
    rep_key: str
    rep_name: str
    script: str
    started_at: datetime
    finished_at: datetime
    step: str
    value: Any
    answered_at: datetime | None


@dataclass(frozen=True)
class ExportNote:
    """What a rep typed at a step of a finished run that was no answer (pushback, a vent)."""

    run_id: int
    rep_key: str
    rep_name: str
    script: str
    finished_at: datetime
    step: str
    text: str
    typed_at: datetime


def _finished_runs_of_reps(
    team_id: int, since: datetime | None, until: datetime | None
) -> list[Any]:
    """The conditions on ``run``: finished by an active rep of the team in ``[since, until)``."""
    m, r = membership_table, run_table
    reps = (
        sa.select(m.c.user_id)
        .where(m.c.team_id == team_id, m.c.role == "rep", m.c.status == "active")
        .scalar_subquery()
    )
    where = [r.c.user_id.in_(reps), r.c.status == "finished"]
    if since is not None:
        where.append(r.c.finished_at >= since)
    if until is not None:
        where.append(r.c.finished_at < until)
    return where


def export_notes(
    engine: sa.Engine,
    team_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ExportNote]:
    """The notes of the runs ``export_rows`` exports, in one query, ordered by run and typing."""
    u, r, n = user_table, run_table, step_note_table
    query = (
        sa.select(
            r.c.id,
            u.c.key,
            u.c.display_name,
            r.c.script,
            r.c.finished_at,
            n.c.step,
            n.c.text,
            n.c.created_at,
        )
        .select_from(r.join(u, u.c.id == r.c.user_id).join(n, n.c.run_id == r.c.id))
        .where(*_finished_runs_of_reps(team_id, since, until))
        .order_by(r.c.finished_at, r.c.id, n.c.id)
    )
    with engine.execution_options(**READ_ONLY).connect() as conn:
        return [
            ExportNote(
                row.id,
                row.key,
                row.display_name or row.key,
                row.script,
                _utc(row.finished_at),
                row.step,
                row.text,
                _utc(row.created_at),
            )
            for row in conn.execute(query)
        ]


def export_rows(
    engine: sa.Engine,
    team_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[Team, list[ExportRow]]:
    """Every answer of the finished runs of the team's active reps (finished in
    ``[since, until)``), in one query, ordered by run and answer; ``UnknownTeam`` when none."""
    team = Teams(engine).get(team_id)
    if team is None:
        raise UnknownTeam(f"no team {team_id}")
    u, r, a = user_table, run_table, answer_table
    where = _finished_runs_of_reps(team_id, since, until)
    query = (
        sa.select(
            r.c.id,
            u.c.key,
            u.c.display_name,
            r.c.script,
            r.c.started_at,
            r.c.finished_at,
            a.c.step,
            a.c.value,
            a.c.answered_at,
        )
        .select_from(r.join(u, u.c.id == r.c.user_id).outerjoin(a, a.c.run_id == r.c.id))
        .where(*where)
        .order_by(r.c.finished_at, r.c.id, a.c.id)
    )
    with engine.execution_options(**READ_ONLY).connect() as conn:
        rows = [
            ExportRow(
                row.id,
                row.key,
                row.display_name or row.key,
                row.script,
                _utc(row.started_at),
                _utc(row.finished_at),
                row.step or "",
                row.value,
                None if row.answered_at is None else _utc(row.answered_at),
            )
            for row in conn.execute(query)
        ]
    return team, rows


__all__ = [
    "DEBRIEF_GRACE",
    "FORMER",
    "PLAN_LOOKBACK",
    "Activity",
    "ActivityRep",
    "ActivityRun",
    "ExportNote",
    "ExportRow",
    "FollowUp",
    "FormerRep",
    "Seen",
    "UnknownTeam",
    "export_notes",
    "export_rows",
    "load_scoped",
    "load_team",
]
