"""Former members in the digest: a rep removed by their manager, or who deleted their data, still
counts in the team's totals of the weeks they worked — never by name. Expected values are the
seed's hand count (``test_digest.BY_HAND``) with rep 5's share worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from reports.digest import Digest, Figures, compute, week_window
from reports.weekly import build_weekly
from storage.activity import load_scoped, load_team
from storage.privacy import delete_user
from storage.schema import membership_table, user_table
from storage.store import Store
from storage.teams import Teams
from tests.reports.seed import MANAGER, NOW, SEEDED, TZ, WEEK, Writer, local, rep_key

FIELDS = (
    "reps",
    "visits",
    "new",
    "existing",
    "planned",
    "planned_debriefed",
    "with_plan",
    "goals",
    "week_plans",
    "week_reviews",
    "follow_ups_done",
    "follow_ups_overdue",
)
W47_TUESDAY = date(2026, 11, 17)
REMOVED_AT = local(W47_TUESDAY, 20)  # after Tuesday's visit and debrief, before Wednesday's
REP5 = rep_key(5)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def digest(engine: sa.Engine, team_id: int, week: str = WEEK, now: datetime = NOW) -> Digest:
    start, end = week_window(week, TZ)
    return compute(load_team(engine, team_id, start, end, as_of=min(now, end)), week, now)


def numbers(figures: Figures | None) -> tuple[int, ...]:
    assert figures is not None
    return tuple(int(getattr(figures, name)) for name in FIELDS)


def remove_rep5(engine: sa.Engine, team_id: int) -> None:
    scope = Teams(engine).scope(MANAGER)
    member = next(m for m in scope.reps(team_id) if m.key == REP5)
    scope.remove(team_id, member.user_id, now=REMOVED_AT)


def delete_rep5(engine: sa.Engine) -> None:
    assert delete_user(Store(engine, lambda *_: None), REP5, now=NOW)  # type: ignore[arg-type]


def test_a_rep_who_deletes_their_data_still_counts_in_the_teams_week(
    engine: sa.Engine, team_id: int
) -> None:
    delete_rep5(engine)
    result = digest(engine, team_id)

    assert REP5 not in {week.rep.key for week in result.reps}
    assert len(result.reps) == 11
    # the team's week as before, less rep 5's three follow-ups (reminders go with the rep)
    assert numbers(result.team) == (12, 42, 12, 30, 38, 36, 36, 23, 10, 9, 37, 3)
    assert result.team.objections == {"price": 18, "timing": 15, "need": 9, "product": 1}
    assert result.team.revisit_overdue == {"A": 3, "B": 1}
    # rep 5's week, without a name: Ghost 5's plan still found undebriefed by its hashed name
    assert numbers(result.former) == (1, 3, 1, 2, 3, 2, 2, 3, 1, 1, 0, 0)
    assert [u.rep.key for u in result.not_debriefed] == [rep_key(9)]
    assert sorted(rep.key for rep in result.no_week_plan) == [rep_key(4), rep_key(7)]
    assert digest(engine, team_id, "2026-W40").team.visits == 42 + 4  # as before too


def test_a_rep_removed_mid_week_counts_until_removed(engine: sa.Engine, team_id: int) -> None:
    remove_rep5(engine, team_id)
    result = digest(engine, team_id)

    assert len(result.reps) == 11
    # Monday's and Tuesday's visits (a new one, goal reached, price; an existing one, goal
    # reached, timing), both planned; the weekly plan of Monday; Wednesday's visit, Ghost 5's
    # plan (written Wednesday), the Friday review and the follow-ups done from Wednesday on: not
    assert numbers(result.former) == (1, 2, 1, 1, 2, 2, 2, 2, 1, 0, 0, 0)
    assert numbers(result.team) == (12, 41, 12, 29, 37, 36, 36, 22, 10, 8, 37, 3)
    assert result.team.objections == {"price": 18, "timing": 15, "need": 8, "product": 1}
    assert [u.rep.key for u in result.not_debriefed] == [rep_key(9)]
    # the week before: a whole week in the team, all of it counted (follow-ups included)
    w46 = digest(engine, team_id, "2026-W46")
    assert numbers(w46.former) == (1, 3, 1, 2, 3, 2, 2, 3, 1, 1, 3, 0)
    assert (w46.team.reps, w46.team.visits, w46.team.follow_ups_done) == (12, 42, 42)
    # and the week after: not in the team any more
    w48 = digest(engine, team_id, "2026-W48", NOW + timedelta(days=8))
    assert w48.former is None
    assert w48.team.reps == 11


def test_removed_then_deleted_counts_the_same_span(engine: sa.Engine, team_id: int) -> None:
    remove_rep5(engine, team_id)
    delete_rep5(engine)
    result = digest(engine, team_id)
    assert numbers(result.former) == (1, 2, 1, 1, 2, 2, 2, 2, 1, 0, 0, 0)
    assert numbers(result.team) == (12, 41, 12, 29, 37, 36, 36, 22, 10, 8, 37, 3)
    w46 = digest(engine, team_id, "2026-W46")
    assert numbers(w46.former) == (1, 3, 1, 2, 3, 2, 2, 3, 1, 1, 0, 0)  # follow-ups gone
    with engine.connect() as conn:
        status, joined, left = conn.execute(
            sa.select(
                membership_table.c.status,
                membership_table.c.joined_at,
                membership_table.c.changed_at,
            )
            .join(user_table, user_table.c.id == membership_table.c.user_id)
            .where(user_table.c.key.startswith("deleted:"))
        ).one()
    assert (status, joined.date().isoformat(), left) == ("deleted", "2026-09-01", REMOVED_AT)


def test_the_manager_reads_one_anonymous_line_and_no_name(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    delete_rep5(engine)
    teams = Teams(engine)
    start, end = week_window(WEEK, TZ)
    scoped = load_scoped(engine, teams.scope(MANAGER), team_id, start, end, as_of=end)
    assert len(scoped.former) == 1
    assert numbers(compute(scoped, WEEK, NOW).team) == numbers(digest(engine, team_id).team)

    report = build_weekly(
        engine, team_id, messages=catalog.messages, now=NOW, scope=teams.scope(MANAGER)
    )
    caption, detail = report.text.caption, "\n".join(report.text.messages)
    assert "42 visits by 12 reps, 0.7 per rep a day" in caption
    assert "<b>Not debriefed:</b> Rep 09 (1)" in caption
    assert (
        "<i>Former members (1, not named)</i>: 3 visits (1 new) · goals 3/3 · debriefed 2/3"
        " · plans 2/3 · follow-ups 0 done — counted in the team's totals"
    ) in detail.splitlines()
    assert report.html is not None
    assert "Former members (1)" in report.html
    for text in (caption, detail, report.html):
        assert "Rep 05" not in text
        assert "Cust 5-" not in text
        assert "Ghost 5" not in text
        assert "deleted:" not in text

    zh = build_weekly(engine, team_id, messages=catalog.messages, now=NOW, lang="zh")
    assert "已离开的成员（1 人，不具名）" in "\n".join(zh.text.messages)


def test_a_team_whose_only_rep_left_still_reports_the_week(
    engine: sa.Engine, catalog: Catalog
) -> None:
    teams = Teams(engine)
    team = teams.create_team("tg:900", "Solo", now=SEEDED, tz=TZ, check=False)
    teams.add_member(team.id, "tg:1", "rep", now=SEEDED, display_name="Only One")
    with engine.begin() as conn:
        uid = conn.execute(sa.select(user_table.c.id).where(user_table.c.key == "tg:1")).scalar()
        writer = Writer(conn, int(uid))
        for day in (W47_TUESDAY - timedelta(days=1), W47_TUESDAY):
            writer.run(
                "debrief",
                local(day, 12),
                {"customer": "Acme", "visit_type": "existing", "goal_met": True},
            )
    delete_user(Store(engine, lambda *_: None), "tg:1", now=REMOVED_AT)  # type: ignore[arg-type]

    report = build_weekly(engine, team.id, messages=catalog.messages, now=NOW)

    assert numbers(report.digest.team) == (1, 2, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0)
    assert report.digest.reps == ()
    assert report.png is None  # no rep to draw a bar for
    assert "2 visits by 1 reps" in report.text.caption
    assert "<i>Former members (1, not named)</i>: 2 visits (0 new)" in report.text.messages[0]
    assert "Only One" not in report.text.caption + "".join(report.text.messages)
