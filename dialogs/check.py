"""``coachbot scripts check``: every problem in a set of scripts, one line each.

Pure, like the rest of the engine: it checks the texts it is given. Reading the files is the
caller's job (``coaching_scripts.check_path``), and so is naming what the code around the engine
needs — the message keys the front ends say, the ``dialogs.contract`` contracts of the modules
that read answers by name — so the engine imports none of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from dialogs.catalog import Catalog
from dialogs.compile import Problem, build_catalog
from dialogs.contract import Contract, check_contracts
from dialogs.engine import MESSAGE_KEYS


@dataclass(frozen=True, slots=True)
class Sources:
    """The texts a catalog is built from: scripts by file name, the messages, shared blocks."""

    scripts: Mapping[str, str]
    messages: str
    messages_file: str = "messages.yaml"
    shared: Mapping[str, str] = field(default_factory=dict)


def check_catalog(
    catalog: Catalog, messages_file: str, message_keys: Collection[str] = ()
) -> list[Problem]:
    """Problems only visible once everything is compiled: message keys the engine needs, and
    ``message_keys`` the front ends (console, Telegram) say."""
    return [
        Problem(messages_file, key, "message missing (the engine needs it)")
        for key in sorted(MESSAGE_KEYS | set(message_keys))
        if key not in catalog.messages
    ]


def check_sources(
    sources: Sources,
    *,
    message_keys: Collection[str] = (),
    contracts: Iterable[Contract] = (),
    whole: bool = True,
) -> list[Problem]:
    """Every problem of ``sources``, and every item of ``contracts`` they lack.

    ``whole``: these are all the scripts (a folder), so each file is named after its script's
    id and a script the code needs is missing if nobody gave it; False for one file checked on
    its own."""
    catalog, problems = build_catalog(
        sources.scripts,
        sources.messages,
        messages_file=sources.messages_file,
        shared=sources.shared,
    )
    problems += check_catalog(catalog, sources.messages_file, message_keys)
    given = {file.removesuffix(".yaml") for file in sources.scripts}
    problems += check_contracts(catalog, contracts, given=given, whole=whole)
    if whole:
        for name, compiled in catalog.scripts.items():
            if compiled.script.source != f"{name}.yaml":
                problems.append(
                    Problem(
                        compiled.script.source, "id", f"script id {name!r} differs from file name"
                    )
                )
    return problems
