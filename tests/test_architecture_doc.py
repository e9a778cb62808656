"""docs/architecture.md (and CONTRIBUTING.md) stay true to the code: every file, module, class
and method they name exists, the table of layers names every shipped package, and the links lead
somewhere."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
TEXT = DOC.read_text(encoding="utf-8")
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"][
    "build"
]["targets"]["wheel"]["packages"]
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def quoted(text: str) -> list[str]:
    """What the prose quotes as code (code blocks and diagrams aside)."""
    return re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))


CODE = quoted(TEXT)
BOTH = CODE + quoted(CONTRIBUTING)
ELSEWHERE: dict[str, type] = {"Connection": sqlalchemy.Connection}
"""Classes of the libraries it names."""


def classes() -> dict[str, list[Path]]:
    """Class name -> the project files that define a class of that name."""
    found: dict[str, list[Path]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for name in re.findall(r"^class (\w+)", path.read_text(encoding="utf-8"), re.M):
                found.setdefault(name, []).append(path)
    return found


def test_every_path_they_name_exists() -> None:
    paths = [c for c in BOTH if re.fullmatch(r"[\w.-]+/[\w./*-]*", c) and "NAME" not in c]
    assert len(paths) > 20, paths
    missing = [p for p in paths if not list(ROOT.glob(p.rstrip("/")))]
    assert missing == []


def test_every_module_and_name_they_quote_resolves() -> None:
    dotted = [
        c for c in BOTH if re.fullmatch(r"[a-z_]+(\.\w+)+", c) and c.split(".")[0] in PACKAGES
    ]
    assert len(dotted) >= 3, dotted
    unresolved = []
    for name in dotted:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                found: object = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for attribute in parts[cut:]:
                found = getattr(found, attribute, None)
            break
        else:
            found = None
        if found is None:
            unresolved.append(name)
    assert unresolved == []


def test_every_method_it_quotes_is_defined_on_its_class() -> None:
    defined = classes()
    methods = {c for c in CODE if re.fullmatch(r"[A-Z]\w+\.\w+", c)}
    assert len(methods) > 5, methods
    missing = []
    for method in sorted(methods):
        owner, attribute = method.split(".")
        if owner in ELSEWHERE:
            assert callable(getattr(ELSEWHERE[owner], attribute, None)), method
            continue
        files = defined.get(owner, [])
        pattern = re.compile(rf"^\s+(async )?def {attribute}\(", re.M)
        if not any(pattern.search(path.read_text(encoding="utf-8")) for path in files):
            missing.append(method)
    assert missing == []


def test_its_table_of_layers_names_every_shipped_package() -> None:
    table = [line for line in TEXT.splitlines() if line.startswith("| ")]
    named = {m for line in table for m in re.findall(r"`(\w+)/`", line)}
    assert set(PACKAGES) <= named, set(PACKAGES) - named


def test_its_links_lead_to_files_and_it_is_linked() -> None:
    targets = re.findall(r"\]\(([^)#]+)\)", TEXT)
    assert targets
    assert [t for t in targets if not (DOC.parent / t).exists()] == []
    for page in ("README.md", "CONTRIBUTING.md"):
        assert "docs/architecture.md" in (ROOT / page).read_text(encoding="utf-8"), page


def test_both_diagrams_are_mermaid() -> None:
    blocks = re.findall(r"```mermaid\n(\w+)", TEXT)
    assert blocks == ["sequenceDiagram", "flowchart"]
