from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.fake_bot_api import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()
