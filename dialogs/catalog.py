"""Everything the engine reads: the compiled scripts and the engine's own message templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Catalog:
    scripts: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, Any] = field(default_factory=dict)
    default_script: str = "debrief"
