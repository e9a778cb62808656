"""The manager's summary texts (coaching/summaries.py): what they say, in en and zh, escaped, and a
daily batch that fits Telegram's limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.telegram.callbacks import MAX_BYTES, ReviewData, SkillData, manage_data, parse
from coaching.summaries import Summaries
from coaching_scripts import load_catalog
from storage.reviews import Notice, Reader

FINISHED = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
ANSWERS: dict[str, Any] = {
    "customer": "Baker & <Sons>",
    "visit_type": "existing",
    "feeling_score": 2,
    "feeling_words": "Rough.\nThe buyer was late and distracted.",
    "goal": "A reorder of 300 boxes",
    "what_happened": "She ordered 250",
    "goal_met": False,
    "why_outcome": "Sales slowed; they don't want stock sitting around.",
    "next_action": "Call her on the 1st",
    "next_date": {"at": "2026-12-01T01:30:00+00:00", "has_time": True},
}


@pytest.fixture(scope="module")
def summaries() -> Summaries:
    return Summaries(load_catalog(), button_data=manage_data)


def notice(review_id: int = 7, **changes: Any) -> Notice:
    fields: dict[str, Any] = {
        "review_id": review_id,
        "team_id": 1,
        "run_id": 3,
        "run_no": 2,
        "script": "debrief",
        "summary": "<b>Your debrief</b>",
        "answers": ANSWERS,
        "rep_id": 5,
        "rep_key": "tg:42",
        "rep_name": "Anna <3",
        "rep_lang": "en",
        "rep_tz": "Asia/Shanghai",
        "flags": ("no_goal:3", "overdue:2", "low_feeling"),
        "status": "sent",
        "finished_at": FINISHED,
    }
    fields.update(changes)
    return Notice(**fields)


def test_a_debrief_summary_in_english(summaries: Summaries) -> None:
    text = summaries.text(notice(), "en", "Asia/Shanghai")
    assert text.splitlines() == [
        "📋 <b>Anna &lt;3</b> · Baker &amp; &lt;Sons&gt; · Existing customer",
        "Feeling: 2/5 — “Rough.”",
        "Goal: A reorder of 300 boxes",
        "What happened: She ordered 250",
        "Goal reached: <b>no</b>",
        "The buyer's side: Sales slowed; they don&#39;t want stock sitting around.",
        "Next step: Call her on the 1st — Tue 1 Dec, 09:30",
        "⚠️ Visit 3 in a row to this customer without reaching the goal",
        "⚠️ 2 follow-ups of this rep overdue",
        "⚠️ Felt bad about this visit",
    ]


def test_what_the_rep_typed_that_was_no_answer_is_in_the_summary(summaries: Summaries) -> None:
    said = ("Terrible. The buyer was an <idiot>", "I don't know, you tell me")
    text = summaries.text(notice(notes=said, flags=()), "en", "Asia/Shanghai")
    assert text.splitlines()[-1] == (
        "💭 Also said on the way: “Terrible. The buyer was an &lt;idiot&gt;” · "
        "“I don&#39;t know, you tell me”"
    )
    many = tuple(f"note {n}" for n in range(1, 8))
    zh = summaries.text(notice(notes=many, script="week_plan", flags=()), "zh", "UTC")
    assert zh.splitlines()[-1] == (
        "💭 过程中还说了：“note 1” · “note 2” · “note 3” · “note 4” · “note 5”（另有 2 条）"
    )
    assert "💭" not in summaries.text(notice(), "en", "UTC")


def test_a_debrief_summary_in_chinese(summaries: Summaries) -> None:
    text = summaries.text(notice(flags=("overdue:1",)), "zh", "Asia/Shanghai")
    assert "📋 <b>Anna &lt;3</b>：Baker &amp; &lt;Sons&gt;（老客户）" in text
    assert "是否达成目标：<b>否</b>" in text
    assert "下一步：Call her on the 1st（12月1日(周二) 09:30）" in text
    assert "⚠️ 这位销售有 1 个跟进已逾期" in text


def test_another_script_shows_its_own_summary(summaries: Summaries) -> None:
    text = summaries.text(notice(script="week_plan", flags=()), "en", "UTC")
    assert text == "📋 <b>Anna &lt;3</b> finished the weekly plan:\n<b>Your debrief</b>"


def test_buttons_carry_the_review_and_parse_back(summaries: Summaries) -> None:
    big = 999_999_999_999
    rows = summaries.buttons(big, "en") + summaries.skill_buttons(big, "zh")
    data = [d for row in rows for _, d in row]
    assert all(len(d.encode()) <= MAX_BYTES for d in data)
    taps = [parse(d) for d in data]
    assert all(isinstance(t, ReviewData | SkillData) and t.review == big for t in taps)
    assert {t.skill for t in taps if isinstance(t, SkillData)} >= {"objections", "closing"}


def test_a_long_daily_batch_is_split_within_telegrams_limits(summaries: Summaries) -> None:
    reader = Reader(1, "tg:100", "Boss", "en", "Asia/Shanghai")
    notices = [notice(n) for n in range(1, 41)]
    drafts = summaries.render(reader, notices, True)
    assert len(drafts) > 1
    assert drafts[0].text.startswith("🗂 <b>Today's summaries</b>: 40")
    assert all(len(d.text) <= 4096 for d in drafts)
    assert all(len(d.buttons) <= 15 for d in drafts)
    numbered = [label for d in drafts for row in d.buttons for label, _ in row]
    assert numbered[:3] == ["💬 1", "🎯 1", "✓ 1"]
    assert numbered[-1] == "✓ 40"
    assert sum(d.text.count("📋") for d in drafts) == 40


def test_the_reps_note_names_the_visit_in_the_reps_language(summaries: Summaries) -> None:
    to_rep = summaries.note_for_rep("Ask <who> decides")
    assert to_rep(notice(), "Li") == (
        "💬 <b>A note from Li</b> on your visit “Baker &amp; &lt;Sons&gt;”, Sun 22 Nov:\n"
        "Ask &lt;who&gt; decides"
    )
    chinese = to_rep(notice(rep_lang="zh"), "李经理")
    assert chinese.startswith(
        "💬 <b>李经理对你的拜访「Baker &amp; &lt;Sons&gt;」（11月22日(周日)）"
    )
    invitation = summaries.invitation_for_rep("objections")(notice(), "Li")
    assert "coaching session on <b>Handling objections</b>" in invitation


@pytest.mark.parametrize(
    ("lang", "line"), [("en", "Goal reached: partly"), ("zh", "是否达成目标：部分达成")]
)
def test_a_partly_reached_goal_is_said_so(summaries: Summaries, lang: str, line: str) -> None:
    text = summaries.text(notice(answers={**ANSWERS, "goal_met": "partly"}), lang, "Asia/Shanghai")
    assert line in text.splitlines()
