"""The real bot (aiogram, HTTP) by long polling against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.telegram.runner import CoachBot, run
from config import Settings, load_settings
from testkit.fake_telegram import FakeTelegram, Message, User

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
WAIT = 30.0
"""Seconds a test waits for the bot: many sessions at once on a busy CI box can take a while,
and an update that failed on a write lock (SQLite's busy timeout is 10 s) is fetched again a
second later and must still be answered within the wait."""
TEAM = "Test team"
MANAGER = "tg:1"


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


def enrol(app: CoachBot, reps: Iterable[User]) -> None:
    """Put ``reps`` in a team by an invite link, as their manager would: only a team's members
    may use the coach (a user on no team is turned away by the gate)."""
    reps = list(reps)
    if not reps:
        return
    teams = app.teams
    team = teams.find(TEAM) or teams.create_team(
        MANAGER, TEAM, now=START, tz=app.settings.timezone, check=False
    )
    invite = teams.scope(MANAGER).invite(team.id, now=START, days=90, uses=500)
    for rep in reps:
        zh = (rep.language_code or "").startswith("zh")
        teams.join(
            f"tg:{rep.id}",
            invite.code,
            now=START,
            display_name=rep.first_name,
            lang="zh" if zh else "en",
            tz=app.settings.timezone,
        )


@asynccontextmanager
async def running(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    *,
    reps: Iterable[User] = (),
) -> AsyncIterator[CoachBot]:
    """The bot, started, with ``reps`` in a team; ``clock`` default: a minute later at each
    look."""
    loop = asyncio.get_running_loop()
    started: asyncio.Future[CoachBot] = loop.create_future()
    task = asyncio.create_task(
        run(settings, clock=clock or ticking(), install_signals=False, ready=started.set_result)
    )
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    app = started.result()
    try:
        enrol(app, reps)
        yield app
    finally:
        app.stopping.set()
        await asyncio.wait_for(task, 30)


async def say(fake: FakeTelegram, user: User, text: str) -> Message:
    """Send ``text``; the chat's last bot message once the bot has written something new."""
    before = len(fake.messages_to(user.id))
    fake.send_text(user, text)
    await fake.wait_for_messages(user.id, before + 1, timeout=WAIT)
    return fake.messages_to(user.id)[-1]


def text_of(message: Message) -> str:
    assert message.text is not None, f"not a text message: {message}"
    return message.text


async def test_a_debrief_by_long_polling(fake_api: FakeTelegram, tmp_path: Path) -> None:
    fake = fake_api
    anna = fake.user(42)
    async with running(settings_for(fake, tmp_path), reps=[anna]):
        question = await say(fake, anna, "/debrief")
        assert "How do you feel about this visit" in text_of(question)
        assert question.labels == ["1", "2", "3", "4", "5"]
        before = len(fake.messages_to(42))
        fake.tap(anna, question, label="4")
        await fake.wait_for_messages(42, before + 1, timeout=WAIT)
        await fake.wait_for(lambda: "✓ 4" in text_of(fake.messages_to(42)[before - 1]), WAIT)
        assert fake.messages_to(42)[before - 1].keyboard == []
        assert "In a few words" in text_of(fake.messages_to(42)[-1])


GOLDEN_INPUTS = Path(__file__).resolve().parent.parent / "golden" / "inputs"


async def converse(fake: FakeTelegram, user: User, lines: list[str]) -> None:
    """Type each line once the coach has answered the previous one."""
    for line in lines:
        await say(fake, user, line)


def finished_runs(app: CoachBot, key: str) -> list[str]:
    return [run.script for run in app.store.runs(key) if run.status == "finished"]


async def test_whole_debriefs_in_english_and_chinese(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna, chen = fake.user(42, language_code="en"), fake.user(43, "陈", language_code="zh-hans")
    english = (GOLDEN_INPUTS / "debrief.en.txt").read_text(encoding="utf-8").splitlines()
    chinese = (GOLDEN_INPUTS / "debrief.short.zh.txt").read_text(encoding="utf-8").splitlines()
    async with running(settings_for(fake, tmp_path), reps=[anna, chen]) as app:
        await asyncio.gather(
            converse(fake, anna, ["/debrief", *english]),
            converse(fake, chen, ["/debrief", *chinese]),
        )
        assert "Your debrief: Huaxin Logistics" in text_of(fake.messages_to(42)[-1])
        assert "拜访复盘：恒达五金" in text_of(fake.messages_to(43)[-1])
        assert finished_runs(app, "tg:42") == ["debrief"]
        assert finished_runs(app, "tg:43") == ["debrief"]
        # the short debrief's probe: what the buyer agreed to, kept like any answer
        assert app.store.answers("tg:43")["evidence"] == "采购主管当场下了 180 箱，周五前发货。"
    assert next(iter(fake.commands())) == "debrief"  # the menu without a language
    assert "lang" in fake.commands(language_code="zh")
    assert fake.calls("setMyCommands")[1].params["language_code"] == "zh"


async def test_a_redelivered_update_is_answered_once(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna = fake.user(42)
    async with running(settings_for(fake, tmp_path), reps=[anna]) as app:
        await say(fake, anna, "/debrief")
        update = fake.send_text(anna, "4")
        await fake.wait_for_messages(42, 2, timeout=WAIT)
        fake.redeliver(update)
        await say(fake, anna, "Fine")  # handled after the redelivery: the order is kept
        texts = [text_of(message) for message in fake.messages_to(42)]
        assert len(texts) == 3
        assert "what made it a 4" in texts[-1]  # a one-word feeling gets one probe
        assert len(app.store.inbox("tg:42")) == 3


async def test_stale_button_sticker_voice_and_a_huge_text(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna = fake.user(42)
    async with running(settings_for(fake, tmp_path), reps=[anna]) as app:
        first = await say(fake, anna, "/debrief")
        five = first.callback_data("5")
        await say(fake, anna, "3")
        count = len(fake.messages_to(42))
        # the first question's button, long after it was answered (as a stale client shows it)
        fake.tap(anna, first, five, strict=False)
        await fake.wait_for_messages(42, count + 1, timeout=WAIT)
        assert "moved on" in text_of(fake.messages_to(42)[-1])
        assert app.store.answers("tg:42")["feeling_score"] == 3
        count = len(fake.messages_to(42))
        fake.send_sticker(anna)
        await fake.wait_for_messages(42, count + 1, timeout=WAIT)
        assert "only work with text" in text_of(fake.messages_to(42)[-1])
        count = len(fake.messages_to(42))
        fake.send_voice(anna, duration=3)
        await fake.wait_for_messages(42, count + 1, timeout=WAIT)
        assert "one-line version" in text_of(fake.messages_to(42)[-1])
        reply = await say(fake, anna, "x" * 10_000)
        assert "In a few words" in text_of(reply)  # the question again, after the limit is named
        assert "feeling_words" not in app.store.answers("tg:42")


async def test_twenty_messages_at_once_are_answered_in_order(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna = fake.user(42)
    async with running(settings_for(fake, tmp_path), reps=[anna]) as app:
        await say(fake, anna, "/debrief")
        for n in range(20):
            fake.send_text(anna, "4" if n == 0 else f"note {n}")
        await fake.wait_for_messages(42, 21, timeout=WAIT)
        inbox = app.store.inbox("tg:42")
        assert len(inbox) == 21
        assert app.store.answers("tg:42")["feeling_score"] == 4
        assert app.store.answers("tg:42")["feeling_words"] == "note 1"  # the second message


async def test_a_restart_resumes_at_the_same_question(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna = fake.user(42)
    settings = settings_for(fake, tmp_path)
    async with running(settings, reps=[anna]):
        await say(fake, anna, "/debrief")
        await say(fake, anna, "2")
    async with running(settings) as app:
        reply = await say(fake, anna, "Tough one, the buyer kept us waiting")
        assert "Which customer did you visit" in text_of(reply)
        assert app.store.answers("tg:42")["feeling_score"] == 2


async def test_429_is_waited_out_and_403_marks_the_rep_inactive(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna, gone = fake.user(42), fake.user(44)
    async with running(settings_for(fake, tmp_path), reps=[anna, gone]) as app:
        fake.fail_next("sendMessage", 429, retry_after=1)
        reply = await say(fake, anna, "/debrief")
        assert "How do you feel" in text_of(reply)
        assert len(fake.calls("sendMessage")) == 2  # the refused one, then the retry
        gone.block(notify=False)  # no my_chat_member: the bot learns it from the 403
        fake.send_text(gone, "/debrief")
        await fake.wait_for(lambda: fake.calls("sendMessage", chat_id=44, ok=False), WAIT)
        await app.sender.idle()
        user = app.store.user("tg:44")
        assert user is not None
        assert not user.active
        assert len(fake.calls("sendMessage", chat_id=44)) == 1  # not retried


async def test_every_script_in_both_languages_in_telegram(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    """The golden sessions of the console chat, typed into Telegram by one rep each, at once."""
    fake = fake_api
    sessions = sorted(GOLDEN_INPUTS.glob("*.txt"))
    typed = {path: path.read_text(encoding="utf-8").splitlines() for path in sessions}
    users = {
        path: fake.user(2000 + n, language_code="zh-hans" if path.stem.endswith(".zh") else "en")
        for n, path in enumerate(sessions)
    }

    async def session(path: Path) -> None:
        script = path.stem.split(".")[0]
        lines = typed[path]
        if lines and lines[0].startswith("# after:"):  # the session it follows, same rep first
            earlier = GOLDEN_INPUTS / f"{lines[0].removeprefix('# after:').strip()}.txt"
            before = earlier.read_text(encoding="utf-8").splitlines()
            await converse(fake, users[path], [f"/{earlier.stem.split('.')[0]}", *before])
            lines = lines[1:]
        await converse(fake, users[path], [f"/{script}", *lines])

    fake.user(int(MANAGER.removeprefix("tg:")), "Manager")  # the summaries go to their chat
    async with running(settings_for(fake, tmp_path), reps=users.values()) as app:
        await asyncio.gather(*(session(path) for path in sessions))
        for path, user in users.items():
            script = path.stem.split(".")[0]
            assert script in finished_runs(app, f"tg:{user.id}"), path.name
    refused = [(c.method, c.description) for c in fake.calls(ok=False) if c.error_code]
    assert refused == []  # e.g. no HTML that Telegram cannot parse
    scripts = {path.stem.split(".")[0] for path in sessions}
    assert scripts >= {"debrief", "precall", "coaching", "week_plan", "week_review"}
    assert scripts >= {"revisit", "skills"}
