"""Summary dispatch: CPU per finished debrief turned into managers' reviews and a summary.

    .venv/bin/python -m bench.summaries [--reps 40] [--rounds 10] [--db sqlite|postgres]

A team of ``--reps`` reps and two managers (one wants summaries at once, one a daily batch),
as in tests/storage/test_reviews.py. Each round every rep finishes one visit (a whole run in one
turn, short of its goal, a low feeling: every flag is looked for), then one
``Reviews.dispatch`` turns the round's notices into reviews and the instant summaries. Prints
the milliseconds per notice (wall clock of ``dispatch`` alone, median of the rounds).
``--db postgres``: a schema of its own in ``COACHBOT_BENCH_POSTGRES_URL`` or
``COACHBOT_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workers import postgres_schema  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.reviews import Reviews  # noqa: E402
from storage.store import Store  # noqa: E402
from storage.teams import Teams  # noqa: E402
from testkit.visits import NOW, finish, render, two_teams, visit_turn  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    schemas = None
    if args.db == "postgres":
        url, schemas = postgres_schema()
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/summaries.db"
    try:
        upgrade(url)
        engine = make_engine(url)
        store, teams, reviews = Store(engine, visit_turn), Teams(engine), Reviews(engine)
        team, _ = two_teams(teams)
        reps = [f"tg:{500 + n}" for n in range(args.reps)]
        for key in reps:
            teams.add_member(team.id, key, "rep", now=NOW)
        per_notice = []
        for round_ in range(args.rounds):
            for n, key in enumerate(reps):
                customer = f"Customer {(n + round_) % 5}"
                finish(store, key, customer=customer, goal_met=False, feeling_score=2)
            started = time.perf_counter()
            sent = reviews.dispatch(render, now=NOW)
            per_notice.append((time.perf_counter() - started) / len(reps))
            assert len(sent) == len(reps), f"{len(sent)} summaries for {len(reps)} notices"
        engine.dispose()
    finally:
        if schemas is not None:
            schemas.close()
    median = statistics.median(per_notice) * 1000
    print(
        f"{args.db}: {args.reps} reps x {args.rounds} rounds: dispatch {median:.2f} ms per notice"
        f" (median of rounds; min {min(per_notice) * 1000:.2f}, max {max(per_notice) * 1000:.2f})"
    )


if __name__ == "__main__":
    main()
