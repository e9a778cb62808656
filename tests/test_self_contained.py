"""The repository carries its own account of the method: nothing in it points to a file outside
it, and every coaching script cites a section of docs/method.md that exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
METHOD = ROOT / "docs" / "method.md"
OUTSIDE = re.compile(r"\.\./shared|/work/|COACHING_MODEL\.md|seeds/\d{3}")


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False, text=True
    )
    if listed.returncode != 0:  # not a git checkout (an unpacked sdist): every file instead
        return [path for path in ROOT.rglob("*") if path.is_file() and ".venv" not in path.parts]
    return [ROOT / name for name in listed.stdout.split("\0") if name]


def test_nothing_points_outside_the_repository() -> None:
    offenders = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in {".png", ".xlsx", ".ico"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line) and path.name != Path(__file__).name:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


SCRIPTS = sorted((ROOT / "coaching_scripts").glob("*.yaml"))


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s.name != "messages.yaml"], ids=str)
def test_each_script_cites_a_section_of_the_method(script: Path) -> None:
    head = "\n".join(script.read_text(encoding="utf-8").splitlines()[:12])
    cited = re.search(r"docs/method\.md, sections? ([\d–, and]+)", head)
    assert cited, f"{script.name} does not cite docs/method.md"
    sections = {int(n) for n in re.findall(r"\d", cited.group(1))}
    method = METHOD.read_text(encoding="utf-8")
    headings = {int(n) for n in re.findall(r"^## (\d)\. ", method, re.MULTILINE)}
    assert sections <= headings


def test_every_seed_cited_is_one_docs_method_md_names() -> None:
    """A "seed 002" in a comment is one of the sources docs/method.md introduces, not a
    file somewhere else."""
    named = set(re.findall(r"\*\*seed (\d{3})\*\*", METHOD.read_text(encoding="utf-8")))
    assert named == {"000", "001", "002", "003"}
    cited: dict[str, set[str]] = {}
    for path in tracked_files():
        if path.suffix not in {".py", ".yaml", ".md"} or path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for group in re.findall(r"\bseeds? ((?:\d{3}(?:, | and |/)?)+)", text, re.IGNORECASE):
            for number in re.findall(r"\d{3}", group):
                cited.setdefault(number, set()).add(str(path.relative_to(ROOT)))
    assert cited
    assert {n: sorted(paths) for n, paths in cited.items() if n not in named} == {}


def test_no_tracked_link_leads_outside_the_repository() -> None:
    """A committed symlink (a venv linked from another checkout) breaks every fresh clone."""
    listed = subprocess.run(
        ["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, check=False, text=True
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    links = [line.split("\t", 1)[1] for line in listed.stdout.splitlines() if line[:6] == "120000"]
    outside = [n for n in links if not (ROOT / n).resolve().is_relative_to(ROOT.resolve())]
    assert outside == []
