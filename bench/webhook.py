"""Updates per second through the webhook endpoint, coachbot against a plain aiogram bot.

    python bench/webhook.py [--seconds 20] [--reps 100] [--rate 200] [--bots coachbot,aiogram]
                            [--open-reps N]

Each bot runs in a process of its own (one core), behind its webhook; this process plays
Telegram: it posts updates to the webhook and answers the bot's Bot API calls at once. Reps type
the golden short debrief (tests/golden/inputs/debrief.short.en.txt), one line per reply.

- closed loop: ``--reps`` reps, each answering as soon as the reply to their last update arrives
  (saturated throughput);
- open loop: ``--rate`` updates per second offered on a fixed schedule, spread over many reps;
  latency is from the start of the webhook POST to the arrival of the reply's sendMessage.

The plain aiogram bot asks the same number of questions with aiogram's in-memory FSM and its
default webhook handler. coachbot commits every answer to SQLite before it answers.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAEbenchTOKENbenchTOKENbenchTOKEN12"
SESSION = (ROOT / "tests/golden/inputs/debrief.short.en.txt").read_text(encoding="utf-8")
LINES = ["/debrief", *SESSION.splitlines()]
WARM_UP, CLOSED, OPEN = 10**6, 2 * 10**6, 3 * 10**6
QUIET = 2.5
"""Seconds without a Bot API call that end the closed loop's work: longer than a summary tick."""
"""The first chat id of the warm-up's, the closed loop's and the open loop's reps."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the bot processes ----------------------------------------------------------------------------


def run_coachbot(api: str, port: int, args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from bot.telegram.runner import run
    from config import load_settings

    folder = tempfile.mkdtemp()
    database_url = f"sqlite:///{folder}/bench.db"
    seed_team(database_url, rep_chats(args))
    settings = load_settings(
        {
            "COACHBOT_TELEGRAM_TOKEN": TOKEN,
            "COACHBOT_TELEGRAM_API_URL": api,
            "COACHBOT_DATABASE_URL": database_url,
            "COACHBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "COACHBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "COACHBOT_SEND_RATE": "0",
            "COACHBOT_SEND_CHAT_RATE": "0",
        },
        env_file=None,
    )
    asyncio.run(run(settings))


def seed_team(database_url: str, chats: list[int]) -> None:
    """The load's reps are active reps of one team: the no-team gate's one look-up per update,
    as in production. (Admin ids instead would make the bot set a command menu per admin at
    start: thousands of setMyCommands calls sent while the load runs.)"""
    from datetime import UTC, datetime

    from coaching.users import UserRef
    from storage.db import make_engine
    from storage.migrate import upgrade
    from storage.teams import Teams

    upgrade(database_url)
    engine = make_engine(database_url)
    teams, now = Teams(engine), datetime.now(UTC)
    team = teams.create_team(str(UserRef.telegram(1)), "Bench", now=now, check=False)
    for chat in chats:
        teams.add_member(team.id, str(UserRef.telegram(chat)), "rep", now=now)
    engine.dispose()


def rep_chats(args: argparse.Namespace) -> list[int]:
    """Every chat the load uses: the warm-up's and the closed loop's reps, the open loop's."""
    return [
        *(WARM_UP + n for n in range(args.reps)),
        *(CLOSED + n for n in range(args.reps)),
        *(OPEN + n for n in range(open_loop_reps(args))),
    ]


def open_loop_reps(args: argparse.Namespace) -> int:
    """Five seconds' worth by default: every rep's first update is in the first five seconds,
    and no debrief finishes within a 10-s run; ``--open-reps`` fewer, and debriefs finish (and
    their managers' summaries go out) while the open loop is timed."""
    return int(args.open_reps or max(100, int(args.rate * 5)))


def run_aiogram(api: str, port: int, args: argparse.Namespace) -> None:
    from aiogram import Bot, Dispatcher, F
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.fsm.context import FSMContext
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

    questions = len(LINES)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=str(n), callback_data=f"a:1:{n}")]
                         for n in range(1, 4)]
    )  # fmt: skip
    dispatcher = Dispatcher()  # MemoryStorage FSM by default

    @dispatcher.message(F.text)
    async def answer(message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        number = int(data.get("n", 0)) + 1
        answers = [*data.get("answers", []), message.text][-questions:]
        await state.update_data(n=number % questions, answers=answers)
        await message.answer(
            f"<i>Question {number} of {questions}</i>\nNoted. The next question, please?",
            parse_mode="HTML",
            reply_markup=keyboard,
        )

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot).register(app, path="/hook")
    setup_application(app, dispatcher, bot=bot)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


# --- Telegram, as this process plays it -----------------------------------------------------------


class Telegram:
    def __init__(self) -> None:
        self.waiting: dict[int, collections.deque[tuple[float, asyncio.Future[float]]]] = (
            collections.defaultdict(collections.deque)
        )
        self.message_ids = iter(range(1, 10**9))
        self.ready = asyncio.Event()
        self.calls: collections.Counter[str] = collections.Counter()
        """Bot API calls by method: what a bot asks of Telegram per update."""
        self.last_call = time.perf_counter()

    async def quiet(self, seconds: float, *, at_most: float = 30.0) -> None:
        """Wait until the bot has made no call for ``seconds`` (its work of the last phase,
        such as the managers' summaries of debriefs finished just before, is out)."""
        deadline = time.perf_counter() + at_most
        while time.perf_counter() < deadline:
            idle = time.perf_counter() - self.last_call
            if idle >= seconds:
                return
            await asyncio.sleep(seconds - idle)

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        self.calls[method] += 1
        self.last_call = time.perf_counter()
        result: Any = True
        if method in ("sendmessage", "editmessagetext"):
            chat = await chat_of(request)
            result = {
                "message_id": next(self.message_ids),
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "text": "",
            }
            if method == "sendmessage" and self.waiting[chat]:
                sent_at, future = self.waiting[chat].popleft()
                if not future.done():
                    future.set_result(time.perf_counter() - sent_at)
        elif method == "getme":
            result = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif method == "setwebhook":
            self.ready.set()
        return web.json_response({"ok": True, "result": result})

    def expect_reply(self, chat: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat].append((time.perf_counter(), future))
        return future


async def chat_of(request: web.Request) -> int:
    """The chat a sendMessage or editMessageText is for, from a JSON body (coachbot's session)
    or a form (aiogram's): Telegram takes both."""
    json_body = request.content_type == "application/json"
    params = await (request.json() if json_body else request.post())
    return int(str(params["chat_id"]))


def update(update_id: int, chat: int, text: str) -> bytes:
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Rep", "language_code": "en"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return json.dumps({"update_id": update_id, "message": message}).encode()


class Load:
    reply_timeout = 10.0
    """Seconds to wait for a reply before the update counts as lost."""

    def __init__(self, telegram: Telegram, hook: str, client: aiohttp.ClientSession) -> None:
        self.telegram, self.hook, self.client = telegram, hook, client
        self.update_ids = iter(range(1, 10**9))
        self.latencies: list[float] = []
        self.lost = 0
        self.posted = 0

    def next_hook(self, chat: int) -> str:
        """Where ``chat``'s next update is posted (bench/workers.py spreads them over workers)."""
        return self.hook

    async def post(self, chat: int, text: str) -> float | None:
        reply = self.telegram.expect_reply(chat)
        body = update(next(self.update_ids), chat, text)
        self.posted += 1
        async with self.client.post(
            self.next_hook(chat), data=body, headers={"Content-Type": "application/json"}
        ) as response:
            await response.read()
        try:
            latency = await asyncio.wait_for(reply, self.reply_timeout)
        except TimeoutError:
            self.lost += 1
            return None
        self.latencies.append(latency)
        return latency

    async def closed_loop(self, reps: int, seconds: float, first_chat: int) -> float:
        stop = time.perf_counter() + seconds
        done = 0

        async def rep(chat: int) -> None:
            nonlocal done
            line = 0
            while time.perf_counter() < stop:
                await self.post(chat, LINES[line % len(LINES)])
                line += 1
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(rep(first_chat + n) for n in range(reps)))
        return done / (time.perf_counter() - started)

    async def open_loop(self, rate: float, seconds: float, first_chat: int, reps: int) -> None:
        lines = [0] * reps
        tasks = []
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            index = n % reps
            text = LINES[lines[index] % len(LINES)]
            lines[index] += 1
            tasks.append(asyncio.create_task(self.post(first_chat + index, text)))
        await asyncio.gather(*tasks)


async def measure(
    bot: str, args: argparse.Namespace, log: BinaryIO | None = None
) -> dict[str, float]:
    """``log``: where the bot process's stderr goes (else nowhere)."""
    telegram = Telegram()
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", telegram.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    api_port, hook_port = free_port(), free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    api = f"http://127.0.0.1:{api_port}"
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", bot, "--api", api, "--port", str(hook_port),
        "--reps", str(args.reps), "--rate", str(args.rate),
        "--open-reps", str(open_loop_reps(args)),
        stdout=asyncio.subprocess.DEVNULL, stderr=log or asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    hook = f"http://127.0.0.1:{hook_port}/hook"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=500)) as client:
            if bot == "coachbot":
                await asyncio.wait_for(telegram.ready.wait(), 300)  # a busy box starts slowly
            else:
                await _wait_for_port(hook_port)
            load = Load(telegram, hook, client)
            await load.closed_loop(args.reps, 3, first_chat=WARM_UP)  # warm-up
            load.latencies.clear()
            cpu_before, posted_before = cpu_seconds(process.pid), load.posted
            calls_before = sum(telegram.calls.values())
            throughput = await load.closed_loop(args.reps, args.seconds, first_chat=CLOSED)
            cpu = cpu_seconds(process.pid) - cpu_before
            posted = max(1, load.posted - posted_before)
            cpu_per_update = cpu / posted
            calls_per_update = (sum(telegram.calls.values()) - calls_before) / posted
            load.latencies.clear()
            # the closed loop's last summaries go out before the open loop is timed: a tick's
            # burst of them (sent meanwhile) is that loop's work, not this one's
            await telegram.quiet(QUIET)
            cpu_before, posted_before = cpu_seconds(process.pid), load.posted
            await load.open_loop(args.rate, args.seconds, OPEN, open_loop_reps(args))
            open_cpu = (cpu_seconds(process.pid) - cpu_before) / max(1, load.posted - posted_before)
            latencies = sorted(load.latencies)
            return {
                "throughput": throughput,
                "cpu_ms": cpu_per_update * 1000,
                "open_cpu_ms": open_cpu * 1000,
                "calls": calls_per_update,
                "p50": statistics.median(latencies) * 1000,
                "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
                "lost": load.lost,
            }
    finally:
        process.terminate()
        await process.wait()
        await runner.cleanup()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: what an update costs, whatever else
    runs on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _wait_for_port(port: int) -> None:
    for _ in range(600):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--bots", default="coachbot,aiogram")
    parser.add_argument("--open-reps", type=int, help="reps of the open loop (default: rate x 5)")
    parser.add_argument(
        "--bot-log", metavar="PREFIX", help="keep each bot's stderr in PREFIX.<bot>"
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        (run_coachbot if args.serve == "coachbot" else run_aiogram)(args.api, args.port, args)
        return
    results = {}
    for bot in args.bots.split(","):
        with contextlib.ExitStack() as stack:
            log = stack.enter_context(open(f"{args.bot_log}.{bot}", "wb")) if args.bot_log else None
            results[bot] = asyncio.run(measure(bot, args, log))
    print(
        f"{args.reps} reps closed loop, {args.rate:.0f} updates/s open loop, {args.seconds:.0f} s"
    )
    print(
        "| bot | updates/s (closed loop) | CPU ms/update (closed loop) | API calls/update "
        "| p50 ms at rate | p99 ms at rate | CPU ms/update at rate | lost |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for bot, figures in results.items():
        print(
            f"| {bot} | {figures['throughput']:,.0f} | {figures['cpu_ms']:.2f} "
            f"| {figures['calls']:.2f} "
            f"| {figures['p50']:.1f} | {figures['p99']:.1f} | {figures['open_cpu_ms']:.2f} "
            f"| {figures['lost']:.0f} |"
        )
    if {"coachbot", "aiogram"} <= results.keys():
        share = results["coachbot"]["throughput"] / results["aiogram"]["throughput"]
        print(f"coachbot reaches {share:.0%} of the in-memory aiogram bot's throughput")
        cost = results["aiogram"]["cpu_ms"] / results["coachbot"]["cpu_ms"]
        print(f"coachbot's CPU per update: {cost:.0%} of the aiogram bot's (ratio of costs)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
