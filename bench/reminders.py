"""Reminder benchmarks: the cost of a scheduler tick as pending reminders grow, and a Monday
morning fan-out through the real bot against the fake Bot API.

    .venv/bin/python -m bench.reminders [scale|fanout|all] [--sizes 1000,10000,100000]
                                        [--users N] [--reps 10000] [--seconds 60] [--think 2]
                                        [--flood 30] [--fake-process]

- ``scale``: a migrated SQLite file with N pending reminders (bulk-inserted with SQLAlchemy
  Core, one user per 100 reminders, all due in the future but 50), then ``ReminderDesk.tick``:
  start-up (``Reminders`` + ``ReminderDesk`` + the first tick, which plans the weekly nudges of
  every user), the steady tick with 50 due (median of 20, 50 due rows inserted before each), a
  tick with nothing due, and the 10-minutely weekly check when nothing is missing.
- ``fanout``: ``--reps`` reps with a week_plan nudge due at the same moment, the real bot
  (``bot.telegram.runner.run``, long polling) in this process with ``COACHBOT_SEND_RATE=30``,
  ``COACHBOT_SEND_CHAT_RATE=1``, ``COACHBOT_REMINDER_TICK=1`` and a clock stuck at Monday 09:00
  Berlin, against ``testkit/fake_telegram.FakeTelegram`` (in a thread with its own event loop)
  that answers 429 to a call that would make more than 30 in the trailing second. Meanwhile one
  rep does a debrief, answering ``--think`` seconds after each reply, and a probe task in the
  bot's event loop sleeps 10 ms over and over and records how late it wakes.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import logging
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coaching.users import UserRef  # noqa: E402
from storage.schema import (  # noqa: E402
    membership_table,
    reminder_table,
    team_table,
    user_table,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Berlin: no quiet hours
MONDAY_9_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 CET
DUE_PER_TICK = 50
TZ = "Europe/Berlin"


def fresh_db(folder: str, name: str) -> tuple[str, sa.Engine]:
    from storage.db import make_engine
    from storage.migrate import upgrade

    url = f"sqlite:///{folder}/{name}.db"
    upgrade(url)
    return url, make_engine(url)


def insert_users(conn: sa.Connection, count: int, first_chat: int, now: datetime) -> list[int]:
    rows = [
        {
            "key": str(UserRef.telegram(first_chat + n)),
            "display_name": f"Rep {n}",
            "lang": "en",
            "tz": TZ,
            "created_at": now - timedelta(days=30),
            "active": True,
            "paused_until": None,
            "prefs": None,
        }
        for n in range(count)
    ]
    conn.execute(sa.insert(user_table), rows)
    first = conn.execute(
        sa.select(user_table.c.id).where(user_table.c.key == str(UserRef.telegram(first_chat)))
    ).scalar_one()
    return list(range(first, first + count))


def reminder_row(user_id: int, kind: str, key: str, due: datetime, now: datetime) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "kind": kind,
        "key": key,
        "run_no": None,
        "about": "call back about the reorder",
        "customer": "Baker & Sons",
        "wanted_at": due,
        "due_at": due,
        "explicit": kind in ("follow_up", "visit"),
        "status": "pending",
        "snoozes": 0,
        "outbox_id": None,
        "created_at": now,
        "updated_at": now,
        "sent_at": None,
        "closed_at": None,
    }


def insert_reminders(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 10_000):
        conn.execute(sa.insert(reminder_table), rows[start : start + 10_000])


# --- scale ----------------------------------------------------------------------------------------


def measure_scale(size: int, folder: str, users: int | None = None) -> dict[str, float]:
    from bot.policy import policy_from
    from coaching.reminders import ReminderDesk
    from coaching_scripts import load_catalog
    from config import load_settings
    from storage.reminders import Reminders

    catalog = load_catalog()
    policy = policy_from(load_settings({}, env_file=None))
    _, engine = fresh_db(folder, f"scale{size}")
    users = users or max(1, size // 100)
    with engine.begin() as conn:
        ids = insert_users(conn, users, 10**6, NOW)
        rows = []
        for n in range(size):
            user_id = ids[n % users]
            if n < DUE_PER_TICK:
                due = NOW - timedelta(minutes=1)
            else:  # spread over the next 90 days
                due = NOW + timedelta(seconds=60 + (n * 7919) % (90 * 86400))
            rows.append(reminder_row(user_id, "follow_up", f"follow_up:{user_id}:{n}:at", due, NOW))
        insert_reminders(conn, rows)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    due_key = iter(range(10**9))

    def add_due() -> None:
        with engine.begin() as conn:
            insert_reminders(
                conn,
                [
                    reminder_row(
                        ids[n % users],
                        "follow_up",
                        f"due:{next(due_key)}",
                        NOW - timedelta(seconds=30),
                        NOW,
                    )
                    for n in range(DUE_PER_TICK)
                ],
            )

    started = time.perf_counter()
    reminders = Reminders(engine)
    desk = ReminderDesk(reminders, catalog.messages, policy)
    first = desk.tick(NOW, limit=100)
    startup = time.perf_counter() - started
    assert len(first.deliveries) == DUE_PER_TICK, first
    due_ticks, idle_ticks, weekly = [], [], []
    for _ in range(20):
        add_due()
        started = time.perf_counter()
        report = desk.tick(NOW, limit=100)
        due_ticks.append(time.perf_counter() - started)
        assert len(report.deliveries) == DUE_PER_TICK, report
    for _ in range(20):
        started = time.perf_counter()
        report = desk.tick(NOW, limit=100)
        idle_ticks.append(time.perf_counter() - started)
        assert not report.deliveries
    for _ in range(5):
        started = time.perf_counter()
        created = desk.keep_weekly_ahead(NOW)
        weekly.append(time.perf_counter() - started)
        assert created == 0
    with engine.connect() as conn:
        pending = conn.execute(
            sa.select(sa.func.count()).where(reminder_table.c.status == "pending")
        ).scalar_one()
    engine.dispose()
    return {
        "pending": pending,
        "users": users,
        "startup": startup * 1000,
        "due": statistics.median(due_ticks) * 1000,
        "due_max": max(due_ticks) * 1000,
        "idle": statistics.median(idle_ticks) * 1000,
        "weekly": statistics.median(weekly) * 1000,
    }


def scale(sizes: list[int], users: int | None = None) -> None:
    spread = f"{users:,} users" if users else "1 user per 100 reminders"
    print(f"scale: SQLite file, {spread}, {DUE_PER_TICK} due per tick")
    print(
        "| pending | users | start-up ms (1st tick, weekly planning) | tick, 50 due: median ms "
        "| (max) | tick, none due ms | weekly check ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            f = measure_scale(size, folder, users)
            print(
                f"| {size:,} | {f['users']:,.0f} | {f['startup']:,.1f} | {f['due']:.1f} "
                f"| {f['due_max']:.1f} | {f['idle']:.2f} | {f['weekly']:.1f} |",
                flush=True,
            )


# --- fan-out --------------------------------------------------------------------------------------

FIRST_REP = 1_000_000
DEBRIEF_REP = 5_000_000
FLOOD_LIMIT = 30
UNLIMITED = {"getupdates", "getme", "deletewebhook", "setwebhook", "getwebhookinfo"}
"""Calls that do not go through the bot's Sender: outside Telegram's sending limits."""
SESSION = (ROOT / "tests/golden/inputs/debrief.short.en.txt").read_text(encoding="utf-8")
LINES = ["/debrief", *SESSION.splitlines()]


def flood_fake(limit: int) -> Any:
    """``FakeTelegram`` answering 429 (retry after 1 s) to a sending call that would make more
    than ``limit`` in the trailing second (the fake itself has no flood limit)."""
    from testkit.fake_telegram import ApiError, FakeTelegram

    class FloodFake(FakeTelegram):
        def __init__(self) -> None:
            super().__init__(token="123456789:AAEbenchTOKENbenchTOKENbenchTOKEN12")
            self.window: collections.deque[float] = collections.deque()

        def _check_faults(self, method: str, params: Any) -> None:
            super()._check_faults(method, params)
            if limit <= 0 or method.lower() in UNLIMITED:
                return
            now = time.monotonic()
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) >= limit:
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self.window.append(now)

    return FloodFake()


class Shared:
    """What the bot's thread (main) and the fake's thread (own event loop) share."""

    def __init__(self) -> None:
        self.fake: Any = None
        self.address: tuple[str, str] | None = None  # the fake's token and URL
        self.fake_ready = threading.Event()
        self.bot_ready = threading.Event()
        self.stop_driver = threading.Event()
        self.bot_done = threading.Event()
        self.latencies: list[tuple[float, float, float]] = []  # (sent at, first call, reply)
        self.lost = 0
        self.error: BaseException | None = None

    def address_of(self) -> tuple[str, str]:
        assert self.address is not None
        return self.address

    def calls(self) -> list[CallRecord]:
        """What the fake received, in arrival order."""
        return [CallRecord.of(call) for call in self.fake.call_log]


@dataclass(frozen=True)
class CallRecord:
    """The parts of ``fake_api.Call`` the figures need (they cross a process boundary)."""

    method: str
    chat_id: Any
    ok: bool | None
    error_code: int | None
    time: float

    @classmethod
    def of(cls, call: Any) -> CallRecord:
        return cls(call.method, call.chat_id, call.ok, call.error_code, call.time)


class ProcessShared(Shared):
    """The same, with the fake in a child process (``--fake-process``): events are
    ``multiprocessing`` ones, the address and the results come back through a queue.
    ``time.monotonic`` is the same clock in both processes (Linux CLOCK_MONOTONIC)."""

    def __init__(self, context: Any) -> None:
        super().__init__()
        self.fake_ready = context.Event()
        self.bot_ready = context.Event()
        self.stop_driver = context.Event()
        self.bot_done = context.Event()
        self.queue = context.Queue()
        self.records: list[CallRecord] = []

    def address_of(self) -> tuple[str, str]:
        if self.address is None:
            self.address = self.queue.get(timeout=60)
        return self.address

    def calls(self) -> list[CallRecord]:
        return self.records


def fake_process(shared: ProcessShared, reps: int, think: float, flood: int) -> None:
    """The child: run the fake as ``fake_thread`` does, then send back what it saw."""
    ready = shared.fake_ready

    class Ready:
        def set(self) -> None:
            shared.queue.put(shared.address)
            ready.set()

        def wait(self, timeout: float | None = None) -> bool:
            return bool(ready.wait(timeout))

    shared.fake_ready = Ready()  # type: ignore[assignment]  # as much of an Event as is used
    try:
        fake_thread(shared, reps, think, flood)
    except BaseException as failure:
        shared.error = failure
    calls = [CallRecord.of(call) for call in shared.fake.call_log] if shared.fake else []
    error = repr(shared.error) if shared.error is not None else None
    shared.queue.put((calls, shared.latencies, shared.lost, error))


def prepare_fanout(url: str, reps: int, folder: str) -> None:
    from reminders.policy import week_of
    from storage.db import make_engine

    engine = make_engine(url)
    friday = MONDAY_9_BERLIN + timedelta(days=4, hours=7)  # Fri 16:00 Berlin
    with engine.begin() as conn:
        ids = insert_users(conn, reps, FIRST_REP, MONDAY_9_BERLIN)
        rows = []
        for uid in ids:
            for kind, due in (("week_plan", MONDAY_9_BERLIN), ("week_review", friday)):
                key = f"{kind}:{uid}:{week_of(due, TZ)}"
                rows.append(reminder_row(uid, kind, key, due, MONDAY_9_BERLIN - timedelta(days=7)))
        insert_reminders(conn, rows)
        join_team(conn, ids, MONDAY_9_BERLIN - timedelta(days=30))
    engine.dispose()


def join_team(conn: sa.Connection, user_ids: list[int], when: datetime) -> None:
    """The reps are active members of one team (a user on no team is not nudged)."""
    team_id = conn.execute(
        sa.insert(team_table)
        .values(name="Bench", settings=None, created_at=when, created_by=None)
        .returning(team_table.c.id)
    ).scalar_one()
    memberships = [
        {
            "team_id": team_id,
            "user_id": user_id,
            "role": "rep",
            "status": "active",
            "invite_id": None,
            "prefs": None,
            "joined_at": when,
            "changed_at": when,
        }
        for user_id in user_ids
    ]
    for start in range(0, len(memberships), 10_000):
        conn.execute(sa.insert(membership_table), memberships[start : start + 10_000])


def fake_thread(shared: Shared, reps: int, think: float, flood: int) -> None:
    async def main() -> None:
        fake = flood_fake(flood)
        await fake.start()
        for n in range(reps):
            fake.user(FIRST_REP + n)
        rep = fake.user(DEBRIEF_REP, "Debbie", language_code="en")
        shared.fake = fake
        shared.address = (fake.token, fake.url)
        shared.fake_ready.set()
        try:
            await asyncio.to_thread(shared.bot_ready.wait)
            await asyncio.sleep(2)  # the first tick's claim is under way
            line = 0
            while not shared.stop_driver.is_set():
                text = LINES[line % len(LINES)]
                line += 1
                start = len(fake.call_log)
                sent_at = time.monotonic()
                fake.send_text(rep, text)

                def found(method: str | None, start: int = start) -> float | None:
                    for call in fake.call_log[start:]:
                        if (
                            call.chat_id == DEBRIEF_REP
                            and call.ok
                            and (method is None or call.method == method)
                        ):
                            return call.time
                    return None

                try:
                    reply = await fake.wait_for(lambda: found("sendMessage"), timeout=15)
                except AssertionError:
                    shared.lost += 1
                    continue
                first = found(None) or reply
                shared.latencies.append((sent_at, first - sent_at, reply - sent_at))
                await asyncio.sleep(think)
            await asyncio.to_thread(shared.bot_done.wait)
        except BaseException as error:
            shared.error = error
        finally:
            await fake.stop()

    asyncio.run(main())


async def run_bot(shared: Shared, url: str, seconds: float) -> dict[str, Any]:
    from bot.telegram.runner import CoachBot, run
    from config import load_settings

    await asyncio.to_thread(shared.fake_ready.wait)
    token, api_url = shared.address_of()
    settings = load_settings(
        {
            "COACHBOT_TELEGRAM_TOKEN": token,
            "COACHBOT_TELEGRAM_API_URL": api_url,
            "COACHBOT_DATABASE_URL": url,
            "COACHBOT_TIMEZONE": TZ,
            "COACHBOT_SEND_RATE": "30",
            "COACHBOT_SEND_CHAT_RATE": "1",
            "COACHBOT_REMINDER_TICK": "1",
            "COACHBOT_ADMIN_IDS": str(DEBRIEF_REP),  # past the no-team gate
        },
        env_file=None,
    )
    loop = asyncio.get_running_loop()
    started: asyncio.Future[CoachBot] = loop.create_future()
    stalls: list[tuple[float, float]] = []
    ticks: list[tuple[float, float, int]] = []  # (start, seconds, claimed)
    stop_probe = asyncio.Event()

    collections_: list[tuple[float, float, int]] = []  # (end, seconds, generation)
    gc_started: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.monotonic()
        else:
            now = time.monotonic()
            collections_.append((now, now - gc_started[0], info["generation"]))

    gc.callbacks.append(on_gc)

    async def probe() -> None:
        while not stop_probe.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.01)
            after = time.monotonic()
            stalls.append((after, after - before - 0.01))

    def ready(app: CoachBot) -> None:
        real = app.desk.tick

        def timed(now: datetime, *, limit: int = 100) -> Any:
            begin = time.monotonic()
            report = real(now, limit=limit)
            ticks.append((begin, time.monotonic() - begin, len(report.deliveries)))
            return report

        app.desk.tick = timed  # type: ignore[method-assign]  # measured, not changed
        started.set_result(app)

    task = asyncio.create_task(
        run(settings, clock=lambda: MONDAY_9_BERLIN, install_signals=False, ready=ready)
    )
    done, _ = await asyncio.wait({task, started}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    app = started.result()
    probing = asyncio.create_task(probe())
    t_ready = time.monotonic()
    shared.bot_ready.set()
    await asyncio.sleep(2)
    window = (time.monotonic(), time.monotonic() + seconds)
    await asyncio.sleep(seconds)
    shared.stop_driver.set()
    stop_probe.set()
    await probing
    gc.callbacks.remove(on_gc)
    backlog = app.sender.bulk_backlog
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)  # a tick cancelled at shutdown
    app.stopping.set()
    await asyncio.wait_for(task, 60)
    return {
        "window": window,
        "t_ready": t_ready,
        "stalls": stalls,
        "ticks": ticks,
        "backlog": backlog,
        "gc": collections_,
    }


def max_in_window(times: list[float], span: float = 1.0) -> int:
    best = low = 0
    for high, moment in enumerate(times):
        while moment - times[low] >= span:
            low += 1
        best = max(best, high - low + 1)
    return best


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * share + 0.5) - 1))]


def fanout(
    reps: int, seconds: float, think: float, flood: int = FLOOD_LIMIT, process: bool = False
) -> None:
    context = multiprocessing.get_context("fork")
    shared = ProcessShared(context) if process else Shared()
    with tempfile.TemporaryDirectory() as folder:
        from storage.migrate import upgrade

        url = f"sqlite:///{folder}/fanout.db"
        upgrade(url)
        prepare_fanout(url, reps, folder)
        worker: Any
        if isinstance(shared, ProcessShared):
            worker = context.Process(target=fake_process, args=(shared, reps, think, flood))
        else:
            worker = threading.Thread(
                target=fake_thread, args=(shared, reps, think, flood), daemon=True
            )
        worker.start()
        try:
            result = asyncio.run(run_bot(shared, url, seconds))
        finally:
            shared.stop_driver.set()
            shared.bot_done.set()
            if isinstance(shared, ProcessShared):
                calls, shared.latencies, shared.lost, failure = shared.queue.get(timeout=60)
                shared.records = calls
                if failure is not None:
                    shared.error = RuntimeError(f"the fake's process failed: {failure}")
            worker.join(30)
        if shared.error is not None:
            raise shared.error
    call_log = shared.calls()
    begin, end = result["window"]
    sending = [c for c in call_log if c.method.lower() not in UNLIMITED]
    accepted = sorted(c.time for c in sending if c.ok)
    in_window = [t for t in accepted if begin <= t < end]
    nudges = [
        c for c in sending
        if c.ok and c.method == "sendMessage" and isinstance(c.chat_id, int)
        and FIRST_REP <= c.chat_id < FIRST_REP + reps
    ]  # fmt: skip
    nudges_in_window = [c for c in nudges if begin <= c.time < end]
    per_chat = collections.Counter(c.chat_id for c in nudges)
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    too_many = sum(1 for c in call_log if c.error_code == 429)
    rate = len(in_window) / (end - begin)
    nudge_rate = len(nudges_in_window) / (end - begin)
    first_nudge = min((c.time for c in nudges), default=end)
    replies = [r for s, _, r in shared.latencies if begin <= s < end]
    firsts = [f for s, f, _ in shared.latencies if begin <= s < end]
    stalls = [s for t, s in result["stalls"] if begin <= t < end]
    ticks = [(t, d, n) for t, d, n in result["ticks"] if begin <= t < end]
    claimed = [(d, n) for _, d, n in ticks if n]
    print(
        f"fanout: {reps:,} week_plan nudges due at once, send rate 30/s, chat rate 1/s, "
        f"tick 1 s, fake answers 429 over {flood}/s (0: never); {end - begin:.0f} s measured "
        f"from 2 s after start; debrief rep thinks {think:g} s; the fake in "
        + ("its own process" if process else "a thread of the bot's process")
    )
    if not nudges:
        print("NO NUDGE WAS SENT: the reps were not nudgeable (team? admin? quiet hours?)")
    print("| figure | measured | goal |")
    print("| --- | --- | --- |")
    print(
        f"| sends/s (all calls through the Sender) | {rate:.1f} ({rate / 30:.0%} of 30) | ≥ 95 % |"
    )
    print(f"| nudges/s | {nudge_rate:.1f} | |")
    print(f"| max calls in any 1 s | {max_in_window(accepted)} | ≤ 30 |")
    print(f"| 429s | {too_many} | 0 |")
    print(f"| duplicate nudges | {duplicates} (of {len(nudges):,} sent) | 0 |")
    print(f"| first nudge after the bot was ready | {first_nudge - result['t_ready']:.2f} s | |")
    total = reps / nudge_rate if nudge_rate else float("inf")
    print(f"| all {reps:,} nudges, extrapolated | {total:.0f} s ({reps / 30:.0f} s at 30/s) | |")
    if replies:
        print(
            f"| debrief reply latency p50 / p99 / max ({len(replies)} replies) | "
            f"{statistics.median(replies) * 1000:.0f} / {percentile(replies, 0.99) * 1000:.0f} / "
            f"{max(replies) * 1000:.0f} ms | < 100 ms |"
        )
        print(
            f"| first call to the rep's chat p50 / max | {statistics.median(firsts) * 1000:.0f} / "
            f"{max(firsts) * 1000:.0f} ms | |"
        )
    print(f"| replies lost (none in 15 s) | {shared.lost} | 0 |")
    if stalls:
        print(
            f"| event-loop stall p50 / p99 / max | {statistics.median(stalls) * 1000:.1f} / "
            f"{percentile(stalls, 0.99) * 1000:.1f} / {max(stalls) * 1000:.1f} ms | max < 50 ms |"
        )
    if claimed:
        durations = [d for d, _ in claimed]
        print(
            f"| claiming ticks: count, claimed median, tick p50 / max (worker thread) | "
            f"{len(claimed)}, {statistics.median([n for _, n in claimed]):.0f}, "
            f"{statistics.median(durations) * 1000:.0f} / {max(durations) * 1000:.0f} ms | |"
        )
    print(f"| ticks in the window (claiming or not) | {len(ticks)} | |")
    worst = sorted(result["stalls"], key=lambda item: -item[1])[:5]
    notes = []
    for moment, stall in worst:
        woke = moment - result["t_ready"]
        busy = [
            n
            for t, d, n in result["ticks"]
            if t <= moment - stall and moment - stall - 0.01 <= t + d
        ]
        during = f"during a tick claiming {busy[0]}" if busy else "no tick running"
        sweeps = [
            f"gen{g} GC {d * 1000:.0f} ms"
            for e, d, g in result["gc"]
            if moment - stall - 0.01 <= e <= moment + 0.001 and d > 0.005
        ]
        during += "".join(", " + sweep for sweep in sweeps)
        notes.append(f"{stall * 1000:.0f} ms at +{woke:.1f} s ({during})")
    print("worst stalls (whole run): " + "; ".join(notes))
    big = [(e, d, g) for e, d, g in result["gc"] if d > 0.02]
    print(
        f"garbage collections over 20 ms (whole run): {len(big)}"
        + "".join(
            f"; gen{g} {d * 1000:.0f} ms ending at {e - result['t_ready']:+.1f} s"
            for e, d, g in big[:6]
        )
    )
    floods = sorted(c.time - result["t_ready"] for c in call_log if c.error_code == 429)
    if floods:
        print("429s at (s after ready): " + ", ".join(f"+{t:.2f}" for t in floods[:20]))
    chat = collections.Counter(c.method for c in call_log if c.chat_id == DEBRIEF_REP)
    print("calls to the debrief rep's chat: " + ", ".join(f"{m} {n}" for m, n in chat.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all", choices=["scale", "fanout", "all"])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--users", type=int, default=None, help="scale: this many users at every size"
    )
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--flood", type=int, default=FLOOD_LIMIT, help="the fake's 429 limit")
    parser.add_argument(
        "--fake-process",
        action="store_true",
        help="run the fake Bot API in its own process (as Telegram is), not in a thread of the "
        "bot's process competing for its GIL",
    )
    args = parser.parse_args()
    if args.what in ("scale", "all"):
        scale([int(size) for size in args.sizes.split(",")], args.users)
    if args.what in ("fanout", "all"):
        fanout(args.reps, args.seconds, args.think, args.flood, args.fake_process)


if __name__ == "__main__":
    main()
