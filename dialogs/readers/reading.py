"""What every reader returns: the value it read and how sure it is of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

SURE = 1.0
LIKELY = 0.9
"""Read with a hedge ("about 3", "3分吧"): the value is clear, the rep is just modest."""
UNSURE = 0.6
"""A close guess: a partial yes, a label half typed, a number with an unknown unit."""
GUESS = 0.4
"""A reading of feeling words ("terrible" → 1): worth offering, never worth storing unasked."""
ACCEPT_AT = 0.8
"""Readings at least this sure are stored; the others are shown back for a one-tap check."""


@dataclass(frozen=True, slots=True)
class Read(Generic[T]):
    """``value`` read from a rep's words, ``certainty`` in [0, 1]; ``alternatives`` are what the
    rep may have meant instead, offered as buttons when the reading is shown back."""

    value: T
    certainty: float
    alternatives: tuple[T, ...] = ()
    unit: str = ""
    """For numbers: the currency or unit typed with it ("EUR", "次"), empty if none."""
    said_more: bool = False
    """The answer came inside a longer text (a vent, a comment) that is worth keeping."""

    @property
    def sure(self) -> bool:
        return self.certainty >= ACCEPT_AT
