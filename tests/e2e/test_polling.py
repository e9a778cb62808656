"""The real bot (aiogram, HTTP) by long polling against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.telegram.runner import CoachBot, run
from config import Settings, load_settings
from tests.e2e.fake_bot_api import ChatMessage, FakeTelegram, Rep

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def settings_for(fake: FakeTelegram, tmp_path: Path, **extra: str) -> Settings:
    return load_settings(
        {
            "COACHBOT_TELEGRAM_TOKEN": fake.token,
            "COACHBOT_TELEGRAM_API_URL": fake.url,
            "COACHBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "COACHBOT_TIMEZONE": "Asia/Shanghai",
            "COACHBOT_SEND_RATE": "0",
            "COACHBOT_SEND_CHAT_RATE": "0",
            **extra,
        },
        env_file=None,
    )


def ticking() -> Callable[[], datetime]:
    moments = (START + timedelta(minutes=n) for n in range(10**6))
    return lambda: next(moments)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[CoachBot]:
    loop = asyncio.get_running_loop()
    started: asyncio.Future[CoachBot] = loop.create_future()
    task = asyncio.create_task(
        run(settings, clock=ticking(), install_signals=False, ready=started.set_result)
    )
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    app = started.result()
    try:
        yield app
    finally:
        app.stopping.set()
        await asyncio.wait_for(task, 30)


async def say(fake: FakeTelegram, rep: Rep, text: str) -> ChatMessage:
    before = len(fake.messages_to(rep.id))
    fake.send_text(rep, text)
    await fake.wait_for_messages(rep.id, before + 1)
    return fake.messages_to(rep.id)[-1]


async def test_a_debrief_by_long_polling(fake: FakeTelegram, tmp_path: Path) -> None:
    rep = fake.rep(42)
    async with running(settings_for(fake, tmp_path)):
        question = await say(fake, rep, "/debrief")
        assert "How do you feel about this visit" in question.text
        assert [b["text"] for b in question.buttons()] == ["1", "2", "3", "4", "5"]
        before = len(fake.messages_to(42))
        fake.tap(rep, question, "4")
        await fake.wait_for_messages(42, before + 1)
        await fake.wait_until(lambda: "✓ 4" in fake.messages_to(42)[before - 1].text)
        assert fake.messages_to(42)[before - 1].keyboard == []
        assert "In a few words" in fake.messages_to(42)[-1].text


GOLDEN_INPUTS = Path(__file__).resolve().parent.parent / "golden" / "inputs"


async def converse(fake: FakeTelegram, rep: Rep, lines: list[str]) -> None:
    """Type each line once the coach has answered the previous one."""
    for line in lines:
        await say(fake, rep, line)


def finished_runs(app: CoachBot, key: str) -> list[str]:
    return [run.script for run in app.store.runs(key) if run.status == "finished"]


async def test_whole_debriefs_in_english_and_chinese(fake: FakeTelegram, tmp_path: Path) -> None:
    anna, chen = fake.rep(42, "en"), fake.rep(43, "zh-hans", "陈")
    english = (GOLDEN_INPUTS / "debrief.en.txt").read_text(encoding="utf-8").splitlines()
    chinese = (GOLDEN_INPUTS / "debrief.short.zh.txt").read_text(encoding="utf-8").splitlines()
    async with running(settings_for(fake, tmp_path)) as app:
        await asyncio.gather(
            converse(fake, anna, ["/debrief", *english]),
            converse(fake, chen, ["/debrief", *chinese]),
        )
        assert "Your debrief: Huaxin Logistics" in fake.messages_to(42)[-1].text
        assert "拜访复盘：恒达五金" in fake.messages_to(43)[-1].text
        assert finished_runs(app, "tg:42") == ["debrief"]
        assert finished_runs(app, "tg:43") == ["debrief"]
        assert app.store.answers("tg:43")["order_value"] == 36000
    menus = {lang: [c["command"] for c in commands] for lang, commands in fake.commands.items()}
    assert menus[None][0] == "debrief"
    assert "lang" in menus["zh"]
    assert fake.methods("setMyCommands")[1]["language_code"] == "zh"


async def test_a_redelivered_update_is_answered_once(fake: FakeTelegram, tmp_path: Path) -> None:
    rep = fake.rep(42)
    async with running(settings_for(fake, tmp_path)) as app:
        await say(fake, rep, "/debrief")
        update = fake.send_text(rep, "4")
        await fake.wait_for_messages(42, 2)
        fake.redeliver(update)
        await say(fake, rep, "Fine")  # handled after the redelivery: the order is kept
        texts = [message.text for message in fake.messages_to(42)]
        assert len(texts) == 3
        assert "Did any of these make the visit harder" in texts[-1]
        assert len(app.store.inbox("tg:42")) == 3


async def test_stale_button_sticker_voice_and_a_huge_text(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    rep = fake.rep(42)
    async with running(settings_for(fake, tmp_path)) as app:
        first = await say(fake, rep, "/debrief")
        await say(fake, rep, "3")
        count = len(fake.messages_to(42))
        fake.tap(rep, first, "5")  # the first question's button, long after it was answered
        await fake.wait_for_messages(42, count + 1)
        assert "moved on" in fake.messages_to(42)[-1].text
        assert app.store.answers("tg:42")["feeling_score"] == 3
        sticker = {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1,
                   "height": 1, "is_animated": False, "is_video": False}  # fmt: skip
        count = len(fake.messages_to(42))
        fake.send_media(rep, sticker=sticker)
        await fake.wait_for_messages(42, count + 1)
        assert "only work with text" in fake.messages_to(42)[-1].text
        voice = {"file_id": "v1", "file_unique_id": "v", "duration": 3}
        count = len(fake.messages_to(42))
        fake.send_media(rep, voice=voice)
        await fake.wait_for_messages(42, count + 1)
        assert "one-line version" in fake.messages_to(42)[-1].text
        reply = await say(fake, rep, "x" * 10_000)
        assert "In a few words" in reply.text  # the question again, after the limit is named
        assert "feeling_words" not in app.store.answers("tg:42")


async def test_twenty_messages_at_once_are_answered_in_order(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    rep = fake.rep(42)
    async with running(settings_for(fake, tmp_path)) as app:
        await say(fake, rep, "/debrief")
        for n in range(20):
            fake.send_text(rep, "4" if n == 0 else f"note {n}")
        await fake.wait_for_messages(42, 21)
        inbox = app.store.inbox("tg:42")
        assert len(inbox) == 21
        assert app.store.answers("tg:42")["feeling_score"] == 4
        assert app.store.answers("tg:42")["feeling_words"] == "note 1"  # the second message


async def test_a_restart_resumes_at_the_same_question(fake: FakeTelegram, tmp_path: Path) -> None:
    rep = fake.rep(42)
    settings = settings_for(fake, tmp_path)
    async with running(settings):
        await say(fake, rep, "/debrief")
        await say(fake, rep, "2")
    async with running(settings) as app:
        reply = await say(fake, rep, "Tough one")
        assert "Did any of these make the visit harder" in reply.text
        assert app.store.answers("tg:42")["feeling_score"] == 2


async def test_429_is_waited_out_and_403_marks_the_rep_inactive(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    rep, gone = fake.rep(42), fake.rep(44)
    async with running(settings_for(fake, tmp_path)) as app:
        fake.fail_next("sendMessage", 429, retry_after=1)
        reply = await say(fake, rep, "/debrief")
        assert "How do you feel" in reply.text
        assert len(fake.methods("sendMessage")) == 2  # the refused one, then the retry
        fake.blocked.add(44)
        fake.send_text(gone, "/debrief")
        await fake.wait_until(lambda: any(
            c.get("chat_id") in (44, "44") for c in fake.methods("sendMessage")
        ))  # fmt: skip
        await app.sender.idle()
        user = app.store.user("tg:44")
        assert user is not None
        assert not user.active
        to_44 = [c for c in fake.methods("sendMessage") if c.get("chat_id") in (44, "44")]
        assert len(to_44) == 1  # not retried


async def test_every_script_in_both_languages_in_telegram(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """The golden sessions of the console chat, typed into Telegram by one rep each, at once."""
    sessions = sorted(GOLDEN_INPUTS.glob("*.txt"))
    typed = {path: path.read_text(encoding="utf-8").splitlines() for path in sessions}
    reps = {
        path: fake.rep(2000 + n, "zh-hans" if path.stem.endswith(".zh") else "en")
        for n, path in enumerate(sessions)
    }

    async def session(path: Path) -> None:
        script = path.stem.split(".")[0]
        await converse(fake, reps[path], [f"/{script}", *typed[path]])

    async with running(settings_for(fake, tmp_path)) as app:
        await asyncio.gather(*(session(path) for path in sessions))
        for path, rep in reps.items():
            script = path.stem.split(".")[0]
            assert script in finished_runs(app, f"tg:{rep.id}"), path.name
    scripts = {path.stem.split(".")[0] for path in sessions}
    assert scripts >= {"debrief", "precall", "coaching", "week_plan", "week_review"}
    assert scripts >= {"revisit", "skills"}
