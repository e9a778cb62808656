"""``coachbot team create|list|members`` and ``coachbot invite``: the operator's team commands.

The operator sees and changes every team (no manager scope): this is how the first team and its
first manager come to be, and how a team whose managers are gone gets a new one (an invite with
``--role manager``). Invites are made like a manager's, with the same limits.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.telegram.links import invite_link
from coaching.users import TELEGRAM_KEYS, UserRef

if TYPE_CHECKING:
    import sqlalchemy as sa

    from coaching.teams import Invite, Team
    from config import Settings
    from storage.teams import Role

NOT_FOUND = 1


def add_team_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the team and invite commands on the ``coachbot`` parser."""
    from bot.cli_team_settings import add_team_settings_command
    from storage.teams import INVITE_DAYS, INVITE_USES, MAX_INVITE_DAYS, MAX_INVITE_USES

    team = commands.add_parser(
        "team",
        help="create and list teams",
        description="Create teams and look at them and their members.",
    )
    team_commands = team.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = team_commands.add_parser(
        "create",
        help="create a team with its first manager",
        description="Create a team; the manager (a Telegram user id) can then invite reps "
        "with /invite and manage the team with /team.",
    )
    create.add_argument("name", metavar="NAME", help="the team's name")
    create.add_argument(
        "--manager",
        required=True,
        type=_telegram_key,
        metavar="TG_ID",
        help="the manager's Telegram user id (e.g. 123456789)",
    )
    create.set_defaults(command=cmd_team_create)
    listing = team_commands.add_parser(
        "list", help="list the teams", description="List every team with its head counts."
    )
    listing.set_defaults(command=cmd_team_list)
    members = team_commands.add_parser(
        "members",
        help="list a team's members",
        description="List a team's managers and reps (and those waiting for approval).",
    )
    members.add_argument("team", metavar="TEAM", help="the team's id or name")
    members.add_argument("--all", action="store_true", help="also those removed")
    members.set_defaults(command=cmd_team_members)
    add_team_settings_command(team_commands)

    invite = commands.add_parser(
        "invite",
        help="make an invite link for a team",
        description="Make an invite link for a team: whoever opens it joins the team (as a rep, "
        "or with --role manager as a manager), until it expires or is used up.",
    )
    invite.add_argument("team", metavar="TEAM", help="the team's id or name")
    invite.add_argument("--role", choices=("rep", "manager"), default="rep")
    invite.add_argument(
        "--days",
        type=_bounded(1, MAX_INVITE_DAYS),
        default=INVITE_DAYS,
        help=f"valid this many days ({INVITE_DAYS}; at most {MAX_INVITE_DAYS})",
    )
    invite.add_argument(
        "--uses",
        type=_bounded(1, MAX_INVITE_USES),
        default=INVITE_USES,
        help=f"for this many people ({INVITE_USES}; at most {MAX_INVITE_USES})",
    )
    invite.add_argument(
        "--bot",
        metavar="USERNAME",
        help="the bot's username, for a t.me link (without it: the /start line to send)",
    )
    invite.set_defaults(command=cmd_invite)


# --- commands -----------------------------------------------------------------------------------


def cmd_team_create(settings: Settings, args: argparse.Namespace) -> int:
    from storage.teams import TeamError, Teams

    engine = _engine(settings)
    try:
        try:
            team = Teams(engine).create_team(
                args.manager,
                args.name,
                now=_now(),
                lang=settings.language,
                tz=settings.timezone,
                check=False,
            )
        except TeamError as error:
            why = "its name is empty" if error.reason == "name_missing" else str(error)
            print(f"coachbot: cannot create the team: {why}", file=sys.stderr)
            return 2
        print(f'team {team.id} "{team.name}" created; manager {args.manager}')
        print(f"next: coachbot invite {team.id}  (or the manager sends /invite to the bot)")
    finally:
        engine.dispose()
    return 0


def cmd_team_list(settings: Settings, args: argparse.Namespace) -> int:
    from storage.teams import Teams

    engine = _engine(settings)
    try:
        teams = Teams(engine).all_teams()
        if not teams:
            print("no teams (coachbot team create NAME --manager TG_ID)")
            return 0
        heads = _head_counts(engine)
        links = _usable_links(engine, _now())
        table = [("ID", "NAME", "MANAGERS", "REPS", "WAITING", "LINKS", "APPROVAL", "CREATED")]
        for team in teams:
            count = heads.get(team.id, {})
            table.append(
                (
                    str(team.id),
                    team.name,
                    str(count.get(("manager", "active"), 0)),
                    str(count.get(("rep", "active"), 0)),
                    str(count.get(("rep", "pending"), 0)),
                    str(links.get(team.id, 0)),
                    "on" if team.settings.approval else "off",
                    _utc_text(team.created_at),
                )
            )
        _print_table(table)
    finally:
        engine.dispose()
    return 0


def cmd_team_members(settings: Settings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        team = _find(engine, args.team)
        if team is None:
            return NOT_FOUND
        statuses = ("active", "pending", "removed") if args.all else ("active", "pending")
        rows = _members(engine, team.id, statuses)
        print(f'team {team.id} "{team.name}": {len(rows)} member{"" if len(rows) == 1 else "s"}')
        table = [("USER", "NAME", "ROLE", "STATUS", "SINCE")]
        for row in rows:
            since = _utc_text(row.joined_at if row.status != "removed" else row.changed_at)
            table.append((row.key, row.display_name or "-", row.role, row.status, since))
        if rows:
            _print_table(table)
    finally:
        engine.dispose()
    return 0


def cmd_invite(settings: Settings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        team = _find(engine, args.team)
        if team is None:
            return NOT_FOUND
        invite = _new_invite(engine, team, role=args.role, days=args.days, uses=args.uses)
    finally:
        engine.dispose()
    who = "a manager" if args.role == "manager" else "a rep"
    print(
        f'invite #{invite.id} for team {team.id} "{team.name}": each person who opens it joins '
        f"as {who}; valid until {_utc_text(invite.expires_at)}, for {invite.max_uses} "
        f"{'person' if invite.max_uses == 1 else 'people'}"
    )
    print(invite_link(invite.code, args.bot))
    if not args.bot:
        print("(send this line to the bot in Telegram, or pass --bot USERNAME for a t.me link)")
    return 0


# --- the database ---------------------------------------------------------------------------------


def _engine(settings: Settings) -> sa.Engine:
    """The database as the bot opens it: migrated first, so a new file works too."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    return make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)


def _find(engine: sa.Engine, name_or_id: str) -> Team | None:
    from storage.teams import Teams

    team = Teams(engine).find(name_or_id)
    if team is None:
        print(f"coachbot: no team {name_or_id!r} (see coachbot team list)", file=sys.stderr)
    return team


def _head_counts(engine: sa.Engine) -> dict[int, dict[tuple[str, str], int]]:
    import sqlalchemy as sa

    from storage.schema import membership_table as m

    query = sa.select(m.c.team_id, m.c.role, m.c.status, sa.func.count()).group_by(
        m.c.team_id, m.c.role, m.c.status
    )
    counts: dict[int, dict[tuple[str, str], int]] = {}
    with engine.connect() as conn:
        for team_id, role, status, count in conn.execute(query):
            counts.setdefault(int(team_id), {})[(role, status)] = int(count)
    return counts


def _usable_links(engine: sa.Engine, now: datetime) -> dict[int, int]:
    import sqlalchemy as sa

    from storage.schema import invite_table as i

    query = (
        sa.select(i.c.team_id, sa.func.count())
        .where(i.c.revoked_at.is_(None), i.c.expires_at > now, i.c.uses < i.c.max_uses)
        .group_by(i.c.team_id)
    )
    with engine.connect() as conn:
        return {int(team_id): int(count) for team_id, count in conn.execute(query)}


def _members(engine: sa.Engine, team_id: int, statuses: Sequence[str]) -> list[Any]:
    import sqlalchemy as sa

    from storage.schema import membership_table as m
    from storage.schema import user_table as u

    query = (
        sa.select(u.c.key, u.c.display_name, m.c.role, m.c.status, m.c.joined_at, m.c.changed_at)
        .join(u, u.c.id == m.c.user_id)
        .where(m.c.team_id == team_id, m.c.status.in_(statuses))
        .order_by(m.c.role, m.c.status, u.c.display_name, u.c.id)
    )
    with engine.connect() as conn:
        return list(conn.execute(query))


def _new_invite(engine: sa.Engine, team: Team, *, role: Role, days: int, uses: int) -> Invite:
    """An invite made by the operator (no manager behind it: ``created_by`` is empty)."""
    from storage.teams import Teams

    return Teams(engine).invite(team.id, now=_now(), role=role, days=days, uses=uses)


# --- helpers --------------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _telegram_key(text: str) -> str:
    """``123456789`` or ``tg:123456789`` → ``tg:123456789``."""
    number = text.strip().removeprefix(TELEGRAM_KEYS)
    if not number.isdigit() or int(number) <= 0:
        raise argparse.ArgumentTypeError(f"not a Telegram user id: {text!r} (e.g. 123456789)")
    return str(UserRef.telegram(int(number)))


def _bounded(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return parse


def _utc_text(moment: datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(UTC):%Y-%m-%dT%H:%M}Z"


def _print_table(table: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]) - 1)]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*cells, line[-1]]).rstrip())
