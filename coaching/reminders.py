"""Reminders and nudges, messenger-neutral: what to create, what to send when, what a tap does.

``ReminderDesk`` sits between the reminder rows (the port ``coaching.ports.ReminderRows``, which
``storage.reminders`` implements), the time rules (``reminders.policy``) and the texts
(``coaching_scripts/messages.yaml``). The Telegram bot and the console chat both use it: they
only turn its ``Nudge`` replies and ``Outcome``s into messages. Every method takes ``now``;
nothing here reads the clock or sleeps.

The rules, in one place:
- A follow-up (or a planned visit) goes out at the moment the rep named, quiet hours or not:
  the rep chose it. So does a snooze.
- The bot's own nudges (weekly plan and review, "debrief your visit", revisits after a deal)
  wait for the end of quiet hours, are skipped while paused (revisits wait for the pause's end)
  and can be switched off one by one in /settings.
- A weekly nudge is skipped when the rep already did it that week, or when it comes back from
  downtime after its week ended; the next week's is created either way.
- A reminder due while the bot was down goes out once when it is back, saying it is late when
  it is more than ``Policy.late_after`` late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from markupsafe import Markup

from coaching.ports import (
    NUDGE_KINDS,
    OPEN,
    REP_KINDS,
    WEEKLY_KINDS,
    ClaimReport,
    Decision,
    Due,
    NewReminder,
    PlannedEffect,
    Postpone,
    Prefs,
    ReminderInfo,
    ReminderRows,
    Send,
    Skip,
    TeamPolicies,
    UserZones,
)
from coaching.teams import TeamSettings
from coaching.users import TELEGRAM_KEYS
from dialogs.catalog import Messages
from dialogs.types import (
    Choice,
    FollowUpWanted,
    Lang,
    Nudge,
    Reply,
    RevisitWanted,
    Say,
    lang_of,
)
from dialogs.when import When, describe_when, parse_when
from reminders.policy import (
    Policy,
    at_local,
    debrief_nudges,
    is_late,
    is_quiet,
    next_weekly,
    overdue_for_revisit,
    release,
    revisit_times,
    snooze_until,
    to_local,
    week_of,
)
from reminders.zones import describe_zone, parse_zone

ACTIONS: dict[str, tuple[str, ...]] = {
    "follow_up": ("done", "snooze", "cancel"),
    "visit": ("debrief", "snooze", "done", "cancel"),
    "debrief_nudge": ("debrief", "snooze", "cancel"),
    "revisit": ("revisit", "snooze", "done", "cancel"),
    "week_plan": ("week_plan", "snooze", "cancel"),
    "week_review": ("week_review", "snooze", "cancel"),
}
"""The buttons under each kind of reminder, in order."""
STARTS = {action: action for action in ("debrief", "revisit", "week_plan", "week_review")}
"""Actions that mark the reminder done and start a script."""
SNOOZES: tuple[Literal["hour", "tomorrow", "next_week"], ...] = ("hour", "tomorrow", "next_week")
SNOOZE_MENU = (*SNOOZES, "pick", "back")
EVERY_ACTION = frozenset({*(a for kind in ACTIONS.values() for a in kind), *SNOOZE_MENU})
LIST_LIMIT = 10
WEEKLY_CHECK_EVERY = timedelta(minutes=10)
DEBRIEF_COUNTS_FROM = timedelta(hours=12)
"""A debrief of the customer finished this long before the planned visit time still counts
(the visit was moved earlier)."""


@dataclass(frozen=True)
class Outcome:
    """What a rep's tap or command did, for the adapter to show.

    ``text`` replaces the reminder message (a tap) or is sent (a command); ``actions`` are the
    buttons to show under it (none: remove them); ``start`` is a script to start now;
    ``ask_time`` asks the rep to reply with a time for reminder ``ref``."""

    text: str
    ref: int = 0
    actions: tuple[Choice, ...] = ()
    version: int = 0
    start: str | None = None
    ask_time: bool = False
    changed: bool = False


class ReminderDesk:
    def __init__(
        self,
        reminders: ReminderRows,
        messages: Messages,
        policy: Policy | None = None,
        *,
        key_prefix: str = TELEGRAM_KEYS,
        teams: TeamPolicies | None = None,
    ) -> None:
        self.reminders = reminders
        self.messages = messages
        self.policy = policy or Policy()
        """The operator's policy; a team may change parts of it for its members."""
        self.key_prefix = key_prefix
        self._teams = teams
        self._by_team: dict[int, Policy] = {}
        self._weekly_checked: datetime | None = None

    # --- each rep's policy: the operator's, as their team changed it ----------------------------

    def refresh_teams(self) -> None:
        """Read which teams changed the policy (each tick: a team's change counts at once)."""
        if self._teams is None:
            return
        changed = self._teams.changed_settings()
        self._by_team = {team_id: self.team_policy(found) for team_id, found in changed.items()}

    def team_policy(self, settings: TeamSettings | None) -> Policy:
        return self.policy if settings is None else settings.policy(self.policy)

    def _policy(self, team_id: int | None) -> Policy:
        """The policy of a team's members (each row the desk handles names the user's team)."""
        return self.policy if team_id is None else self._by_team.get(team_id, self.policy)

    def _policy_of(self, user_key: str) -> Policy:
        if self._teams is None:
            return self.policy
        return self.team_policy(self._teams.settings_of(user_key))

    # --- the scheduler's side ----------------------------------------------------------------

    def tick(self, now: datetime, *, limit: int = 100) -> ClaimReport:
        """Plan what new answers asked for, then claim and decide what is due (blocking: call it
        from a worker thread)."""
        self.refresh_teams()
        self.plan(now)
        return self.reminders.claim_due(
            lambda due: self.decide(due, now), now=now, limit=limit, key_prefix=self.key_prefix
        )

    def plan(self, now: datetime) -> int:
        planned = self.reminders.plan_effects(self._plan, now=now)
        if self._weekly_checked is None or now - self._weekly_checked >= WEEKLY_CHECK_EVERY:
            self._weekly_checked = now
            self.keep_weekly_ahead(now)
        return planned

    def keep_weekly_ahead(self, now: datetime) -> int:
        """Each active rep has the next weekly plan and review nudge waiting."""
        created = 0
        for kind in WEEKLY_KINDS:
            after = 0  # by user id, so a user whose nudge could not be made is not asked again
            while users := self.reminders.users_without(
                kind, key_prefix=self.key_prefix, after=after
            ):
                self.reminders.add(
                    (
                        self._weekly(kind, user_id, tz, now, self._policy(team_id))
                        for user_id, tz, team_id in users
                    ),
                    now=now,
                )
                created += len(users)
                after = users[-1][0]
        return created

    def move_weekly(self, user_key: str, tz: str, now: datetime) -> None:
        """The rep's zone (or their team's nudge times) changed: their weekly nudges move to
        the new local hours now."""
        policy = self._policy_of(user_key)
        self.reminders.replace_weekly(
            user_key,
            lambda user_id: [self._weekly(kind, user_id, tz, now, policy) for kind in WEEKLY_KINDS],
            now=now,
        )

    def _weekly(
        self, kind: str, user_id: int, tz: str, after: datetime, policy: Policy
    ) -> NewReminder:
        assert kind in WEEKLY_KINDS
        due = next_weekly(kind, after, tz, policy)  # type: ignore[arg-type]
        return NewReminder(user_id, kind, f"{kind}:{user_id}:{week_of(due, tz)}", due)

    def _plan(self, planned: PlannedEffect) -> list[NewReminder]:
        effect, uid, tz = planned.effect, planned.user_id, planned.tz
        policy = self._policy(planned.team_id)
        if isinstance(effect, FollowUpWanted):
            kind = "visit" if effect.visit else "follow_up"
            step = effect.step or "at"
            new = [
                NewReminder(
                    uid,
                    kind,
                    f"{kind}:{uid}:{effect.run}:{step}",
                    effect.at,
                    about=effect.about,
                    customer=effect.customer,
                    run_no=effect.run,
                    explicit=True,
                )
            ]
            if effect.visit:
                for n, at in enumerate(debrief_nudges(effect.at, tz, policy), 1):
                    new.append(
                        NewReminder(
                            uid,
                            "debrief_nudge",
                            f"debrief_nudge:{uid}:{effect.run}:{n}",
                            at,
                            wanted_at=effect.at,
                            about=effect.about,
                            customer=effect.customer,
                            run_no=effect.run,
                        )
                    )
            return new
        if isinstance(effect, RevisitWanted):
            won = planned.created_at
            times = revisit_times(won, tz, policy)
            return [
                NewReminder(
                    uid,
                    "revisit",
                    f"revisit:{uid}:{effect.run}:{days}",
                    at,
                    wanted_at=won,
                    customer=effect.customer,
                    run_no=effect.run,
                )
                for days, at in zip(policy.revisit_after_days, times, strict=True)
            ]
        return []

    def decide(self, due: Due, now: datetime) -> Decision:
        """Send, postpone or skip one due reminder (pure: everything it needs is in ``due``)."""
        reminder, tz = due.reminder, due.tz
        kind = reminder.kind
        policy = self._policy(due.team_id)
        follow_on: tuple[NewReminder, ...] = ()
        if kind in WEEKLY_KINDS:
            follow_on = (self._weekly(kind, due.user_id, tz, now, policy),)
        if not due.active:
            return Skip("the rep blocked the bot")
        if (
            self._teams is not None
            and due.team_id is None
            and not self._teams.is_admin(due.user_key)
        ):
            return Skip("not on a team (any more)")
        nudge = kind in NUDGE_KINDS
        if nudge and kind in due.prefs.off:
            return Skip("switched off", follow_on)
        if due.paused_until is not None and due.paused_until > now:
            if kind == "revisit":
                return Postpone(release(due.paused_until, tz, policy))
            if nudge:
                return Skip("paused", follow_on)
            if due.prefs.hold_follow_ups and reminder.snoozes == 0:
                return Postpone(release(due.paused_until, tz, policy))
        if kind in WEEKLY_KINDS:
            if week_of(now, tz) != week_of(reminder.due_at, tz):
                return Skip("its week is over", follow_on)
            if due.last_done is not None and due.last_done >= self._week_start(kind, reminder, tz):
                return Skip("done this week", follow_on)
        debriefed = due.last_done is not None and (
            due.last_done >= reminder.wanted_at - DEBRIEF_COUNTS_FROM
        )
        if kind == "debrief_nudge" and debriefed:
            return Skip("debriefed", follow_on)
        if not reminder.explicit and is_quiet(now, tz, policy):
            return Postpone(release(now, tz, policy))
        lang = lang_of(due.lang)
        return Send(self.nudge(reminder, lang, tz, now), follow_on)

    def _week_start(self, kind: str, reminder: ReminderInfo, tz: str) -> datetime:
        """A weekly plan made over the weekend before counts for the week."""
        local = to_local(reminder.due_at, tz).date()
        monday = local - timedelta(days=local.weekday())
        if kind == "week_plan":
            monday -= timedelta(days=2)
        return at_local(monday, time(0), tz)

    # --- texts --------------------------------------------------------------------------------

    def nudge(self, reminder: ReminderInfo, lang: Lang, tz: str, now: datetime) -> Nudge:
        """The reminder as a message with its buttons."""
        text = self._text(reminder, lang, tz, now)
        if is_late(reminder.due_at, now, self.policy):
            text += "\n" + self._say(
                "rem_late", lang, when=self._when(reminder.due_at, lang, tz, now)
            )
        return Nudge(reminder.id, text, self._actions(reminder.kind, lang), reminder.snoozes)

    def _text(self, reminder: ReminderInfo, lang: Lang, tz: str, now: datetime) -> str:
        kind = reminder.kind
        about = Markup(reminder.about)  # rendered (and escaped) by the script's own template
        if kind in ("follow_up", "visit"):
            when = self._when(reminder.wanted_at, lang, tz, now)
            return self._say(f"rem_{kind}", lang, when=when, about=about)
        if kind == "debrief_nudge":
            when = self._when(reminder.wanted_at, lang, tz, now)
            return self._say("rem_debrief_nudge", lang, customer=reminder.customer, when=when)
        if kind == "revisit":
            days = reminder.key.rsplit(":", 1)[-1]
            return self._say("rem_revisit", lang, customer=reminder.customer, days=days)
        return self._say(f"rem_{kind}", lang)

    def _actions(self, kind: str, lang: Lang) -> tuple[Choice, ...]:
        return tuple(
            Choice(action, self._say(f"rem_action_{action}", lang))
            for action in ACTIONS.get(kind, ("done", "snooze", "cancel"))
        )

    def _snooze_menu(self, lang: Lang) -> tuple[Choice, ...]:
        keys = {"hour": "rem_snooze_hour", "tomorrow": "rem_snooze_tomorrow"}
        keys |= {"next_week": "rem_snooze_next_week", "pick": "rem_snooze_pick"}
        keys["back"] = "rem_snooze_back"
        return tuple(Choice(action, self._say(keys[action], lang)) for action in SNOOZE_MENU)

    def _say(self, key: str, lang: str, **context: object) -> str:
        return self.messages.render(key, lang, **context)

    def _when(self, moment: datetime, lang: str, tz: str, now: datetime) -> str:
        return describe_when(When(moment, True), tz=tz, lang=lang, now=now)

    # --- the rep's side -----------------------------------------------------------------------

    def act(
        self,
        user_key: str,
        reminder_id: int,
        version: int | None,
        action: str,
        *,
        lang: Lang,
        tz: str,
        now: datetime,
        source: str | None = None,
        external_id: str | None = None,
    ) -> Outcome:
        """A tap on a reminder's button (or its console command: ``version`` None, the reminder
        as it is now)."""
        reminder = self.reminders.get(user_key, reminder_id)
        if reminder is None or reminder.status not in OPEN or action not in EVERY_ACTION:
            return Outcome(self._say("rem_gone", lang))
        about = self._about(reminder, lang)
        if action == "snooze":
            return Outcome(
                self._text(reminder, lang, tz, now),
                reminder.id,
                self._snooze_menu(lang),
                reminder.snoozes,
            )
        if action == "back":
            return Outcome(
                self._text(reminder, lang, tz, now),
                reminder.id,
                self._actions(reminder.kind, lang),
                reminder.snoozes,
            )
        if action == "pick":
            text = self._say("rem_pick_time", lang, ref=reminder.id, about=about)
            return Outcome(text, reminder.id, ask_time=True)
        if action in SNOOZES:
            option = next(choice for choice in SNOOZES if choice == action)
            until = snooze_until(option, now, tz, self._policy_of(user_key))
            return self.snooze(
                user_key, reminder, until, version, lang=lang, tz=tz, now=now,
                source=source, external_id=external_id,
            )  # fmt: skip
        status = "cancelled" if action == "cancel" else "done"
        closed = self.reminders.close(
            user_key, reminder.id, status, now=now, seen_snoozes=version,
            source=source, external_id=external_id,
        )  # fmt: skip
        if closed is None:
            return Outcome(self._say("rem_gone", lang))
        key = "rem_cancelled" if status == "cancelled" else "rem_done"
        return Outcome(
            self._say(key, lang, about=about), reminder.id, start=STARTS.get(action), changed=True
        )

    def snooze(
        self,
        user_key: str,
        reminder: ReminderInfo,
        until: datetime,
        version: int | None,
        *,
        lang: Lang,
        tz: str,
        now: datetime,
        source: str | None = None,
        external_id: str | None = None,
    ) -> Outcome:
        if until <= now:
            return Outcome(self._say("rem_pick_past", lang), reminder.id)
        snoozed = self.reminders.snooze(
            user_key, reminder.id, until, now=now, seen_snoozes=version,
            source=source, external_id=external_id,
        )  # fmt: skip
        if snoozed is None:
            return Outcome(self._say("rem_gone", lang))
        when = self._when(until, lang, tz, now)
        about = self._about(snoozed, lang)
        return Outcome(
            self._say("rem_snoozed", lang, when=when, about=about), snoozed.id, changed=True
        )

    def snooze_in_words(
        self,
        user_key: str,
        reminder_id: int,
        words: str,
        *,
        lang: Lang,
        tz: str,
        now: datetime,
        source: str | None = None,
        external_id: str | None = None,
    ) -> Outcome:
        """ "Another time…": the rep's reply names the moment."""
        reminder = self.reminders.get(user_key, reminder_id)
        if reminder is None or reminder.status not in OPEN:
            return Outcome(self._say("rem_gone", lang))
        when = parse_when(words, now=now, tz=tz, lang=lang)
        if when is None:
            return Outcome(self._say("rem_pick_unclear", lang), reminder.id)
        return self.snooze(
            user_key, reminder, when.at, None, lang=lang, tz=tz, now=now,
            source=source, external_id=external_id,
        )  # fmt: skip

    def _about(self, reminder: ReminderInfo, lang: Lang) -> str:
        if reminder.about:
            return Markup(reminder.about)
        if reminder.customer:
            return reminder.customer
        return (
            self._say(f"rem_action_{reminder.kind}", lang) if reminder.kind in WEEKLY_KINDS else ""
        )

    def follow_ups(self, user_key: str, *, lang: Lang, tz: str, now: datetime) -> list[Reply]:
        """/followups: the open ones, overdue first (newest first), then upcoming (soonest
        first), each with its buttons; then the customers due a visit by their class."""
        open_ = self.reminders.open_for(user_key, limit=200)
        visible = [
            r for r in open_ if r.kind in REP_KINDS or r.status == "sent" or r.kind == "revisit"
        ]
        overdue = [r for r in visible if r.due_at <= now]
        upcoming = sorted((r for r in visible if r.due_at > now), key=lambda r: r.due_at)
        ordered = [*overdue, *upcoming]
        replies: list[Reply] = [Say(self._say("rem_list_title", lang))]
        for reminder in ordered[:LIST_LIMIT]:
            when = self._when(reminder.due_at, lang, tz, now)
            key = "rem_list_overdue" if reminder.due_at <= now else "rem_list_upcoming"
            line = (
                f"<i>{self._say(key, lang, when=when)}</i>\n{self._text(reminder, lang, tz, now)}"
            )
            replies.append(
                Nudge(reminder.id, line, self._actions(reminder.kind, lang), reminder.snoozes)
            )
        if len(ordered) > LIST_LIMIT:
            replies.append(Say(self._say("rem_list_more", lang, count=len(ordered) - LIST_LIMIT)))
        due = self.revisits_due(user_key, now)
        if due:
            replies.append(Say(self._say("rem_list_revisits", lang, customers=due)))
        if len(replies) == 1:
            replies = [Say(self._say("rem_list_empty", lang))]
        return replies

    def revisits_due(self, user_key: str, now: datetime) -> list[dict[str, object]]:
        """Customers not visited for longer than their class allows, longest first."""
        policy = self._policy_of(user_key)
        found = [
            {"name": name, "klass": klass.strip().upper(), "days": (now - last).days}
            for name, klass, last in self.reminders.customers(user_key)
            if klass and overdue_for_revisit(last, klass, now, policy)
        ]
        return sorted(found, key=lambda c: -int(str(c["days"])))

    # --- /tz, /pause, /settings ---------------------------------------------------------------

    def change_zone(
        self, users: UserZones, user_key: str, words: str, *, lang: Lang, tz: str, now: datetime
    ) -> str:
        """/tz: the rep's zone ``tz`` shown (no ``words``), or the zone the words name kept in
        ``users`` — and the weekly nudges move to its hours. The text to show."""
        if not words.strip():
            return self.zone_text(tz, lang=lang, now=now)
        zone = self.read_zone(words)
        if zone is None:
            return self.zone_unknown_text(words, lang=lang)
        users.set_timezone(user_key, zone)
        self.move_weekly(user_key, zone, now)
        return self.zone_set_text(zone, lang=lang, now=now)

    def zone_text(self, tz: str, *, lang: Lang, now: datetime) -> str:
        return self._say("tz_current", lang, zone=describe_zone(tz, now, lang))

    def read_zone(self, text: str) -> str | None:
        return parse_zone(text)

    def zone_set_text(self, tz: str, *, lang: Lang, now: datetime) -> str:
        return self._say("tz_set", lang, zone=describe_zone(tz, now, lang))

    def zone_unknown_text(self, text: str, *, lang: Lang) -> str:
        return self._say("tz_unknown", lang, text=text[:60])

    def pause(self, user_key: str, words: str, *, lang: Lang, tz: str, now: datetime) -> Outcome:
        """/pause <until> or /pause off. Asks whether follow-ups due meanwhile still come."""
        prefs, paused = self.reminders.prefs(user_key)
        words = words.strip()
        if not words:
            current = self._day(paused, lang, tz, now) if paused and paused > now else ""
            return Outcome(self._say("pause_usage", lang, until=current))
        if words.casefold() in ("off", "stop", "end", "resume", "关闭", "结束", "取消", "恢复"):
            if paused is None or paused <= now:
                return Outcome(self._say("pause_not_paused", lang))
            self.reminders.set_prefs(user_key, prefs, paused_until=None)
            return Outcome(self._say("pause_off", lang), changed=True)
        when = parse_when(
            words.removeprefix("until ").removeprefix("到"), now=now, tz=tz, lang=lang
        )
        if when is None:
            return Outcome(self._say("pause_usage", lang, until=""))
        until = when.at if when.has_time else at_local(to_local(when.at, tz).date(), time(0), tz)
        if until <= now:
            return Outcome(self._say("pause_past", lang))
        self.reminders.set_prefs(user_key, prefs, paused_until=until)
        count = sum(
            1
            for r in self.reminders.open_for(user_key, limit=500)
            if r.kind in REP_KINDS and r.status == "pending" and now < r.due_at < until
        )
        day = self._day(until, lang, tz, now)
        text = self._say("pause_set", lang, until=day, count=count)
        if not count:
            return Outcome(text, changed=True)
        actions = (
            Choice("keep", self._say("pause_keep", lang)),
            Choice("hold", self._say("pause_hold", lang)),
        )
        return Outcome(text, actions=actions, changed=True)

    def pause_follow_ups(
        self, user_key: str, hold: bool, *, lang: Lang, tz: str, now: datetime
    ) -> Outcome:
        """The answer to "shall I still remind you of them?"."""
        prefs, paused = self.reminders.prefs(user_key)
        if paused is None or paused <= now:
            return Outcome(self._say("pause_not_paused", lang))
        self.reminders.set_prefs(user_key, Prefs(prefs.off, hold), paused_until=paused)
        key = "pause_held" if hold else "pause_kept"
        return Outcome(self._say(key, lang, until=self._day(paused, lang, tz, now)), changed=True)

    def settings(self, user_key: str, *, lang: Lang, tz: str, now: datetime) -> Outcome:
        """/settings: the state of each nudge as a toggle button."""
        prefs, paused = self.reminders.prefs(user_key)
        policy = self._policy_of(user_key)
        quiet = f"{policy.quiet_start:%H:%M}–{policy.quiet_end:%H:%M}"
        text = self._say(
            "settings_title",
            lang,
            paused=self._day(paused, lang, tz, now) if paused and paused > now else "",
            zone=describe_zone(tz, now, lang),
            quiet=quiet,
            weekends=policy.quiet_weekends,
        )
        actions = []
        for kind in NUDGE_KINDS:
            name = self._say(f"settings_{kind}", lang, at=self._weekly_at(kind, lang, policy))
            on = kind not in prefs.off
            label = self._say("settings_on" if on else "settings_off", lang, name=name)
            actions.append(Choice(f"{kind}:{'off' if on else 'on'}", label))
        return Outcome(text, actions=tuple(actions))

    def switch(
        self, user_key: str, kind: str, on: bool, *, lang: Lang, tz: str, now: datetime
    ) -> Outcome:
        """A settings toggle: sets the state the button showed the opposite of (idempotent)."""
        if kind in NUDGE_KINDS:
            prefs, _ = self.reminders.prefs(user_key)
            off = prefs.off - {kind} if on else prefs.off | {kind}
            self.reminders.set_prefs(user_key, Prefs(frozenset(off), prefs.hold_follow_ups))
        return self.settings(user_key, lang=lang, tz=tz, now=now)

    def _weekly_at(self, kind: str, lang: str, policy: Policy) -> str:
        if kind == "week_plan":
            day, clock = policy.week_plan_at
        elif kind == "week_review":
            day, clock = policy.week_review_at
        else:
            return ""
        names = DAY_LABELS[lang_of(lang)]
        return f"{names[day]} {clock:%H:%M}"

    def _day(self, moment: datetime | None, lang: str, tz: str, now: datetime) -> str:
        if moment is None:
            return ""
        local = to_local(moment, tz)
        return describe_when(When(moment, local.time() != time(0)), tz=tz, lang=lang, now=now)


DAY_LABELS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
"""Weekdays as the reminder settings show them (Monday first)."""


__all__ = ["ACTIONS", "EVERY_ACTION", "Outcome", "ReminderDesk"]
