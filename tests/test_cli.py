"""The ``coachbot`` command line: parsing, help, settings errors, and how commands are wired.

The modules behind the commands (console, scripts check, migrations) have their own tests; here
they are replaced by small fakes so only the command line itself is tested.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import coaching_scripts
from bot import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No COACHBOT_* variables, and an empty working directory (no stray .env file)."""
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fake_module(monkeypatch: pytest.MonkeyPatch, name: str, **attributes: Any) -> None:
    module = ModuleType(name)
    for key, value in attributes.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)


def coachbot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot.cli ARGS`` in a clean environment, as a user would start it."""
    environ = {k: v for k, v in os.environ.items() if not k.upper().startswith("COACHBOT_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environ.get("PYTHONPATH")]))
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# -- parsing --


def test_parse_chat() -> None:
    args = cli.build_parser().parse_args(
        ["chat", "--user", "anna", "--lang", "zh", "--script", "debrief"]
    )
    assert args.command is cli.cmd_chat
    assert (args.user, args.lang, args.script) == ("anna", "zh", "debrief")


def test_parse_chat_defaults() -> None:
    args = cli.build_parser().parse_args(["chat"])
    assert (args.user, args.lang, args.script) == (None, None, None)


def test_parse_scripts_check() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["scripts", "check"]).command is cli.cmd_scripts_check
    assert parser.parse_args(["scripts", "check"]).path is None
    assert parser.parse_args(["scripts", "check", "my/scripts"]).path == "my/scripts"


def test_parse_db_upgrade_and_run() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["db", "upgrade"]).command is cli.cmd_db_upgrade
    assert parser.parse_args(["run"]).command is cli.cmd_run


@pytest.mark.parametrize(
    "argv",
    [[], ["scripts"], ["db"], ["chat", "--lang", "fr"], ["fly"], ["db", "downgrade"]],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    assert "usage: coachbot" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["run", "--help"], ["chat", "--help"], ["scripts", "check", "-h"], ["db", "-h"]],
)
def test_help_exits_0(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("usage: coachbot")


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "chat", "scripts", "db"):
        assert f"    {command} " in out


# -- settings --


def test_settings_error_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACHBOT_TIMEZONE", "Mars/Base")
    assert cli.main(["chat"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("coachbot: invalid setting COACHBOT_TIMEZONE: unknown time zone")


def test_settings_from_env_file_reach_the_command(
    monkeypatch: pytest.MonkeyPatch, clean_environ: Path
) -> None:
    (clean_environ / ".env").write_text("COACHBOT_LANGUAGE=zh-CN\n", encoding="utf-8")
    seen: list[Any] = []

    def cmd_chat(settings: Any, args: Any) -> int:
        seen.append(settings)
        return 7

    monkeypatch.setattr(cli, "cmd_chat", cmd_chat)
    assert cli.main(["chat"]) == 7
    assert seen[0].language == "zh"


@pytest.mark.slow
def test_settings_error_in_a_real_process(clean_environ: Path) -> None:
    result = coachbot("chat", cwd=clean_environ, COACHBOT_TIMEZONE="Mars/Base")
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "COACHBOT_TIMEZONE" in line
    assert "Mars/Base" in line


@pytest.mark.slow
def test_several_settings_errors_one_line_each(clean_environ: Path) -> None:
    result = coachbot(
        "db",
        "upgrade",
        cwd=clean_environ,
        COACHBOT_ADMIN_IDS="1,boss",
        COACHBOT_WEBHOOK_LISTEN="everywhere",
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert any("COACHBOT_ADMIN_IDS" in line for line in lines)
    assert any("COACHBOT_WEBHOOK_LISTEN" in line for line in lines)


@pytest.mark.slow
def test_help_in_a_real_process(clean_environ: Path) -> None:
    result = coachbot("--help", cwd=clean_environ, COACHBOT_TIMEZONE="Mars/Base")
    assert result.returncode == 0  # help needs no valid settings
    assert "coachbot" in result.stdout


# -- commands, with the modules behind them faked --


def test_chat_passes_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []

    def run_console(settings: Any, **options: Any) -> int:
        calls.append((settings, options))
        return 0

    fake_module(monkeypatch, "bot.console", run_console=run_console)
    assert cli.main(["chat", "--user", "anna", "--lang", "en"]) == 0
    settings, options = calls[0]
    assert settings.timezone == "UTC"
    assert options == {"user": "anna", "lang": "en", "script": None}


def test_run_without_a_token_points_to_the_console_chat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COACHBOT_TELEGRAM_TOKEN", raising=False)
    assert cli.main(["run"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "COACHBOT_TELEGRAM_TOKEN" in line
    assert "coachbot chat" in line


def test_db_upgrade(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    urls: list[str] = []
    fake_module(monkeypatch, "storage.migrate", upgrade=urls.append)
    monkeypatch.setenv("COACHBOT_DATABASE_URL", "postgres://coach@db/coachbot")
    assert cli.main(["db", "upgrade"]) == 0
    assert urls == ["postgresql+psycopg://coach@db/coachbot"]
    assert capsys.readouterr().out == "database is up to date\n"


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Paths handed to a fake ``check_path`` that finds no problems."""
    paths: list[Path] = []

    def check_path(path: str | Path, contracts: object = ()) -> list[str]:
        paths.append(Path(path))
        return []

    monkeypatch.setattr(coaching_scripts, "check_path", check_path)
    return paths


def test_scripts_check_defaults_to_builtin_scripts(
    checked: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["scripts", "check"]) == 0
    assert checked == [REPO / "coaching_scripts"]
    count = len([p for p in checked[0].glob("*.yaml") if p.name != "messages.yaml"])
    assert capsys.readouterr().out.startswith(f"ok: {count} script")


def test_scripts_check_uses_scripts_dir(
    checked: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "ours"
    folder.mkdir()
    for name in ("a.yaml", "b.yaml", "messages.yaml", "notes.txt"):
        (folder / name).write_text("", encoding="utf-8")
    monkeypatch.setenv("COACHBOT_SCRIPTS_DIR", str(folder))
    assert cli.main(["scripts", "check"]) == 0
    assert checked == [folder]
    assert capsys.readouterr().out == "ok: 2 scripts\n"


def test_scripts_check_path_argument_wins(
    checked: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COACHBOT_SCRIPTS_DIR", str(tmp_path))
    script = tmp_path / "one.yaml"
    script.write_text("", encoding="utf-8")
    assert cli.main(["scripts", "check", str(script)]) == 0
    assert checked == [script]
    assert capsys.readouterr().out == "ok: 1 script\n"


def test_scripts_check_reports_problems(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = ["debrief.yaml: step 'x': unknown next step 'y'", "debrief.yaml: step 'z': dead end"]
    monkeypatch.setattr(coaching_scripts, "check_path", lambda path, contracts: problems)
    assert cli.main(["scripts", "check"]) == 1
    assert capsys.readouterr().out.splitlines() == problems
