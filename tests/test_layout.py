"""Who may import whom.

bench/ and testkit/ stand on their own: neither imports tests/, so a benchmark keeps running
whatever the tests reorganise (the fakes both need live in testkit/).

The layers of the application (CONTRIBUTING.md, "Layers"), lowest first:

    dialogs                      the pure engine
    reminders, coaching_scripts  the pure timing rules; the shipped scripts (both use dialogs)
    config                       the settings (imports no project package)
        ^
    coaching                     the application: use cases, their rules and texts, the ports
        ^          ^
    storage        |             implements the ports (imports coaching.ports, .teams, .users)
        ^          |
    reports        |             the digest's figures, read from storage
        ^          |
    bot                          the adapters: Telegram, console, CLI, jobs — may import all

Precisely, a module of package P may import a project package Q only if Q is in ``MAY_IMPORT[P]``;
``storage`` may import from ``coaching`` only its port modules (``PORT_MODULES``: the Protocols
and the values that cross them), never a use case; ``dialogs``, ``reminders`` and ``coaching``
import no aiogram, SQLAlchemy, SQLModel, Alembic or aiohttp (``PURE_LIBRARIES_ONLY``), ``storage``
no aiogram. Imports inside functions count, relative ones are resolved. And the packages form no
cycle: ``dialogs/check.py`` checks the texts it is given, ``coaching_scripts`` reads the files
and names the message keys, ``bot`` the contracts (no back edge, none allowed).

A rep's turn is a use case: no adapter in ``bot`` runs one on a store itself (``store.handle``,
``self._store.handle``, called or handed to a thread); it goes through
``coaching.conversations.Conversations``, which applies the rules around the turn. Likewise a
user's account: no adapter sets a language, a zone or the active flag on a store itself
(``store.set_language``, ``set_timezone``, ``set_active``); it goes through
``coaching.accounts.Accounts`` (a block is recorded only for a user the bot knows)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(source: str) -> set[str]:
    """Every absolute module ``source`` imports, at any depth (imports inside functions count)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def imports_of_tests(source: str) -> set[str]:
    return {m for m in imported_modules(source) if m == "tests" or m.startswith("tests.")}


def test_bench_and_testkit_import_nothing_from_tests() -> None:
    files = sorted((ROOT / "bench").glob("*.py")) + sorted((ROOT / "testkit").rglob("*.py"))
    assert len(files) > 5, files
    offenders = {
        str(path.relative_to(ROOT)): sorted(found)
        for path in files
        if (found := imports_of_tests(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_a_planted_import_of_tests_is_caught() -> None:
    planted = "import os\n\ndef load():\n    from tests.storage.conftest import postgres_url\n"
    assert imports_of_tests(planted) == {"tests.storage.conftest"}
    assert imports_of_tests("import tests.telegram\nfrom testkit import fake_turn\n") == {
        "tests.telegram"
    }


# --- layers ------------------------------------------------------------------------------------

PACKAGES = (
    "dialogs", "reminders", "config", "coaching_scripts", "coaching", "storage", "reports", "bot",
)  # fmt: skip
MAY_IMPORT: dict[str, frozenset[str]] = {
    "dialogs": frozenset({"dialogs"}),
    "reminders": frozenset({"reminders", "dialogs"}),
    "config": frozenset({"config"}),
    "coaching_scripts": frozenset({"coaching_scripts", "dialogs"}),
    "coaching": frozenset({"coaching", "dialogs", "reminders"}),
    "storage": frozenset({"storage", "coaching", "dialogs", "reminders"}),
    "reports": frozenset({"reports", "storage", "coaching", "dialogs", "reminders"}),
    "bot": frozenset(PACKAGES),
}
PORT_MODULES = frozenset({"coaching.answers", "coaching.ports", "coaching.teams", "coaching.users"})
"""What ``storage`` may import from the application: the ports and the values crossing them
(``coaching.answers``: the script answers both read by name; ``coaching.users``: user keys)."""
FRAMEWORKS = frozenset({"aiogram", "sqlalchemy", "sqlmodel", "alembic", "aiohttp"})
PURE_LIBRARIES_ONLY = frozenset({"dialogs", "reminders", "coaching"})


def module_imports(source: str, module: str) -> set[str]:
    """Like ``imported_modules``, with relative imports resolved against ``module``'s package."""
    found = imported_modules(source)
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            found.add(".".join([*base, node.module] if node.module else base))
    return found


def layer_violations(path: str, source: str) -> list[str]:
    """Each import of the file at ``path`` (relative to the root) that breaks the rule above."""
    module = path.removesuffix(".py").replace("/", ".")
    package = module.split(".")[0]
    found = []
    for name in sorted(module_imports(source, module)):
        root = name.split(".")[0]
        if root in PACKAGES and root not in MAY_IMPORT[package]:
            found.append(f"{path} imports {name}: {package} may not import {root}")
        elif package == "storage" and root == "coaching" and name not in PORT_MODULES:
            found.append(f"{path} imports {name}: storage may import only the ports of coaching")
        elif root in FRAMEWORKS and (
            package in PURE_LIBRARIES_ONLY or (package == "storage" and root == "aiogram")
        ):
            found.append(f"{path} imports {name}: {package} imports no {root}")
    return found


def project_files() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def package_graph(files: dict[str, str]) -> dict[str, set[str]]:
    """Top-level package -> the other project packages its files import (path -> source)."""
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for path, source in files.items():
        package = path.split("/")[0]
        module = path.removesuffix(".py").replace("/", ".")
        for name in module_imports(source, module):
            root = name.split(".")[0]
            if root in PACKAGES and root != package:
                graph[package].add(root)
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as the packages along it (first one again at the end), or []."""
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> list[str]:
        if node in trail:
            return [*trail[trail.index(node) :], node]
        if node in done:
            return []
        for target in sorted(graph.get(node, ())):
            if found := visit(target, [*trail, node]):
                return found
        done.add(node)
        return []

    for start in sorted(graph):
        if found := visit(start, []):
            return found
    return []


def test_each_package_imports_only_what_its_layer_may() -> None:
    files = project_files()
    assert len(files) > 80, files
    offenders = [
        problem
        for path in files
        for problem in layer_violations(
            path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")
        )
    ]
    assert offenders == []


def test_the_packages_import_each_other_without_a_cycle() -> None:
    files = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in project_files()}
    graph = package_graph(files)
    assert "coaching" in graph["bot"]  # the rule is not vacuous
    assert "coaching" in graph["storage"]
    assert cycle_in(graph) == []


def test_a_planted_layer_violation_is_caught() -> None:
    use_case = "from storage.teams import Teams\n\ndef f():\n    from aiogram import Bot\n"
    assert layer_violations("coaching/digests.py", use_case) == [
        "coaching/digests.py imports aiogram: coaching imports no aiogram",
        "coaching/digests.py imports storage.teams: coaching may not import storage",
    ]
    assert layer_violations("storage/teams.py", "from coaching.reminders import ReminderDesk\n")
    assert layer_violations("storage/teams.py", "from coaching.ports import DigestKey\n") == []
    assert layer_violations("storage/x.py", "from bot.telegram import callbacks\n")
    assert layer_violations("coaching/x.py", "from ..bot.telegram.callbacks import manage_data\n")
    assert layer_violations("dialogs/x.py", "import sqlmodel\n")
    assert layer_violations("bot/x.py", "import aiogram\nfrom storage.db import connect\n") == []


def test_a_planted_cycle_is_caught() -> None:
    files = {
        "coaching/digests.py": "from coaching.ports import DigestKey\n",
        "storage/digests.py": "from coaching.ports import DigestKey\n",
        "coaching/ports.py": "def f():\n    from storage.digests import Digests\n",
    }
    assert cycle_in(package_graph(files)) == ["coaching", "storage", "coaching"]
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": set()}) == []


# --- a rep's turn goes through the use case ------------------------------------------------------


def store_turns(source: str) -> list[int]:
    """The lines where ``source`` reaches for ``handle`` of something named a store (the turn run
    past ``coaching.conversations``): called, or handed on (``asyncio.to_thread(store.handle)``)."""
    return store_uses(source, frozenset({"handle"}))


ACCOUNT_WRITES = frozenset({"set_language", "set_timezone", "set_active"})
"""What only ``coaching.accounts`` (and ``ReminderDesk.change_zone``, through its port) does."""


def store_uses(source: str, methods: frozenset[str]) -> list[int]:
    """The lines where ``source`` reaches for one of ``methods`` of something named a store:
    called, or handed on (``asyncio.to_thread(self._store.set_active, ...)``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in methods:
            owner = node.value
            name = (
                owner.attr
                if isinstance(owner, ast.Attribute)
                else owner.id
                if isinstance(owner, ast.Name)
                else ""
            )
            if "store" in name.lower():
                lines.append(node.lineno)
    return sorted(lines)


def adapters_reaching(methods: frozenset[str]) -> dict[str, list[int]]:
    """Each module of ``bot/`` that reaches for ``methods`` on a store, with the lines."""
    files = sorted((ROOT / "bot").rglob("*.py"))
    assert len(files) > 20, files
    return {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := store_uses(path.read_text(encoding="utf-8"), methods))
    }


def test_no_adapter_runs_a_turn_on_the_store() -> None:
    assert adapters_reaching(frozenset({"handle"})) == {}
    # the rule is not vacuous: the benchmark measures the store's turn itself
    assert store_turns((ROOT / "bench" / "turns.py").read_text(encoding="utf-8"))


def test_a_planted_turn_on_the_store_is_caught() -> None:
    planted = (
        "async def on_message(self, profile, event):\n"
        "    result = self._store.handle(profile, event, now=self._clock())\n"
        "    other = await asyncio.to_thread(store.handle, profile, event)\n"
        "    await app.handle(update)\n"  # aiogram's dispatcher, a bot: no store
        "    return self._conversations.turn(profile, event)\n"
    )
    assert store_turns(planted) == [2, 3]


# --- a user's account goes through the use case -------------------------------------------------


def test_no_adapter_writes_an_account_on_the_store() -> None:
    assert adapters_reaching(ACCOUNT_WRITES) == {}  # the detector itself: the planted test below


def test_a_planted_account_write_on_the_store_is_caught() -> None:
    planted = (
        "def blocked(self, chat_id):\n"
        "    self.store.set_active(user_key(chat_id), False)\n"
        "    await asyncio.to_thread(self._store.set_language, key, lang)\n"
        "    store.set_timezone(key, 'UTC')\n"
        "    self._accounts.set_active(key, False)\n"  # the use case: allowed
        "    await asyncio.to_thread(self._accounts.set_language, key, lang)\n"
        "    return self._store.user(key)\n"  # a plain read: allowed
    )
    assert store_uses(planted, ACCOUNT_WRITES) == [2, 3, 4]
