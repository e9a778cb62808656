"""``coachbot run``: the bot on long polling or a webhook, acknowledging an update only after it
is committed (aiogram's own runners acknowledge first; see aiogram issue #1397).

Polling: the next ``getUpdates`` offset moves past an update only once it was handled. Webhook:
the 200 goes out only once the update was handled; an error answers 500 and Telegram retries.
Either way a ``kill -9`` at any moment loses nothing, and the inbox turns a redelivery into a
no-op. Updates of one rep are handled one at a time, in order; different reps in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import math
import os
import secrets
import signal
import socket
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import orjson
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import DeleteWebhook, GetUpdates, SetMyCommands, SetWebhook
from aiogram.types import BotCommand, Update
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.llm_buyer import LlmBuyer
from bot.observability.http import ProbeServer, add_probe_routes
from bot.observability.monitor import Monitor
from bot.policy import policy_from
from bot.telegram.account import Account
from bot.telegram.callbacks import manage_data
from bot.telegram.coach import Coach
from bot.telegram.delivery import MARK_EVERY, Delivery, SharedPacing
from bot.telegram.digests import TeamDigests
from bot.telegram.gate import TeamGate
from bot.telegram.manage import Manage
from bot.telegram.render import Outgoing, render_turn
from bot.telegram.replies import Replies
from bot.telegram.sender import SEND_WINDOW_MARGIN, Sender
from bot.telegram.session import Session
from bot.telegram.team_settings import TeamSettingsChat
from bot.telegram.teams import Onboarding
from coaching.accounts import Accounts
from coaching.digests import DigestDesk
from coaching.ports import OutboxItem
from coaching.reminders import ReminderDesk
from coaching.summaries import Summaries
from coaching.users import UserRef, telegram_chat
from dialogs.catalog import Catalog
from dialogs.engine import step
from storage.digests import Digests
from storage.outbox import Outbox, owner_name
from storage.reminders import Reminders
from storage.retention import purge_sent_outbox
from storage.reviews import Reviews
from storage.send_slots import SendSlots
from storage.store import Store
from storage.teams import Teams

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25
"""Seconds a getUpdates call waits for news (long polling)."""
SHUTDOWN_GRACE = 10.0
MARK_SENT_EVERY = MARK_EVERY
"""Seconds between writes that mark delivered replies sent."""
MAX_CLAIM = 500
"""Reminders claimed in one tick at most."""
SUMMARY_TICKS = 4
"""Looks for finished debriefs to summarise per reminder tick (every 0.5 s by default): a
manager hears sooner, and a busy bot's summaries go out a few at a time instead of some 30 in
one burst that the reps' replies queue behind (bench/README.md). The daily batches keep the
reminder tick."""
DIGEST_TICK = 30.0
"""Seconds between looks for weekly digests due (a few rows per team: cheap)."""
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PURGE_EVERY = 3600.0
"""Seconds between two purges of delivered messages older than the retention period."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def process_name() -> str:
    """This bot process's name in the outbox's claims: new at every start."""
    return owner_name(socket.gethostname(), os.getpid(), secrets.token_hex(4))


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_token is not None
    session = Session(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        settings.telegram_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


class CoachBot:
    """Everything a running bot holds: the Telegram client, the store, the sender, the coach."""

    def __init__(
        self,
        settings: Settings,
        *,
        catalog: Catalog,
        store: Store,
        bot: Bot,
        clock: Callable[[], datetime] = system_clock,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.store = store
        self.accounts = Accounts(store)
        self.bot = bot
        self.clock = clock
        outbox = Outbox(store.engine, store.claim_as or process_name(), lease=settings.send_lease)
        # SQLite is one process (its write lock says so): a predecessor's leases are a dead one's
        alone = store.engine.dialect.name == "sqlite"
        self.delivery = Delivery(outbox, clock=clock, alone=alone)
        # several workers on PostgreSQL keep Telegram's limits together
        shared = None if alone else SharedPacing(SendSlots(store.engine))
        self.sender = Sender(
            bot,
            global_rate=settings.send_rate,
            chat_rate=settings.send_chat_rate,
            chat_burst=settings.send_chat_burst,
            shared=shared,
            window_margin=SEND_WINDOW_MARGIN,
            on_sent=self.delivery.sent,
            on_failed=self.delivery.failed,
            on_blocked=self._blocked,
        )
        # every conversation's state is the engine's, in the database: aiogram's FSM would only
        # build a context no handler reads, per update
        self.dispatcher = Dispatcher(disable_fsm=True)
        self.reminders = Reminders(store.engine)
        self.teams = Teams(
            store.engine, admin_keys=[str(UserRef.telegram(i)) for i in settings.admin_ids]
        )
        self.desk = ReminderDesk(
            self.reminders, catalog.messages, policy_from(settings), teams=self.teams
        )
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.coach: Coach | None = None
        self.manage: Manage | None = None
        self.stopping = asyncio.Event()
        self.monitor = Monitor(
            engine=store.engine,
            database_url=settings.database_url,
            sender=self.sender,
            clock=clock,
            stopping=self.stopping,
        )

    def _blocked(self, chat_id: int) -> None:
        from bot.telegram.inputs import user_key

        self.accounts.set_active(user_key(chat_id), False)  # a stranger's refusal keeps nothing

    async def start(self) -> None:
        await self.sender.start()
        me = await self.bot.get_me()
        self.coach = Coach(
            store=self.store,
            catalog=self.catalog,
            sender=self.sender,
            clock=self.clock,
            timezone=self.settings.timezone,
            language=self.settings.language,
            account=Account(self.desk, self.store, self.clock, self.settings.timezone),
            teams=self.teams,
            claims=self.delivery,
            buyer=LlmBuyer.from_settings(self.settings, self.catalog),
        )
        self.onboarding = Onboarding(
            teams=self.teams,
            store=self.store,
            messages=self.catalog.messages,
            sender=self.sender,
            clock=self.clock,
            timezone=self.settings.timezone,
            language=self.settings.language,
            bot_username=me.username,
            base_menu=partial(menu, self.catalog),
            admin_ids=self.settings.admin_ids,
        )
        gate = TeamGate(
            teams=self.teams,
            store=self.store,
            messages=self.catalog.messages,
            replies=Replies(self.sender),
            language=self.settings.language,
        )
        dispatcher = self.dispatcher
        for observer in (dispatcher.message, dispatcher.edited_message, dispatcher.callback_query):
            observer.outer_middleware(gate)  # the no-team gate, before every router
        self.dispatcher.include_router(self.onboarding.router())  # /start CODE, /team
        self.manage = Manage(
            reviews=Reviews(self.store.engine),
            teams=self.teams,
            summaries=Summaries(self.catalog, button_data=manage_data),
            store=self.store,
            sender=self.sender,
            coach=self.coach,
            clock=self.clock,
            language=self.settings.language,
        )
        self.dispatcher.include_router(self.manage.router())  # m: taps, notes, /summaries
        self.digests = TeamDigests(
            teams=self.teams,
            store=self.store,
            desk=DigestDesk(self.teams, Digests(self.store.engine)),
            messages=self.catalog.messages,
            sender=self.sender,
            clock=self.clock,
            language=self.settings.language,
        )
        self.dispatcher.include_router(self.digests.router())  # /digest
        team_settings = TeamSettingsChat(
            teams=self.teams,
            store=self.store,
            desk=self.desk,
            messages=self.catalog.messages,
            sender=self.sender,
            clock=self.clock,
            language=self.settings.language,
        )
        self.dispatcher.include_router(team_settings.router())  # /teamsettings
        self.dispatcher.include_router(self.coach.router())
        for lang, code in (("en", None), ("zh", "zh")):
            commands = menu(self.catalog, lang)
            self.sender.submit(None, SetMyCommands(commands=commands, language_code=code))
        await self.onboarding.set_manager_menus()
        coach = self.coach
        self.delivery.attach(
            self.send_rows,
            lambda chat, outgoing, ids, bulk: coach.deliver(
                chat, outgoing, ids, bulk=bulk, held=True
            ),
        )
        await self.delivery.start()  # what a crashed predecessor left goes out first
        self.scheduler.add_job(
            self.remind,
            IntervalTrigger(seconds=self.settings.reminder_tick),
            id="reminders",
            coalesce=True,  # a tick late because the loop was busy runs once, not in a burst
            max_instances=1,
            misfire_grace_time=None,  # ... and is never dropped: rows wait, ticks only look
            next_run_time=datetime.now(UTC),  # reminders due while the bot was down: now
        )
        self.scheduler.add_job(
            self.digests.tick,
            IntervalTrigger(seconds=DIGEST_TICK),
            id="digests",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),  # a digest due while the bot was down: now
        )
        self.scheduler.add_job(
            partial(self.summarise, daily=False),
            IntervalTrigger(seconds=summary_tick(self.settings.reminder_tick)),
            id="summaries",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            self.summarise,
            IntervalTrigger(seconds=self.settings.reminder_tick),
            id="summary-batches",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            self.purge_outbox,
            IntervalTrigger(seconds=PURGE_EVERY),
            id="outbox-retention",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()
        log.info("coachbot @%s started", me.username)

    async def remind(self) -> int:
        """One tick: claim what is due (as much as the sender can send in two ticks, so 10,000
        Monday nudges flow at the send rate instead of piling up in memory) and hand it over as
        bulk, behind every reply a rep is waiting for. Returns how many went to the sender."""
        assert self.coach is not None
        rate = self.settings.send_rate
        room = MAX_CLAIM if rate <= 0 else math.ceil(rate * self.settings.reminder_tick * 2)
        room = min(MAX_CLAIM, room - self.sender.bulk_backlog)
        if room <= 0:
            return 0
        now = self.clock()
        try:
            report = await asyncio.to_thread(self.desk.tick, now, limit=room)
        except Exception:
            log.exception("reminder tick failed; the next tick tries again")
            return 0
        self.monitor.reminders_claimed((d.due_at for d in report.deliveries), now)
        for delivery in report.deliveries:
            chat_id = telegram_chat(delivery.user_key)
            if chat_id is None:
                continue
            outgoing = render_turn([delivery.reply], self.catalog.messages, "en")
            self.coach.deliver(chat_id, outgoing, [delivery.outbox_id], bulk=True)
        return len(report.deliveries)

    async def summarise(self, *, daily: bool = True) -> int:
        """One tick of managers' summaries: new debrief notices into reviews (instant ones
        sent), and (``daily``) the daily batches now due. Returns how many messages went to
        the sender."""
        assert self.manage is not None
        try:
            sent = await asyncio.to_thread(self.manage.tick, self.clock(), daily=daily)
        except Exception:
            log.exception("summary tick failed; the next tick tries again")
            return 0
        self.manage.deliver(sent)
        return len(sent)

    async def purge_outbox(self) -> int:
        """Delete delivered messages older than ``COACHBOT_OUTBOX_RETENTION_DAYS``: the outbox
        is no archive of what reps were told. Returns how many went."""
        keep = timedelta(days=self.settings.outbox_retention_days)
        try:
            return await asyncio.to_thread(
                purge_sent_outbox, self.store.engine, now=self.clock(), keep=keep
            )
        except Exception:
            log.exception("outbox purge failed; the next one tries again")
            return 0

    async def send_rows(self, pending: list[OutboxItem], bulk: bool) -> None:
        """Rows this process claimed from the database (left by a crashed process, handed over
        by another one, or committed by a tick) go out now, each user's in order."""
        assert self.coach is not None
        if self.manage is not None:  # managers' summaries keep their buttons
            pending = await self.manage.resend(pending)
        by_user: dict[str, list[OutboxItem]] = defaultdict(list)
        for item in pending:
            by_user[item.user_key].append(item)
        for key, items in by_user.items():
            chat_id = telegram_chat(key)
            if chat_id is None:
                continue
            lang = await asyncio.to_thread(self.accounts.language, key, "en")
            outgoing: list[Outgoing] = render_turn(
                [item.reply for item in items], self.catalog.messages, lang
            )
            ids = [item.id for item in items]
            self.coach.deliver(chat_id, outgoing, ids, bulk=bulk, held=True)

    async def handle(self, update: Update) -> None:
        with self.monitor.update(update):  # one log line, the latency histogram
            await self.dispatcher.feed_update(self.bot, update)

    async def handle_batch(self, updates: Sequence[Update]) -> int | None:
        """Handle a batch: reps in parallel, each rep's updates in order. Returns the lowest
        update id that failed (to be fetched again), or None when all were handled."""
        lanes: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            lanes[_sender_id(update)].append(update)

        async def lane(queue: list[Update]) -> int | None:
            for update in queue:
                try:
                    await self.handle(update)
                except Exception:
                    log.exception("update %s failed; it will be fetched again", update.update_id)
                    return update.update_id
            return None

        failed = [f for f in await asyncio.gather(*(lane(q) for q in lanes.values())) if f]
        return min(failed) if failed else None

    async def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.sender.close(SHUTDOWN_GRACE)  # what it could not send is given up...
        await self.delivery.close()  # ... here, for another process to send
        await self.bot.session.close()
        self.teams.close()


def summary_tick(reminder_tick: float) -> float:
    """Seconds between looks for new summaries: ``SUMMARY_TICKS`` per reminder tick, but not
    under 50 ms (tests tick reminders every 50 ms)."""
    return min(reminder_tick, max(reminder_tick / SUMMARY_TICKS, 0.05))


def menu(catalog: Catalog, lang: str) -> list[BotCommand]:
    """The command menu in ``lang``: commands whose script (or the feature) exists."""
    from coaching.commands import script_for

    adapter_commands = {
        "resume",
        "edit",
        "back",
        "skip",
        "cancel",
        "lang",
        "help",
        "export",
        "deleteme",
    }
    commands = []
    for line in catalog.messages.render("tg_menu", lang).splitlines():
        name, _, description = line.partition("—")
        name = name.strip()
        if name in adapter_commands or script_for(name, catalog.scripts):
            commands.append(BotCommand(command=name, description=description.strip()))
    return commands


def _sender_id(update: Update) -> int:
    for event in (
        update.message,
        update.edited_message,
        update.callback_query,
        update.my_chat_member,
    ):
        user = getattr(event, "from_user", None)
        if user is not None:
            return int(user.id)
    return 0


# --- long polling ---------------------------------------------------------------------------------


async def poll(app: CoachBot, ready: Callable[[CoachBot], None] | None = None) -> None:
    """Fetch, handle, and only then move the offset past what was handled."""
    await app.bot(DeleteWebhook(drop_pending_updates=False))
    if ready is not None:
        ready(app)
    offset: int | None = None
    backoff = 1.0
    while not app.stopping.is_set():
        fetch = asyncio.ensure_future(
            app.bot(
                GetUpdates(offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES),
                request_timeout=POLL_TIMEOUT + 10,
            )
        )
        stop = asyncio.ensure_future(app.stopping.wait())
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fetch
            break
        stop.cancel()
        try:
            updates = fetch.result()
        except Exception as error:  # network trouble, Telegram 5xx: wait and try again
            log.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
            await _pause(app, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 1.0
        if not updates:
            continue
        failed = await app.handle_batch(updates)
        if failed is None:
            offset = updates[-1].update_id + 1
        else:
            offset = failed
            await _pause(app, 1.0)


async def _pause(app: CoachBot, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(app.stopping.wait(), seconds)


# --- webhook --------------------------------------------------------------------------------------


def webhook_app(app: CoachBot, path: str, secret: str | None) -> web.Application:
    """POST ``path``: a wrong or missing secret gets 401 and changes nothing; the 200 waits
    for the update to be committed."""

    async def receive(request: web.Request) -> web.Response:
        if secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                return web.Response(status=401, text="unauthorized")
        try:
            payload = orjson.loads(await request.read())  # as aiogram's client reads answers
            update = Update.model_validate(payload, context={"bot": app.bot})
        except Exception:
            return web.Response(status=400, text="not an update")
        try:
            await app.handle(update)
        except Exception:
            log.exception("update %s failed; Telegram will deliver it again", update.update_id)
            return web.Response(status=500, text="try again")
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.router.add_post(path, receive)
    add_probe_routes(web_app, app.monitor, webhook_path=path)  # GET /healthz, /readyz, /metrics
    return web_app


async def serve_webhook(app: CoachBot, ready: Callable[[CoachBot], None] | None = None) -> None:
    settings = app.settings
    assert settings.webhook_url is not None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    path = urlsplit(settings.webhook_url).path or "/"
    host, _, port = settings.webhook_listen.rpartition(":")
    runner = web.AppRunner(webhook_app(app, path, secret), shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    site = web.TCPSite(runner, host or "0.0.0.0", int(port))
    await site.start()
    await app.bot(
        SetWebhook(
            url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
    )
    log.info("webhook listening on %s%s", settings.webhook_listen, path)
    if ready is not None:
        ready(app)
    try:
        await app.stopping.wait()
    finally:
        await runner.cleanup()  # stops accepting, lets in-flight updates finish


# --- the command ----------------------------------------------------------------------------------


async def run(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = system_clock,
    install_signals: bool = True,
    ready: Callable[[CoachBot], None] | None = None,
) -> int:
    from coaching_scripts import load_catalog
    from storage.db import make_engine
    from storage.migrate import upgrade

    catalog = load_catalog(settings.scripts_dir)
    await asyncio.to_thread(upgrade, settings.database_url)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    store = Store(
        engine, partial(step, catalog), claim_as=process_name(), lease=settings.send_lease
    )
    app = CoachBot(settings, catalog=catalog, store=store, bot=make_bot(settings), clock=clock)
    if install_signals:
        _stop_on_signals(app.stopping, (signal.SIGTERM, signal.SIGINT))
    probes = ProbeServer(app.monitor, settings.health_address)
    try:
        await probes.start()
        await app.start()
        app.monitor.serving()
        gc.freeze()  # start-up's objects (catalog, metadata) leave every GC pass: no 0.5-s stalls
        if settings.webhook_url:
            await serve_webhook(app, ready)
        else:
            await poll(app, ready)
    finally:
        await app.close()
        await probes.close()
        engine.dispose()
    return 0


def _stop_on_signals(stopping: asyncio.Event, signals: Iterable[signal.Signals]) -> None:
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, stopping.set)
