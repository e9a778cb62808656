"""The weekly team digest as numbers: pure computation over ``storage.activity.Activity``.

Seed 000's lesson: never judge a rep by one number. Every figure here comes with the others it
must be read against — effort (visits per day, new vs. existing customers), process (planned
visits debriefed, plans written before visits, the weekly plan) and results (goals reached per
visit, follow-ups done and overdue) — per rep and for the team.

Definitions (the tests check them against hand-computed values):

- The week is an ISO week in the team's time zone, Monday 00:00 to Monday 00:00; ``as_of`` is the
  earlier of the week's end and ``now``.
- A visit is a finished debrief (finished in the week). Its type is the ``visit_type`` answer:
  ``new``, or existing (``existing`` and ``revisit``). Visits per day: visits / working days
  (Monday to Friday, less the team's holidays).
- A pre-call plan and a debrief match when the same rep names the same customer (case-insensitive)
  and the debrief was finished after the plan, no earlier than ``EARLY_DEBRIEF`` before the
  planned visit time and at most ``DEBRIEF_GRACE`` after it; each plan matches one debrief at
  most, in order.
  Planned visits: plans whose visit time is in the week; debriefed: those matched.
  Plans before visits: visits of the week that matched a plan.
- Weekly plan done: a ``week_plan`` finished from the Saturday before to the week's Friday;
  weekly review done: a ``week_review`` finished in the week.
- Goals reached: visits whose ``goal_met`` is yes.
- Follow-ups (``follow_up`` reminders): done = closed as done in the week; overdue = due before
  ``as_of`` and still open then; escalated = overdue by more than ``ESCALATE_AFTER``.
- Objections by type: the ``objections`` answers of the week's visits (``none`` not counted).
- Customers overdue for a revisit: each customer's latest visit (debrief or revisit) is older than
  the days its latest class allows (the team's ``class_days`` over ``reminders.policy`` defaults).
- Who counts: per-rep rows and the lists of who is behind name the team's active reps only. The
  team's figures also count every former member whose membership overlapped the week (removed
  since, or deleted and anonymised — ``storage.activity.FormerRep``), each as a rep, with only
  what they did while in the team: runs finished from joining to leaving, follow-ups done before
  leaving; their overdue follow-ups and customers count only if they were still in the team at
  ``as_of``. ``Digest.former`` sums them, so the team's totals can be told apart from the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from coaching.answers import (
    CUSTOMER,
    CUSTOMER_CLASS,
    DEBRIEF,
    GOAL_MET,
    OBJECTIONS,
    PRECALL,
    VISIT_AT,
    VISIT_TYPE,
    WEEK_PLAN,
    WEEK_REVIEW,
)
from coaching.schedule import week_name
from dialogs.contract import Contract, Value
from dialogs.zones import zone_of
from reminders.policy import Policy, overdue_for_revisit
from storage.activity import (
    DEBRIEF_GRACE,
    Activity,
    ActivityRep,
    ActivityRun,
    FollowUp,
    FormerRep,
)

ESCALATE_AFTER = timedelta(days=3)
"""A follow-up overdue by more than this is named in the digest: nothing rots silently."""
WEEKEND_AHEAD = timedelta(days=2)
"""A weekly plan finished from Saturday on is the next week's."""
EARLY_DEBRIEF = timedelta(days=1)
"""A debrief more than this before the planned visit time is about another visit."""
NEW = Value(VISIT_TYPE, "new")
EXISTING = (Value(VISIT_TYPE, "existing"), Value(VISIT_TYPE, "revisit"))
"""Visit types counted as an existing customer."""
OBJECTION_VALUES = tuple(Value(OBJECTIONS, kind) for kind in ("need", "product", "price", "timing"))
NO_OBJECTION = Value(OBJECTIONS, "none")
OBJECTION_TYPES = tuple(value.value for value in OBJECTION_VALUES)
CLASS_VALUES = tuple(Value(CUSTOMER_CLASS, name) for name in ("a", "b", "c"))
"""The customer classes ``reminders.policy`` gives revisit days to (upper-cased there)."""
CLASSES = tuple(value.value.upper() for value in CLASS_VALUES)
CONTRACT = Contract(
    "reports.digest",
    (
        DEBRIEF,
        PRECALL,
        WEEK_PLAN,
        WEEK_REVIEW,
        CUSTOMER,
        GOAL_MET,
        VISIT_AT,
        NEW,
        *EXISTING,
        *OBJECTION_VALUES,
        NO_OBJECTION,
        *CLASS_VALUES,
    ),
)


class BadWeek(ValueError):
    """Not an ISO week ("2026-W47"), or a week that has not started yet."""


# --- weeks ----------------------------------------------------------------------------------------


def parse_week(text: str) -> tuple[int, int]:
    """``"2026-W47"`` → ``(2026, 47)``; ``BadWeek`` for anything else (or week 53 of a 52-week
    year)."""
    head, sep, tail = text.strip().upper().partition("-W")
    if not sep or not head.isdigit() or not tail.isdigit() or len(head) != 4:
        raise BadWeek(f"not an ISO week: {text!r} (e.g. 2026-W47)")
    try:
        date.fromisocalendar(int(head), int(tail), 1)
    except ValueError:
        raise BadWeek(f"no such week: {text!r}") from None
    return int(head), int(tail)


def week_window(week: str, tz: str) -> tuple[datetime, datetime]:
    """The week's Monday 00:00 and next Monday 00:00 in ``tz``, as UTC moments."""
    year, number = parse_week(week)
    monday = date.fromisocalendar(year, number, 1)
    zone = zone_of(tz)
    start = datetime.combine(monday, time(0), zone).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time(0), zone).astimezone(UTC)
    return start, end


def week_containing(moment: datetime, tz: str) -> str:
    year, number, _ = moment.astimezone(zone_of(tz)).isocalendar()
    return week_name(year, number)


def last_week(now: datetime, tz: str) -> str:
    """The last whole week before ``now`` in ``tz``: what a Monday digest reports on."""
    return week_containing(now - timedelta(days=7), tz)


# --- figures --------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    """One rep's week, or the team's (sums over reps; ``reps`` counts them)."""

    reps: int
    working_days: int
    visits: int
    new: int
    existing: int
    planned: int
    planned_debriefed: int
    with_plan: int
    goals: int
    week_plans: int
    week_reviews: int
    follow_ups_done: int
    follow_ups_overdue: int
    objections: Mapping[str, int] = field(default_factory=dict)
    revisit_overdue: Mapping[str, int] = field(default_factory=dict)

    @property
    def visits_per_day(self) -> float:
        """Per rep and working day (the team's figure is the average rep's)."""
        days = self.working_days * max(self.reps, 1)
        return self.visits / days if days else 0.0

    @property
    def debrief_rate(self) -> float | None:
        return _rate(self.planned_debriefed, self.planned)

    @property
    def plan_rate(self) -> float | None:
        return _rate(self.with_plan, self.visits)

    @property
    def goal_rate(self) -> float | None:
        return _rate(self.goals, self.visits)

    @property
    def revisit_overdue_total(self) -> int:
        return sum(self.revisit_overdue.values())


@dataclass(frozen=True)
class Undebriefed:
    rep: ActivityRep
    customers: tuple[str, ...]
    """The customers of planned visits of the week with no debrief (in visit order)."""


@dataclass(frozen=True)
class Escalation:
    rep: ActivityRep
    about: str
    customer: str
    due_at: datetime
    days_overdue: int


@dataclass(frozen=True)
class RepWeek:
    rep: ActivityRep
    figures: Figures


@dataclass(frozen=True)
class Digest:
    team_id: int
    team_name: str
    week: str
    tz: str
    start: datetime
    end: datetime
    as_of: datetime
    reps: tuple[RepWeek, ...]
    team: Figures
    not_debriefed: tuple[Undebriefed, ...]
    no_week_plan: tuple[ActivityRep, ...]
    escalated: tuple[Escalation, ...]
    former: Figures | None = None
    """Former members' share of ``team`` (None: nobody who left was in the team that week)."""

    @property
    def first_day(self) -> date:
        return self.start.astimezone(zone_of(self.tz)).date()

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)


# --- computation ----------------------------------------------------------------------------------


def compute(activity: Activity, week: str, now: datetime) -> Digest:
    """The digest of ``week`` for ``activity``'s team, as things stood at ``now``."""
    tz = activity.settings.tz or "UTC"
    start, end = week_window(week, tz)
    if now <= start:
        raise BadWeek(f"{week} has not started yet")
    as_of = min(now, end)
    days = _working_days(start, tz, activity.settings.holidays)
    policy = _policy(activity.settings.class_days)
    ids = [rep.id for rep in activity.reps] + [member.id for member in activity.former]
    by_rep: dict[int, list[ActivityRun]] = {rep_id: [] for rep_id in ids}
    for run in activity.runs:
        if run.rep_id in by_rep:
            by_rep[run.rep_id].append(run)
    follow_ups: dict[int, list[FollowUp]] = {rep_id: [] for rep_id in ids}
    for follow_up in activity.follow_ups:
        if follow_up.rep_id in follow_ups:
            follow_ups[follow_up.rep_id].append(follow_up)
    overdue_customers: dict[int, Counter[str]] = {rep_id: Counter() for rep_id in ids}
    for seen in activity.customers:
        if seen.rep_id in overdue_customers and overdue_for_revisit(
            seen.last_visit, seen.customer_class, as_of, policy
        ):
            overdue_customers[seen.rep_id][(seen.customer_class or "").strip().upper()] += 1

    weeks: list[RepWeek] = []
    not_debriefed: list[Undebriefed] = []
    no_plan: list[ActivityRep] = []
    escalated: list[Escalation] = []
    for rep in activity.reps:
        figures, missed = _rep_figures(
            by_rep[rep.id], follow_ups[rep.id], start, end, as_of, days, overdue_customers[rep.id]
        )
        weeks.append(RepWeek(rep, figures))
        if missed:
            not_debriefed.append(Undebriefed(rep, tuple(missed)))
        if not figures.week_plans:
            no_plan.append(rep)
        for follow_up in follow_ups[rep.id]:
            if _open_at(follow_up, as_of) and as_of - follow_up.due_at > ESCALATE_AFTER:
                late = (as_of - follow_up.due_at) // timedelta(days=1)
                escalated.append(
                    Escalation(rep, follow_up.about, follow_up.customer, follow_up.due_at, late)
                )
    escalated.sort(key=lambda item: (item.due_at, item.rep.name))
    former = [
        _former_figures(member, by_rep, follow_ups, overdue_customers, start, end, as_of, days)
        for member in activity.former
    ]
    return Digest(
        team_id=activity.team.id,
        team_name=activity.team.name,
        week=week,
        tz=tz,
        start=start,
        end=end,
        as_of=as_of,
        reps=tuple(weeks),
        team=_team_figures([*(w.figures for w in weeks), *former], days),
        not_debriefed=tuple(not_debriefed),
        no_week_plan=tuple(no_plan),
        escalated=tuple(escalated),
        former=_team_figures(former, days) if former else None,
    )


def _former_figures(
    member: FormerRep,
    runs: Mapping[int, Sequence[ActivityRun]],
    follow_ups: Mapping[int, Sequence[FollowUp]],
    revisit_overdue: Mapping[int, Counter[str]],
    start: datetime,
    end: datetime,
    as_of: datetime,
    days: int,
) -> Figures:
    """A former member's week, limited to their time in the team (see the module docstring)."""
    inside = [
        run for run in runs[member.id] if member.joined_at <= run.finished_at < member.left_at
    ]
    still_in = member.left_at > as_of
    kept = [
        f
        for f in follow_ups[member.id]
        if still_in
        or (f.status == "done" and f.closed_at is not None and f.closed_at < member.left_at)
    ]
    overdue = revisit_overdue[member.id] if still_in else Counter()
    figures, _ = _rep_figures(inside, kept, start, end, as_of, days, overdue)
    return figures


def _rep_figures(
    runs: Sequence[ActivityRun],
    follow_ups: Sequence[FollowUp],
    start: datetime,
    end: datetime,
    as_of: datetime,
    days: int,
    revisit_overdue: Counter[str],
) -> tuple[Figures, list[str]]:
    """One rep's figures and the customers of their planned visits left without a debrief."""
    in_week = [run for run in runs if start <= run.finished_at < end]
    visits = [run for run in in_week if run.script == DEBRIEF.id]
    matched = _match_plans(runs)  # precall id -> debrief id
    planned_debriefs = set(matched.values())
    planned: list[ActivityRun] = []
    for run in runs:
        visit_at = _visit_at(run)
        if run.script == PRECALL.id and visit_at is not None and start <= visit_at < end:
            planned.append(run)
    planned.sort(key=lambda run: _visit_at(run) or run.finished_at)
    missed = [_customer(run) for run in planned if run.id not in matched]
    types = Counter(_text(run.answers.get(VISIT_TYPE.step)) for run in visits)
    objections: Counter[str] = Counter()
    for run in visits:
        picked = run.answers.get(OBJECTIONS.step)
        if isinstance(picked, list):
            objections.update(str(kind) for kind in picked if kind != NO_OBJECTION.value)
    figures = Figures(
        reps=1,
        working_days=days,
        visits=len(visits),
        new=types[NEW.value],
        existing=sum(types[value.value] for value in EXISTING),
        planned=len(planned),
        planned_debriefed=len(planned) - len(missed),
        with_plan=sum(1 for run in visits if run.id in planned_debriefs),
        goals=sum(1 for run in visits if run.answers.get(GOAL_MET.step) is True),
        week_plans=1 if any(_plans_week(run, start, end) for run in runs) else 0,
        week_reviews=1 if any(run.script == WEEK_REVIEW.id for run in in_week) else 0,
        follow_ups_done=sum(
            1
            for f in follow_ups
            if f.status == "done" and f.closed_at is not None and start <= f.closed_at < end
        ),
        follow_ups_overdue=sum(1 for f in follow_ups if _open_at(f, as_of)),
        objections=dict(objections),
        revisit_overdue=dict(revisit_overdue),
    )
    return figures, missed


def _match_plans(runs: Sequence[ActivityRun]) -> dict[int, int]:
    """Pre-call plans matched to the debriefs of their visits (see the module docstring)."""
    open_plans: dict[str, list[tuple[ActivityRun, datetime]]] = {}
    matched: dict[int, int] = {}
    for run in runs:  # oldest first
        name = _customer(run).casefold()
        if run.script == PRECALL.id:
            visit_at = _visit_at(run)
            if visit_at is not None and name:
                open_plans.setdefault(name, []).append((run, visit_at))
        elif run.script == DEBRIEF.id and name in open_plans:
            waiting = open_plans[name]
            for index, (plan, visit_at) in enumerate(waiting):
                earliest = max(plan.finished_at, visit_at - EARLY_DEBRIEF)
                if earliest <= run.finished_at <= visit_at + DEBRIEF_GRACE:
                    matched[plan.id] = run.id
                    del waiting[index]
                    break
    return matched


def _team_figures(figures: Sequence[Figures], days: int) -> Figures:
    def total(name: str) -> int:
        return sum(int(getattr(f, name)) for f in figures)

    return Figures(
        reps=len(figures),
        working_days=days,
        visits=total("visits"),
        new=total("new"),
        existing=total("existing"),
        planned=total("planned"),
        planned_debriefed=total("planned_debriefed"),
        with_plan=total("with_plan"),
        goals=total("goals"),
        week_plans=total("week_plans"),
        week_reviews=total("week_reviews"),
        follow_ups_done=total("follow_ups_done"),
        follow_ups_overdue=total("follow_ups_overdue"),
        objections=dict(_sum_counts(f.objections for f in figures)),
        revisit_overdue=dict(_sum_counts(f.revisit_overdue for f in figures)),
    )


def _sum_counts(counts: Iterable[Mapping[str, int]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    return total


def _plans_week(run: ActivityRun, start: datetime, end: datetime) -> bool:
    """A weekly plan written over the weekend before counts for the week (as for the nudge),
    one written on the week's own weekend for the next."""
    ahead = WEEKEND_AHEAD
    return run.script == WEEK_PLAN.id and start - ahead <= run.finished_at < end - ahead


def _open_at(follow_up: FollowUp, moment: datetime) -> bool:
    """Due before ``moment`` and not yet done or cancelled then."""
    if follow_up.due_at >= moment:
        return False
    if follow_up.status in ("pending", "sent"):
        return True
    return follow_up.closed_at is not None and follow_up.closed_at > moment


def _working_days(start: datetime, tz: str, holidays: Iterable[str]) -> int:
    monday = start.astimezone(zone_of(tz)).date()
    off = set(holidays)
    return sum(1 for n in range(5) if (monday + timedelta(days=n)).isoformat() not in off)


def _policy(class_days: Mapping[str, int]) -> Policy:
    limits = dict(Policy().class_max_days)
    limits.update({name.strip().upper(): days for name, days in class_days.items()})
    return Policy(class_max_days=limits)


def _customer(run: ActivityRun) -> str:
    return _text(run.answers.get(CUSTOMER.step)).strip()


def _visit_at(run: ActivityRun) -> datetime | None:
    value = run.answers.get(VISIT_AT.step)
    if isinstance(value, dict) and isinstance(value.get("at"), str):
        try:
            moment = datetime.fromisoformat(value["at"])
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


__all__ = [
    "CLASSES",
    "ESCALATE_AFTER",
    "OBJECTION_TYPES",
    "BadWeek",
    "Digest",
    "Escalation",
    "Figures",
    "RepWeek",
    "Undebriefed",
    "compute",
    "last_week",
    "parse_week",
    "week_containing",
    "week_window",
]
