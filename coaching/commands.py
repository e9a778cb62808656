"""The commands reps type, shared by the console chat and the Telegram bot."""

from __future__ import annotations

from collections.abc import Container

SCRIPT_ALIASES: dict[str, str] = {
    "plan": "precall",
    "week": "week_plan",
    "review": "week_review",
    "practice": "coaching",
}
"""Short commands for scripts (``/plan`` starts ``precall``); a script's own id works too."""


def script_for(command: str, scripts: Container[str]) -> str | None:
    """The script a command starts, if it starts one (``scripts``: the catalog's script ids)."""
    name = command.lower()
    if name in scripts:
        return name
    target = SCRIPT_ALIASES.get(name)
    return target if target is not None and target in scripts else None
