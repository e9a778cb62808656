"""Durable turns per second: engine + storage, one process, many reps cycling through debriefs.

    python bench/turns.py [--seconds 60] [--db sqlite|postgres|memory|all] [--users 500]
                          [--synchronous NORMAL|FULL] [--turn auto|real|fake] [--profile]

Each turn is one ``store.handle(...)`` call: the rep's event through the engine, committed in one
transaction (state, inbox, run, answers, effects, outbox). The driver plays the reps: it answers
the last question of each (a button, a number, a date, a few words), restarts a debrief when one
ends, and moves on to the next rep, round robin. PostgreSQL runs when COACHBOT_TEST_POSTGRES_URL
(or COACHBOT_BENCH_POSTGRES_URL) is set, in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogs.types import DONE, Ask, CommandIn, Event, PickIn, Reply, TextIn  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.memory import MemoryStore  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.store import Profile, Store, TurnFn, TurnStore  # noqa: E402

POSTGRES_ENVS = ("COACHBOT_BENCH_POSTGRES_URL", "COACHBOT_TEST_POSTGRES_URL")
TEXTS = [
    "The buyer liked the demo but wants a second quote.",
    "Felt rushed, they had only fifteen minutes.",
    "Good, the new purchasing manager was there.",
    "Send the revised offer and call on Thursday.",
]


def choose_turn(kind: str) -> tuple[TurnFn, str, Event]:
    """The turn function, its description and the event that starts a run."""
    if kind in ("auto", "real"):
        try:
            from coaching_scripts import load_catalog
            from dialogs.engine import step

            catalog = load_catalog()
            if "debrief" not in catalog.scripts:
                raise LookupError("no debrief script in the catalog")
            turn: TurnFn = functools.partial(step, catalog)
            return turn, "dialogs.engine.step + debrief script", CommandIn("start", "debrief")
        except Exception as error:
            if kind == "real":
                raise
            print(f"note: real engine unavailable ({type(error).__name__}: {error}); fake turn")
    from testkit.fake_turn import fake_turn

    return fake_turn, "fake turn (testkit/fake_turn.py, 30 text questions)", TextIn("start")


@dataclass
class Rep:
    profile: Profile
    last: tuple[Reply, ...] = ()
    picked: bool = False


class Driver:
    """Plays the reps: an answer to each one's last question, or a new run."""

    def __init__(self, users: int, start: Event, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.start = start
        langs = ("en", "zh")
        self.reps = [
            Rep(Profile(f"bench:{seed}:{i}", f"Rep {i}", langs[i % 2], "Asia/Shanghai"))
            for i in range(users)
        ]
        self.next = 0
        self.update_id = 0
        self.source = f"bench-{seed}"

    def event(self, rep: Rep) -> Event:
        asks = [reply for reply in rep.last if isinstance(reply, Ask)]
        if not asks:
            return self.start
        ask = asks[-1]
        if ask.choices:
            options = [c for c in ask.choices if c.id != DONE]
            if ask.kind == "multi" and rep.picked:
                rep.picked = False
                return PickIn(ask.token, DONE)
            rep.picked = ask.kind == "multi"
            return PickIn(ask.token, self.rng.choice(options).id if options else DONE)
        if ask.kind == "number":
            return TextIn(str(self.rng.randint(1, 90) * 1000))
        if ask.kind == "scale":
            return TextIn(str(self.rng.randint(1, 5)))
        if ask.kind in ("date", "datetime"):
            return TextIn("2026-12-03 10:00")
        if ask.kind == "yesno":
            return TextIn(self.rng.choice(("yes", "no")))
        return TextIn(self.rng.choice(TEXTS))

    def turn(self, store: TurnStore) -> float:
        """One turn of the next rep; its latency in seconds."""
        rep = self.reps[self.next]
        self.next = (self.next + 1) % len(self.reps)
        self.update_id += 1
        event = self.event(rep)
        began = time.perf_counter()
        result = store.handle(
            rep.profile,
            event,
            now=datetime.now(UTC),
            source=self.source,
            external_id=str(self.update_id),
        )
        elapsed = time.perf_counter() - began
        rep.last = result.replies
        return elapsed


@dataclass
class Figures:
    name: str
    turns: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.turns / self.seconds

    def line(self) -> str:
        return (
            f"{self.name:<22} {self.per_second:>9,.0f} turns/s   p50 {self.p50_ms:6.2f} ms   "
            f"p99 {self.p99_ms:6.2f} ms   max {self.max_ms:7.2f} ms   ({self.turns:,} turns)"
        )


def measure(name: str, store: TurnStore, drivers: list[Driver], seconds: float) -> Figures:
    """Turns through ``store`` for ``seconds``: one driver per thread, each with its own reps."""
    for driver in drivers:  # warm up: the reps exist, caches and prepared statements are hot
        for _ in range(min(2000, len(driver.reps) * 4)):
            driver.turn(store)
    latencies: list[list[float]] = [[] for _ in drivers]
    start = threading.Barrier(len(drivers) + 1)
    deadline = 0.0

    def drive(driver: Driver, out: list[float]) -> None:
        start.wait()
        while True:
            for _ in range(50):
                out.append(driver.turn(store))
            if time.perf_counter() >= deadline:
                return

    threads = [
        threading.Thread(target=drive, args=(driver, out), daemon=True)
        for driver, out in zip(drivers, latencies, strict=True)
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - began
    merged = sorted(latency for out in latencies for latency in out)
    cuts = statistics.quantiles(merged, n=100, method="inclusive")
    return Figures(name, len(merged), total, cuts[49] * 1e3, cuts[98] * 1e3, merged[-1] * 1e3)


def describe_runs(engine: Any) -> str:
    """What the reps got through: runs by status, answers, replies (all committed)."""
    with engine.connect() as conn:
        runs = dict(conn.exec_driver_sql("SELECT status, count(*) FROM run GROUP BY status").all())
        answers = conn.exec_driver_sql("SELECT count(*) FROM answer").scalar()
        replies = conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar()
    by_status = ", ".join(f"{count:,} {status}" for status, count in sorted(runs.items()))
    return f"  runs: {by_status}; {answers:,} answers; {replies:,} replies in the outbox"


def postgres_url() -> str | None:
    return next((os.environ[e] for e in POSTGRES_ENVS if os.environ.get(e)), None)


def bench_postgres(base: str, run: Callable[[str], Figures]) -> Figures:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    schema = f"coachbot_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = (
            make_url(base)
            .set(drivername="postgresql+psycopg")
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        upgrade(url)
        return run(url)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", choices=["sqlite", "postgres", "memory", "all"], default="all")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--synchronous", default="NORMAL", help="SQLite: NORMAL or FULL")
    parser.add_argument("--turn", choices=["auto", "real", "fake"], default="auto")
    parser.add_argument("--threads", type=int, default=1, help="driver threads (own reps each)")
    parser.add_argument("--profile", action="store_true", help="cProfile the durable runs")
    args = parser.parse_args(argv)

    def drivers() -> list[Driver]:
        users = max(1, args.users // args.threads)
        return [Driver(users, start, seed=7 + t) for t in range(args.threads)]

    turn, described, start = choose_turn(args.turn)
    print(
        f"turn function: {described}; {args.users} reps, {args.threads} thread(s); "
        f"{args.seconds:g} s per store"
    )
    wanted = ["memory", "sqlite", "postgres"] if args.db == "all" else [args.db]
    results: list[Figures] = []

    def durable(name: str, url: str, **engine_args: Any) -> Figures:
        engine = make_engine(url, **engine_args)
        store = Store(engine, turn)
        try:
            if args.profile:
                profiler = cProfile.Profile()
                figures = profiler.runcall(measure, name, store, drivers(), args.seconds)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            else:
                figures = measure(name, store, drivers(), args.seconds)
            print(figures.line())
            print(describe_runs(engine), flush=True)
            return figures
        finally:
            engine.dispose()

    for db in wanted:
        if db == "memory":
            figures = measure("memory", MemoryStore(turn), drivers(), args.seconds)
            print(figures.line(), flush=True)
        elif db == "sqlite":
            with tempfile.TemporaryDirectory(prefix="coachbot-bench-") as folder:
                url = f"sqlite:///{folder}/bench.db"
                upgrade(url)
                sync = args.synchronous.upper()
                figures = durable(f"sqlite ({sync})", url, sqlite_synchronous=sync)
        else:
            base = postgres_url()
            if base is None:
                print(f"postgres: skipped ({' or '.join(POSTGRES_ENVS)} not set)")
                continue
            figures = bench_postgres(base, lambda url: durable("postgres", url))
        results.append(figures)

    print("\nsummary")
    for figures in results:
        print(figures.line())
    memory = next((f for f in results if f.name == "memory"), None)
    if memory is not None:
        for figures in results:
            if figures is not memory:
                share = figures.per_second / memory.per_second
                print(f"{figures.name}: {share:.0%} of in-memory throughput")
    return 0


if __name__ == "__main__":
    sys.exit(main())
