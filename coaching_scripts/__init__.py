"""The coaching scripts shipped with coachbot (YAML + Jinja2 texts), and how to load them.

This is the I/O edge of the engine: files are read here and handed to ``dialogs.compile``.
"""

from __future__ import annotations

from pathlib import Path

from dialogs.catalog import Catalog
from dialogs.compile import Problem, build_catalog

BUILTIN_DIR = Path(__file__).resolve().parent
MESSAGES_FILE = "messages.yaml"
ADAPTER_MESSAGE_KEYS = frozenset(
    {
        "console_bye",
        "console_commands",
        "console_current",
        "tg_back",
        "tg_current",
        "tg_delete_confirm",
        "tg_delete_kept",
        "tg_delete_no",
        "tg_delete_yes",
        "tg_deleted",
        "tg_done",
        "tg_export_caption",
        "tg_nothing_kept",
        "tg_edit_button",
        "tg_lang_choose",
        "tg_lang_set",
        "tg_menu",
        "tg_private_only",
        "tg_skip",
    }
)
"""Texts the console chat and the Telegram bot say themselves (tests check each is listed)."""


class ScriptsError(RuntimeError):
    """The scripts have problems; ``problems`` lists each, naming the file and the step."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def read_sources(folder: Path) -> tuple[dict[str, str], str, str]:
    """Script files of ``folder`` by name, and the messages (the folder's own or the built-in)."""
    scripts = {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.glob("*.yaml"))
        if path.name != MESSAGES_FILE
    }
    messages_path = folder / MESSAGES_FILE
    if not messages_path.exists():
        messages_path = BUILTIN_DIR / MESSAGES_FILE
    return scripts, messages_path.read_text(encoding="utf-8"), str(messages_path.name)


def load_catalog(folder: str | Path | None = None) -> Catalog:
    """Load and check every script; refuse to start with broken scripts."""
    from dialogs.check import check_catalog

    scripts, messages, messages_file = read_sources(Path(folder) if folder else BUILTIN_DIR)
    catalog, problems = build_catalog(scripts, messages, messages_file=messages_file)
    problems += check_catalog(catalog, messages_file)
    if problems:
        raise ScriptsError(problems)
    return catalog
