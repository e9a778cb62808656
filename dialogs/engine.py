"""The dialog engine: one pure function from (state, event) to (new state, replies, effects)."""

from __future__ import annotations

from dialogs.catalog import Catalog
from dialogs.state import Conversation
from dialogs.types import Context, Event, Turn


def step(catalog: Catalog, state: Conversation, event: Event, ctx: Context) -> Turn:
    """Apply one event to a rep's conversation. Never raises on any event; never does I/O."""
    raise NotImplementedError  # being written now
