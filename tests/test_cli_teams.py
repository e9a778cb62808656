"""``coachbot team create|list|members`` and ``coachbot invite``: the operator makes a team and its
links; what the commands print works in Telegram (the codes redeem, the limits hold)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine

from bot import cli
from storage.teams import InviteRefused, Teams

CODE = re.compile(r"^/start ([A-Za-z0-9_-]{16})$", re.M)
LINK = re.compile(r"^https://t\.me/coach_bot\?start=([A-Za-z0-9_-]{16})$", re.M)


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """An empty database set as COACHBOT_DATABASE_URL (the commands migrate it themselves)."""
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    monkeypatch.setenv("COACHBOT_DATABASE_URL", url)
    monkeypatch.setenv("COACHBOT_TIMEZONE", "Asia/Shanghai")
    return url


@pytest.fixture
def teams(database: str) -> Iterator[Teams]:
    engine = create_engine(database)
    yield Teams(engine)
    engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_create_list_and_members(
    database: str, capsys: pytest.CaptureFixture[str], teams: Teams
) -> None:
    status, out, _ = run(capsys, "team", "list")
    assert (status, out) == (0, "no teams (coachbot team create NAME --manager TG_ID)\n")
    status, out, _ = run(capsys, "team", "create", "North sales", "--manager", "123456789")
    assert status == 0
    assert out.startswith('team 1 "North sales" created; manager tg:123456789\n')
    run(capsys, "team", "create", "South", "--manager", "tg:55")
    standing = teams.standing("tg:123456789")
    assert [team.name for team in standing.manages] == ["North sales"]
    assert standing.manages[0].settings.tz == "Asia/Shanghai"

    now = datetime.now(UTC)
    link = teams.scope("tg:55").invite(2, now=now)
    teams.join("tg:7", link.code, now=now, display_name="Anna")
    teams.join("tg:8", link.code, now=now, display_name="Ben")
    teams.scope("tg:55").set_settings(2, now=now, approval=True)
    teams.join("tg:9", link.code, now=now, display_name="Cai")  # waits for approval
    status, out, _ = run(capsys, "team", "list")
    header, north, south = out.splitlines()
    assert header.split() == [
        "ID", "NAME", "MANAGERS", "REPS", "WAITING", "LINKS", "APPROVAL", "CREATED",
    ]  # fmt: skip
    assert north.split()[:8] == ["1", "North", "sales", "1", "0", "0", "0", "off"]
    assert south.split()[:7] == ["2", "South", "1", "2", "1", "1", "on"]

    ben = teams.scope("tg:55").member(teams.scope("tg:55").reps(2)[-1].user_id)[1]
    assert ben.display_name == "Ben"
    teams.scope("tg:55").remove(2, ben.user_id, now=now)
    status, out, _ = run(capsys, "team", "members", "south")
    lines = out.splitlines()
    assert lines[0] == 'team 2 "South": 3 members'
    assert [line.split()[:4] for line in lines[2:]] == [
        ["tg:55", "-", "manager", "active"],
        ["tg:7", "Anna", "rep", "active"],
        ["tg:9", "Cai", "rep", "pending"],
    ]
    status, out, _ = run(capsys, "team", "members", "2", "--all")
    assert ["tg:8", "Ben", "rep", "removed"] in [line.split()[:4] for line in out.splitlines()]


def test_an_invite_redeems_within_its_limits(
    database: str, capsys: pytest.CaptureFixture[str], teams: Teams
) -> None:
    run(capsys, "team", "create", "North", "--manager", "10")
    before = datetime.now(UTC)
    status, out, _ = run(capsys, "invite", "North", "--uses", "1", "--days", "3")
    assert status == 0
    assert "joins as a rep" in out
    assert "for 1 person" in out
    found = CODE.search(out)
    assert found, out
    assert "--bot USERNAME" in out

    joined = teams.join("tg:7", found[1], now=before)
    assert (joined.team.name, joined.role, joined.status) == ("North", "rep", "active")
    with pytest.raises(InviteRefused) as refused:
        teams.join("tg:8", found[1], now=before)
    assert refused.value.reason == "used_up"
    with sa.create_engine(database).connect() as conn:
        expires = conn.execute(sa.text("select expires_at from invite")).scalar_one()
    expires = datetime.fromisoformat(str(expires)).replace(tzinfo=UTC)
    assert before + timedelta(days=3) <= expires <= datetime.now(UTC) + timedelta(days=3)
    assert f"valid until {expires:%Y-%m-%dT%H:%M}Z" in out
    with pytest.raises(InviteRefused) as late:
        teams.join("tg:9", found[1], now=expires)
    assert late.value.reason in ("expired", "used_up")

    status, out, _ = run(capsys, "invite", "1", "--role", "manager", "--bot", "coach_bot")
    link = LINK.search(out)
    assert link, out
    assert "joins as a manager" in out
    assert "--bot USERNAME" not in out
    teams.join("tg:11", link[1], now=datetime.now(UTC))
    assert [team.name for team in teams.standing("tg:11").manages] == ["North"]


def test_mistakes_are_named(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "invite", "Nowhere")
    assert status == 1
    assert "no team 'Nowhere'" in err
    assert out == ""
    assert run(capsys, "team", "members", "42")[0] == 1
    with pytest.raises(SystemExit) as bad_id:
        cli.main(["team", "create", "X", "--manager", "anna"])
    assert bad_id.value.code == 2
    assert "not a Telegram user id: 'anna'" in capsys.readouterr().err
    run(capsys, "team", "create", "North", "--manager", "10")
    for option, value in (("--days", "0"), ("--days", "91"), ("--uses", "501"), ("--uses", "x")):
        with pytest.raises(SystemExit):
            cli.main(["invite", "North", option, value])
        assert f"argument {option}" in capsys.readouterr().err
    status, _, err = run(capsys, "team", "create", "   ", "--manager", "10")
    assert status == 2
    assert "cannot create the team: its name is empty" in err
