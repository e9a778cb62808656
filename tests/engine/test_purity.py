"""The engine stays pure: no I/O libraries, no messenger, no database, no clock of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import dialogs

ALLOWED = {
    "pydantic", "jinja2", "markupsafe", "yaml", "dateparser", "lunardate", "dialogs", "__future__",
}  # fmt: skip
STDLIB_ALLOWED = {
    "ast", "collections", "dataclasses", "datetime", "enum", "re", "typing", "unicodedata",
    "zoneinfo", "functools", "itertools", "calendar", "math", "html",
}  # fmt: skip
FORBIDDEN_CALLS = {"open", "print", "input"}
FORBIDDEN_ATTRIBUTES = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today")}


def engine_modules() -> list[Path]:
    return sorted(Path(dialogs.__file__).parent.glob("*.py"))


def test_engine_imports_only_pure_libraries() -> None:
    for path in engine_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                assert root in ALLOWED | STDLIB_ALLOWED, f"{path.name} imports {name}"


def test_engine_reads_no_clock_and_does_no_io() -> None:
    for path in engine_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, f"{path.name} calls {node.func.id}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                pair = (node.value.id, node.attr)
                assert pair not in FORBIDDEN_ATTRIBUTES, f"{path.name} reads the clock"
