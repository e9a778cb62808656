"""The fake Telegram Bot API (tests/telegram) and a way to read /metrics."""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.telegram.conftest import fake_api

__all__ = ["Scrape", "fake_api", "scrape"]


class Scrape:
    """One /metrics page: ``page["coachbot_turns_total"]`` or ``page.value(name, kind=...)``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                self.samples[(sample.name, frozenset(sample.labels.items()))] = sample.value

    def value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 for a labelled sample not seen yet (Prometheus' meaning)."""
        key = (name, frozenset(labels.items()))
        if key not in self.samples and not labels:
            raise KeyError(f"{name} is not on the page")
        return self.samples.get(key, 0.0)

    def __getitem__(self, name: str) -> float:
        return self.value(name)

    def names(self) -> set[str]:
        return {name for name, _ in self.samples}

    def bucket(self, name: str, le: str, **labels: str) -> float:
        return self.samples[(f"{name}_bucket", frozenset({**labels, "le": le}.items()))]


async def scrape(client: aiohttp.ClientSession, url: str) -> Scrape:
    async with client.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return Scrape(await response.text())
