"""``/readyz``: may this worker take updates now?

Ready means: it has started and is not stopping, the database answers within a few seconds, the
database's schema is the one this code migrates to (or newer: a worker of the next version
migrated it during a rolling upgrade), and the sender is not stalled (calls queued, none made or
given up for two minutes). ``/healthz`` only says the process answers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import sqlalchemy as sa

from bot.observability.metrics import SenderTallies
from storage.gauges import CodeRevisions, code_revisions, database_revisions, ping

CHECK_TIMEOUT = 3.0
"""Seconds the database has to answer a probe (an unreachable host must not hang it)."""
SENDER_STALL_AFTER = 120.0
"""Seconds a queued call may wait without the sender making or giving up any call."""
OK = "ok"


class Phase(Enum):
    STARTING = "starting"
    SERVING = "serving"
    STOPPING = "stopping"


@dataclass(frozen=True)
class Verdict:
    """Each check's finding: ``ok`` or what is wrong, in words for the operator."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(finding == OK or finding.startswith("ok ") for finding in self.checks.values())


class Readiness:
    """The readiness checks of one worker."""

    def __init__(
        self,
        engine: sa.Engine,
        database_url: str,
        sender: SenderTallies,
        *,
        stopping: asyncio.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
        stall_after: float = SENDER_STALL_AFTER,
        timeout: float = CHECK_TIMEOUT,
    ) -> None:
        self.phase = Phase.STARTING
        self._stopping = stopping
        self._engine = engine
        self._code: CodeRevisions = code_revisions(database_url)
        self._sender = sender
        self._clock = clock
        self._stall_after = stall_after
        self._timeout = timeout
        self._waiting_since: float | None = None
        self._progress = -1
        self._in_flight: asyncio.Future[str] | None = None

    async def verdict(self) -> Verdict:
        phase = self.phase
        if self._stopping is not None and self._stopping.is_set():
            phase = Phase.STOPPING
        return Verdict(
            {
                "phase": OK if phase is Phase.SERVING else phase.value,
                "database": await self._database(),
                "sender": self.sender_finding(),
            }
        )

    async def _database(self) -> str:
        """One look at a time: probes arriving while the database is slow share the look in
        flight instead of piling up threads."""
        if self._in_flight is None or self._in_flight.done():
            self._in_flight = asyncio.ensure_future(asyncio.to_thread(self.database_finding))
        try:
            return await asyncio.wait_for(asyncio.shield(self._in_flight), self._timeout)
        except TimeoutError:
            return f"no answer within {self._timeout:g} s"

    def database_finding(self) -> str:
        """Blocking: reachable, and at the schema this code needs?"""
        try:
            ping(self._engine)
            current = database_revisions(self._engine)
        except Exception as error:
            return f"unreachable: {type(error).__name__}"
        if current == self._code.heads:
            return OK
        if not current:
            return "not migrated: run coachbot db upgrade"
        at, needs = _names(current), _names(self._code.heads)
        if current - self._code.known:  # a newer worker migrated it (rolling upgrade)
            return f"ok (database at {at}, newer than this code's {needs})"
        return f"migrations behind: database at {at}, code needs {needs}"

    def sender_finding(self) -> str:
        """Stalled when calls stayed queued from one probe to a later one at least
        ``stall_after`` seconds on, with no call made, retried or given up in between: then
        the call queued at the first probe has waited all that time."""
        stats = self._sender.stats
        progress = stats.sent + stats.failed + stats.retries + stats.rate_limited
        now = self._clock()
        if self._sender.backlog == 0 or progress != self._progress:
            self._progress = progress
            self._waiting_since = now if self._sender.backlog else None
            return OK
        if self._waiting_since is None:
            self._waiting_since = now
        waited = now - self._waiting_since
        if waited >= self._stall_after:
            return f"stalled: {self._sender.backlog} calls queued, none made for {waited:.0f} s"
        return OK


def _names(revisions: frozenset[str]) -> str:
    return ",".join(sorted(revisions)) or "none"
