"""``coachbot team set TEAM WORDS``: the operator changes a team's settings as its manager would
with ``/teamsettings`` (the same words), and the reps' weekly nudges move with them."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from config import Settings


def add_team_settings_command(team_commands: argparse._SubParsersAction[Any]) -> None:
    change = team_commands.add_parser(
        "set",
        help="change a team's settings",
        description="Change a team's settings with the words a manager sends after "
        "/teamsettings: plan Tue 08:30 | review Fri 15:00 | classes A=10 B=30 C=60 | "
        "holiday 2026-12-24 [...] | holiday remove DATE | holidays clear | tz Berlin | "
        "approval on|off | probes on|off ('default' resets plan, review or classes). "
        "Without words: show them.",
    )
    change.add_argument("team", metavar="TEAM", help="the team's id or name")
    change.add_argument("words", metavar="WORDS", nargs="*", help="e.g. plan Tue 08:30")
    change.set_defaults(command=cmd_team_set)


def cmd_team_set(settings: Settings, args: argparse.Namespace) -> int:
    from bot.policy import policy_from
    from coaching.reminders import ReminderDesk
    from coaching.team_settings import SettingRefused, apply_change, describe
    from coaching_scripts import load_catalog
    from storage.db import make_engine
    from storage.migrate import upgrade
    from storage.privacy import plain
    from storage.reminders import Reminders
    from storage.teams import Teams

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        teams = Teams(engine)
        team = teams.find(args.team)
        if team is None:
            print(f"coachbot: no team {args.team!r} (see coachbot team list)", file=sys.stderr)
            return 1
        messages = load_catalog(settings.scripts_dir).messages
        desk = ReminderDesk(Reminders(engine), messages, policy_from(settings), teams=teams)
        now = datetime.now(UTC)
        words = " ".join(args.words)
        if words:
            team_id = team.id
            try:
                apply_change(
                    words,
                    team.settings,
                    save=lambda new: teams.save_settings(team_id, new),
                    reps=lambda: _reps(engine, team_id),
                    desk=desk,
                    now=now,
                )
            except SettingRefused as refused:
                text = messages.render(refused.reason, "en", text=refused.text[:60])
                print(f"coachbot: {plain(text)}", file=sys.stderr)
                return 2
            team = teams.get(team.id) or team
            print(f'team {team.id} "{team.name}": saved')
        print(plain(describe(team.name, team.settings, desk.policy, messages, "en", now)))
    finally:
        engine.dispose()
    return 0


def _reps(engine: Any, team_id: int) -> list[tuple[str, str]]:
    import sqlalchemy as sa

    from storage.schema import membership_table as m
    from storage.schema import user_table as u

    query = (
        sa.select(u.c.key, u.c.tz)
        .join(m, m.c.user_id == u.c.id)
        .where(m.c.team_id == team_id, m.c.role == "rep", m.c.status == "active")
    )
    with engine.connect() as conn:
        return [(row.key, row.tz) for row in conn.execute(query)]


__all__ = ["add_team_settings_command"]
