"""CI runs the tests with exactly the command the README gives users, so the two cannot drift."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CI_SCRIPT = REPO / ".ci" / "run"
README = REPO / "README.md"


def ci_test_command() -> str:
    match = re.search(r'^TEST_COMMAND="([^"]+)"$', CI_SCRIPT.read_text(encoding="utf-8"), re.M)
    assert match, f'{CI_SCRIPT} must set TEST_COMMAND="..." on one line'
    return match.group(1)


def test_ci_test_command_is_the_documented_one() -> None:
    assert ci_test_command() == (
        "python3 -m venv .venv && .venv/bin/pip install -q -c requirements.lock -e '.[dev]'"
        " && .venv/bin/pytest"
    )


def test_readme_gives_the_ci_test_command_once() -> None:
    if not README.exists():
        pytest.skip("README.md is not written yet")
    readme = README.read_text(encoding="utf-8")
    assert readme.count(ci_test_command()) == 1


def test_ci_script_is_executable_bash_with_strict_mode() -> None:
    text = CI_SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(CI_SCRIPT, os.X_OK)
