"""Everything the engine reads: the compiled scripts and the engine's own message templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dialogs.compile import CompiledScript, Templates


@dataclass(frozen=True, slots=True)
class Messages:
    """The engine's own texts ("please pick one of the options" ...), one template per language."""

    templates: Mapping[str, Templates]

    def render(self, key: str, lang: str, **context: Any) -> str:
        template = self.templates.get(key)
        if template is None:
            return key  # `coachbot scripts check` reports a missing key; never crash a turn
        return template.render(lang, context)

    def __contains__(self, key: str) -> bool:
        return key in self.templates


@dataclass(frozen=True, slots=True)
class Catalog:
    scripts: Mapping[str, CompiledScript] = field(default_factory=dict)
    messages: Messages = field(default_factory=lambda: Messages({}))
    default_script: str = "debrief"
