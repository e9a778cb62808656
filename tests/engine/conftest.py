from __future__ import annotations

from pathlib import Path

import pytest

from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE
from dialogs.catalog import Catalog
from dialogs.compile import build_catalog
from tests.chat import Chat

SAMPLE = Path(__file__).with_name("sample.yaml")


@pytest.fixture(scope="session")
def sample_catalog() -> Catalog:
    catalog, problems = build_catalog(
        {"sample.yaml": SAMPLE.read_text(encoding="utf-8")},
        (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8"),
    )
    assert problems == []
    return catalog


@pytest.fixture
def chat(sample_catalog: Catalog) -> Chat:
    return Chat(sample_catalog)
