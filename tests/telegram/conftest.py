"""The fake Telegram Bot API for the tests in this package (import the fixture elsewhere)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from testkit.fake_telegram import FakeTelegram


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegram]:
    """A started fake on 127.0.0.1 with a free port; stopped after the test."""
    async with FakeTelegram() as fake:
        yield fake
