"""A rep of one team who opens another team's invite link is asked first, in their language:
"Stay" changes nothing (no use of the link counted), "Switch" moves them. A forged answer can do
no more than the link itself."""

from __future__ import annotations

from pathlib import Path

from bot.telegram import callbacks
from bot.telegram.runner import CoachBot
from storage.teams import Invite
from testkit.fake_telegram import FakeTelegram, Message
from tests.telegram.test_bot_manage import START, seed
from tests.telegram.test_bot_polling import settings_for, text_of
from tests.telegram.test_bot_teams import running, settle, start, tap

NORTH_BOSS, SOUTH_BOSS, ANNA, WANG = 100, 200, 42, 43


def south_link(app: CoachBot) -> Invite:
    south = app.teams.find("South")
    assert south is not None
    return app.teams.scope(f"tg:{SOUTH_BOSS}").invite(south.id, now=START)


def uses(app: CoachBot, invite: Invite) -> int:
    [found] = [
        i
        for i in app.teams.scope(f"tg:{SOUTH_BOSS}").invites(invite.team_id, now=START)
        if i.id == invite.id
    ]
    return found.uses


def team_name(app: CoachBot, key: str) -> str | None:
    team = app.teams.standing(key).team
    return team.name if team is not None else None


async def test_a_rep_confirms_before_another_teams_link_moves_them(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna = fake.user(ANNA, "Anna")
    async with running(settings_for(fake, tmp_path), lambda: START) as app:
        seed(app, NORTH_BOSS, [ANNA], "North")
        seed(app, SOUTH_BOSS, [], "South")
        invite = south_link(app)

        [asked] = await start(fake, anna, invite.code)
        assert "You are a rep of the team North" in text_of(asked)
        assert "Switch to South?" in text_of(asked)
        assert asked.labels == ["Switch to South", "Stay in North"]
        assert team_name(app, "tg:42") == "North"
        assert uses(app, invite) == 0  # nothing redeemed by asking

        before = len(fake.messages_to(ANNA))
        assert await tap(fake, anna, asked, asked.callback_data("Stay in North")) == ""
        await fake.wait_for_messages(ANNA, before + 1)
        assert text_of(fake.messages_to(ANNA)[-1]) == "You stay in the team North. Nothing changed."
        await settle(app)
        assert asked.keyboard == []  # answered: the buttons went
        assert team_name(app, "tg:42") == "North"
        assert uses(app, invite) == 0

        [asked] = await start(fake, anna, invite.code)
        before = len(fake.messages_to(ANNA))
        await tap(fake, anna, asked, asked.callback_data("Switch to South"))
        await fake.wait_for_messages(ANNA, before + 1)
        welcome = fake.messages_to(ANNA)[-1]
        assert "Welcome to the team South!" in text_of(welcome)
        assert "You left the team North" in text_of(welcome)
        assert team_name(app, "tg:42") == "South"
        assert uses(app, invite) == 1

        # the same answer again (a double tap, a redelivery): already there, nothing more
        before = len(fake.messages_to(ANNA))
        await tap(fake, anna, asked, callbacks.JoinData(code=invite.code).pack())
        await fake.wait_for_messages(ANNA, before + 1)
        assert "already in the team South" in text_of(fake.messages_to(ANNA)[-1])
        assert uses(app, invite) == 1


async def test_in_chinese_and_a_forged_answer_does_no_more_than_the_link(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    wang = fake.user(WANG, "王芳", language_code="zh-hans")
    async with running(settings_for(fake, tmp_path), lambda: START) as app:
        seed(app, NORTH_BOSS, [WANG], "北区", lang="zh")
        seed(app, SOUTH_BOSS, [], "South")
        invite = south_link(app)
        [asked] = await start(fake, wang, invite.code)
        assert "你目前是团队北区的销售" in text_of(asked)
        assert asked.labels == ["换到 South", "留在 北区"]

        forged: Message = asked
        before = len(fake.messages_to(WANG))
        await tap(fake, wang, forged, callbacks.JoinData(code="NoSuchCode123456").pack())
        await fake.wait_for_messages(WANG, before + 1)
        assert "我不认识这个邀请链接" in text_of(fake.messages_to(WANG)[-1])
        assert team_name(app, f"tg:{WANG}") == "北区"

        before = len(fake.messages_to(WANG))
        await tap(fake, wang, asked, callbacks.StayData().pack())  # the buttons went
        await fake.wait_for_messages(WANG, before + 1)
        assert "你留在团队北区" in text_of(fake.messages_to(WANG)[-1])
        assert team_name(app, f"tg:{WANG}") == "北区"
