"""Weekly digest benchmark: a team of 50 reps with a year of debriefs (about 25,000 visits).

    .venv/bin/python -m bench.digest [--reps 50] [--weeks 52] [--repeat 5] [--db sqlite|postgres]
                                     [--out /tmp/digest-bench]

Seeds a migrated database (SQLite file in a temporary folder; ``--db postgres``: a schema of its
own in ``COACHBOT_BENCH_POSTGRES_URL`` or ``COACHBOT_TEST_POSTGRES_URL``) with bulk inserts of
what the scripts store: per rep and week 7 to 12 debriefs (customers from a pool of 60, a class
on each customer's first visit, goal met, objections, next step), a pre-call plan for about four
visits in five, a weekly plan and a review, and a follow-up reminder per debrief (one in ten still
open). Then times ``reports.weekly.build_weekly`` for the last week — the query, the figures, the
chart PNG, the text, the HTML page — once cold (the first call in the process registers the CJK
font) and ``--repeat`` times warm; prints the median and the split. ``--out`` keeps the PNG and
the HTML page to look at.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coaching.users import UserRef  # noqa: E402
from storage.schema import (  # noqa: E402
    answer_table,
    membership_table,
    reminder_table,
    run_table,
    team_table,
    user_table,
)

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai: W47's digest
LAST_MONDAY = date(2026, 11, 16)
OBJECTIONS = ("need", "product", "price", "timing", "none")
BATCH = 5000


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def seed(engine: sa.Engine, reps: int, weeks: int, rng: random.Random) -> dict[str, int]:
    """The team, its reps and their year; counts of what was inserted."""
    created = NOW - timedelta(days=7 * weeks + 30)
    users: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    visits = 0
    for uid in range(1, reps + 2):
        users.append(
            {
                "id": uid,
                "key": str(UserRef.telegram(uid)),
                "display_name": "Manager" if uid == 1 else f"Rep {uid - 1:02d} 销售",
                "lang": "en",
                "tz": TZ,
                "created_at": created,
                "active": True,
            }
        )
        members.append(
            {
                "team_id": 1,
                "user_id": uid,
                "role": "manager" if uid == 1 else "rep",
                "status": "active",
                "joined_at": created,
                "changed_at": created,
            }
        )
    run_id = 0

    def run(uid: int, no: int, script: str, finished: datetime, values: dict[str, Any]) -> None:
        nonlocal run_id
        run_id += 1
        runs.append(
            {
                "id": run_id,
                "user_id": uid,
                "no": no,
                "script": script,
                "script_version": 1,
                "status": "finished",
                "started_at": finished - timedelta(minutes=8),
                "finished_at": finished,
            }
        )
        answers.extend(
            {"run_id": run_id, "step": step, "value": value, "answered_at": finished, "revision": 0}
            for step, value in values.items()
        )

    for uid in range(2, reps + 2):
        no = 0
        seen: set[int] = set()
        for back in range(weeks - 1, -1, -1):
            monday = LAST_MONDAY - timedelta(days=7 * back)
            no += 1
            run(uid, no, "week_plan", local(monday, 8, 30), {"visits_planned": 10})
            for k in range(rng.randint(7, 12)):
                day = monday + timedelta(days=k % 5)
                visit = local(day, 9 + k // 5 * 3, rng.randrange(0, 60, 15))
                number = rng.randrange(60)
                customer = f"Customer {uid}-{number}"
                if rng.random() < 0.8:
                    no += 1
                    run(
                        uid,
                        no,
                        "precall",
                        visit - timedelta(hours=16),
                        {
                            "customer": customer,
                            "visit_at": {
                                "at": visit.astimezone(ZONE).isoformat(),
                                "has_time": True,
                            },
                        },
                    )
                if rng.random() < 0.05:
                    continue  # planned, never debriefed
                no += 1
                visits += 1
                values: dict[str, Any] = {
                    "feeling_score": rng.randint(1, 5),
                    "customer": customer,
                    "deal_size": rng.choice(("small", "large")),
                    "depth": "short",
                    "visit_type": "existing" if number in seen else "new",
                    "goal_met": rng.random() < 0.45,
                    "objections": rng.sample(OBJECTIONS[:4], rng.randint(0, 2)) or ["none"],
                    "next_action": "call back",
                    "next_date": {
                        "at": (visit + timedelta(days=3)).astimezone(ZONE).isoformat(),
                        "has_time": True,
                    },
                }
                if number not in seen:
                    values["customer_class"] = rng.choice(("a", "b", "c"))
                    seen.add(number)
                run(uid, no, "debrief", visit + timedelta(hours=2), values)
                due = visit + timedelta(days=3)
                done = rng.random() > 0.1
                reminders.append(
                    {
                        "user_id": uid,
                        "kind": "follow_up",
                        "key": f"follow_up:{uid}:{no}",
                        "run_no": no,
                        "about": f"{customer}: call back",
                        "customer": customer,
                        "wanted_at": due,
                        "due_at": due,
                        "explicit": True,
                        "status": "done" if done else "sent",
                        "snoozes": 0,
                        "created_at": visit,
                        "updated_at": due,
                        "sent_at": due,
                        "closed_at": due + timedelta(hours=2) if done else None,
                    }
                )
            if rng.random() < 0.85:
                no += 1
                run(uid, no, "week_review", local(monday + timedelta(days=4), 16), {})
    with engine.begin() as conn:
        conn.execute(
            sa.insert(team_table),
            [{"id": 1, "name": "Bench", "settings": {"tz": TZ}, "created_at": created}],
        )
        for table, rows in (
            (user_table, users),
            (membership_table, members),
            (run_table, runs),
            (answer_table, answers),
            (reminder_table, reminders),
        ):
            for start in range(0, len(rows), BATCH):
                conn.execute(sa.insert(table), rows[start : start + BATCH])
    return {
        "visits": visits,
        "runs": len(runs),
        "answers": len(answers),
        "reminders": len(reminders),
    }


def database(kind: str, folder: str) -> tuple[sa.Engine, Any]:
    """A migrated, empty database and a function that drops it."""
    import os

    from storage.db import make_engine
    from storage.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        return make_engine(url), lambda: None
    from testkit.postgres import PostgresSchemas

    base = os.environ.get("COACHBOT_BENCH_POSTGRES_URL") or os.environ.get(
        "COACHBOT_TEST_POSTGRES_URL"
    )
    if not base:
        raise SystemExit("set COACHBOT_BENCH_POSTGRES_URL (or COACHBOT_TEST_POSTGRES_URL)")
    schemas = PostgresSchemas(base)
    url = schemas.create()
    upgrade(url)
    engine = make_engine(url)

    def drop() -> None:
        engine.dispose()
        schemas.close()

    return engine, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--out", type=Path, help="keep the PNG and the HTML page here")
    args = parser.parse_args()

    from coaching_scripts import load_catalog
    from reports.weekly import build_weekly

    messages = load_catalog().messages
    with tempfile.TemporaryDirectory() as folder:
        engine, drop = database(args.db, folder)
        try:
            clock = time.perf_counter()
            counts = seed(engine, args.reps, args.weeks, random.Random(47))
            seeded = time.perf_counter() - clock
            print(
                f"{args.db}: {args.reps} reps x {args.weeks} weeks: {counts['visits']:,} visits, "
                f"{counts['runs']:,} runs, {counts['answers']:,} answers, "
                f"{counts['reminders']:,} follow-ups (seeded in {seeded:.1f} s)"
            )
            results = []
            for attempt in range(args.repeat + 1):
                clock = time.perf_counter()
                report = build_weekly(engine, 1, messages=messages, now=NOW, lang="zh")
                total = time.perf_counter() - clock
                results.append((total, report.timings))
                if attempt == 0:
                    print(f"cold (first call): {total * 1000:7.0f} ms  {_split(report.timings)}")
            warm = results[1:]
            median = statistics.median(total for total, _ in warm)
            print(
                f"warm, median of {len(warm)}: {median * 1000:5.0f} ms  "
                f"{_split(sorted(warm, key=lambda r: r[0])[len(warm) // 2][1])}"
            )
            figures = report.digest.team
            assert report.png is not None
            assert report.html is not None
            print(
                f"week {report.week}: {figures.visits} visits by {figures.reps} reps; "
                f"PNG {len(report.png) / 1024:.0f} KiB, page {len(report.html) / 1024:.0f} KiB, "
                f"caption {len(report.text.caption)} chars + {len(report.text.messages)} message(s)"
            )
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / "digest.png").write_bytes(report.png)
                (args.out / "digest.html").write_text(report.html, encoding="utf-8")
                print(f"kept {args.out / 'digest.png'} and {args.out / 'digest.html'}")
        finally:
            engine.dispose()
            drop()


def _split(timings: dict[str, float]) -> str:
    return "  ".join(f"{name} {seconds * 1000:.0f}" for name, seconds in timings.items())


if __name__ == "__main__":
    main()
