"""Each manager gets each week's digest once, even with two bot processes or a crash."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from storage.digests import LEASE, Digests
from storage.teams import Teams

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def seeded(engine: sa.Engine) -> tuple[int, int]:
    teams = Teams(engine)
    team = teams.create_team("tg:10", "Alpha", now=NOW, check=False)
    return team.id, teams.scope("tg:10").manager_id


def test_the_first_claim_wins_and_a_sent_digest_is_settled(engine: sa.Engine) -> None:
    team_id, manager_id = seeded(engine)
    digests = Digests(engine)
    key = (team_id, manager_id, "2026-W47")
    assert digests.settled([key], now=NOW) == set()
    assert digests.claim(key, now=NOW)
    assert not digests.claim(key, now=NOW)
    assert digests.settled([key], now=NOW) == {key}
    digests.finish(key, sent=True, now=NOW)
    assert digests.status(key) == "sent"
    assert not digests.claim(key, now=NOW + LEASE * 10)


def test_a_claim_left_by_a_crashed_process_is_taken_over_after_the_lease(
    engine: sa.Engine,
) -> None:
    team_id, manager_id = seeded(engine)
    digests = Digests(engine)
    key = (team_id, manager_id, "2026-W47")
    assert digests.claim(key, now=NOW)
    assert not digests.claim(key, now=NOW + LEASE - timedelta(seconds=1))
    later = NOW + LEASE
    assert digests.settled([key], now=later) == set()
    assert digests.claim(key, now=later)
    assert not digests.claim(key, now=later)


def test_weeks_and_managers_are_separate(engine: sa.Engine) -> None:
    team_id, manager_id = seeded(engine)
    digests = Digests(engine)
    assert digests.claim((team_id, manager_id, "2026-W47"), now=NOW)
    assert digests.claim((team_id, manager_id, "2026-W48"), now=NOW)
    co_manager = Teams(engine).add_member(team_id, "tg:11", "manager", now=NOW)
    assert co_manager.role == "manager"
    other = Teams(engine).scope("tg:11").manager_id
    assert digests.claim((team_id, other, "2026-W47"), now=NOW)


def test_racing_processes_claim_a_digest_once(engine: sa.Engine) -> None:
    team_id, manager_id = seeded(engine)
    keys = [(team_id, manager_id, f"2026-W{week:02d}") for week in range(1, 41)]
    won: list[tuple[int, int, str]] = []
    barrier = threading.Barrier(4)

    def racer() -> None:
        digests = Digests(engine)
        barrier.wait()
        for key in keys:
            if digests.claim(key, now=NOW):
                won.append(key)

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(won) == sorted(keys)
