"""``/export`` and ``/deleteme`` in ``coachbot chat``, as in Telegram: the rep sees everything
kept about them, and deletes it after saying yes — "no" keeps everything."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

from bot.console import run_console
from config import load_settings
from tests.storage.test_forgotten import found_in_files

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECRET = "Kq2wConsoleSecretZr"


def chat(tmp_path: Path, lines: list[str], lang: str = "en") -> str:
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    settings = load_settings({"COACHBOT_DATABASE_URL": url}, env_file=None)
    out = io.StringIO()
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    assert (
        run_console(settings, user="anna", lang=lang, stdin=stdin, stdout=out, clock=lambda: NOW)
        == 0
    )
    return out.getvalue()


def test_export_then_no_then_yes(tmp_path: Path) -> None:
    said = chat(tmp_path, ["/debrief", "4", f"It went well, {SECRET}", "/export", "/deleteme", "2"])
    exported = said[said.index("> /export\n") + len("> /export\n") : said.index("> /deleteme")]
    data = json.loads(exported)
    assert data["profile"]["key"] == "console:anna"
    assert SECRET in json.dumps(data["runs"])
    assert "This cannot be undone" in said
    last_two = said.rstrip().splitlines()[-2:]
    assert last_two[0] == "Nothing was deleted."
    assert last_two[1].startswith("Bye for now — everything is saved.")
    assert found_in_files(f"sqlite:///{tmp_path / 'coach.db'}", SECRET)

    said = chat(tmp_path, ["/deleteme", "1", "this line is never read"])
    assert said.rstrip().endswith(
        "Done: everything I kept about you is deleted. Write to me any time to start afresh."
    )
    assert "this line is never read" not in said
    assert found_in_files(f"sqlite:///{tmp_path / 'coach.db'}", SECRET) == []


def test_in_chinese(tmp_path: Path) -> None:
    said = chat(tmp_path, ["/deleteme", "是"], lang="zh")
    assert "删除后无法恢复" in said
    assert "  1. 是，全部删除" in said
    assert said.rstrip().endswith(
        "已完成：我保存的关于你的内容已全部删除。随时给我发消息，就能重新开始。"
    )
