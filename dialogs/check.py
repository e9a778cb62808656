"""``coachbot scripts check``: every problem in a folder of scripts, one line each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dialogs.catalog import Catalog
from dialogs.compile import Problem, build_catalog
from dialogs.contract import Contract, check_contracts
from dialogs.engine import MESSAGE_KEYS


def check_catalog(catalog: Catalog, messages_file: str) -> list[Problem]:
    """Problems only visible once everything is compiled: message keys the engine and the
    adapters (console, Telegram) need."""
    from coaching_scripts import ADAPTER_MESSAGE_KEYS

    return [
        Problem(messages_file, key, "message missing (the engine needs it)")
        for key in sorted(MESSAGE_KEYS | ADAPTER_MESSAGE_KEYS)
        if key not in catalog.messages
    ]


def check_path(path: str | Path, contracts: Iterable[Contract] = ()) -> list[str]:
    """Check a folder of scripts, or one script file (with the built-in messages), and that
    they have what ``contracts`` say the code reads from them (``dialogs.contract``)."""
    from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE, read_shared, read_sources

    target = Path(path)
    if not target.exists():
        return [f"{target}: no such file or folder"]
    if target.is_file():
        scripts = {target.name: target.read_text(encoding="utf-8")}
        messages = (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8")
        messages_file = MESSAGES_FILE
    else:
        scripts, messages, messages_file = read_sources(target)
    if not scripts:
        return [f"{target}: no scripts (*.yaml) found"]
    shared = read_shared(target if target.is_dir() else target.parent)
    catalog, problems = build_catalog(scripts, messages, messages_file=messages_file, shared=shared)
    problems += check_catalog(catalog, messages_file)
    given = {Path(file).stem for file in scripts}
    problems += check_contracts(catalog, contracts, given=given, whole=target.is_dir())
    for name, compiled in catalog.scripts.items():
        expected = f"{name}.yaml"
        if compiled.script.source != expected and target.is_dir():
            problems.append(
                Problem(compiled.script.source, "id", f"script id {name!r} differs from file name")
            )
    return [str(problem) for problem in problems]
