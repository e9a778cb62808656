"""Teams end to end: the real bot against the fake Bot API. An admin makes a team and its link,
reps join by the link, strangers are turned away with nothing stored, managers approve, remove
and withdraw links, and a manager of one team can do nothing to another, whatever they forge."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.telegram import callbacks
from bot.telegram.runner import CoachBot
from config import Settings
from storage.schema import (
    conversation_table,
    inbox_table,
    invite_table,
    membership_table,
    outbox_table,
    team_table,
    user_table,
)
from storage.teams import Team
from testkit.fake_telegram import FakeTelegram, Message, User
from tests.telegram.test_bot_polling import START, WAIT, running, say, settings_for, text_of
from tests.telegram.test_bot_reminders import Dial

BOSS, OTHER_BOSS = 7, 8
LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


def admin_settings(
    fake: FakeTelegram, tmp_path: Path, admins: str = f"{BOSS},{OTHER_BOSS}"
) -> Settings:
    return settings_for(fake, tmp_path, COACHBOT_ADMIN_IDS=admins)


def code_in(message: Message) -> str:
    found = LINK.search(text_of(message))
    assert found, f"no invite link in {text_of(message)!r}"
    return found[2]


async def start(fake: FakeTelegram, user: User, code: str, replies: int = 1) -> list[Message]:
    """Open an invite link (``/start CODE``); the bot's next ``replies`` messages."""
    before = len(fake.messages_to(user.id))
    fake.send_command(user, "/start", code)
    await fake.wait_for_messages(user.id, before + replies, timeout=WAIT)
    return fake.messages_to(user.id)[before:]


async def tap(fake: FakeTelegram, user: User, message: Message, data: str) -> str:
    """Tap ``data`` under ``message`` (forged when the message never had it); waits for the
    answer to the tap and returns its text ('' when none)."""
    query = fake.tap(user, message, data, strict=False)
    await fake.wait_for(lambda: fake.callback_answered(query), WAIT)
    answer = fake.callback_answer(query) or {}
    return str(answer.get("text") or "")


async def settle(app: CoachBot) -> None:
    await app.sender.idle()


def counts(app: CoachBot) -> dict[str, int]:
    """Rows per table a user's contact could leave behind."""
    tables = (user_table, inbox_table, outbox_table, conversation_table, membership_table)
    with app.store.engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in tables
        }


def user_id(app: CoachBot, user: User) -> int:
    known = app.store.user(f"tg:{user.id}")
    assert known is not None
    return known.id


def team_named(app: CoachBot, name: str) -> Team:
    team = app.teams.find(name)
    assert team is not None
    return team


def test_team_buttons_fit_and_are_read_strictly() -> None:
    biggest = 10**12 - 1
    for tap in (
        callbacks.MemberData(action="ry", team=biggest, user=biggest),
        callbacks.ApprovalData(team=biggest, state="on"),
        callbacks.RevokeData(invite=biggest),
    ):
        data = tap.pack()
        assert len(data.encode()) <= 64
        assert callbacks.parse(data) == tap
    assert callbacks.parse("t:ap:3:12") == callbacks.MemberData(action="ap", team=3, user=12)
    assert callbacks.parse("t:ao:3:off") == callbacks.ApprovalData(team=3, state="off")
    for forged in ("t:ap:3", "t:rv:3:4", "t:ao:3:yes", "t:ry:-1:2", "t:ry:1:2 ", "t:v:1e3", "t:"):
        assert callbacks.parse(forged) is None, forged
    with pytest.raises(ValueError, match="action"):
        callbacks.TeamData(action="drop", team=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invite"):
        callbacks.RevokeData(team=1, user=2)  # type: ignore[call-arg]


async def test_an_admin_makes_a_team_and_a_rep_joins_by_its_link(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    boss, anna = fake.user(BOSS, "Bo"), fake.user(42, "Anna")
    other = fake.user(OTHER_BOSS, "伯", language_code="zh-hans")
    async with running(admin_settings(fake, tmp_path)) as app:
        await settle(app)  # admins have the team commands in their menu from the start
        assert fake.commands_for(other)["team"] == "你的团队：成员、邀请链接、批准"
        assert "newteam" in fake.commands_for(boss)
        assert "debrief" in fake.commands_for(boss)
        asked = await say(fake, boss, "/newteam")
        assert "What shall the new team be called" in text_of(asked)
        before = len(fake.messages_to(BOSS))
        fake.send_text(boss, "North <sales>", reply_to=asked)
        await fake.wait_for_messages(BOSS, before + 1, timeout=WAIT)
        created = fake.messages_to(BOSS)[-1]
        assert "The team North <sales> is ready" in text_of(created)
        assert "for up to 30 people" in text_of(created)
        assert "Sun 29 Nov" in text_of(created)  # a week, in the bot's zone
        found = LINK.search(text_of(created))
        assert found
        assert found[1] == fake.bot_username
        await settle(app)
        assert "team" in fake.commands_for(boss)  # the manager's own menu
        assert "team" not in fake.commands_for(anna)

        welcome, greeting = await start(fake, anna, found[2], replies=2)
        assert "Welcome to the team North <sales>!" in text_of(welcome)
        assert text_of(greeting)  # then the coach greets as always
        assert app.teams.standing("tg:42").team == team_named(app, "North <sales>")
        question = await say(fake, anna, "/debrief")
        assert "How do you feel about this visit" in text_of(question)

        again = await start(fake, anna, found[2])
        assert "already in the team North <sales>" in text_of(again[0])
        view = await say(fake, boss, "/team")
        assert "Reps (1): Anna" in text_of(view)
        assert "1 of 30 used" in text_of(view)


async def test_a_stranger_is_answered_politely_and_nothing_is_kept(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    eve, chen = fake.user(50, "Eve"), fake.user(51, "陈", language_code="zh-hans")
    async with running(admin_settings(fake, tmp_path)) as app:
        await settle(app)
        empty = counts(app)
        reply = await say(fake, eve, "/debrief")
        assert "ask your manager for an invite link" in text_of(reply)
        assert "ask your manager" in text_of(await say(fake, eve, "hello"))
        assert "How to start" in text_of(await say(fake, eve, "/help"))
        assert "keep nothing about you" in text_of(await say(fake, eve, "/export"))
        assert "请向你的经理要一个邀请链接" in text_of(await say(fake, chen, "/start"))
        assert "请向你的经理要一个邀请链接" in text_of(await say(fake, chen, "/debrief"))
        assert "请向你的经理" in text_of(await say(fake, eve, "/lang zh"))
        picker = await say(fake, eve, "/lang")
        before = len(fake.messages_to(50))
        fake.tap(eve, picker, label="中文")
        await fake.wait_for_messages(50, before + 1, timeout=WAIT)
        assert "请向你的经理" in text_of(fake.messages_to(50)[-1])
        assert "ask your manager" in text_of(await say(fake, eve, "/team"))
        await say(fake, eve, "/newteam Mine")
        await say(fake, eve, "/start not-a-code")
        eve.block()  # a my_chat_member update: nothing to record about a stranger either
        await say(fake, chen, "你好")  # in Eve's batch or after it ...
        assert "请向你的经理" in text_of(await say(fake, chen, "你好"))  # ... so that is done
        await settle(app)
        assert counts(app) == empty
        assert app.store.user("tg:50") is None
        assert app.store.user("tg:51") is None
        assert app.teams.all_teams() == []


async def test_expired_used_up_and_withdrawn_links_are_refused(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    anna, ben, cai = fake.user(42, "Anna"), fake.user(43, "Ben"), fake.user(44, "Cai")
    boss = fake.user(BOSS, "Bo")
    async with running(admin_settings(fake, tmp_path), dial) as app:
        team = app.teams.create_team(f"tg:{BOSS}", "North", now=START)
        scope = app.teams.scope(f"tg:{BOSS}")
        once = scope.invite(team.id, now=START, uses=1)
        short = scope.invite(team.id, now=START, days=1)
        await start(fake, anna, once.code, replies=2)
        await settle(app)
        empty = counts(app)

        [used] = await start(fake, ben, once.code)
        assert "already been used as often as allowed" in text_of(used)
        dial.now = START + timedelta(days=1, minutes=1)
        [expired] = await start(fake, ben, short.code)
        assert "This invite link has expired" in text_of(expired)
        [unknown] = await start(fake, ben, "x" * 16)
        assert "I don't know this invite link" in text_of(unknown)

        later = scope.invite(team.id, now=dial.now)
        view = await say(fake, boss, "/team")
        assert f"#{later.id}" in text_of(view)
        assert await tap(fake, boss, view, view.callback_data(f"Withdraw link #{later.id}")) == ""
        await fake.wait_for(lambda: f"#{later.id}" not in text_of(view), WAIT)
        [withdrawn] = await start(fake, cai, later.code)
        assert "withdrawn by the team's manager" in text_of(withdrawn)
        await settle(app)
        assert counts(app) == empty  # none of the refused users was stored
        assert app.store.user("tg:43") is None


async def test_approval_then_removal(fake_api: FakeTelegram, tmp_path: Path) -> None:
    fake = fake_api
    boss = fake.user(BOSS, "Bo")
    anna, ben = fake.user(42, "Anna"), fake.user(43, "Ben", language_code="zh-hans")
    async with running(admin_settings(fake, tmp_path)) as app:
        created = await say(fake, boss, "/newteam North")
        code = code_in(created)
        view = await say(fake, boss, "/team")
        assert "New reps need your approval: off" in text_of(view)
        await tap(fake, boss, view, view.callback_data("Approval: off → switch on"))
        await fake.wait_for(lambda: "need your approval: on" in text_of(view), WAIT)
        assert team_named(app, "North").settings.approval

        boss_before = len(fake.messages_to(BOSS))
        [waiting] = await start(fake, anna, code)
        assert "waiting for your manager's approval" in text_of(waiting)
        await fake.wait_for_messages(BOSS, boss_before + 1, timeout=WAIT)
        request = fake.messages_to(BOSS)[-1]
        assert "Anna asks to join the team North" in text_of(request)
        assert "waiting for your manager's approval" in text_of(await say(fake, anna, "/debrief"))
        [zh_waiting] = await start(fake, ben, code)
        assert "正在等待经理批准" in text_of(zh_waiting)
        await fake.wait_for_messages(BOSS, boss_before + 2, timeout=WAIT)
        ben_request = fake.messages_to(BOSS)[-1]

        anna_before = len(fake.messages_to(42))
        approve = request.callback_data("✓ Approve Anna")
        await tap(fake, boss, request, approve)
        await fake.wait_for_messages(42, anna_before + 1, timeout=WAIT)
        assert "welcome to the team North" in text_of(fake.messages_to(42)[-1])
        await fake.wait_for(lambda: "Anna is now in the team North" in text_of(request), WAIT)
        assert "How do you feel" in text_of(await say(fake, anna, "/debrief"))
        # the same button again (a double tap, an old copy): nothing more happens
        assert "no longer works" in await tap(fake, boss, request, approve)

        await tap(fake, boss, ben_request, ben_request.callback_data("✕ Decline Ben"))
        await fake.wait_for(lambda: "未获批准" in text_of(fake.messages_to(43)[-1]), WAIT)
        assert "请向你的经理" in text_of(await say(fake, ben, "/debrief"))

        view = await say(fake, boss, "/team")
        assert "Reps (1): Anna" in text_of(view)
        await tap(fake, boss, view, view.callback_data("Remove Anna"))
        await fake.wait_for(lambda: "Remove Anna from the team North?" in text_of(view), WAIT)
        anna_before = len(fake.messages_to(42))
        await tap(fake, boss, view, view.callback_data("Yes, remove"))
        await fake.wait_for_messages(42, anna_before + 1, timeout=WAIT)
        assert "no longer in the team North" in text_of(fake.messages_to(42)[-1])
        assert app.teams.standing("tg:42").team is None
        gated = await say(fake, anna, "/debrief")
        assert "ask your manager for an invite link" in text_of(gated)
        exported = len(fake.calls("sendDocument", chat_id=42))
        fake.send_text(anna, "/export")  # what she told the coach is still hers
        await fake.wait_for_call("sendDocument", count=exported + 1, chat_id=42, timeout=WAIT)


async def test_a_manager_can_do_nothing_to_another_team(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    alice = fake.user(BOSS, "Alice")
    ann, bill, bea = fake.user(42, "Ann"), fake.user(43, "Bill"), fake.user(44, "Bea")
    async with running(admin_settings(fake, tmp_path, admins=f"{BOSS}")) as app:
        a_code = code_in(await say(fake, alice, "/newteam Alpha"))
        b = app.teams.create_team(f"tg:{OTHER_BOSS}", "Beta", now=START, check=False)
        b_scope = app.teams.scope(f"tg:{OTHER_BOSS}")
        b_link = b_scope.invite(b.id, now=START, days=90)
        b_old = b_scope.invite(b.id, now=START, days=90)
        b_scope.revoke(b_old.id, now=START)
        b_expired = b_scope.invite(b.id, now=START - timedelta(days=8))
        await start(fake, ann, a_code, replies=2)
        await start(fake, bill, b_link.code, replies=2)
        b_scope.set_settings(b.id, now=START, approval=True)
        await start(fake, bea, b_link.code)  # waiting for Beta's approval
        a = team_named(app, "Alpha")
        bill_id, bea_id, ann_id = user_id(app, bill), user_id(app, bea), user_id(app, ann)
        view = await say(fake, alice, "/team")
        await settle(app)

        def state() -> list[object]:
            with app.store.engine.connect() as conn:
                return [
                    conn.execute(sa.select(membership_table).order_by("id")).all(),
                    conn.execute(sa.select(invite_table).order_by("id")).all(),
                    conn.execute(sa.select(team_table).order_by("id")).all(),
                ]

        before, to_bill, to_bea = state(), len(fake.messages_to(43)), len(fake.messages_to(44))
        forged = [
            f"t:ry:{b.id}:{bill_id}",  # remove team B's rep, naming team B
            f"t:ry:{a.id}:{bill_id}",  # ... or naming her own team
            f"t:rm:{a.id}:{bill_id}",
            f"t:dc:{b.id}:{bea_id}",
            f"t:ap:{b.id}:{bea_id}",
            f"t:ap:{a.id}:{bea_id}",
            f"t:rv:{b_link.id}",
            f"t:ao:{b.id}:off",
            f"t:nl:{b.id}",
            f"t:v:{b.id}",
            f"t:ry:{a.id}:{ann_id}x",  # malformed
            "t:zz:1",
            "t:ry:1:2:3",
        ]
        for data in forged:
            assert "no longer works" in await tap(fake, alice, view, data), data
        own = fake.messages_to(42)[-1]  # a rep forging a manager's button
        assert "no longer works" in await tap(fake, ann, own, f"t:ry:{a.id}:{ann_id}")
        await settle(app)
        assert state() == before
        assert len(fake.messages_to(43)) == to_bill
        assert len(fake.messages_to(44)) == to_bea
        assert "Beta" not in "".join(text_of(m) for m in fake.messages_to(BOSS))

        [revoked] = await start(fake, alice, b_old.code)
        assert "withdrawn" in text_of(revoked)
        [expired] = await start(fake, alice, b_expired.code)
        assert "expired" in text_of(expired)
        assert [t.name for t in app.teams.standing(f"tg:{BOSS}").manages] == ["Alpha"]
        assert app.teams.standing(f"tg:{BOSS}").team is None
        assert b_scope.reps(b.id)[0].key == "tg:43"


def test_a_big_team_fits_in_one_message(tmp_path: Path) -> None:
    """120 reps and 20 waiting, with long names, and many links: /team stays within Telegram's
    limits (4096 characters, 100 buttons) and says how many it does not name."""
    from bot.telegram.teams import Onboarding
    from coaching_scripts import load_catalog
    from storage.db import make_engine
    from storage.migrate import upgrade
    from storage.store import Store
    from storage.teams import Teams

    url = f"sqlite:///{tmp_path / 'big.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        teams = Teams(engine)
        team = teams.create_team("tg:1", "Big & bold", now=START, check=False)
        scope = teams.scope("tg:1")
        for n in range(120):
            teams.add_member(team.id, f"tg:{100 + n}", "rep", now=START, display_name="W" * 60)
        scope.set_settings(team.id, now=START, approval=True)
        link = scope.invite(team.id, now=START, uses=500)
        for n in range(20):
            teams.join(f"tg:{500 + n}", link.code, now=START, display_name=f"Waiting & {n}")
        for _ in range(12):
            scope.invite(team.id, now=START)
        onboarding = Onboarding(
            teams=teams,
            store=Store(engine, lambda *_: pytest.fail("no turn")),
            messages=load_catalog().messages,
            sender=None,  # type: ignore[arg-type]  # nothing is sent here
            clock=lambda: START,
            timezone="Asia/Shanghai",
            language="en",
            bot_username="coach_bot",
        )
        view = onboarding._view_of("tg:1", team.id, "en", "Asia/Shanghai")
    finally:
        engine.dispose()
    assert len(view.text) <= 4096
    assert sum(len(row) for row in view.keyboard) <= 100
    assert "Reps (120):" in view.text
    assert "… and 70 more" in view.text
    assert "… and 5 more" in view.text
    labels = [button.text for row in view.keyboard for button in row]
    assert "✓ Approve Waiting & 0" in labels


async def test_invite_links_for_reps_and_a_co_manager(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    boss, anna = fake.user(BOSS, "Bo"), fake.user(42, "Anna")
    cleo = fake.user(45, "Cleo", language_code="zh-hans")
    async with running(admin_settings(fake, tmp_path)) as app:
        assert "You manage no team yet" in text_of(await say(fake, boss, "/team"))
        await say(fake, boss, "/newteam North")
        invite = await say(fake, boss, "/invite")
        assert "A new invite link for the team North" in text_of(invite)
        await start(fake, anna, code_in(invite), replies=2)
        assert "Only managers and admins" in text_of(await say(fake, anna, "/invite"))
        assert "Only managers and admins" in text_of(await say(fake, anna, "/newteam Mine"))
        assert "Only managers and admins" in text_of(await say(fake, anna, "/team"))

        co = await say(fake, boss, "/invite manager")
        assert "co-manager" in text_of(co)
        [welcome] = await start(fake, cleo, code_in(co))
        assert "你现在是团队North的经理" in text_of(welcome)
        await settle(app)
        assert fake.commands_for(cleo)["invite"] == "为销售生成新的邀请链接"
        view = await say(fake, cleo, "/team")
        assert "经理：Bo、Cleo" in text_of(view)
        links = len(app.teams.scope("tg:45").invites(team_named(app, "North").id, now=START))
        before = len(fake.messages_to(45))
        await tap(fake, cleo, view, view.callback_data("➕ 新邀请链接"))
        await fake.wait_for_messages(45, before + 1, timeout=WAIT)
        assert "团队North的新邀请链接" in text_of(fake.messages_to(45)[-1])
        await fake.wait_for(lambda: text_of(view).count("https://t.me/") == links + 1, WAIT)
