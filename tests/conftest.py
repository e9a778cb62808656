"""Fixtures for every test: an injected clock (never sleep to wait for time to pass)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

START = datetime(2025, 11, 24, 9, 30, tzinfo=UTC)
"""A Monday morning, aware UTC: the default 'now' of the tests."""


@dataclass
class FakeClock:
    """A clock that moves only when a test says so."""

    current: datetime = START

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.current += delta if delta is not None else timedelta(**kwargs)
        return self.current


@pytest.fixture
def now() -> datetime:
    return START


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
