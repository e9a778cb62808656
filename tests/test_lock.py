"""requirements.lock pins every dependency pyproject.toml names, at a version its range allows,
so CI, the README's commands and the Docker image install the versions the tests ran against. A
dependency added (or a range moved) without re-locking fails here, not on someone's next install.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)", re.M)


def pins(lock_text: str) -> dict[str, str]:
    """Package name (canonical) -> the version the lock pins."""
    return {canonicalize_name(name): version for name, version in _PIN.findall(lock_text)}


def named_dependencies() -> list[Requirement]:
    """What pyproject.toml asks for: the app's dependencies and every optional group."""
    groups = PROJECT.get("optional-dependencies", {}).values()
    lines = [*PROJECT["dependencies"], *(line for group in groups for line in group)]
    return [Requirement(line) for line in lines]


def extra_dependencies(requirement: Requirement) -> list[Requirement]:
    """The packages ``requirement``'s extras pull in (``psycopg[binary]`` -> psycopg-binary)."""
    if not requirement.extras:
        return []
    found = []
    for line in importlib.metadata.requires(requirement.name) or []:
        needed = Requirement(line)
        wanted = any(
            needed.marker is not None and needed.marker.evaluate({"extra": extra})
            for extra in requirement.extras
        )
        if wanted:
            found.append(needed)
    return found


def unlocked(requirements: Iterable[Requirement], locked: dict[str, str]) -> list[str]:
    """Each requirement the lock misses or pins outside its range, as one line."""
    problems = []
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # not for this platform
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement}: not in requirements.lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement}: requirements.lock pins {version}")
    return problems


def test_the_lock_pins_every_dependency_pyproject_names_within_its_range() -> None:
    locked = pins(LOCK.read_text(encoding="utf-8"))
    named = named_dependencies()
    assert len(named) > 20, named
    with_extras = [needed for r in named for needed in extra_dependencies(r)]
    assert "psycopg-binary" in {canonicalize_name(r.name) for r in with_extras}
    assert unlocked([*named, *with_extras], locked) == []


def test_a_dependency_added_without_relocking_is_caught() -> None:
    locked = pins("aiogram==3.31.0\n    # via coachbot (pyproject.toml)\nsqlalchemy==2.1.9\n")
    assert locked == {"aiogram": "3.31.0", "sqlalchemy": "2.1.9"}
    assert unlocked([Requirement("aiogram>=3.20,<4"), Requirement("SQLAlchemy>=2.0")], locked) == []
    assert unlocked([Requirement("httpx>=0.27")], locked) == [
        "httpx>=0.27: not in requirements.lock"
    ]
    assert unlocked([Requirement("aiogram>=4")], locked) == [
        "aiogram>=4: requirements.lock pins 3.31.0"
    ]


def test_contributing_gives_the_command_that_wrote_the_lock() -> None:
    header = LOCK.read_text(encoding="utf-8")
    [command] = re.findall(r"^#\s+(pip-compile .+)$", header, re.M)
    assert command in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
