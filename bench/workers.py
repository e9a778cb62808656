"""Several webhook workers on one PostgreSQL, and answer-to-next-question with the default pacing.

    python -m bench.workers throughput [--seconds 20] [--reps 100] [--sticky]
    python -m bench.workers slots [--seconds 5] [--workers 2]
    python -m bench.workers pacing [--seconds 30] [--reps 50] [--think 3] [--workers 1]
                                   [--db sqlite|postgres] [--unpaced]

Each worker is a ``coachbot run`` webhook process of its own; this process plays Telegram (it
answers the workers' Bot API calls at once) and the reverse proxy (it posts each update to the
workers in turn). Reps type the golden short debrief (tests/golden/inputs/debrief.short.en.txt).

- ``throughput``: one worker, then two, on one PostgreSQL (``COACHBOT_BENCH_POSTGRES_URL`` or
  ``COACHBOT_TEST_POSTGRES_URL``, a schema of its own), send pacing off, ``--reps`` reps in a
  closed loop (each answers as soon as the reply to its last update is there): updates/s, how
  busy the machine's cores were, and CPU ms per update of the workers, PostgreSQL and this
  process. ``--sticky``: each rep's updates go to one worker (by chat id), as behind a proxy
  that routes by user; by default they alternate, so a rep's next update usually reaches the
  other worker while the first is still marking the last reply sent (a hand-over).
- ``pacing``: the default settings (30 messages/s overall, 1/s per chat after a burst of 3),
  ``--reps`` reps who each answer ``--think`` seconds (±50 %, seeded) after the reply arrives;
  the latency is from the webhook POST to the arrival of the next question. This Telegram
  answers 429 to a call that would make more than 30 in the trailing second, and counts them.
- ``slots``: the cost of one shared send slot (``storage.send_slots``) with ``--workers``
  processes' worth of takers on the hottest row at once.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import webhook  # noqa: E402
from bench.webhook import LINES, TOKEN, free_port  # noqa: E402

FLOOD = 30
UNLIMITED = {"getme", "setwebhook", "deletewebhook", "getwebhookinfo", "setmycommands"}


class Telegram:
    """Answers every call at once; resolves the waiting rep's reply; counts 429s."""

    def __init__(self, flood: int) -> None:
        self.flood = flood
        self.window: collections.deque[float] = collections.deque()
        self.waiting: dict[int, collections.deque[tuple[float, asyncio.Future[float]]]] = (
            collections.defaultdict(collections.deque)
        )
        self.message_ids = iter(range(1, 10**9))
        self.hooks = 0
        self.too_many = 0
        self.sent = 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        if self.flood and method not in UNLIMITED:
            now = time.monotonic()
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) >= self.flood:
                self.too_many += 1
                return web.json_response(
                    {"ok": False, "error_code": 429, "description": "Too Many Requests: retry "
                     "after 1", "parameters": {"retry_after": 1}}
                )  # fmt: skip
            self.window.append(now)
        result: Any = True
        if method in ("sendmessage", "editmessagetext"):
            chat = await webhook.chat_of(request)
            result = {
                "message_id": next(self.message_ids),
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "text": "",
            }
            self.sent += 1
            if method == "sendmessage" and self.waiting[chat]:
                sent_at, future = self.waiting[chat].popleft()
                if not future.done():
                    future.set_result(time.perf_counter() - sent_at)
        elif method == "getme":
            result = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif method == "setwebhook":
            self.hooks += 1
        return web.json_response({"ok": True, "result": result})

    def expect_reply(self, chat: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat].append((time.perf_counter(), future))
        return future


class Load(webhook.Load):
    """bench/webhook.py's load, each update posted to the next worker in turn (the proxy), or
    with ``sticky`` each rep's to one worker (a proxy that routes by user)."""

    reply_timeout = 30.0  # two workers on a busy box answer later than one

    def __init__(self, telegram: Telegram, hooks: list[str], client: aiohttp.ClientSession):
        super().__init__(telegram, hooks[0], client)  # this bench's Telegram: same replies
        self.hooks = hooks
        self.turn = 0
        self.sticky = False

    def next_hook(self, chat: int) -> str:
        if self.sticky:
            return self.hooks[chat % len(self.hooks)]
        self.turn += 1
        return self.hooks[self.turn % len(self.hooks)]

    async def thinking(self, reps: int, seconds: float, think: float, first_chat: int) -> None:
        stop = time.perf_counter() + seconds
        rng = random.Random(8)

        async def rep(chat: int) -> None:
            await asyncio.sleep(rng.uniform(0, think))  # reps start at different moments
            line = 0
            while time.perf_counter() < stop:
                await self.post(chat, LINES[line % len(LINES)])
                line += 1
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))  # the rep reads, types

        await asyncio.gather(*(rep(first_chat + n) for n in range(reps)))


def worker_env(
    api: str, port: int, database_url: str, paced: bool, admins: list[int]
) -> dict[str, str]:
    env = {
        **os.environ,
        "COACHBOT_TELEGRAM_TOKEN": TOKEN,
        "COACHBOT_TELEGRAM_API_URL": api,
        "COACHBOT_DATABASE_URL": database_url,
        "COACHBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "COACHBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        # the load's reps pass the no-team gate as admins (as in bench/webhook.py); only
        # they: each admin gets a command menu at start-up, within the pacing
        "COACHBOT_ADMIN_IDS": ",".join(map(str, admins)),
        "COACHBOT_LOG_LEVEL": "WARNING",
    }
    for name in ("COACHBOT_SEND_RATE", "COACHBOT_SEND_CHAT_RATE", "COACHBOT_SEND_CHAT_BURST"):
        env.pop(name, None)
    if not paced:
        env |= {"COACHBOT_SEND_RATE": "0", "COACHBOT_SEND_CHAT_RATE": "0"}
    return env


async def with_workers(
    count: int, database_url: str, *, paced: bool, flood: int, body: Any, admins: list[int]
) -> tuple[Any, Telegram]:
    telegram = Telegram(flood)
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", telegram.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    api = f"http://127.0.0.1:{api_port}"
    ports = [free_port() for _ in range(count)]
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=worker_env(api, port, database_url, paced, admins),
            cwd=str(ROOT),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for _ in range(1200):
            if telegram.hooks >= count:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("the workers did not start")
        hooks = [f"http://127.0.0.1:{port}/hook" for port in ports]
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=500)) as client:
            return await body(Load(telegram, hooks, client)), telegram
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await process.wait()
        await runner.cleanup()


def postgres_schema() -> tuple[str, Any]:
    url = os.environ.get("COACHBOT_BENCH_POSTGRES_URL") or os.environ.get(
        "COACHBOT_TEST_POSTGRES_URL"
    )
    if not url:
        raise SystemExit("set COACHBOT_BENCH_POSTGRES_URL (or COACHBOT_TEST_POSTGRES_URL)")
    from testkit.postgres import PostgresSchemas

    schemas = PostgresSchemas(url)
    schema_url = schemas.create()
    from storage.migrate import upgrade

    upgrade(schema_url)
    return schema_url, schemas


def truncate(url: str) -> None:
    from storage.schema import metadata

    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()


async def throughput(args: argparse.Namespace) -> None:
    url, schemas = postgres_schema()
    results = {}
    try:
        for count in (1, 2):
            truncate(url)

            async def body(load: Load) -> tuple[float, float, dict[str, float]]:
                load.sticky = args.sticky
                await load.closed_loop(args.reps, 3, first_chat=10**6)  # warm-up
                before, by_role, posted = machine_cpu(), cpu_by_role(), load.posted
                done = await load.closed_loop(args.reps, args.seconds, first_chat=2 * 10**6)
                busy = machine_busy(before, machine_cpu())
                updates = max(1, load.posted - posted)
                after = cpu_by_role()
                roles = {role: (after[role] - t) / updates * 1000 for role, t in by_role.items()}
                return done, busy, roles

            admins = [first + n for first in (10**6, 2 * 10**6) for n in range(args.reps)]
            (results[count], busy, roles), _ = await with_workers(
                count, url, paced=False, flood=0, body=body, admins=admins
            )
            print(
                f"{count} worker(s): {results[count]:,.0f} updates/s; the machine's cores busy:"
                f" {busy:.2f} of {os.cpu_count()} (workers, PostgreSQL, this load, the rest)",
                flush=True,
            )
            print(
                "   CPU ms per update: "
                + ", ".join(f"{role} {ms:.2f}" for role, ms in roles.items()),
                flush=True,
            )
    finally:
        schemas.close()
    print(f"cores: {os.cpu_count()}; two workers / one: {results[2] / results[1]:.2f}x")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (``/proc/stat``)."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    total = sum(fields[:8])  # user .. steal (guest time is counted in user already)
    return total - idle, total


def cpu_by_role() -> dict[str, float]:
    """CPU seconds used so far by the worker processes (this one's children), PostgreSQL's
    processes and this process (the load and the fake Telegram)."""
    me, tick = os.getpid(), os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(("workers", "postgres", "load"), 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
        except OSError:  # gone meanwhile
            continue
        fields = rest.split()
        pid, comm = int(stat.parent.name), head.partition("(")[2]
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if pid == me:
            used["load"] += seconds
        elif int(fields[1]) == me:
            used["workers"] += seconds
        elif comm.startswith("postgres"):
            used["postgres"] += seconds
    return used


def machine_busy(before: tuple[float, float], after: tuple[float, float]) -> float:
    """How many of the machine's cores were busy on average between two ``machine_cpu``."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return (os.cpu_count() or 1) * busy / total if total else 0.0


async def pacing(args: argparse.Namespace) -> None:
    schemas = None
    if args.db == "postgres":
        url, schemas = postgres_schema()
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    try:

        async def body(load: Load) -> Load:
            await load.thinking(args.reps, args.seconds, args.think, first_chat=3 * 10**6)
            return load

        admins = [3 * 10**6 + n for n in range(args.reps)]
        load, telegram = await with_workers(
            args.workers, url, paced=not args.unpaced, flood=FLOOD, body=body, admins=admins
        )
    finally:
        if schemas is not None:
            schemas.close()
    latencies = sorted(load.latencies)

    def p(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000

    print(
        f"{args.workers} worker(s) on {args.db}, {args.reps} reps, think {args.think} s ±50 %, "
        f"{args.seconds:.0f} s, {'no' if args.unpaced else 'default'} pacing: "
        f"{len(latencies)} answers, "
        f"{len(latencies) / args.seconds:.1f} updates/s, {telegram.sent} messages"
    )
    print(
        f"answer to next question: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p90 {p(0.9):.0f} ms, p99 {p(0.99):.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
        f"lost {load.lost}; 429s {telegram.too_many}; cores {os.cpu_count()}"
    )


def slots(args: argparse.Namespace) -> None:
    """What a shared slot costs a worker: ``SendSlots.reserve`` on the whole bot's row (the
    hottest), from ``--workers`` threads at once, each on its own connection pool."""
    import threading

    from storage.send_slots import WHOLE_BOT, SendSlots

    url, schemas = postgres_schema()
    times: list[float] = []
    try:
        engines = [sa.create_engine(url) for _ in range(args.workers)]
        per = int(args.seconds * 200)

        def taker(engine: sa.Engine) -> None:
            slots = SendSlots(engine)
            for _ in range(per):
                start = time.perf_counter()
                slots.reserve(WHOLE_BOT, rate=10_000)
                times.append(time.perf_counter() - start)

        threads = [threading.Thread(target=taker, args=(e,)) for e in engines]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - began
        for engine in engines:
            engine.dispose()
    finally:
        schemas.close()
    times.sort()
    print(
        f"shared slot, {args.workers} takers: {len(times) / took:,.0f} slots/s; "
        f"p50 {statistics.median(times) * 1000:.2f} ms, "
        f"p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms; cores {os.cpu_count()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["throughput", "pacing", "slots"])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--think", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--unpaced", action="store_true", help="pacing off, for comparison")
    parser.add_argument(
        "--sticky", action="store_true", help="throughput: each rep's updates to one worker"
    )
    args = parser.parse_args()
    if args.what == "slots":
        slots(args)
        return
    run = throughput if args.what == "throughput" else pacing
    asyncio.run(run(args))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
