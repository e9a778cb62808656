"""Teams, invites and the manager scope, on SQLite and PostgreSQL.

The scope is the one place a manager's reach is decided, so these tests forge what a handler
could be handed (another team's ids, runs, invites, codes) and check nothing crosses over.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.telegram.links import invite_link
from dialogs.state import Conversation
from dialogs.types import Context, Event, TextIn, Turn
from storage.schema import invite_table, membership_table, run_table, user_table
from storage.store import Profile, Store
from storage.teams import (
    InviteRefused,
    ManagerPrefs,
    NotYourTeam,
    Team,
    TeamError,
    Teams,
)
from testkit.fake_turn import turn_with

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADMIN = "tg:1"


@pytest.fixture
def teams(engine: sa.Engine) -> Teams:
    return Teams(engine, admin_keys=[ADMIN])


def two_teams(teams: Teams) -> tuple[Team, Team]:
    """Team A (manager tg:10, reps tg:11, tg:12) and team B (manager tg:20, rep tg:21)."""
    a = teams.create_team("tg:10", "Alpha", now=NOW, check=False)
    b = teams.create_team("tg:20", "Beta", now=NOW, check=False)
    for key in ("tg:11", "tg:12"):
        teams.add_member(a.id, key, "rep", now=NOW)
    teams.add_member(b.id, "tg:21", "rep", now=NOW)
    return a, b


def user_id(engine: sa.Engine, key: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(user_table.c.id).where(user_table.c.key == key)).one()[0])


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


# --- who may do what ----------------------------------------------------------------------------


def test_a_stranger_is_not_allowed_and_nothing_is_stored_for_asking(
    teams: Teams, engine: sa.Engine
) -> None:
    standing = teams.standing("tg:99")
    assert not standing.allowed
    assert not standing.may_create_team
    assert count(engine, user_table) == 0


def test_admins_create_teams_and_become_their_managers(teams: Teams) -> None:
    assert teams.standing(ADMIN).may_create_team
    team = teams.create_team(ADMIN, "  North   Region  ", now=NOW, tz="Europe/Berlin")
    assert team.name == "North Region"
    assert team.settings.tz == "Europe/Berlin"
    standing = teams.standing(ADMIN)
    assert [t.id for t in standing.manages] == [team.id]
    assert standing.allowed


def test_a_rep_may_not_create_a_team_but_a_manager_may(teams: Teams) -> None:
    a, _ = two_teams(teams)
    with pytest.raises(TeamError) as refused:
        teams.create_team("tg:11", "Mine", now=NOW)
    assert refused.value.reason == "not_allowed"
    second = teams.create_team("tg:10", "Alpha two", now=NOW)
    assert {t.id for t in teams.standing("tg:10").manages} == {a.id, second.id}


def test_standing_is_read_in_place_only_where_no_writer_can_hold_it_up(
    teams: Teams, engine: sa.Engine, backend: str
) -> None:
    """The gate reads every update's standing on the event loop on SQLite: a writer holding
    the file's write lock must not hold that read up (else every chat would wait)."""
    a, _ = two_teams(teams)
    assert teams.reads_in_place == (backend == "sqlite")
    if backend != "sqlite":
        return
    assert not teams.standing_in_place("tg:30").allowed
    writer = engine.raw_connection()
    try:
        writer.cursor().execute("BEGIN IMMEDIATE")  # the write lock, held
        writer.cursor().execute("UPDATE team SET name = 'Renamed'")
        started = time.perf_counter()
        standing = teams.standing_in_place("tg:11")
        waited = time.perf_counter() - started
    finally:
        writer.rollback()
        writer.close()
    assert standing.team is not None
    assert standing.team.name == a.name  # the last committed state
    assert waited < 1.0  # SQLite's busy timeout would be 10 s or more
    teams.add_member(a.id, "tg:30", "rep", now=NOW)  # committed since the first read
    assert teams.standing_in_place("tg:30").allowed  # the kept connection keeps no old view
    teams.close()


def test_an_empty_team_name_is_refused(teams: Teams) -> None:
    with pytest.raises(TeamError) as refused:
        teams.create_team(ADMIN, "   ", now=NOW)
    assert refused.value.reason == "name_missing"


def test_find_by_id_or_name_ignoring_case(teams: Teams) -> None:
    a, b = two_teams(teams)
    assert teams.find(str(b.id)) == b
    assert teams.find("alpha") == a
    assert teams.find("Gamma") is None


# --- invites ------------------------------------------------------------------------------------


def test_a_rep_joins_with_a_link_and_becomes_allowed(teams: Teams) -> None:
    a, _ = two_teams(teams)
    invite = teams.scope("tg:10").invite(a.id, now=NOW, days=7, uses=2)
    assert invite_link(invite.code, "coachbot") == f"https://t.me/coachbot?start={invite.code}"
    assert len(invite.code) <= 64
    assert all(c.isalnum() or c in "-_" for c in invite.code)
    joined = teams.join("tg:30", invite.code, now=NOW, display_name="Li Lei")
    assert (joined.team.id, joined.role, joined.status) == (a.id, "rep", "active")
    assert teams.team_of("tg:30") == a
    assert teams.standing("tg:30").allowed


def test_joining_twice_uses_the_link_once(teams: Teams) -> None:
    a, _ = two_teams(teams)
    invite = teams.scope("tg:10").invite(a.id, now=NOW, uses=1)
    teams.join("tg:30", invite.code, now=NOW)
    again = teams.join("tg:30", invite.code, now=NOW)
    assert again.already
    with pytest.raises(InviteRefused) as refused:
        teams.join("tg:31", invite.code, now=NOW)
    assert refused.value.reason == "used_up"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [("expire", "expired"), ("use_up", "used_up"), ("revoke", "revoked"), ("unknown", "unknown")],
)
def test_refused_links_say_why_and_change_nothing(
    teams: Teams, engine: sa.Engine, setup: str, reason: str
) -> None:
    a, _ = two_teams(teams)
    scope = teams.scope("tg:10")
    invite = scope.invite(a.id, now=NOW, days=1, uses=1)
    code, when = invite.code, NOW
    if setup == "expire":
        when = NOW + timedelta(days=1, seconds=1)
    elif setup == "use_up":
        teams.join("tg:30", code, now=NOW)
    elif setup == "revoke":
        scope.revoke(invite.id, now=NOW)
    else:
        code = "no-such-code"
    members_before = count(engine, membership_table)
    with pytest.raises(InviteRefused) as refused:
        teams.join("tg:31", code, now=when)
    assert refused.value.reason == reason
    assert count(engine, membership_table) == members_before
    assert teams.team_of("tg:31") is None


def test_an_approval_team_keeps_a_new_rep_waiting_until_approved(teams: Teams) -> None:
    a, _ = two_teams(teams)
    scope = teams.scope("tg:10")
    scope.set_settings(a.id, now=NOW, approval=True)
    invite = scope.invite(a.id, now=NOW)
    joined = teams.join("tg:30", invite.code, now=NOW)
    assert joined.status == "pending"
    standing = teams.standing("tg:30")
    assert not standing.allowed
    assert standing.pending == teams.get(a.id)
    scope.approve(a.id, user_id(teams.engine, "tg:30"), now=NOW)
    assert teams.team_of("tg:30") == teams.get(a.id)


def test_a_rep_joining_another_team_moves_there(teams: Teams) -> None:
    a, b = two_teams(teams)
    invite = teams.scope("tg:20").invite(b.id, now=NOW)
    joined = teams.join("tg:11", invite.code, now=NOW)
    assert joined.left == a
    assert teams.team_of("tg:11") == b
    assert "tg:11" not in [m.key for m in teams.scope("tg:10").reps(a.id)]


def test_a_manager_link_makes_a_co_manager(teams: Teams) -> None:
    a, _ = two_teams(teams)
    invite = teams.scope("tg:10").invite(a.id, now=NOW, role="manager")
    teams.join("tg:40", invite.code, now=NOW)
    assert [t.id for t in teams.standing("tg:40").manages] == [a.id]
    assert {m.key for m in teams.managers_of("tg:11")} == {"tg:10", "tg:40"}


def test_invite_limits_are_checked(teams: Teams) -> None:
    a, _ = two_teams(teams)
    scope = teams.scope("tg:10")
    for days, uses in ((0, 5), (91, 5), (7, 0), (7, 501)):
        with pytest.raises(TeamError):
            scope.invite(a.id, now=NOW, days=days, uses=uses)


def test_the_use_limit_holds_when_many_join_at_once(teams: Teams, engine: sa.Engine) -> None:
    a, _ = two_teams(teams)
    invite = teams.scope("tg:10").invite(a.id, now=NOW, uses=3)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def join(n: int) -> None:
        barrier.wait()
        try:
            teams.join(f"tg:{500 + n}", invite.code, now=NOW)
            outcomes.append("joined")
        except InviteRefused as refused:
            outcomes.append(refused.reason)
        except sa.exc.OperationalError:  # SQLite: "database is locked" after its busy timeout
            outcomes.append("busy")

    threads = [threading.Thread(target=join, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("joined") == 3
    with engine.connect() as conn:
        uses = conn.execute(sa.select(invite_table.c.uses)).scalar_one()
    assert uses == 3
    assert len(teams.scope("tg:10").reps(a.id)) == 2 + 3


# --- a manager's scope: their own teams, nothing else ------------------------------------------


def test_a_manager_sees_only_their_own_team(teams: Teams) -> None:
    a, b = two_teams(teams)
    scope = teams.scope("tg:10")
    assert [t.id for t in scope.teams()] == [a.id]
    assert {m.key for m in scope.reps(a.id)} == {"tg:11", "tg:12"}
    for read in (
        lambda: scope.team(b.id),
        lambda: scope.members(b.id),
        lambda: scope.prefs(b.id),
        lambda: scope.invites(b.id, now=NOW),
        lambda: scope.member(user_id(teams.engine, "tg:21")),
    ):
        with pytest.raises(NotYourTeam):
            read()


def test_a_manager_cannot_change_another_team(teams: Teams, engine: sa.Engine) -> None:
    a, b = two_teams(teams)
    scope = teams.scope("tg:10")
    b_rep = user_id(engine, "tg:21")
    b_invite = teams.scope("tg:20").invite(b.id, now=NOW)
    for act in (
        lambda: scope.remove(b.id, b_rep, now=NOW),
        lambda: scope.remove(a.id, b_rep, now=NOW),  # team A's id, team B's rep
        lambda: scope.approve(b.id, b_rep, now=NOW),
        lambda: scope.revoke(b_invite.id, now=NOW),
        lambda: scope.invite(b.id, now=NOW),
        lambda: scope.set_settings(b.id, now=NOW, approval=True),
        lambda: scope.set_prefs(b.id, ManagerPrefs(summaries="daily"), now=NOW),
    ):
        with pytest.raises(NotYourTeam):
            act()
    assert teams.team_of("tg:21") == b
    assert teams.get(b.id) == b  # settings unchanged
    assert [i.id for i in teams.scope("tg:20").invites(b.id, now=NOW)] == [b_invite.id]


def test_a_rep_and_a_stranger_have_an_empty_scope(teams: Teams) -> None:
    a, _ = two_teams(teams)
    for key in ("tg:11", "tg:99"):
        scope = teams.scope(key)
        assert scope.teams() == []
        with pytest.raises(NotYourTeam):
            scope.team()
        with pytest.raises(NotYourTeam):
            scope.members(a.id)


def test_a_removed_rep_is_out_and_their_manager_loses_sight_of_them(teams: Teams) -> None:
    a, _ = two_teams(teams)
    scope = teams.scope("tg:10")
    rep = user_id(teams.engine, "tg:11")
    scope.remove(a.id, rep, now=NOW)
    assert not teams.standing("tg:11").allowed
    assert "tg:11" not in {m.key for m in scope.members(a.id)}
    with pytest.raises(NotYourTeam):
        scope.member(rep)


def test_a_former_manager_loses_the_team(teams: Teams, engine: sa.Engine) -> None:
    a, _ = two_teams(teams)
    manager = user_id(engine, "tg:10")
    with engine.begin() as conn:
        conn.execute(
            sa.update(membership_table)
            .where(membership_table.c.user_id == manager)
            .values(status="removed")
        )
    with pytest.raises(NotYourTeam):
        teams.scope("tg:10").members(a.id)


def test_runs_are_reachable_only_through_the_reps_team(teams: Teams, engine: sa.Engine) -> None:
    two_teams(teams)
    store = Store(engine, _one_question)
    for key in ("tg:11", "tg:21"):
        store.handle(Profile(key), TextIn("hello"), now=NOW)
    with engine.connect() as conn:
        runs = dict(
            conn.execute(
                sa.select(user_table.c.key, run_table.c.id).join(
                    user_table, user_table.c.id == run_table.c.user_id
                )
            ).all()
        )
    scope = teams.scope("tg:10")
    ref = scope.run(runs["tg:11"])
    assert ref.rep.key == "tg:11"
    assert ref.status == "finished"
    with pytest.raises(NotYourTeam):
        scope.run(runs["tg:21"])
    with pytest.raises(NotYourTeam):
        scope.run(10_000)


def test_prefs_are_the_managers_own(teams: Teams) -> None:
    a, _ = two_teams(teams)
    scope = teams.scope("tg:10")
    assert scope.prefs(a.id) == ManagerPrefs()
    chosen = ManagerPrefs(summaries="daily", daily_at="17:30", digest_day=4, digest_at="16:00")
    scope.set_prefs(a.id, chosen, now=NOW)
    assert scope.prefs(a.id) == chosen
    assert ManagerPrefs.from_json({"summaries": "hourly", "digest_day": 9}) == ManagerPrefs(
        digest_day=2
    )


def _one_question(state: Conversation, event: Event, ctx: Context) -> Turn:
    """A one-question run: the first answer finishes it."""
    return turn_with(1, state, event, ctx)
