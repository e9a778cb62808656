"""The weekly report as the manager sees it: the Telegram text (en, zh), the chart, the page."""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from reports.digest import BadWeek
from reports.text import CAPTION_LIMIT, MESSAGE_LIMIT, render_text, visible_length
from reports.weekly import WeeklyReport, build_weekly
from storage.teams import NotYourTeam, Teams
from tests.reports.seed import MANAGER, NOW, WEEK

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def report(engine: sa.Engine, team_id: int, catalog: Catalog, lang: str = "en") -> WeeklyReport:
    return build_weekly(engine, team_id, messages=catalog.messages, now=NOW, lang=lang)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_the_caption_sets_effort_process_and_results_side_by_side(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    result = report(engine, team_id, catalog)
    assert result.week == WEEK  # the last whole week before Monday 08:00
    caption = result.text.caption
    assert visible_length(caption) <= CAPTION_LIMIT
    assert "North 北区 · week 2026-W47</b> (2026-11-16 – 2026-11-22)" in caption
    assert "42 visits by 12 reps, 0.7 per rep a day · new 12 / existing 30" in caption
    assert "planned visits debriefed 36 of 38 (95%)" in caption
    assert "visits planned beforehand 36 of 42 (86%)" in caption
    assert "weekly plans 10 of 12" in caption
    assert "goal reached in 23 of 42 visits (55%) · follow-ups 40 done, 3 overdue" in caption
    assert "<b>Not debriefed:</b> Rep 05 (1), Rep 09 (1)" in caption
    assert "<b>No weekly plan:</b> Rep 04, Rep 07" in caption
    assert "overdue more than 3 days:</b> 2" in caption


def test_the_detail_has_a_line_per_rep_and_the_lists(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    messages = report(engine, team_id, catalog).text.messages
    assert len(messages) == 1
    text = messages[0]
    assert len(text) <= MESSAGE_LIMIT
    # the rep's name is escaped: Telegram's HTML parse mode must not see a tag in it
    assert (
        "<b>Bob &lt;B&amp;B&gt;</b>: 5 visits (1.0/day, 1 new) · goals 1/5 · debriefed 4/4 · "
        "plans 4/5 · weekly plan yes · follow-ups 5 done, 0 overdue · "
        "customers due for a revisit: class A: 1, class B: 1 · "
        "objections: price 2, timing 2, no need 1"
    ) in text
    assert "<b>Rep 04</b>: 2 visits (0.4/day, 1 new) · goals 2/2" in text
    assert "weekly plan no" in text.split("<b>Rep 04</b>")[1].split("\n")[0]
    assert "• Rep 05: Ghost 5" in text
    assert "• 王芳: Cust 2-0: call back — due 2026-10-28, 25 days overdue" in text
    assert "• Rep 06: Cust 6-0: call back — due 2026-11-18, 4 days overdue" in text
    assert "<b>Objections met:</b> price 18 · timing 15 · no need 9 · product 1" in text
    assert "<b>Customers overdue for a revisit:</b> class A: 3 · class B: 1" in text


def test_the_digest_in_chinese(engine: sa.Engine, team_id: int, catalog: Catalog) -> None:
    result = report(engine, team_id, catalog, "zh")
    assert "12 名销售共拜访 42 次，人均每天 0.7 次 · 新客户 12 / 老客户 30" in result.text.caption
    assert "达成目标 23/42 次拜访（55%）" in result.text.caption
    assert "<b>没有周计划：</b>Rep 04、Rep 07" in result.text.caption
    assert "<b>遇到的异议：</b>价格 18 · 时机 15 · 没有需求 9 · 产品 1" in result.text.messages[0]
    assert "<b>该回访的客户：</b>A 类 3 位 · B 类 1 位" in result.text.messages[0]
    assert (
        "该回访的客户：A 类 1 位、B 类 1 位 · 异议：价格 2、时机 2、没有需求 1"
        in result.text.messages[0]
    )
    assert result.png is not None
    assert png_size(result.png)[0] >= 800


def test_a_long_team_moves_the_lists_out_of_the_caption_and_splits_the_detail(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    digest = report(engine, team_id, catalog).digest
    long_names = tuple(
        replace(week, rep=replace(week.rep, name=f"{week.rep.name} " + "x" * 300))
        for week in digest.reps * 3
    )
    no_plan = tuple(week.rep for week in long_names)
    big = replace(digest, reps=long_names, no_week_plan=no_plan)
    text = render_text(catalog.messages, "en", big)
    assert visible_length(text.caption) <= CAPTION_LIMIT
    assert "No weekly plan" not in text.caption
    assert "Per rep: see the next message." in text.caption
    assert len(text.messages) > 1
    assert all(len(message) <= MESSAGE_LIMIT for message in text.messages)
    joined = "\n".join(text.messages)
    assert joined.count("visits (") == 36  # every rep line is there, none cut in two


def test_the_chart_is_a_png_that_shows_every_rep(
    engine: sa.Engine, team_id: int, catalog: Catalog, tmp_path: Path
) -> None:
    result = report(engine, team_id, catalog)
    assert result.png is not None
    width, height = png_size(result.png)
    assert (width, height) >= (880, 700)
    assert len(result.png) > 30_000  # a drawn chart, not an empty canvas
    (tmp_path / "digest.png").write_bytes(result.png)  # looked at by eye during development


def test_the_page_holds_the_figures_and_the_chart_inline(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    result = report(engine, team_id, catalog)
    page = result.html
    assert page is not None
    assert page.startswith("<!doctype html>")
    assert "<title>North 北区 · week 2026-W47</title>" in page
    match = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert match is not None
    assert base64.b64decode(match.group(1)) == result.png
    assert "<td>Bob &lt;B&amp;B&gt;</td><td>5</td><td>1.0</td><td>1 / 4</td>" in page
    assert "<td>36/38 (95%)</td><td>36/42 (86%)</td>" in page  # the team row
    assert "<td>23/42 (55%)</td>" in page
    assert (
        "<td>class A: 3, class B: 1</td><td>price 18, timing 15, no need 9, product 1</td>" in page
    )
    assert "Ghost 5" in page
    assert "<b>No weekly plan:</b> Rep 04, Rep 07" in page
    assert "price 18 · timing 15" in page
    assert "http" not in page.replace('lang="en"', "")  # self-contained: nothing to fetch


def test_a_manager_gets_their_team_and_not_another(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    teams = Teams(engine)
    mine = build_weekly(
        engine,
        team_id,
        messages=catalog.messages,
        now=NOW,
        scope=teams.scope(MANAGER),
        chart=False,
        page=False,
    )
    assert mine.digest.team.visits == 42
    assert mine.png is None
    assert mine.html is None
    with pytest.raises(NotYourTeam):
        build_weekly(
            engine, team_id, messages=catalog.messages, now=NOW, scope=teams.scope("tg:200")
        )
    with pytest.raises(BadWeek):
        build_weekly(engine, team_id, messages=catalog.messages, now=NOW, week="2025-W53")


def test_many_escalated_follow_ups_are_summed_up_per_rep(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    result = report(engine, team_id, catalog)
    digest = result.digest
    rep2, rep6 = digest.escalated  # rep 2's (25 days) and rep 6's (4 days)
    many = replace(digest, escalated=(rep2,) * 12 + (rep6,) * 5)
    lines = "\n".join(render_text(catalog.messages, "en", many).messages).split("\n")
    items = [line for line in lines if line.startswith("• ") and "follow-ups" in line]
    assert items == [
        "• 王芳: 12 follow-ups; the oldest due 2026-10-28, 25 days overdue: Cust 2-0: call back",
        "• Rep 06: 5 follow-ups; the oldest due 2026-11-18, 4 days overdue: Cust 6-0: call back",
    ]


def test_a_team_without_reps_gets_a_line_and_no_chart(engine: sa.Engine, catalog: Catalog) -> None:
    empty = Teams(engine).create_team("tg:400", "Empty", now=NOW, check=False)
    result = build_weekly(engine, empty.id, messages=catalog.messages, now=NOW)
    assert result.png is None
    assert result.text.caption.endswith("The team has no reps yet: nothing to report.")
    assert result.text.messages == ()
    assert result.html is not None
    assert "data:image/png" not in result.html


def test_charts_drawn_in_two_threads_at_once_come_out_as_drawn_alone(
    engine: sa.Engine, team_id: int, catalog: Catalog
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from reports.chart import render_chart

    digest = report(engine, team_id, catalog, "zh").digest
    alone = render_chart(catalog.messages, "zh", digest)
    with ThreadPoolExecutor(2) as pool:
        drawn = list(pool.map(lambda _: render_chart(catalog.messages, "zh", digest), range(2)))
    assert drawn == [alone, alone]
