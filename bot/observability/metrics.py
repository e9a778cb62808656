"""The bot's Prometheus metrics (``/metrics``); docs/operations.md says what each one means.

Events (updates, turns, reminders sent) are counted as they happen. Figures of state — the
outbox's and the reminders' backlog, active dialogs — are read from the database when Prometheus
scrapes, so they hold for every worker alike (each reports the same database's figures). The
sender's counters (429s, retries, ...) are read from its own tallies at the same moment.

Each running bot has a registry of its own, not prometheus-client's global one, so two bots in
one process (the tests) never mix their figures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.gauges import read_backlog

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Seconds: a turn takes milliseconds; seconds mean trouble."""
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0, 10800.0, 86400.0)
"""Seconds late: within a tick or two is on time; hours mean the bot was down."""
LATE_AFTER = timedelta(minutes=1)
"""A reminder still waiting this long after its time counts as late."""
ACTIVE_WITHIN = timedelta(minutes=15)
"""A dialog with a turn this recent counts as active."""


class SenderTallies(Protocol):
    """What the metrics read of the sender (``bot.telegram.sender.Sender``)."""

    @property
    def backlog(self) -> int: ...

    @property
    def bulk_backlog(self) -> int: ...

    @property
    def stats(self) -> SenderStatsLike: ...


class SenderStatsLike(Protocol):
    sent: int
    bulk_sent: int
    retries: int
    rate_limited: int
    failed: int
    blocked: int


class Metrics:
    """The instruments the bot updates as it works, in the registry ``/metrics`` shows."""

    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no ``_created`` twins
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        ProcessCollector(registry=registry)  # process_*: CPU, memory, open files, start time
        PlatformCollector(registry=registry)  # python_info: the interpreter
        Info("coachbot_build", "The coachbot version this worker runs", registry=registry).info(
            {"version": _version()}
        )
        self.updates = Counter(
            "coachbot_updates",
            "Telegram updates handled, by kind (message, callback_query, ...) and outcome "
            "(ok, duplicate, error)",
            ["kind", "outcome"],
            registry=registry,
        )
        self.update_seconds = Histogram(
            "coachbot_update_duration_seconds",
            "Seconds from an update's arrival to its answer committed and its replies queued",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.webhook_requests = Counter(
            "coachbot_webhook_requests",
            "Posts to the webhook by HTTP status: 200 handled, 400 not an update, 401 without "
            "the secret, 500 failed (Telegram delivers it again)",
            ["status"],
            registry=registry,
        )
        self.turns = Counter(
            "coachbot_turns",
            "Conversation turns committed (a rep's answer, its replies and effects)",
            registry=registry,
        )
        self.turn_seconds = Histogram(
            "coachbot_turn_duration_seconds",
            "Seconds a turn took to run and commit (waiting for the database included)",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.deduplicated = Counter(
            "coachbot_updates_deduplicated",
            "Updates Telegram delivered again and the inbox recognised: answered once only",
            registry=registry,
        )
        self.reminders_sent = Counter(
            "coachbot_reminders_sent",
            "Reminders and nudges claimed and handed to the sender",
            registry=registry,
        )
        self.reminder_lag = Histogram(
            "coachbot_reminder_lag_seconds",
            "Seconds between a reminder's due time and its claim by the bot",
            buckets=LAG_BUCKETS,
            registry=registry,
        )

    def watch_sender(self, sender: SenderTallies) -> None:
        self.registry.register(SenderCollector(sender))

    def watch_database(self, engine: sa.Engine, clock: Callable[[], datetime]) -> None:
        self.registry.register(BacklogCollector(engine, clock))

    def reminders_claimed(self, due_times: list[datetime | None], now: datetime) -> None:
        """Count reminders handed to the sender, and how late each was claimed."""
        for due_at in due_times:
            self.reminders_sent.inc()
            if due_at is not None:
                self.reminder_lag.observe(max(0.0, (now - due_at).total_seconds()))

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes (blocking: reads the database)."""
        return generate_latest(self.registry)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("coachbot")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree not installed
        return "unknown"


class SenderCollector(Collector):
    """The sender's tallies at scrape time: what went to Telegram and how it went."""

    def __init__(self, sender: SenderTallies) -> None:
        self._sender = sender

    def collect(self) -> Iterator[Metric]:
        stats = self._sender.stats
        counters = (
            ("sent", "Bot API calls Telegram accepted (bulk ones included)", stats.sent),
            ("bulk_sent", "Of those, scheduled ones (nudges, digests)", stats.bulk_sent),
            ("rate_limited", "429 answers (each waited out, then retried)", stats.rate_limited),
            ("retries", "Calls repeated after network trouble or a 5xx", stats.retries),
            ("failed", "Calls given up (the outbox keeps their rows)", stats.failed),
            ("blocked", "403 answers: a rep blocked the bot or is gone", stats.blocked),
        )
        for name, documentation, value in counters:
            yield CounterMetricFamily(f"coachbot_telegram_{name}", documentation, value=value)
        yield GaugeMetricFamily(
            "coachbot_sender_queue",
            "Bot API calls queued in this worker's sender or in flight",
            value=self._sender.backlog,
        )
        yield GaugeMetricFamily(
            "coachbot_sender_bulk_queue",
            "Of those, scheduled ones (nudges, digests)",
            value=self._sender.bulk_backlog,
        )


class BacklogCollector(Collector):
    """The database's backlog at scrape time; ``coachbot_database_up`` 0 when it cannot be
    read (the other figures are then left out rather than made up)."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def describe(self) -> Iterator[Metric]:
        return iter(())  # figures come from the database: nothing to read at registration

    def collect(self) -> Iterator[Metric]:
        now = self._clock()
        try:
            backlog = read_backlog(
                self._engine, now, late_after=LATE_AFTER, active_within=ACTIVE_WITHIN
            )
        except Exception as error:
            log.warning("metrics: the database's figures could not be read: %r", error)
            yield GaugeMetricFamily(
                "coachbot_database_up", "1 if the database answered this scrape", value=0
            )
            return
        yield GaugeMetricFamily(
            "coachbot_database_up", "1 if the database answered this scrape", value=1
        )
        oldest = backlog.outbox_oldest
        age = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
        gauges = (
            ("outbox_depth", "Replies and nudges committed, not delivered", backlog.outbox_unsent),
            ("outbox_oldest_age_seconds", "Age of the oldest undelivered outbox row", age),
            ("outbox_given_up", "Undelivered rows no worker tries again", backlog.outbox_given_up),
            ("reminders_due", "Pending reminders whose time has come", backlog.reminders_due),
            ("reminders_late", "Of those, due for more than a minute", backlog.reminders_late),
            ("dialogs_active", "Dialogs under way, a turn in 15 min", backlog.dialogs_active),
        )
        for name, documentation, value in gauges:
            yield GaugeMetricFamily(f"coachbot_{name}", documentation, value=value)
