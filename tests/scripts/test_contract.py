"""The contract between the scripts and the code that reads them by name: renaming a step the
digest counts (or an option it compares with, or a script a command starts) in a copy of the
shipped scripts makes ``coachbot scripts check`` fail with a line naming the script, the step and
the module that needs it — instead of an empty digest a week later."""

from __future__ import annotations

import ast
import importlib
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

import coaching_scripts
from bot import cli
from bot.contracts import CONTRACTS
from coaching_scripts import check_path
from dialogs.contract import Answer, Contract, Need, ScriptRef, Unit, Value, scripts_of
from dialogs.readers import PARTLY

ROOT = Path(__file__).resolve().parents[2]
NEEDS: list[Need] = sorted({need for c in CONTRACTS for need in c.needs}, key=repr)


def readers(need: Need) -> list[str]:
    return sorted(contract.reader for contract in CONTRACTS if need in contract.needs)


def copy_scripts(tmp_path: Path) -> Path:
    folder = tmp_path / "scripts"
    shutil.copytree(
        coaching_scripts.BUILTIN_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return folder


def rename(node: Any, old: str, new: str) -> Any:
    """``old`` as a word becomes ``new`` in every text (ids, references, conditions, templates),
    mapping keys left alone: a rename an author would make, the script still valid."""
    word = re.compile(rf"\b{re.escape(old)}\b")
    if isinstance(node, dict):
        return {key: rename(value, old, new) for key, value in node.items()}
    if isinstance(node, list):
        return [rename(item, old, new) for item in node]
    return word.sub(new, node) if isinstance(node, str) else node


def step_of(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(step for step in data["steps"] if step["id"] == step_id)


def plant(folder: Path, need: Need) -> tuple[str, str]:
    """Break ``need`` in its first script; the script's file and the step a problem names."""
    script = scripts_of(need)[0]
    path = folder / f"{script}.yaml"
    if isinstance(need, ScriptRef):
        path.unlink()
        return path.name, ""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answer = need if isinstance(need, Answer) else need.answer
    if isinstance(need, Answer):
        data = rename(data, answer.step, f"{answer.step}2")
    elif isinstance(need, Unit):
        step_of(data, answer.step).update(kind="text", min=None, max=None)
    elif need.value == PARTLY:
        step_of(data, answer.step).pop("partial")
    else:
        for option in step_of(data, answer.step)["options"]:
            option["id"] = f"{option['id']}2" if option["id"] == need.value else option["id"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path.name, answer.step


def test_the_shipped_scripts_keep_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_path(coaching_scripts.BUILTIN_DIR, CONTRACTS) == []
    assert cli.main(["scripts", "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_a_copy_of_the_scripts_passes_as_it_is(tmp_path: Path) -> None:
    """The planting below starts from a clean check: its copies differ only by the plant."""
    folder = copy_scripts(tmp_path)
    path = folder / "debrief.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert check_path(folder, CONTRACTS) == []


@pytest.mark.parametrize("need", NEEDS, ids=[f"{type(n).__name__}:{n}" for n in NEEDS])
def test_breaking_an_item_fails_the_check_naming_it(
    need: Need,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = copy_scripts(tmp_path)
    file, step = plant(folder, need)
    found: list[str] = []

    def recorded(path: str | Path, contracts: Iterable[Contract] = ()) -> list[str]:
        found.extend(check_path(path, contracts))  # what the function says, the CLI prints
        return found

    monkeypatch.setattr(coaching_scripts, "check_path", recorded)
    # the broken script's file alone (a script gone: the folder): each check compiles less
    target = folder if isinstance(need, ScriptRef) else folder / file
    assert cli.main(["scripts", "check", str(target)]) == 1
    where = f"{file} [{step}]: " if step else f"{file}: "
    expected = [
        line
        for line in found
        if line.startswith(where) and all(reader in line for reader in readers(need))
    ]
    assert expected, found
    if isinstance(need, Value):
        assert any(repr(need.value) in line for line in expected)
    assert set(expected) <= set(capsys.readouterr().out.splitlines())


def test_a_step_of_another_kind_is_named_with_both_kinds(tmp_path: Path) -> None:
    folder = copy_scripts(tmp_path)
    path = folder / "debrief.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    step_of(data, "feeling_score").update(kind="number", min_labels=None, max_labels=None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert check_path(folder, CONTRACTS) == [
        "debrief.yaml [feeling_score]: a number step, read as a scale (needed by "
        "coaching.summaries, reports.export, storage.activity, storage.privacy, storage.reviews)"
    ]


def test_one_file_is_checked_against_its_own_needs_only(tmp_path: Path) -> None:
    folder = copy_scripts(tmp_path)
    plant(folder, next(n for n in NEEDS if isinstance(n, Answer) and n.step == "goal_met"))
    problems = check_path(folder / "debrief.yaml", CONTRACTS)
    (line,) = [line for line in problems if "needed by" in line]  # no other script is missing
    assert line.startswith("debrief.yaml [goal_met]: no step 'goal_met', read as a yesno")
    assert check_path(folder / "week_plan.yaml", CONTRACTS) == []


def test_every_declared_contract_is_checked() -> None:
    """A module that declares a ``CONTRACT`` but is left out of ``bot.contracts`` would be
    checked by nobody."""
    declared = []
    for package in ("bot", "coaching", "dialogs", "reminders", "reports", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(
                isinstance(node, ast.Assign | ast.AnnAssign)
                and "CONTRACT" in {t.id for t in _targets(node) if isinstance(t, ast.Name)}
                for node in tree.body
            ):
                module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                declared.append(importlib.import_module(module).CONTRACT)
    assert len(declared) >= 7
    assert [c for c in declared if c not in CONTRACTS] == []


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return list(node.targets) if isinstance(node, ast.Assign) else [node.target]
