"""Teams, roles and invite links; every manager-side read and write goes through a scope.

A ``ManagerScope`` is bound to one manager and adds "a team this manager manages" to each of its
queries, in SQL: a manager of team A asking about team B, a rep of team B or a run of team B gets
``NotYourTeam``, whatever ids or codes the caller forged. Handlers never filter by team themselves.

Roles: admins (``COACHBOT_ADMIN_IDS``) may create teams; a manager is an active ``manager``
membership; a rep an active ``rep`` membership (of one team at most: joining another team moves the
rep). Invite codes are ``secrets.token_urlsafe`` (within Telegram's 64-character deep-link limit),
redeemed with one conditional ``UPDATE``, so a use limit holds under concurrent joins.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from coaching.teams import (
    Invite,
    ManagerPrefs,
    Member,
    RunRef,
    Standing,
    Team,
    TeamSettings,
)
from dialogs.types import lang_of
from storage.db import READ_ONLY, write_queue
from storage.prepared import Prepared
from storage.schema import (
    invite_table,
    membership_table,
    run_table,
    team_table,
    user_table,
)

Role = Literal["manager", "rep"]
ROLES: tuple[Role, ...] = ("manager", "rep")
INVITE_DAYS = 7
INVITE_USES = 30
MAX_INVITE_DAYS = 90
MAX_INVITE_USES = 500
CODE_BYTES = 12
"""16 characters of ``[A-Za-z0-9_-]``: unguessable, and short enough for a deep link."""
NAME_LENGTH = 100


class TeamError(Exception):
    """A team operation that cannot be done; ``reason`` names why, for the user's message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class NotYourTeam(TeamError, PermissionError):
    """The manager does not manage the team (or the rep, run or invite is not in their team)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("not_your_team", detail)


class InviteRefused(TeamError):
    """``reason``: unknown | expired | used_up | revoked."""


@dataclass(frozen=True)
class Joined:
    team: Team
    role: str
    status: str
    """active, or pending (the team approves new reps)."""
    already: bool = False
    """The user was already in the team with this role: nothing changed, no use counted."""
    left: Team | None = None
    """The team the rep was in before (joining another team moves a rep)."""
    invite_id: int | None = None


def _insert(engine: sa.Engine) -> Any:
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def _ensure_user(
    conn: sa.Connection,
    engine: sa.Engine,
    key: str,
    now: datetime,
    display_name: str = "",
    lang: str = "en",
    tz: str = "UTC",
) -> int:
    u = user_table
    conn.execute(
        _insert(engine)(u)
        .values(
            key=key,
            display_name=display_name,
            lang=lang_of(lang),
            tz=tz,
            created_at=now,
            active=True,
        )
        .on_conflict_do_nothing(index_elements=[u.c.key])
    )
    if display_name:
        conn.execute(
            sa.update(u)
            .where(u.c.key == key, u.c.display_name == "")
            .values(display_name=display_name)
        )
    uid = conn.execute(sa.select(u.c.id).where(u.c.key == key)).scalar_one()
    return int(uid)


def _team(row: Any) -> Team:
    return Team(row.id, row.name, TeamSettings.from_json(row.settings), row.created_at)


def _team_of(row: tuple[Any, ...]) -> Team:
    """``_team`` of a plain row of ``_STANDING`` (id, name, settings, created_at, ...)."""
    return Team(row[0], row[1], TeamSettings.from_json(row[2]), row[3])


_TEAM_COLUMNS = (
    team_table.c.id,
    team_table.c.name,
    team_table.c.settings,
    team_table.c.created_at,
)
_STANDING = (
    sa.select(*_TEAM_COLUMNS, membership_table.c.role, membership_table.c.status)
    .select_from(
        user_table.join(membership_table, membership_table.c.user_id == user_table.c.id).join(
            team_table, team_table.c.id == membership_table.c.team_id
        )
    )
    .where(
        user_table.c.key == sa.bindparam("key"),
        sa.or_(membership_table.c.status == "active", membership_table.c.status == "pending"),
    )
    .order_by(team_table.c.id)
)
"""Every update asks it (the no-team gate): compiled once per ``Teams`` (``Prepared``), rows
in column order: the team's columns, then role and status."""
_MEMBER_COLUMNS = (
    user_table.c.id.label("user_id"),
    user_table.c.key,
    user_table.c.display_name,
    user_table.c.lang,
    user_table.c.tz,
    user_table.c.active,
    membership_table.c.role,
    membership_table.c.status,
    membership_table.c.joined_at,
    membership_table.c.prefs,
    membership_table.c.team_id,
)


def _member(row: Any) -> Member:
    return Member(
        row.user_id,
        row.key,
        row.display_name,
        row.lang,
        row.tz,
        bool(row.active),
        row.role,
        row.status,
        row.joined_at,
        ManagerPrefs.from_json(row.prefs),
    )


def _invite(row: Any) -> Invite:
    return Invite(
        row.id,
        row.team_id,
        row.code,
        row.role,
        row.created_at,
        row.expires_at,
        row.max_uses,
        row.uses,
        row.revoked_at,
    )


def _new_invite(
    engine: sa.Engine,
    team_id: int,
    role: str,
    days: int,
    uses: int,
    now: datetime,
    created_by: int | None,
) -> Invite:
    if role not in ROLES:
        raise TeamError("bad_role", role)
    if not 1 <= days <= MAX_INVITE_DAYS or not 1 <= uses <= MAX_INVITE_USES:
        raise TeamError("bad_limits", f"{days} days, {uses} uses")
    i = invite_table
    with engine.begin() as conn:
        row = conn.execute(
            sa.insert(i)
            .values(
                team_id=team_id,
                code=secrets.token_urlsafe(CODE_BYTES),
                role=role,
                created_by=created_by,
                created_at=now,
                expires_at=now + timedelta(days=days),
                max_uses=uses,
                uses=0,
            )
            .returning(*i.c)
        ).one()
    return _invite(row)


class Teams:
    """Teams and who is in them. ``admin_keys``: user keys of the admins (``tg:42``)."""

    def __init__(self, engine: sa.Engine, admin_keys: Iterable[str] = ()) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**READ_ONLY)
        self._admins = frozenset(admin_keys)
        self._standing = Prepared(_STANDING, engine.dialect)
        self._in_place = write_queue(engine) is not None
        self._in_place_connection: Any = None

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def is_admin(self, key: str) -> bool:
        return key in self._admins

    @property
    def reads_in_place(self) -> bool:
        """Whether :meth:`standing` may run on the event loop: on a SQLite file (WAL) a reader
        never waits for a writer, and the read costs a fifth of a thread hop's 100 us. Not on
        PostgreSQL (a round trip) nor on a shared in-memory connection (single-threaded)."""
        return self._in_place

    # --- who is who -----------------------------------------------------------------------------

    def standing(self, key: str) -> Standing:
        """Read on every update (the no-team gate): a prepared statement on a pooled DBAPI
        connection, as the turn's are, at about a third of ``Connection.execute``'s cost."""
        raw = self._engine.raw_connection()
        try:
            return self._standing_on(raw, key)
        finally:
            raw.close()  # back to the pool, which ends the read (PostgreSQL: a rollback)

    def standing_in_place(self, key: str) -> Standing:
        """:meth:`standing` for the event loop's thread alone (see :attr:`reads_in_place`), on
        a connection of its own kept open: the pool's checkout and reset cost twice the read."""
        if self._in_place_connection is None:
            self._in_place_connection = self._engine.raw_connection()  # kept until close()
        return self._standing_on(self._in_place_connection, key)

    def close(self) -> None:
        """Give back the event loop's own connection (before the engine is disposed)."""
        connection, self._in_place_connection = self._in_place_connection, None
        if connection is not None:
            connection.close()

    def _standing_on(self, raw: Any, key: str) -> Standing:
        statement = self._standing
        cursor = raw.cursor()
        try:
            rows = statement.all(statement.run(cursor, {"key": key}))
        finally:
            cursor.close()  # read to its end and closed: no read snapshot kept
        manages = tuple(_team_of(r) for r in rows if r[4] == "manager" and r[5] == "active")
        team = next((_team_of(r) for r in rows if r[4] == "rep" and r[5] == "active"), None)
        pending = next((_team_of(r) for r in rows if r[5] == "pending"), None)
        return Standing(self.is_admin(key), manages, team, pending)

    def team_of(self, key: str) -> Team | None:
        """The team ``key`` is an active rep of."""
        return self.standing(key).team

    def invite_target(self, code: str, *, now: datetime) -> tuple[Team, Role] | None:
        """The team and role a usable invite ``code`` leads to, without redeeming it (a rep is
        asked before a link moves them to another team); None for an unusable code."""
        i, t = invite_table, team_table
        with self._reader.connect() as conn:
            row = conn.execute(
                sa.select(*_TEAM_COLUMNS, i.c.role)
                .join(i, i.c.team_id == t.c.id)
                .where(
                    i.c.code == code.strip(),
                    i.c.revoked_at.is_(None),
                    i.c.expires_at > now,
                    i.c.uses < i.c.max_uses,
                )
            ).first()
        if row is None:
            return None
        return _team(row), ("manager" if row.role == "manager" else "rep")

    def get(self, team_id: int) -> Team | None:
        """A team by id, for the operator's CLI (no scope: the operator sees every team)."""
        with self._reader.connect() as conn:
            row = conn.execute(sa.select(*_TEAM_COLUMNS).where(team_table.c.id == team_id)).first()
        return _team(row) if row is not None else None

    def find(self, name_or_id: str) -> Team | None:
        """A team by id or by exact name (case-insensitive), for the operator's CLI."""
        t = team_table
        with self._reader.connect() as conn:
            if name_or_id.isdigit():
                row = conn.execute(
                    sa.select(*_TEAM_COLUMNS).where(t.c.id == int(name_or_id))
                ).first()
                if row is not None:
                    return _team(row)
            row = conn.execute(
                sa.select(*_TEAM_COLUMNS)
                .where(sa.func.lower(t.c.name) == name_or_id.strip().lower())
                .order_by(t.c.id)
            ).first()
        return _team(row) if row is not None else None

    def invite(
        self,
        team_id: int,
        *,
        now: datetime,
        role: Role = "rep",
        days: int = INVITE_DAYS,
        uses: int = INVITE_USES,
    ) -> Invite:
        """An invite made by the operator (``coachbot invite``; no manager behind it)."""
        if self.get(team_id) is None:
            raise TeamError("no_team", str(team_id))
        return _new_invite(self._engine, team_id, role, days, uses, now, None)

    def save_settings(self, team_id: int, settings: TeamSettings) -> None:
        """The operator's change of a team's settings (``coachbot team set``; no scope)."""
        t = team_table
        with self._engine.begin() as conn:
            changed = conn.execute(
                sa.update(t).where(t.c.id == team_id).values(settings=settings.to_json())
            )
        if changed.rowcount != 1:
            raise TeamError("no_team", str(team_id))

    def all_teams(self) -> list[Team]:
        """Every team (the operator's CLI)."""
        with self._reader.connect() as conn:
            rows = conn.execute(sa.select(*_TEAM_COLUMNS).order_by(team_table.c.id)).all()
        return [_team(row) for row in rows]

    def managers_of(self, rep_key: str) -> list[Member]:
        """The active managers of the rep's team (whom a rep's summaries go to)."""
        u, m = user_table, membership_table
        rep = (
            sa.select(m.c.team_id)
            .join(u, u.c.id == m.c.user_id)
            .where(u.c.key == rep_key, m.c.role == "rep", m.c.status == "active")
        )
        query = (
            sa.select(*_MEMBER_COLUMNS)
            .select_from(m.join(u, u.c.id == m.c.user_id))
            .where(
                m.c.team_id.in_(rep.scalar_subquery()),
                m.c.role == "manager",
                m.c.status == "active",
            )
            .order_by(m.c.id)
        )
        with self._reader.connect() as conn:
            return [_member(row) for row in conn.execute(query)]

    def changed_settings(self) -> dict[int, TeamSettings]:
        """Team id → settings, for the teams that changed the reminder policy (a tick asks this:
        one row per team, whatever the number of reps)."""
        t = team_table
        with self._reader.connect() as conn:
            rows = conn.execute(sa.select(t.c.id, t.c.settings)).all()
        settings = {int(row.id): TeamSettings.from_json(row.settings) for row in rows}
        return {team_id: found for team_id, found in settings.items() if found.changes_reminders}

    def settings_of(self, key: str) -> TeamSettings | None:
        """The settings of the team ``key`` is a rep of (or else the first they manage)."""
        standing = self.standing(key)
        team = standing.team or (standing.manages[0] if standing.manages else None)
        return team.settings if team is not None else None

    def all_managers(self) -> list[tuple[int, Member]]:
        """(team id, manager) for every active manager: whom digests and daily batches go to."""
        u, m = user_table, membership_table
        query = (
            sa.select(*_MEMBER_COLUMNS)
            .select_from(m.join(u, u.c.id == m.c.user_id))
            .where(m.c.role == "manager", m.c.status == "active")
            .order_by(m.c.team_id, m.c.id)
        )
        with self._reader.connect() as conn:
            return [(int(row.team_id), _member(row)) for row in conn.execute(query)]

    # --- creating teams and joining them --------------------------------------------------------

    def create_team(
        self,
        manager_key: str,
        name: str,
        *,
        now: datetime,
        display_name: str = "",
        lang: str = "en",
        tz: str = "UTC",
        check: bool = True,
    ) -> Team:
        """A new team managed by ``manager_key``. ``check``: only admins and managers may
        (the operator's CLI passes False)."""
        name = " ".join(name.split())[:NAME_LENGTH]
        if not name:
            raise TeamError("name_missing")
        if check and not self.standing(manager_key).may_create_team:
            raise TeamError("not_allowed")
        t, m = team_table, membership_table
        with self._engine.begin() as conn:
            uid = _ensure_user(conn, self._engine, manager_key, now, display_name, lang, tz)
            team_id = conn.execute(
                sa.insert(t)
                .values(
                    name=name,
                    settings=TeamSettings(tz=tz).to_json(),
                    created_at=now,
                    created_by=uid,
                )
                .returning(t.c.id)
            ).scalar_one()
            conn.execute(
                sa.insert(m).values(
                    team_id=team_id,
                    user_id=uid,
                    role="manager",
                    status="active",
                    joined_at=now,
                    changed_at=now,
                )
            )
            row = conn.execute(sa.select(*_TEAM_COLUMNS).where(t.c.id == team_id)).one()
        return _team(row)

    def add_member(
        self, team_id: int, key: str, role: Role, *, now: datetime, display_name: str = ""
    ) -> Joined:
        """Put ``key`` in the team directly (the operator's CLI; tests' seeding)."""
        with self._engine.begin() as conn:
            team = conn.execute(sa.select(*_TEAM_COLUMNS).where(team_table.c.id == team_id)).first()
            if team is None:
                raise TeamError("no_team", str(team_id))
            found = _team(team)
            zone = found.settings.tz or "UTC"  # a new user starts in the team's zone
            uid = _ensure_user(conn, self._engine, key, now, display_name, tz=zone)
            return self._enter(conn, found, uid, role, "active", None, now)

    def join(
        self,
        key: str,
        code: str,
        *,
        now: datetime,
        display_name: str = "",
        lang: str = "en",
        tz: str | None = None,
    ) -> Joined:
        """Redeem an invite code: the user joins its team (pending when the team approves new
        reps). Raises ``InviteRefused`` for an unknown, expired, used-up or revoked code; a
        user already in the team with that role changes nothing and uses nothing up."""
        i, t = invite_table, team_table
        code = code.strip()
        with self._engine.begin() as conn:
            found = conn.execute(
                sa.select(
                    i.c.id,
                    i.c.team_id,
                    i.c.role,
                    i.c.expires_at,
                    i.c.uses,
                    i.c.max_uses,
                    i.c.revoked_at,
                ).where(i.c.code == code)
            ).first()
            if found is None:
                raise InviteRefused("unknown")
            team = _team(
                conn.execute(sa.select(*_TEAM_COLUMNS).where(t.c.id == found.team_id)).one()
            )
            zone = tz or team.settings.tz or "UTC"
            uid = _ensure_user(conn, self._engine, key, now, display_name, lang, zone)
            current = self._membership(conn, team.id, uid)
            in_team = current is not None and current[1] != "removed"
            if current is not None and in_team and current[0] in (found.role, "manager"):
                return Joined(team, current[0], current[1], already=True)
            if found.revoked_at is not None:
                raise InviteRefused("revoked")
            if found.expires_at <= now:
                raise InviteRefused("expired")
            used = conn.execute(
                sa.update(i)
                .where(
                    i.c.id == found.id,
                    i.c.uses < i.c.max_uses,
                    i.c.revoked_at.is_(None),
                    i.c.expires_at > now,
                )
                .values(uses=i.c.uses + 1)
            )
            if used.rowcount != 1:
                raise InviteRefused("used_up")
            status = "pending" if found.role == "rep" and team.settings.approval else "active"
            return self._enter(conn, team, uid, found.role, status, found.id, now)

    def _membership(self, conn: sa.Connection, team_id: int, uid: int) -> tuple[str, str] | None:
        m = membership_table
        row = conn.execute(
            sa.select(m.c.role, m.c.status).where(m.c.team_id == team_id, m.c.user_id == uid)
        ).first()
        return (row.role, row.status) if row is not None else None

    def _enter(
        self,
        conn: sa.Connection,
        team: Team,
        uid: int,
        role: str,
        status: str,
        invite_id: int | None,
        now: datetime,
    ) -> Joined:
        m = membership_table
        left: Team | None = None
        if role == "rep" and status == "active":
            left = self._leave_other_team(conn, uid, team.id, now)
        current = self._membership(conn, team.id, uid)
        if current is None:
            conn.execute(
                sa.insert(m).values(
                    team_id=team.id,
                    user_id=uid,
                    role=role,
                    status=status,
                    invite_id=invite_id,
                    joined_at=now,
                    changed_at=now,
                )
            )
        elif current == (role, status):
            return Joined(team, role, status, already=True)
        else:
            conn.execute(
                sa.update(m)
                .where(m.c.team_id == team.id, m.c.user_id == uid)
                .values(
                    role=role, status=status, invite_id=invite_id, joined_at=now, changed_at=now
                )
            )
        return Joined(team, role, status, left=left, invite_id=invite_id)

    def _leave_other_team(
        self, conn: sa.Connection, uid: int, team_id: int, now: datetime
    ) -> Team | None:
        m, t = membership_table, team_table
        other = conn.execute(
            sa.select(*_TEAM_COLUMNS)
            .join(m, m.c.team_id == t.c.id)
            .where(
                m.c.user_id == uid,
                m.c.role == "rep",
                m.c.status == "active",
                m.c.team_id != team_id,
            )
        ).first()
        if other is None:
            return None
        conn.execute(
            sa.update(m)
            .where(m.c.user_id == uid, m.c.team_id == other.id, m.c.role == "rep")
            .values(status="removed", changed_at=now)
        )
        return _team(other)

    def leave(self, key: str, *, now: datetime) -> Team | None:
        """The rep leaves their team (their data stays theirs); returns the team left."""
        u = user_table
        with self._engine.begin() as conn:
            uid = conn.execute(sa.select(u.c.id).where(u.c.key == key)).scalar()
            if uid is None:
                return None
            return self._leave_other_team(conn, int(uid), -1, now)

    # --- managers ---------------------------------------------------------------------------------

    def scope(self, manager_key: str) -> ManagerScope:
        """What ``manager_key`` may see and do: the teams they manage, nothing else."""
        u = user_table
        with self._reader.connect() as conn:
            uid = conn.execute(sa.select(u.c.id).where(u.c.key == manager_key)).scalar()
        return ManagerScope(self, -1 if uid is None else int(uid), manager_key)


class ManagerScope:
    """One manager's view: every query is limited, in SQL, to teams this manager manages."""

    def __init__(self, teams: Teams, manager_id: int, key: str) -> None:
        self._teams = teams
        self._engine = teams.engine
        self._reader = self._engine.execution_options(**READ_ONLY)
        self.manager_id = manager_id
        self.key = key

    def _managed(self) -> sa.ScalarSelect[Any]:
        """The ids of the teams this manager manages (a subquery every query is limited by)."""
        m = membership_table
        return (
            sa.select(m.c.team_id)
            .where(m.c.user_id == self.manager_id, m.c.role == "manager", m.c.status == "active")
            .scalar_subquery()
        )

    def managed_ids(self) -> sa.ScalarSelect[Any]:
        """For other storage modules: ``column.in_(scope.managed_ids())``."""
        return self._managed()

    def teams(self) -> list[Team]:
        t = team_table
        query = sa.select(*_TEAM_COLUMNS).where(t.c.id.in_(self._managed())).order_by(t.c.id)
        with self._reader.connect() as conn:
            return [_team(row) for row in conn.execute(query)]

    def team(self, team_id: int | None = None) -> Team:
        """The team ``team_id`` (or, when None, the manager's first team); ``NotYourTeam``
        when the manager does not manage it (or manages none)."""
        teams = self.teams()
        if team_id is None and teams:
            return teams[0]
        for team in teams:
            if team.id == team_id:
                return team
        raise NotYourTeam(f"team {team_id}")

    def prefs(self, team_id: int) -> ManagerPrefs:
        m = membership_table
        self.team(team_id)
        with self._reader.connect() as conn:
            data = conn.execute(
                sa.select(m.c.prefs).where(m.c.team_id == team_id, m.c.user_id == self.manager_id)
            ).scalar()
        return ManagerPrefs.from_json(data)

    def set_prefs(self, team_id: int, prefs: ManagerPrefs, *, now: datetime) -> ManagerPrefs:
        m = membership_table
        with self._engine.begin() as conn:
            changed = conn.execute(
                sa.update(m)
                .where(
                    m.c.team_id == team_id,
                    m.c.user_id == self.manager_id,
                    m.c.role == "manager",
                    m.c.status == "active",
                )
                .values(prefs=prefs.to_json(), changed_at=now)
            )
        if changed.rowcount != 1:
            raise NotYourTeam(f"team {team_id}")
        return prefs

    def set_settings(self, team_id: int, *, now: datetime, **changes: Any) -> TeamSettings:
        """Change some team settings (``approval=True``, ``tz=...``)."""
        t = team_table
        team = self.team(team_id)
        settings = replace(team.settings, **changes)
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(t)
                .where(t.c.id == team_id, t.c.id.in_(self._managed()))
                .values(settings=settings.to_json())
            )
        return settings

    # --- members --------------------------------------------------------------------------------

    def members(
        self, team_id: int, *, statuses: tuple[str, ...] = ("active", "pending")
    ) -> list[Member]:
        u, m = user_table, membership_table
        self.team(team_id)
        query = (
            sa.select(*_MEMBER_COLUMNS)
            .select_from(m.join(u, u.c.id == m.c.user_id))
            .where(
                m.c.team_id == team_id, m.c.team_id.in_(self._managed()), m.c.status.in_(statuses)
            )
            .order_by(m.c.role, u.c.display_name, u.c.id)
        )
        with self._reader.connect() as conn:
            return [_member(row) for row in conn.execute(query)]

    def reps(self, team_id: int) -> list[Member]:
        return [m for m in self.members(team_id, statuses=("active",)) if m.role == "rep"]

    def member(self, user_id: int) -> tuple[int, Member]:
        """(team id, member) for a user in one of the manager's teams (as rep first)."""
        u, m = user_table, membership_table
        query = (
            sa.select(*_MEMBER_COLUMNS)
            .select_from(m.join(u, u.c.id == m.c.user_id))
            .where(
                u.c.id == user_id,
                m.c.team_id.in_(self._managed()),
                m.c.status.in_(("active", "pending")),
            )
            .order_by(m.c.role.desc())  # rep before manager
        )
        with self._reader.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotYourTeam(f"user {user_id}")
        return int(row.team_id), _member(row)

    def _set_status(
        self, team_id: int, user_id: int, status: str, now: datetime, *, only_from: tuple[str, ...]
    ) -> Member:
        m = membership_table
        _, member = self.member(user_id)
        with self._engine.begin() as conn:
            changed = conn.execute(
                sa.update(m)
                .where(
                    m.c.team_id == team_id,
                    m.c.user_id == user_id,
                    m.c.team_id.in_(self._managed()),
                    m.c.status.in_(only_from),
                    m.c.role == "rep",
                )
                .values(status=status, changed_at=now)
            )
            if changed.rowcount != 1:
                raise NotYourTeam(f"user {user_id} in team {team_id}")
            if status == "active":
                self._teams._leave_other_team(conn, user_id, team_id, now)
        return replace(member, status=status)

    def approve(self, team_id: int, user_id: int, *, now: datetime) -> Member:
        return self._set_status(team_id, user_id, "active", now, only_from=("pending",))

    def remove(self, team_id: int, user_id: int, *, now: datetime) -> Member:
        """Remove a rep (or turn down one waiting for approval). Their own data stays theirs."""
        return self._set_status(team_id, user_id, "removed", now, only_from=("active", "pending"))

    # --- invites --------------------------------------------------------------------------------

    def invite(
        self,
        team_id: int,
        *,
        now: datetime,
        role: Role = "rep",
        days: int = INVITE_DAYS,
        uses: int = INVITE_USES,
    ) -> Invite:
        """A new invite link for the team, valid ``days`` days for ``uses`` people."""
        self.team(team_id)
        return _new_invite(self._engine, team_id, role, days, uses, now, self.manager_id)

    def invites(self, team_id: int, *, now: datetime) -> list[Invite]:
        """The team's invite links still usable, newest first."""
        i = invite_table
        self.team(team_id)
        query = (
            sa.select(*i.c)
            .where(
                i.c.team_id == team_id,
                i.c.team_id.in_(self._managed()),
                i.c.revoked_at.is_(None),
                i.c.expires_at > now,
                i.c.uses < i.c.max_uses,
            )
            .order_by(i.c.id.desc())
        )
        with self._reader.connect() as conn:
            return [_invite(row) for row in conn.execute(query)]

    def revoke(self, invite_id: int, *, now: datetime) -> Invite:
        """Revoke one of the manager's teams' invite links (``NotYourTeam`` for any other)."""
        i = invite_table
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.update(i)
                .where(i.c.id == invite_id, i.c.team_id.in_(self._managed()))
                .values(revoked_at=sa.func.coalesce(i.c.revoked_at, now))
                .returning(*i.c)
            ).first()
        if row is None:
            raise NotYourTeam(f"invite {invite_id}")
        return _invite(row)

    # --- the reps' runs ----------------------------------------------------------------------

    def run(self, run_id: int) -> RunRef:
        """A run (visit) of a rep in one of the manager's teams; ``NotYourTeam`` otherwise."""
        r, u, m = run_table, user_table, membership_table
        query = (
            sa.select(
                r.c.id.label("run_id"),
                r.c.no,
                r.c.script,
                r.c.status.label("run_status"),
                r.c.finished_at,
                r.c.summary,
                *_MEMBER_COLUMNS,
            )
            .select_from(r.join(u, u.c.id == r.c.user_id).join(m, m.c.user_id == u.c.id))
            .where(
                r.c.id == run_id,
                m.c.role == "rep",
                m.c.status == "active",
                m.c.team_id.in_(self._managed()),
            )
        )
        with self._reader.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotYourTeam(f"run {run_id}")
        return RunRef(
            row.run_id,
            row.no,
            row.script,
            row.run_status,
            row.finished_at,
            row.summary,
            int(row.team_id),
            _member(row),
        )


__all__ = [
    "INVITE_DAYS",
    "INVITE_USES",
    "Invite",
    "InviteRefused",
    "Joined",
    "ManagerPrefs",
    "ManagerScope",
    "Member",
    "NotYourTeam",
    "RunRef",
    "Standing",
    "Team",
    "TeamError",
    "TeamSettings",
    "Teams",
]
