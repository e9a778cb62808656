"""Telegram reads a rep's own words like the console does: natural debriefs in English and
Chinese are stored as meant, and a doubtful reading comes with one-tap buttons."""

from __future__ import annotations

import asyncio
from pathlib import Path

from testkit.fake_telegram import FakeTelegram, User
from tests.natural_rep import CHINESE, CHINESE_ANSWERS, ENGLISH, ENGLISH_ANSWERS, REFUSALS
from tests.telegram.test_bot_polling import WAIT, converse, running, say, settings_for, text_of


async def tap_a_doubtful_rating(fake: FakeTelegram, bea: User) -> None:
    await say(fake, bea, "/debrief")
    question = await say(fake, bea, "not great, the buyer was late")
    assert text_of(question).startswith("Thank you for telling me how it went.")
    assert text_of(question).endswith("I read that as 2 of 5 — right?")
    assert question.labels[:5] == ["Yes, right", "1 of 5", "3 of 5", "4 of 5", "5 of 5"]
    before = len(fake.messages_to(bea.id))
    fake.tap(bea, question, label="3 of 5")
    await fake.wait_for_messages(bea.id, before + 1, timeout=WAIT)
    assert "In a few words" in text_of(fake.messages_to(bea.id)[-1])


async def test_natural_answers_in_english_and_chinese(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna, chen = fake.user(42, language_code="en"), fake.user(43, "陈", language_code="zh-hans")
    bea = fake.user(44, "Bea", language_code="en")
    async with running(settings_for(fake, tmp_path), reps=[anna, chen, bea]) as app:
        await asyncio.gather(
            converse(fake, anna, ["/debrief", *ENGLISH]),
            converse(fake, chen, ["/debrief", *CHINESE]),
            tap_a_doubtful_rating(fake, bea),
        )
        for user, lang, expected in ((anna, "en", ENGLISH_ANSWERS), (chen, "zh", CHINESE_ANSWERS)):
            said = "\n".join(m.text or "" for m in fake.messages_to(user.id))
            assert not [r for r in REFUSALS[lang] if r in said], said
            answers = app.store.answers(f"tg:{user.id}")
            assert {s: answers.get(s) for s in expected} == expected
        assert app.store.answers("tg:44")["feeling_score"] == 3


async def test_a_rep_in_a_hurry_and_the_coachs_own_yes_no_in_telegram(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    """ "I only have 2 minutes" is heard, not scored 2; "no, keep going" to "stop here?" goes on
    (it was refused with "Please choose one of the options")."""
    fake = fake_api
    dan, li = fake.user(45, "Dan", language_code="en"), fake.user(46, "李", language_code="zh-hans")
    said = (
        (dan, "I only have 2 minutes", "short on time", "no, keep going", "In a few words"),
        (li, "快点吧", "你在赶时间", "不用了，继续吧", "用几句话说说"),
    )
    async with running(settings_for(fake, tmp_path), reps=[dan, li]) as app:
        for user, hurry, heard, keep_going, next_question in said:
            await say(fake, user, "/debrief")
            again = await say(fake, user, hurry)
            assert heard in text_of(again)
            assert again.labels == ["1", "2", "3", "4", "5"]  # the same question, nothing scored
            assert "feeling_score" not in app.store.answers(f"tg:{user.id}")
            await say(fake, user, "4")
            stop_here = await say(fake, user, "/cancel")
            assert len(stop_here.labels) == 2  # Yes / No
            assert next_question in text_of(await say(fake, user, keep_going))
            assert app.store.answers(f"tg:{user.id}")["feeling_score"] == 4
