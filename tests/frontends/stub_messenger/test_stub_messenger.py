"""A new front end needs only its own folder: the Stub messenger's adapter runs a short debrief
through the same core as the console and Telegram, and the rep's answers are stored."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from coaching_scripts import load_catalog
from dialogs.engine import step
from storage.db import make_engine
from storage.migrate import upgrade
from storage.store import Store

from .adapter import Button, Message, StubFrontEnd, Update

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sun 22 Nov 2026
PUBLIC_CORE = {
    "coaching.conversations",  # the turn, and which command starts which script
    "coaching.ports",  # the profile in, the turn's result out
    "coaching.users",  # a user's key: platform and id
    "coaching_scripts",  # the catalog: scripts and the coach's texts
    "dialogs.catalog",
    "dialogs.engine",
    "dialogs.types",  # events in, replies out
    "storage.db",
    "storage.migrate",
    "storage.store",  # one turn, one transaction
}
"""What a front end may use of coachbot: the engine's vocabulary, the catalog, the turn's use case
and the store that commits it."""
CODE = ("*.py", "*.toml", "*.yaml", "*.yml", "*.ini", "*.cfg", ".ci/*", "Dockerfile")
"""Where wiring a front end in would show (documentation aside)."""


def ticking_clock() -> Callable[[], datetime]:
    """A minute passes with every reading."""
    moments = (START + timedelta(minutes=minute) for minute in range(100_000))
    return lambda: next(moments)


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[StubFrontEnd]:
    url = f"sqlite:///{tmp_path / 'stub.db'}"
    upgrade(url)
    engine = make_engine(url, sqlite_checkpoint_interval=None)
    catalog = load_catalog()
    yield StubFrontEnd(Store(engine, partial(step, catalog)), catalog, ticking_clock())
    engine.dispose()


class Rep:
    """A rep on Stub: types, or taps a button under the last question."""

    def __init__(self, stub: StubFrontEnd, name: str) -> None:
        self.stub, self.name, self.next_id = stub, name, 1
        self.last: list[Message] = []

    def post(self, *, text: str | None = None, data: str | None = None) -> list[Message]:
        update = Update(self.next_id, self.name, text=text, data=data)
        self.next_id += 1
        self.last = self.stub.receive(update)
        return self.last

    def type(self, text: str) -> list[Message]:
        return self.post(text=text)

    def tap(self, label: str) -> list[Message]:
        buttons = [button for message in self.last for button in message.buttons]
        button = next((b for b in buttons if b.label == label), None)
        assert isinstance(button, Button), f"no button {label!r} in {buttons}"
        return self.post(data=button.data)

    @property
    def said(self) -> str:
        return "\n".join(message.text for message in self.last)


def test_a_short_debrief_on_stub_is_completed_and_stored(stub: StubFrontEnd) -> None:
    rep = Rep(stub, "rita")
    rep.type("/debrief")
    assert "How do you feel about this visit" in rep.said
    rep.tap("4")
    rep.type("Good. Quick reorder, friendly as always.")
    rep.type("Baker & Sons")
    rep.tap("Short — do and check")
    rep.tap("No")
    rep.type("Sales slowed this month and they don't want stock sitting in the warehouse.")
    rep.type("I had their last order figures ready.")
    rep.type("I proposed 300 boxes before asking about their sales plan.")
    rep.type("Ask about their sales plan for next month before proposing a quantity.")
    rep.type("Open my next two reorder visits with a question about their sales plan.")
    rep.type("Call her on the 1st to check next month's volume")
    rep.type("1 Dec 9:30")
    assert "Tue 1 Dec, 09:30 — right?" in rep.said
    rep.tap("Yes")
    assert "Your debrief: Baker & Sons" in rep.said

    store, key = stub.store, "stub:rita"
    [run] = store.runs(key)
    assert (run.script, run.status) == ("debrief", "finished")
    answers = store.answers(key, run.no)
    said = {str(value) for value in answers.values()}
    assert "Good. Quick reorder, friendly as always." in said
    assert "I proposed 300 boxes before asking about their sales plan." in said
    assert 4 in answers.values()
    assert store.unsent(key) == []  # every reply was delivered and marked so


def test_a_redelivered_update_is_answered_once(stub: StubFrontEnd) -> None:
    rep = Rep(stub, "rita")
    rep.type("/debrief")
    first = Update(rep.next_id, "rita", text="4")
    assert stub.receive(first)
    assert stub.receive(first) == []  # Stub retried: the inbox knew it
    assert len(stub.store.inbox("stub:rita")) == 2


def imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_the_adapter_uses_only_the_public_core() -> None:
    used = imports(HERE / "adapter.py")
    ours = {m for m in used if m.split(".")[0] not in sys.stdlib_module_names}
    assert ours <= PUBLIC_CORE, ours - PUBLIC_CORE  # no bot/ (the other front ends), no aiogram
    assert {"storage.store", "coaching.conversations"} <= ours


def test_no_code_outside_its_folder_names_it() -> None:
    """No registry, no setting, no import elsewhere: the folder alone adds the front end (the
    docs may point to it as an example)."""
    found = subprocess.run(
        ["git", "grep", "--untracked", "-l", "-i", "stub.messenger", "--", *CODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode not in (0, 1):
        pytest.skip("not a git checkout")
    where = [(ROOT / name).resolve() for name in found.stdout.split()]
    assert HERE / "test_stub_messenger.py" in where  # the search sees this folder
    assert [path for path in where if not path.is_relative_to(HERE)] == []
