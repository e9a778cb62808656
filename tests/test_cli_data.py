"""``coachbot db backup|restore`` and ``coachbot user export|delete`` as an operator types them:
what they print, their exit status, and that a refused restore or a declined delete changes
nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot import cli
from dialogs.types import TextIn
from storage.db import make_engine
from storage.migrate import alembic_config, upgrade
from storage.store import Profile, Store
from testkit.fake_turn import fake_turn
from tests.conftest import START

ANNA = Profile("tg:42", display_name="Anna")
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A database with one user's turns, set as COACHBOT_DATABASE_URL."""
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'var' / 'coach.db'}"
    monkeypatch.setenv("COACHBOT_DATABASE_URL", url)
    upgrade(url)
    engine = make_engine(url)
    try:
        store = Store(engine, fake_turn)
        for text in ("hello", "Baker & Sons"):
            store.handle(ANNA, TextIn(text), now=START)
    finally:
        engine.dispose()
    return url


def test_backup_then_restore_into_an_empty_database(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["db", "backup", "nightly.db"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("nightly.db: backup written (")
    assert f"schema revision {HEAD}" in printed
    assert cli.main(["db", "backup", "nightly.db"]) == 1
    assert "nightly.db exists" in capsys.readouterr().err
    assert cli.main(["db", "backup", "nightly.db", "--force"]) == 0
    capsys.readouterr()

    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'coach.db'}")
    assert cli.main(["db", "restore", "nightly.db"]) == 0
    assert capsys.readouterr().out == f"nightly.db: restored (schema revision {HEAD})\n"
    assert cli.main(["user", "export", "tg:42"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["profile"]["display_name"] == "Anna"


def test_restore_over_data_needs_force(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "backup", "nightly.db"]) == 0
    assert cli.main(["user", "delete", "tg:42", "--yes"]) == 0
    capsys.readouterr()
    assert cli.main(["db", "restore", "nightly.db"]) == 1
    err = capsys.readouterr().err
    assert "the database already has" in err
    assert "pass --force" in err
    assert cli.main(["user", "export", "tg:42"]) == 1  # still deleted: nothing was restored
    assert cli.main(["db", "restore", "nightly.db", "--force"]) == 0
    assert cli.main(["user", "export", "tg:42"]) == 0


def test_user_delete_asks_unless_told_and_says_what_it_did(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["user", "delete", "tg:42"]) == 1
    assert "pass --yes" in capsys.readouterr().err
    assert cli.main(["user", "export", "tg:42", "--out", "anna.json"]) == 0
    exported = json.loads((tmp_path / "anna.json").read_text(encoding="utf-8"))
    assert "Baker & Sons" in json.dumps(exported["runs"], ensure_ascii=False)
    capsys.readouterr()
    assert cli.main(["user", "delete", "tg:42", "--yes"]) == 0
    assert capsys.readouterr().out == "tg:42: everything kept about them is deleted\n"
    assert cli.main(["user", "delete", "tg:42", "--yes"]) == 1
    assert "nothing is kept about tg:42" in capsys.readouterr().err


def test_nothing_to_back_up_is_said_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert cli.main(["db", "backup", "b.db"]) == 1
    assert "no database file" in capsys.readouterr().err
    (tmp_path / "none.db").touch()  # a file, but no schema in it
    assert cli.main(["db", "backup", "b.db"]) == 1
    assert "no coachbot schema yet" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["none.db"]
