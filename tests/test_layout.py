"""bench/ and testkit/ stand on their own: neither imports tests/, so a benchmark keeps running
whatever the tests reorganise (the fakes both need live in testkit/)."""

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
