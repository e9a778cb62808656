"""Teams on Telegram: joining by invite link, and the manager's /team, /invite and /newteam.

Who may use the coach at all is the gate's to say (``bot.telegram.gate``), before this router;
its handlers get the user's ``standing`` from there.

A manager's buttons carry team, user and invite ids (``t:`` callback data). They are only claims:
every action goes through ``ManagerScope``, which refuses, in SQL, anything outside the manager's
own teams, so a forged button naming another team's rep or invite changes nothing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatType
from aiogram.filters import CommandObject
from aiogram.methods import SetMyCommands
from aiogram.types import BotCommand, BotCommandScopeChat, CallbackQuery, Message, User

from bot.telegram.callbacks import (
    JOIN_PREFIX,
    MANAGER_TEAM_KINDS,
    TEAM_PREFIX,
    ApprovalData,
    JoinData,
    MemberData,
    RevokeData,
    StayData,
    TeamData,
)
from bot.telegram.filters import CommandOrReply, DataPrefix, InPrivate, TextCommand
from bot.telegram.inputs import language_of, user_key
from bot.telegram.links import invite_link
from bot.telegram.render import Button, Keyboard, Outgoing, button_text
from bot.telegram.replies import Outbox, Replies
from coaching.accounts import Accounts
from coaching.teams import Invite, Member, Standing, Team
from coaching.users import telegram_chat
from dialogs.catalog import Messages
from dialogs.types import Lang
from dialogs.when import When, describe_when
from storage.store import Store
from storage.teams import InviteRefused, ManagerScope, NotYourTeam, TeamError, Teams

TeamTap = MemberData | ApprovalData | TeamData | RevokeData
CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""An invite code as a deep link can carry it (Telegram's ``start`` parameter)."""
MAX_TEAMS_SHOWN = 5
MAX_NAMES = 50
MAX_PENDING_NAMES = 15
MAX_PENDING_BUTTONS = 10
MAX_REMOVE_BUTTONS = 30
MAX_INVITES_SHOWN = 8
NAME_LENGTH = 40
BUTTON_NAME_LENGTH = 24


@dataclass(frozen=True)
class Acted:
    """What a manager's tap did: the tapped message's new look, messages for the manager's
    chat, and notices for other chats (a rep approved, declined or removed)."""

    edit: Outgoing
    send: tuple[Outgoing, ...] = ()
    notices: tuple[tuple[int, str], ...] = ()


class Onboarding:
    """Invite links and team management in Telegram."""

    def __init__(
        self,
        *,
        teams: Teams,
        store: Store,
        messages: Messages,
        sender: Outbox,
        clock: Callable[[], datetime],
        timezone: str,
        language: Lang,
        bot_username: str | None,
        base_menu: Callable[[str], list[BotCommand]] | None = None,
        admin_ids: Sequence[int] = (),
    ) -> None:
        self._teams = teams
        self._store = store
        self._accounts = Accounts(store)
        self._messages = messages
        self._replies = Replies(sender)
        self._clock = clock
        self._timezone = timezone
        self._language = language
        self._bot_username = bot_username
        self._base_menu = base_menu
        self._admin_ids = tuple(admin_ids)

    def router(self) -> Router:
        router = Router(name="teams")
        router.message.filter(CommandOrReply())  # a rep's answer passes by at one look
        private = InPrivate()
        router.message.register(self.on_join, private, TextCommand("start", magic=F.args))
        router.message.register(
            self.on_team_command, private, TextCommand("newteam", "invite", "team")
        )
        router.message.register(self.on_team_name, private, self._names_new_team)
        # a tap of another router's passes by at one look (no CallbackData tried)
        router.callback_query.filter(DataPrefix(TEAM_PREFIX, JOIN_PREFIX))
        for kind in MANAGER_TEAM_KINDS:
            router.callback_query.register(self.on_team_tap, kind.filter())
        router.callback_query.register(self.on_team_tap, DataPrefix(TEAM_PREFIX))
        router.callback_query.register(self.on_switch_tap, JoinData.filter())
        router.callback_query.register(self.on_switch_tap, StayData.filter())
        router.callback_query.register(self.on_switch_tap)  # a j: tap we never made
        return router

    # --- messages -------------------------------------------------------------------------------

    async def on_join(self, message: Message, command: CommandObject, standing: Standing) -> None:
        """``/start CODE``: a new rep goes on to the coach, who greets them as usual."""
        assert message.from_user is not None  # a private chat's message
        code = (command.args or "").strip()
        if await self._join(message.chat.id, message.from_user, code, standing):
            raise SkipHandler

    async def on_team_command(
        self, message: Message, command: CommandObject, standing: Standing
    ) -> None:
        assert message.from_user is not None
        name, arg = command.command.lower(), (command.args or "").strip()
        await self._team_command(message.chat.id, message.from_user, standing, name, arg)

    async def on_team_name(self, message: Message, standing: Standing) -> None:
        """The reply naming a new team (see :meth:`_names_new_team`)."""
        assert message.from_user is not None
        await self._new_team(message.chat.id, message.from_user, standing, message.text or "")

    # --- joining by invite link ---------------------------------------------------------------

    async def _join(
        self,
        chat_id: int,
        user: User,
        code: str,
        standing: Standing | None,
        *,
        confirmed: bool = False,
    ) -> bool:
        """``/start CODE``: join the code's team; True for a new active rep (welcomed here, then
        greeted by the coach). A rep of another team is asked first, unless ``confirmed``."""
        key = user_key(user.id)
        if (
            not confirmed
            and CODE.fullmatch(code)
            and standing is not None
            and await self._ask_to_switch(chat_id, user, code, standing)
        ):
            return False
        try:
            if not CODE.fullmatch(code):
                raise InviteRefused("unknown")
            joined = await asyncio.to_thread(
                self._teams.join,
                key,
                code,
                now=self._clock(),
                display_name=user.full_name,
                lang=language_of(user, self._language),
            )
        except InviteRefused as refused:
            lang, _ = await self._who(user)
            self._replies.send(chat_id, self._say(f"tg_team_refused_{refused.reason}", lang))
            return False
        lang, _ = await self._who(user)
        team = joined.team
        if joined.status == "pending":
            self._replies.send(chat_id, self._say("tg_team_pending", lang, team=team.name))
            if not joined.already:
                await self._ask_managers(team, user)
            return False
        if joined.already:
            self._replies.send(
                chat_id, self._say("tg_team_already", lang, team=team.name, role=joined.role)
            )
            return False
        if joined.role == "manager":
            self._replies.send(chat_id, self._say("tg_team_welcome_manager", lang, team=team.name))
            self._manager_menu(chat_id)
            return False
        left = joined.left.name if joined.left is not None else ""
        self._replies.send(chat_id, self._say("tg_team_welcome", lang, team=team.name, left=left))
        return True

    async def _ask_to_switch(self, chat_id: int, user: User, code: str, standing: Standing) -> bool:
        """A rep of one team opening another team's rep link: joining would take them out of
        their team, so they confirm first (nothing is redeemed until they do). True: asked."""
        current = standing.team
        if current is None:
            return False
        target = await asyncio.to_thread(self._teams.invite_target, code, now=self._clock())
        if target is None or target[1] != "rep" or target[0].id == current.id:
            return False  # nothing to confirm: refused, a manager's link, or the same team
        if any(team.id == target[0].id for team in standing.manages):
            return False
        team = target[0]
        lang, _ = await self._who(user)
        names = {
            "team": _short(team.name, BUTTON_NAME_LENGTH),
            "current": _short(current.name, BUTTON_NAME_LENGTH),
        }
        keyboard: Keyboard = (
            (
                Button(
                    self._label("tg_team_button_switch", lang, **names),
                    JoinData(code=code).pack(),
                ),
            ),
            (Button(self._label("tg_team_button_stay", lang, **names), StayData().pack()),),
        )
        text = self._say("tg_team_switch_ask", lang, team=team.name, current=current.name)
        self._replies.send(chat_id, text, keyboard)
        return True

    async def on_switch_tap(
        self,
        callback_query: CallbackQuery,
        callback_data: JoinData | StayData | None = None,
        standing: Standing | None = None,
    ) -> None:
        """The rep's answer to :meth:`_ask_to_switch`: join (the invite is checked again now),
        or stay, which changes nothing. Data we never made is answered and does nothing."""
        query = callback_query
        self._replies.answer(query)
        message = query.message if isinstance(query.message, Message) else None
        if callback_data is None or message is None or message.chat.type != ChatType.PRIVATE:
            return
        self._replies.edit(message, None, ())  # the question is answered: its buttons go
        if isinstance(callback_data, JoinData):
            code = callback_data.code
            await self._join(message.chat.id, query.from_user, code, standing, confirmed=True)
            return
        standing = standing or await self._standing(query.from_user)
        if standing.team is not None:
            lang, _ = await self._who(query.from_user)
            kept = self._say("tg_team_switch_kept", lang, current=standing.team.name)
            self._replies.send(message.chat.id, kept)

    async def _ask_managers(self, team: Team, user: User) -> None:
        """A rep waits for approval: the team's managers get Approve / Decline buttons."""
        known = await asyncio.to_thread(self._store.user, user_key(user.id))
        managers = await asyncio.to_thread(self._teams.all_managers)
        if known is None:  # pragma: no cover - joining made the user
            return
        name = _name(user.full_name, user_key(user.id))
        if user.username:
            name = f"{name} (@{user.username})"
        for team_id, manager in managers:
            chat = telegram_chat(manager.key)
            if team_id != team.id or chat is None:
                continue
            lang = manager.lang
            short = _short(name, BUTTON_NAME_LENGTH)
            keyboard: Keyboard = (
                (
                    Button(
                        self._label("tg_team_button_approve", lang, name=short),
                        MemberData(action="ap", team=team.id, user=known.id).pack(),
                    ),
                    Button(
                        self._label("tg_team_button_decline", lang, name=short),
                        MemberData(action="dc", team=team.id, user=known.id).pack(),
                    ),
                ),
            )
            text = self._say("tg_team_join_request", lang, name=name, team=team.name)
            self._replies.send(chat, text, keyboard)

    # --- the managers' commands ---------------------------------------------------------------

    async def _team_command(
        self, chat_id: int, user: User, standing: Standing, name: str, arg: str
    ) -> None:
        lang, tz = await self._who(user)
        if name == "newteam":
            await self._new_team(chat_id, user, standing, arg)
            return
        if not standing.manages:
            text = "tg_team_none" if standing.may_create_team or standing.admin else ""
            self._replies.send(chat_id, self._say(text or "tg_team_not_manager", lang))
            return
        key = user_key(user.id)
        if name == "invite":
            role = "manager" if arg.lower().startswith(("manager", "经理", "协同")) else "rep"
            team = standing.manages[0]
            sent = await asyncio.to_thread(self._new_invite, key, team.id, role, lang, tz)
            self._replies.send(chat_id, sent.text)
            return
        for team in standing.manages[:MAX_TEAMS_SHOWN]:
            view = await asyncio.to_thread(self._view_of, key, team.id, lang, tz)
            self._replies.send(chat_id, view.text, view.keyboard)

    async def _new_team(self, chat_id: int, user: User, standing: Standing, name: str) -> None:
        lang, tz = await self._who(user)
        if not standing.may_create_team:
            self._replies.send(chat_id, self._say("tg_team_not_manager", lang))
            return
        if not name.strip():
            self._replies.send(chat_id, self._say("tg_team_name_ask", lang), ask=True)
            return
        key = user_key(user.id)
        now = self._clock()
        try:
            team = await asyncio.to_thread(
                self._teams.create_team,
                key,
                name,
                now=now,
                display_name=user.full_name,
                lang=lang,
                tz=self._timezone,
            )
        except TeamError:
            self._replies.send(chat_id, self._say("tg_team_not_manager", lang))
            return
        invite = await asyncio.to_thread(self._teams.scope(key).invite, team.id, now=now)
        text = self._say("tg_team_created", lang, team=team.name, **self._link(invite, lang, tz))
        self._replies.send(chat_id, text)
        self._manager_menu(chat_id)

    async def _names_new_team(self, message: Message) -> bool:
        """A reply to "What shall the new team be called?" (not a command)."""
        asked = message.reply_to_message
        if asked is None or asked.from_user is None or not asked.from_user.is_bot:
            return False
        if (message.text or "").startswith("/"):
            return False
        text = (asked.text or "").strip()
        return bool(message.text) and any(
            text == self._say("tg_team_name_ask", lang).strip() for lang in ("en", "zh")
        )

    def _new_invite(self, key: str, team_id: int, role: str, lang: str, tz: str) -> Outgoing:
        scope = self._teams.scope(key)
        wanted: Literal["manager", "rep"] = "manager" if role == "manager" else "rep"
        invite = scope.invite(team_id, now=self._clock(), role=wanted)
        team = scope.team(team_id)
        which = "tg_team_invite_manager" if role == "manager" else "tg_team_invite"
        return Outgoing(self._say(which, lang, team=team.name, **self._link(invite, lang, tz)))

    def _link(self, invite: Invite, lang: str, tz: str) -> dict[str, Any]:
        until = describe_when(When(invite.expires_at, True), tz=tz, lang=lang, now=self._clock())
        return {
            "link": invite_link(invite.code, self._bot_username),
            "until": until,
            "uses": invite.max_uses,
        }

    # --- /team ----------------------------------------------------------------------------------

    def _view_of(self, key: str, team_id: int, lang: str, tz: str) -> Outgoing:
        return self._view(self._teams.scope(key), team_id, lang, tz)

    def _view(self, scope: ManagerScope, team_id: int, lang: str, tz: str) -> Outgoing:
        """The team as its manager sees it: members, waiting reps, invite links, with buttons."""
        team = scope.team(team_id)
        members = scope.members(team_id)
        invites = scope.invites(team_id, now=self._clock())
        active = [m for m in members if m.status == "active"]
        reps = [m for m in active if m.role == "rep"]
        pending = [m for m in members if m.status == "pending"]
        shown_invites = [
            self._link(i, lang, tz)
            | {"id": i.id, "role": i.role, "uses": i.uses, "max_uses": i.max_uses}
            for i in invites[:MAX_INVITES_SHOWN]
        ]
        text = self._say(
            "tg_team_view",
            lang,
            team=team.name,
            approval=team.settings.approval,
            managers=[_member_name(m) for m in active if m.role == "manager"],
            reps=self._names(reps, lang),
            count=len(reps),
            pending=self._names(pending, lang, MAX_PENDING_NAMES),
            invites=shown_invites,
        )
        rows: list[tuple[Button, ...]] = []
        for member in pending[:MAX_PENDING_BUTTONS]:
            short = _short(_member_name(member), BUTTON_NAME_LENGTH)
            rows.append(
                (
                    Button(
                        self._label("tg_team_button_approve", lang, name=short),
                        MemberData(action="ap", team=team_id, user=member.user_id).pack(),
                    ),
                    Button(
                        self._label("tg_team_button_decline", lang, name=short),
                        MemberData(action="dc", team=team_id, user=member.user_id).pack(),
                    ),
                )
            )
        removes = [
            Button(
                self._label("tg_team_button_remove", lang, name=_short(_member_name(m), 20)),
                MemberData(action="rm", team=team_id, user=m.user_id).pack(),
            )
            for m in reps[:MAX_REMOVE_BUTTONS]
        ]
        revokes = [
            Button(
                self._label("tg_team_button_revoke", lang, id=i.id), RevokeData(invite=i.id).pack()
            )
            for i in invites[:MAX_INVITES_SHOWN]
        ]
        rows.extend(_pairs(removes))
        rows.extend(_pairs(revokes))
        approval = team.settings.approval
        rows.append(
            (
                Button(
                    self._label("tg_team_button_new_link", lang),
                    TeamData(action="nl", team=team_id).pack(),
                ),
                Button(
                    self._label("tg_team_button_approval", lang, approval=approval),
                    ApprovalData(team=team_id, state="off" if approval else "on").pack(),
                ),
            )
        )
        return Outgoing(text, tuple(rows))

    def _names(self, members: Sequence[Member], lang: str, most: int = MAX_NAMES) -> list[str]:
        """Names for the text, at most ``most`` (the message must stay under 4096 characters)."""
        names = [_member_name(m) for m in members[:most]]
        if len(members) > most:
            names.append(self._say("tg_team_more", lang, count=len(members) - most))
        return names

    # --- taps -----------------------------------------------------------------------------------

    async def on_team_tap(
        self, callback_query: CallbackQuery, callback_data: TeamTap | None = None
    ) -> None:
        """A manager's button; data we never made, or a tap outside a private chat, is refused
        politely and changes nothing."""
        query = callback_query
        message = query.message if isinstance(query.message, Message) else None
        lang, tz = await self._who(query.from_user)
        key = user_key(query.from_user.id)
        private = message is not None and message.chat.type == ChatType.PRIVATE
        acted: Acted | None = None
        if callback_data is not None and private:
            try:
                acted = await asyncio.to_thread(self._act, key, callback_data, lang, tz)
            except TeamError:
                acted = None
        if acted is None or message is None:
            self._replies.answer(query, self._say("tg_team_tap_refused", lang))
            return
        self._replies.answer(query)
        self._replies.edit(message, acted.edit.text, acted.edit.keyboard)
        for outgoing in acted.send:
            self._replies.send(message.chat.id, outgoing.text, outgoing.keyboard)
        for chat_id, text in acted.notices:
            self._replies.send(chat_id, text)

    def _act(self, key: str, tap: TeamTap, lang: str, tz: str) -> Acted:
        """One manager action, through the manager's scope (``NotYourTeam`` for anything of
        another team: the caller answers that nothing changed)."""
        scope = self._teams.scope(key)
        now = self._clock()
        if isinstance(tap, RevokeData):
            invite = scope.revoke(tap.invite, now=now)
            return Acted(self._view(scope, invite.team_id, lang, tz))
        team = scope.team(tap.team)
        if isinstance(tap, ApprovalData):
            scope.set_settings(team.id, now=now, approval=tap.on)
            return Acted(self._view(scope, team.id, lang, tz))
        if isinstance(tap, TeamData) and tap.action == "v":
            return Acted(self._view(scope, team.id, lang, tz))
        if isinstance(tap, TeamData):  # nl
            invite = scope.invite(team.id, now=now)
            text = self._say("tg_team_invite", lang, team=team.name, **self._link(invite, lang, tz))
            return Acted(self._view(scope, team.id, lang, tz), send=(Outgoing(text),))
        team_id, member = scope.member(tap.user)
        if team_id != team.id or member.role != "rep":
            raise NotYourTeam(f"user {tap.user} in team {team.id}")
        name = _member_name(member)
        back = (
            Button(
                self._label("tg_team_button_back", lang), TeamData(action="v", team=team.id).pack()
            ),
        )
        if tap.action == "rm":
            yes = Button(
                self._label("tg_team_button_yes_remove", lang),
                MemberData(action="ry", team=team.id, user=member.user_id).pack(),
            )
            text = self._say("tg_team_remove_confirm", lang, name=name, team=team.name)
            return Acted(Outgoing(text, ((yes,), back)))
        chat = telegram_chat(member.key)
        if tap.action == "ap":
            scope.approve(team.id, member.user_id, now=now)
            done = self._say("tg_team_approved", lang, name=name, team=team.name)
            notice = self._say("tg_team_rep_approved", member.lang, team=team.name)
        else:  # dc, ry: decline a waiting rep, remove an active one
            scope.remove(team.id, member.user_id, now=now)
            done = self._say("tg_team_declined", lang, name=name, team=team.name)
            which = "tg_team_rep_declined" if member.status == "pending" else "tg_team_rep_removed"
            notice = self._say(which, member.lang, team=team.name)
        notices = ((chat, notice),) if chat is not None else ()
        return Acted(Outgoing(done, (back,)), notices=notices)

    # --- menus ----------------------------------------------------------------------------------

    def _manager_menu(self, chat_id: int) -> None:
        """A manager's (or admin's) own command menu: the rep's commands and the team commands,
        in both languages like the default menu (Telegram picks by the app's language)."""
        if self._base_menu is None:
            return
        for lang, code in (("en", None), ("zh", "zh")):
            commands = list(self._base_menu(lang))
            for line in self._say("tg_team_menu", lang).splitlines():
                name, _, description = line.partition("—")
                commands.append(BotCommand(command=name.strip(), description=description.strip()))
            scope = BotCommandScopeChat(chat_id=chat_id)
            self._replies.submit(
                None, SetMyCommands(commands=commands, scope=scope, language_code=code)
            )

    async def set_manager_menus(self) -> None:
        """At start: the chats of the admins and of every manager get the team commands (also
        of teams made with the CLI)."""
        managers = await asyncio.to_thread(self._teams.all_managers)
        chats = dict.fromkeys(self._admin_ids)
        chats.update(
            dict.fromkeys(c for _, m in managers if (c := telegram_chat(m.key)) is not None)
        )
        for chat in chats:
            self._manager_menu(chat)

    # --- helpers --------------------------------------------------------------------------------

    async def _standing(self, user: User) -> Standing:
        return await asyncio.to_thread(self._teams.standing, user_key(user.id))

    async def _who(self, user: User) -> tuple[str, str]:
        """The user's language and zone: as stored, else Telegram's language (nothing stored)."""
        told = language_of(user, self._language)
        return await asyncio.to_thread(self._accounts.who, user_key(user.id), told, self._timezone)

    def _say(self, key: str, lang: str, **context: Any) -> str:
        return self._messages.render(key, lang, **context)

    def _label(self, key: str, lang: str, **context: Any) -> str:
        """A button's text: plain, not HTML (a name with "&" shows as it is)."""
        return button_text(self._say(key, lang, **context))


def _pairs(buttons: Sequence[Button]) -> list[tuple[Button, ...]]:
    return [tuple(buttons[n : n + 2]) for n in range(0, len(buttons), 2)]


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _name(display_name: str, key: str) -> str:
    return _short(" ".join(display_name.split()), NAME_LENGTH) or key


def _member_name(member: Member) -> str:
    return _name(member.display_name, member.key)


__all__ = ["Onboarding"]
