"""A team of 12 reps over 8 weeks (2026-W40 to W47), stored as the scripts store it.

Direct inserts of what a finished precall, debrief, week plan and week review leave behind (a
``run`` row, its ``answer`` rows with option ids and JSON values as the engine saves them, and the
``follow_up`` reminder the debrief's next step becomes), so the figures follow simple per-rep
patterns a person can count by hand (the expected values in ``test_digest.py``):

- rep ``i`` (1..12) visits ``v = i % 4 + 2`` customers a week, ``Cust i-k`` (k = 0..v-1), visit k
  on weekday k at 10:00 Shanghai; k = 0 is a new prospect, the others existing customers;
- goals reached on the first ``min(i % 3 + 1, v)`` visits;
- objections: price, timing, need, price, timing by k (rep 2's fourth visit also product);
- pre-call plans (the evening before, visit time as planned) for every visit, except the last
  one of odd reps; reps 5 and 9 also plan a Thursday 15:00 visit to ``Ghost i`` they never debrief;
- a weekly plan on Monday 09:00, except reps 4 and 7; a weekly review on Friday 16:00, except
  reps 4, 7 and 10;
- each visit's follow-up is due two days later at 10:00 and done an hour after, except: rep 2's
  first of W44, rep 6's first of W47 and rep 11's third of W47 are still open (sent);
- old customers seen once only: rep 1 ``Old A 1`` (class A, W40) and ``Old C 1`` (class C, W40),
  rep 2 ``Old A 2`` (A, W40), rep 3 ``Old A 3`` (A, W40) and ``Old B 3`` (B, W41), Monday 14:00;
  the regular customers' first visits carry class B.

Also: the manager, a rep of another team and a removed rep, each with visits in W47 that the
digest must not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage.schema import answer_table, membership_table, reminder_table, run_table, user_table
from storage.teams import Teams

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
WEEKS = [f"2026-W{n}" for n in range(40, 48)]
WEEK = "2026-W47"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=ZONE).astimezone(UTC)  # Monday after W47, 08:00
SEEDED = datetime(2026, 9, 1, tzinfo=UTC)
OBJECTIONS = ("price", "timing", "need")
NAMES = {1: "Anna Li", 2: "王芳", 3: "Bob <B&B>"}
MANAGER = "tg:100"


def rep_key(i: int) -> str:
    return f"tg:{i}"


def rep_name(i: int) -> str:
    return NAMES.get(i, f"Rep {i:02d}")


@dataclass
class Writer:
    """Inserts runs with answers, and reminders, for one rep."""

    conn: sa.Connection
    user_id: int
    no: int = 0

    def run(
        self,
        script: str,
        finished: datetime,
        answers: dict[str, Any],
        *,
        minutes: int = 10,
    ) -> int:
        self.no += 1
        run_id = self.conn.execute(
            sa.insert(run_table)
            .values(
                user_id=self.user_id,
                no=self.no,
                script=script,
                script_version=1,
                status="finished",
                started_at=finished - timedelta(minutes=minutes),
                finished_at=finished,
            )
            .returning(run_table.c.id)
        ).scalar_one()
        if answers:
            self.conn.execute(
                sa.insert(answer_table),
                [
                    {
                        "run_id": run_id,
                        "step": step,
                        "value": value,
                        "answered_at": finished,
                        "revision": 0,
                    }
                    for step, value in answers.items()
                ],
            )
        return int(run_id)

    def follow_up(self, customer: str, due: datetime, *, done: bool, run_no: int) -> None:
        self.conn.execute(
            sa.insert(reminder_table).values(
                user_id=self.user_id,
                kind="follow_up",
                key=f"follow_up:{self.user_id}:{run_no}",
                run_no=run_no,
                about=f"{customer}: call back",
                customer=customer,
                wanted_at=due,
                due_at=due,
                status="done" if done else "sent",
                created_at=due - timedelta(days=2),
                updated_at=due,
                sent_at=due,
                closed_at=due + timedelta(hours=1) if done else None,
            )
        )


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


def at_json(moment: datetime) -> dict[str, Any]:
    """A datetime answer as the engine stores it."""
    return {"at": moment.astimezone(ZONE).isoformat(), "has_time": True}


def monday(week: str) -> date:
    year, number = int(week[:4]), int(week[6:])
    return date.fromisocalendar(year, number, 1)


OPEN_FOLLOW_UPS = {(2, "2026-W44", 0), (6, "2026-W47", 0), (11, "2026-W47", 2)}


def seed_rep(conn: sa.Connection, user_id: int, i: int) -> None:
    w = Writer(conn, user_id)
    visits = i % 4 + 2
    goals = min(i % 3 + 1, visits)
    planned = visits - (i % 2)
    for week in WEEKS:
        mon = monday(week)
        if i not in (4, 7):
            w.run("week_plan", local(mon, 9), {"visits_planned": visits})
        for k in range(visits):
            day = mon + timedelta(days=k)
            visit = local(day, 10)
            customer = f"Cust {i}-{k}"
            if k < planned:
                w.run(
                    "precall",
                    local(day - timedelta(days=1), 18),
                    {"customer": customer, "visit_at": at_json(visit)},
                )
            objections = [OBJECTIONS[k % 3]]
            if i == 2 and k == 3:
                objections.append("product")
            answers: dict[str, Any] = {
                "feeling_score": 4,
                "customer": customer,
                "deal_size": "small",
                "depth": "short",
                "visit_type": "new" if k == 0 else "existing",
                "goal_met": k < goals,
                "objections": objections,
                "next_date": at_json(local(day + timedelta(days=2), 10)),
            }
            if k == 0:
                answers["customer_class"] = "b"
            w.run("debrief", visit + timedelta(hours=2), answers)
            w.follow_up(
                customer,
                local(day + timedelta(days=2), 10),
                done=(i, week, k) not in OPEN_FOLLOW_UPS,
                run_no=w.no,
            )
        if i in (5, 9):
            w.run(
                "precall",
                local(mon + timedelta(days=2), 18),
                {"customer": f"Ghost {i}", "visit_at": at_json(local(mon + timedelta(days=3), 15))},
            )
        if i not in (4, 7, 10):
            w.run("week_review", local(mon + timedelta(days=4), 16), {"visits_done": visits})
    old = {
        1: [("Old A 1", "a", "2026-W40"), ("Old C 1", "c", "2026-W40")],
        2: [("Old A 2", "a", "2026-W40")],
        3: [("Old A 3", "a", "2026-W40"), ("Old B 3", "b", "2026-W41")],
    }
    for customer, klass, week in old.get(i, []):
        w.run(
            "debrief",
            local(monday(week), 14),
            {
                "customer": customer,
                "customer_class": klass,
                "visit_type": "existing",
                "goal_met": False,
                "objections": ["none"],
            },
        )


def seed_outsider(conn: sa.Connection, user_id: int) -> None:
    """Someone whose W47 visits belong to no rep of the team."""
    w = Writer(conn, user_id, no=0)
    for k in range(3):
        day = monday(WEEK) + timedelta(days=k)
        w.run(
            "debrief",
            local(day, 11),
            {
                "customer": f"Other {user_id}-{k}",
                "visit_type": "new",
                "goal_met": True,
                "objections": ["price"],
            },
        )
        w.follow_up(f"Other {user_id}-{k}", local(day, 12), done=False, run_no=w.no)


def user_id(conn: sa.Connection, key: str) -> int:
    return int(conn.execute(sa.select(user_table.c.id).where(user_table.c.key == key)).scalar_one())


def seed_team(engine: sa.Engine) -> int:
    """The team (and a second one); returns the team's id."""
    teams = Teams(engine)
    team = teams.create_team(MANAGER, "North 北区", now=SEEDED, tz=TZ, check=False)
    other = teams.create_team("tg:200", "South", now=SEEDED, tz=TZ, check=False)
    for i in range(1, 13):
        teams.add_member(team.id, rep_key(i), "rep", now=SEEDED, display_name=rep_name(i))
    teams.add_member(other.id, "tg:201", "rep", now=SEEDED, display_name="Outsider")
    teams.add_member(team.id, "tg:300", "rep", now=SEEDED, display_name="Removed")
    with engine.begin() as conn:
        conn.execute(
            sa.update(membership_table)
            .where(membership_table.c.user_id == user_id(conn, "tg:300"))
            .values(status="removed")
        )
        for i in range(1, 13):
            seed_rep(conn, user_id(conn, rep_key(i)), i)
        for key in ("tg:201", "tg:300", MANAGER):
            seed_outsider(conn, user_id(conn, key))
    return team.id
