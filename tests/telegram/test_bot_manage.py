"""Managers end to end: the real bot, its summary tick, the fake Telegram, a rep and a manager.

A rep debriefs; moments later the manager of the rep's team gets the summary with its buttons;
a reply with a coaching note reaches the rep naming the visit; a skill to coach becomes the rep's
invitation that starts /coaching; Mark reviewed shows on the summary; a daily manager gets one
batch at their local time; forged ``m:`` data for another team's visit is refused and changes
nothing. The clock is a dial (no sleeping for time to pass).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.telegram.callbacks import manage_data
from bot.telegram.runner import CoachBot, summary_tick
from coaching.summaries import Summaries
from storage.reviews import Reviews
from storage.schema import note_table, outbox_table, review_table
from storage.teams import Team
from testkit.fake_telegram import FakeTelegram, Message, User
from tests.telegram.test_bot_polling import WAIT, running, say, text_of
from tests.telegram.test_bot_reminders import Dial, debrief, reminder_settings

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sunday 10:00 in Shanghai
BOSS, ANNA, CHEN, BETA_BOSS, BETA_REP = 100, 42, 43, 200, 21


def seed(app: CoachBot, manager: int, reps: list[int], name: str, lang: str = "en") -> Team:
    """A team with its manager (in Shanghai) and reps, as the operator's CLI would make it."""
    team = app.teams.create_team(
        f"tg:{manager}",
        name,
        now=START,
        check=False,
        display_name=f"Boss of {name}",
        lang=lang,
        tz="Asia/Shanghai",
    )
    for rep in reps:
        app.teams.add_member(team.id, f"tg:{rep}", "rep", now=START, display_name=f"Rep {rep}")
        app.store.set_language(f"tg:{rep}", lang)
        app.store.set_timezone(f"tg:{rep}", "Asia/Shanghai")
    return team


async def arrives(fake: FakeTelegram, user: User, before: int, count: int = 1) -> Message:
    await fake.wait_for_messages(user.id, before + count, timeout=WAIT)
    return fake.messages_to(user.id)[-1]


async def edited(fake: FakeTelegram, user: User, method: str, before: int) -> None:
    await fake.wait_for_call(method, count=before + 1, chat_id=user.id, timeout=WAIT)


def table(app: CoachBot, name: sa.Table) -> list[sa.Row[tuple[object, ...]]]:
    with app.store.engine.connect() as conn:
        return list(conn.execute(sa.select(name).order_by(name.c.id)))


async def test_a_debrief_summary_a_note_back_coaching_and_reviewed(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    boss, anna = fake.user(BOSS, "Boss", language_code="en"), fake.user(ANNA, "Anna")
    async with running(reminder_settings(fake, tmp_path), dial) as app:
        seed(app, BOSS, [ANNA], "Alpha")
        await debrief(fake, anna)
        summary = await arrives(fake, boss, 0)
        text = text_of(summary)
        for part in (
            "Rep 42",
            "Feeling:",
            "Goal:",
            "What happened:",
            "Goal reached:",
            "Next step:",
        ):
            assert part in text
        assert "Tue 1 Dec, 09:30" in text  # the next step's date, in the manager's zone
        assert summary.labels == [
            "💬 Reply with a coaching note",
            "🎯 Coach a skill",
            "✓ Mark reviewed",
        ]
        customer = app.store.answers("tg:42")["customer"]
        assert customer in text

        # Reply with a coaching note: a question to reply to, then the rep gets the note
        fake.tap(boss, summary, label="💬 Reply with a coaching note")
        question = await arrives(fake, boss, 1)
        assert "coaching note to Rep 42" in text_of(question)
        asked = fake.calls("sendMessage", chat_id=BOSS)[-1].params
        assert "force_reply" in str(asked["reply_markup"])
        rep_before = len(fake.messages_to(ANNA))
        update = fake.send_text(boss, "Ask who decides <before> you present.", reply_to=question)
        note = await arrives(fake, anna, rep_before)
        assert "A note from Boss of Alpha" in text_of(note)
        assert f"on your visit “{customer}”" in text_of(note)
        assert "Ask who decides <before> you present." in text_of(note)  # escaped, shown as typed
        confirmation = await arrives(fake, boss, 2)
        assert "Your note went to Rep 42" in text_of(confirmation)
        fake.redeliver(update)  # Telegram sends the same update again: one note, once
        await say(fake, boss, "/summaries")
        [row] = table(app, note_table)
        assert row.text == "Ask who decides <before> you present."
        assert len(fake.messages_to(ANNA)) == rep_before + 1

        # Coach a skill: pick one, the rep is invited and can start at once
        fake.tap(boss, summary, label="🎯 Coach a skill")
        picker = await arrives(fake, boss, 4)
        assert "Handling objections" in picker.labels
        edits = len(fake.calls("editMessageText", chat_id=BOSS))
        rep_before = len(fake.messages_to(ANNA))
        fake.tap(boss, picker, label="Handling objections")
        invitation = await arrives(fake, anna, rep_before)
        assert "coaching session on Handling objections" in text_of(invitation)
        await edited(fake, boss, "editMessageText", edits)
        assert "invited to a coaching session" in text_of(picker)
        fake.tap(anna, invitation, label="▶ Start coaching")
        started = await arrives(fake, anna, rep_before + 1)
        assert "Which part of the call shall we work on?" in text_of(started)
        assert [r.script for r in app.store.runs("tg:42")][-1] == "coaching"

        # Mark reviewed: the summary shows it, its buttons go
        edits = len(fake.calls("editMessageText", chat_id=BOSS))
        fake.tap(boss, summary, label="✓ Mark reviewed")
        await edited(fake, boss, "editMessageText", edits)
        assert text_of(summary).endswith("✓ Reviewed")
        assert summary.keyboard == []
        assert [r.status for r in table(app, review_table)] == ["reviewed"]


async def test_forged_manager_buttons_for_another_team_are_refused(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    boss, anna = fake.user(BOSS, "Boss"), fake.user(ANNA, "Anna")
    beta_boss, beta_rep = fake.user(BETA_BOSS, "Beta"), fake.user(BETA_REP, "Bo")
    async with running(reminder_settings(fake, tmp_path), dial) as app:
        seed(app, BOSS, [ANNA], "Alpha")
        seed(app, BETA_BOSS, [BETA_REP], "Beta")
        await asyncio.gather(debrief(fake, anna), debrief(fake, beta_rep))
        summary = await arrives(fake, boss, 0)
        await arrives(fake, beta_boss, 0)
        [theirs] = Reviews(app.store.engine).pending(app.teams.scope(f"tg:{BETA_BOSS}"))
        before = (table(app, review_table), table(app, note_table), len(table(app, outbox_table)))
        beta_before = len(fake.messages_to(BETA_REP))
        for data in (
            f"m:v:{theirs.review_id}",
            f"m:n:{theirs.review_id}",
            f"m:c:{theirs.review_id}",
            f"m:s:{theirs.review_id}:objections",
            "m:v:99999",
            "m:s:1:no_such_skill",
            "m:zz:1",
        ):
            query = fake.tap(boss, summary, data, strict=False)
            await fake.wait_for(lambda q=query: fake.callback_answered(q), WAIT)
            answer = fake.callback_answer(query) or {}
            assert "isn't a visit of your team" in answer.get("text", ""), data
        # a note replying to a forged "write your note" question about team B's visit
        forged = replace(summary, raw={**summary.to_json(), "text": f"✍ #{theirs.review_id} note?"})
        fake.send_text(boss, "forged note", reply_to=forged)
        refusal = await arrives(fake, boss, 1)
        assert "isn't a visit of your team" in text_of(refusal)
        assert fake.messages_to(BETA_REP)[beta_before:] == []
        after = (table(app, review_table), table(app, note_table), len(table(app, outbox_table)))
        assert after == before
        assert summary.labels[-1] == "✓ Mark reviewed"  # the real summary is untouched


async def test_a_daily_manager_gets_one_batch_at_their_time(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    boss, anna = fake.user(BOSS, "Boss"), fake.user(ANNA, "Anna")
    async with running(reminder_settings(fake, tmp_path), dial) as app:
        seed(app, BOSS, [ANNA], "Alpha")
        reply = await say(fake, boss, "/summaries daily 18:00")
        assert "one message at 18:00 (Asia/Shanghai)" in text_of(reply)
        await debrief(fake, anna)
        await app.summarise()
        await app.summarise()
        assert len(fake.messages_to(BOSS)) == 1  # nothing before 18:00 local
        dial.now = START + timedelta(hours=8)  # 18:00 in Shanghai
        batch = await arrives(fake, boss, 1)
        assert "Today's summaries" in text_of(batch)
        assert batch.labels == ["💬 1", "🎯 1", "✓ 1"]
        await app.summarise()
        await app.summarise()
        assert len(fake.messages_to(BOSS)) == 2  # once
        edits = len(fake.calls("editMessageText", chat_id=BOSS))
        fake.tap(boss, batch, label="✓ 1")
        await edited(fake, boss, "editMessageText", edits)
        assert text_of(batch).endswith("✓ Reviewed")
        back = await say(fake, boss, "/summaries instant")
        assert "as soon as the rep finishes" in text_of(back)


async def test_in_chinese_the_manager_reads_and_the_rep_gets_the_note(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    boss = fake.user(BOSS, "王经理", language_code="zh-hans")
    chen = fake.user(CHEN, "陈", language_code="zh-hans")
    async with running(reminder_settings(fake, tmp_path), dial) as app:
        seed(app, BOSS, [CHEN], "华东", lang="zh")
        await debrief(fake, chen, "debrief.short.zh.txt")
        summary = await arrives(fake, boss, 0)
        assert "是否达成目标" in text_of(summary)
        assert "下一步" in text_of(summary)
        assert summary.labels == ["💬 回复辅导意见", "🎯 辅导一项技巧", "✓ 标记为已阅"]
        fake.tap(boss, summary, label="💬 回复辅导意见")
        question = await arrives(fake, boss, 1)
        assert "辅导意见" in text_of(question)
        before = len(fake.messages_to(CHEN))
        fake.send_text(boss, "下次先问清楚谁拍板。", reply_to=question)
        note = await arrives(fake, chen, before)
        assert "对你的拜访" in text_of(note)
        assert "下次先问清楚谁拍板。" in text_of(note)
        done = await arrives(fake, boss, 2)
        assert "你的意见已发给" in text_of(done)


async def test_a_summary_committed_before_a_crash_goes_out_after_it_with_its_buttons(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    boss, anna = fake.user(BOSS, "Boss"), fake.user(ANNA, "Anna")
    settings = reminder_settings(fake, tmp_path).model_copy(update={"reminder_tick": 300.0})
    async with running(settings, dial) as app:
        seed(app, BOSS, [ANNA], "Alpha")
        await debrief(fake, anna)
        # committed, not yet delivered: the bot goes down right after the summary's commit
        summaries = Summaries(app.catalog, button_data=manage_data)
        [sent] = Reviews(app.store.engine).dispatch(summaries.render, now=dial.now)
    assert fake.messages_to(BOSS) == []
    async with running(settings, dial):
        summary = await arrives(fake, boss, 0)
        assert sent.draft.text.startswith("📋")
        assert summary.labels == [
            "💬 Reply with a coaching note",
            "🎯 Coach a skill",
            "✓ Mark reviewed",
        ]


@pytest.mark.parametrize(
    ("reminder_tick", "looks_every"),
    [(2.0, 0.5), (300.0, 75.0), (0.05, 0.05), (0.1, 0.05)],
)
def test_new_summaries_are_looked_for_four_times_per_reminder_tick(
    reminder_tick: float, looks_every: float
) -> None:
    """By default a manager's summary leaves within half a second of the debrief's end."""
    assert summary_tick(reminder_tick) == looks_every
