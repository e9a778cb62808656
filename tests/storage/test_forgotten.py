"""After a rep's /deleteme their words are nowhere: not in any table (also not in the message
that carried their summary to a manager, sent or waiting, nor a note of what they typed that was
no answer), and on SQLite not in the database file, its WAL or its shared-memory file either
(``secure_delete`` and a truncating checkpoint).
Another rep's summary that waited in the same daily batch still reaches the manager."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from bot.telegram.callbacks import manage_data
from coaching.summaries import Summaries
from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.engine import step
from dialogs.types import CommandIn, TextIn
from storage.privacy import delete_user
from storage.reviews import Reviews
from storage.schema import outbox_table, review_table
from storage.store import Profile, Store
from storage.teams import ManagerPrefs, Teams
from tests.conftest import START
from tests.storage.test_privacy import debrief

MARKER = "Zq7xMarkerQv3"
"""What only Anna typed: in her customer's name, her answers and so her summaries."""
NOTE_MARKER = "Nw4pNoteKj8"
"""The manager's coaching note on Anna's visit (deleted with her visits)."""
ANNA = Profile("tg:42", display_name="Anna")
BOB = Profile("tg:77", display_name="Bob")
BOSS, DAILY_BOSS = "tg:10", "tg:13"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def like_a_build_without_secure_delete(engine: sa.Engine) -> None:
    """Debian's SQLite zeroes deleted content by default, others' (Python's own builds) do not:
    the engine's connections start with it off here, so only coachbot's own pragma counts."""

    def off(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    event.listen(engine, "connect", off, insert=True)


def test_sqlite_connections_zero_what_they_delete(engine: sa.Engine, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("a SQLite pragma")
    like_a_build_without_secure_delete(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1


def found_in_files(url: str, needle: str) -> list[str]:
    """The SQLite files (database, -wal, -shm) whose bytes contain ``needle``."""
    path = Path(sa.make_url(url).database or "")
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return [f.name for f in files if f.exists() and needle.encode() in f.read_bytes()]


def found_in_tables(engine: sa.Engine, needle: str) -> list[str]:
    """Every table of the database (whoever added it) with a row whose values contain
    ``needle``."""
    hits = []
    with engine.connect() as conn:
        for name in sa.inspect(conn).get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            if any(needle in str(tuple(row)) for row in conn.execute(sa.select(table))):
                hits.append(name)
    return hits


def test_a_deleted_reps_words_are_nowhere(
    engine: sa.Engine, db_url: str, backend: str, catalog: Catalog
) -> None:
    if backend == "sqlite":
        like_a_build_without_secure_delete(engine)
    now = START
    store = Store(engine, partial(step, catalog))
    teams, reviews, summaries = (
        Teams(engine),
        Reviews(engine),
        Summaries(catalog, button_data=manage_data),
    )
    team = teams.create_team(BOSS, "North", now=now, check=False)
    teams.add_member(team.id, DAILY_BOSS, "manager", now=now)
    teams.scope(DAILY_BOSS).set_prefs(team.id, ManagerPrefs(summaries="daily"), now=now)
    for rep in (ANNA, BOB):
        teams.add_member(team.id, rep.key, "rep", now=now, display_name=rep.display_name)

    at = debrief(
        store, ANNA, now, customer=f"Cust {MARKER}", goal=f"Goal {MARKER}", when="tomorrow 9:30"
    )
    # what she typed that was no answer is kept as a note of the step (pushback)
    store.handle(ANNA, CommandIn("start", "debrief"), now=at)
    store.handle(ANNA, TextIn(f"9, {MARKER} was a nightmare"), now=at)
    at = debrief(store, BOB, at, customer="Zhang Components", goal="A demo.", when="1 Dec 9:30")
    # the instant manager's copies go out and are marked sent; the daily batch waits unsent
    instant = reviews.dispatch(summaries.render, now=at)
    assert {sent.user_key for sent in instant} == {BOSS}
    assert any(MARKER in sent.draft.text for sent in instant)
    store.mark_sent([sent.outbox_id for sent in instant], now=at)
    evening = at + timedelta(days=1)
    batch = reviews.send_daily(summaries.render, now=evening)
    assert [sent.user_key for sent in batch] == [DAILY_BOSS]
    assert MARKER in batch[0].draft.text
    assert "Zhang Components" in batch[0].draft.text
    scope = teams.scope(BOSS)
    [anna_review] = [n for n in reviews.pending(scope) if n.rep_key == ANNA.key]
    note = f"Well done, {NOTE_MARKER}"
    reviews.add_note(
        scope,
        anna_review.review_id,
        note,
        summaries.note_for_rep(note),
        now=evening,
        external_id="update-1",
    )
    # the check can see it: it is there before
    assert {"answer", "run", "outbox", "step_note"} <= set(found_in_tables(engine, MARKER))
    assert found_in_tables(engine, NOTE_MARKER)
    if backend == "sqlite":
        assert found_in_files(db_url, MARKER)

    assert delete_user(store, ANNA.key, now=evening)

    assert found_in_tables(engine, MARKER) == []
    assert found_in_tables(engine, NOTE_MARKER) == []
    assert found_in_tables(engine, ANNA.display_name + '"') == []
    if backend == "sqlite":
        assert found_in_files(db_url, MARKER) == []
        assert found_in_files(db_url, NOTE_MARKER) == []
    # Bob's summary was in the unsent batch that went with Anna's: it waits for the next one
    with engine.connect() as conn:
        bob = conn.execute(
            sa.select(review_table.c.status, review_table.c.outbox_id).where(
                review_table.c.manager_id != review_table.c.rep_id
            )
        ).all()
    assert ("pending", None) in bob
    again = reviews.send_daily(summaries.render, now=evening + timedelta(minutes=1))
    assert [sent.user_key for sent in again] == [DAILY_BOSS]
    assert "Zhang Components" in again[0].draft.text
    assert MARKER not in again[0].draft.text
    with engine.connect() as conn:
        left = conn.execute(sa.select(outbox_table.c.payload)).scalars().all()
    assert any("Zhang Components" in str(payload) for payload in left)  # Bob's stay
