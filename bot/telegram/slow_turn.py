""" "typing…" for a rep whose turn is slow to work out, not for one whose turn waits in line.

Most turns take milliseconds; one that voices the role-play buyer through a language model
takes seconds, and the rep should see the coach is at it. But a turn can also be slow because
the worker is saturated, every thread busy with other reps' turns. A chat action then costs
the Bot API call a reply costs, and sending one per waiting turn would make every reply later
still (a third more calls per update at saturation, bench/README.md). So the clock starts when
the turn starts to run, not when it was queued.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class SlowTurn:
    """Calls ``show`` once the turn run through :meth:`run` has been running ``after``
    seconds; use as a context manager around the awaited turn."""

    def __init__(self, after: float, show: Callable[[], None]) -> None:
        self._after = after
        self._show = show
        self._loop = asyncio.get_running_loop()
        self._started: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work(...)``, in the worker thread, its start noted for the event loop."""
        self._started = time.monotonic()  # the loop's clock (asyncio's default)
        return work(*args, **kwargs)

    def __enter__(self) -> SlowTurn:
        self._timer = self._loop.call_later(self._after, self.look)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def look(self) -> None:
        """What the timer runs: "typing…" if the turn has run long enough, else look again
        when it would have."""
        started = self._started
        if started is None:  # still in line behind other turns: look again later
            self._timer = self._loop.call_later(self._after, self.look)
            return
        left = started + self._after - self._loop.time()
        if left > 0:
            self._timer = self._loop.call_later(left, self.look)
            return
        self._timer = None
        self._show()


__all__ = ["SlowTurn"]
