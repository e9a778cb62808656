"""Callback data of inline buttons, as aiogram ``CallbackData`` factories: one class per button
kind, packed with ``.pack()``, and routed with ``XxxData.filter()``.

The packed strings are the ones the bot has always made (``a:7:price``, ``r:12:3:done``...), so
buttons already sitting in chats keep working. Data is read strictly: only the exact string the
bot itself would pack is accepted (no "+1", " 2" or "1_0" for 12), and anything else is tapped
data we never made (an old version, a forged tap), which no filter matches.

A question's buttons carry its token, so a tap on a button of an earlier question is recognised
by the engine as stale and applied to nothing. Telegram allows 64 bytes; ``pack`` refuses more.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from aiogram.filters.callback_data import MAX_CALLBACK_LENGTH, CallbackData
from pydantic import Field

MAX_BYTES = MAX_CALLBACK_LENGTH
Id = Annotated[int, Field(ge=0, lt=10**12)]
"""A database id or question token: at most twelve digits."""
Switch = Literal["on", "off"]


class Data(CallbackData, prefix="_"):
    """Our buttons' common strictness: unpack only what ``pack`` would have made."""

    @classmethod
    def unpack(cls, value: str) -> Self:
        data = super().unpack(value)
        if data.pack() != value:
            raise ValueError(f"not {cls.__name__} as the bot packs it: {value!r}")
        return data


class Pick(Data, prefix="a"):
    """An option of the question with ``token`` (``DONE`` submits a multiple choice)."""

    token: Id
    option: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]


class Nav(Data, prefix="n"):
    """/back or /skip, tapped under the question with ``token``."""

    token: Id
    command: Literal["back", "skip"]


class LangData(Data, prefix="l"):
    """A language chosen under /lang."""

    lang: Literal["en", "zh"]


class CommandData(Data, prefix="c"):
    """A command offered as a button, not tied to a question: /edit under a summary, or the
    answer to /deleteme's "are you sure?" (``forget``, ``keep``)."""

    command: Literal["edit", "forget", "keep"]


class ReminderData(Data, prefix="r"):
    """A button under reminder ``ref``, as it was after ``version`` snoozes."""

    ref: Id
    version: Annotated[int, Field(ge=0, lt=10**6)]
    action: Annotated[str, Field(pattern=r"^[a-z_]{1,16}$")]


class SettingData(Data, prefix="s"):
    """A /settings toggle: switch nudge ``kind`` on or off (the state to set, so a redelivered
    tap changes nothing more)."""

    kind: Annotated[str, Field(pattern=r"^[a-z_]{1,24}$")]
    state: Switch

    @property
    def on(self) -> bool:
        return self.state == "on"


class PauseData(Data, prefix="p"):
    """During a new pause: keep the rep's follow-ups on time, or hold them too."""

    choice: Literal["keep", "hold"]

    @property
    def hold(self) -> bool:
        return self.choice == "hold"


class ReviewData(Data, prefix="m"):
    """A manager's button under a summary of ``review``: ``n`` write a coaching note, ``c``
    choose a skill to coach, ``v`` mark reviewed. Ids are only claims: the scope decides."""

    action: Literal["n", "c", "v"]
    review: Id


class SkillData(Data, prefix="m"):
    """A manager's choice of the skill to coach after a summary of ``review``."""

    action: Literal["s"] = "s"
    review: Id
    skill: Annotated[str, Field(pattern=r"^[a-z_]{1,24}$")]


class CoachingData(Data, prefix="m"):
    """The rep's "start" under a manager's coaching invitation."""

    action: Literal["go"] = "go"


class MemberData(Data, prefix="t"):
    """A manager's button about rep ``user`` of ``team``: ``ap``/``dc`` approve or decline a
    join request, ``rm`` ask to remove a rep, ``ry`` remove. Ids are only claims: the manager's
    scope refuses any outside their own teams."""

    action: Literal["ap", "dc", "rm", "ry"]
    team: Id
    user: Id


class ApprovalData(Data, prefix="t"):
    """A manager's approval switch of ``team``: its new state."""

    action: Literal["ao"] = "ao"
    team: Id
    state: Switch

    @property
    def on(self) -> bool:
        return self.state == "on"


class TeamData(Data, prefix="t"):
    """A manager's button about ``team``: ``nl`` a new invite link, ``v`` show the team again."""

    action: Literal["nl", "v"]
    team: Id


class RevokeData(Data, prefix="t"):
    """A manager's "withdraw invite ``invite``"."""

    action: Literal["rv"] = "rv"
    invite: Id


class JoinData(Data, prefix="j"):
    """A rep's "switch" to the team of invite ``code`` (the link's own secret, so a forged tap
    can do no more than opening the link would)."""

    answer: Literal["y"] = "y"
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,60}$")]


class StayData(Data, prefix="j"):
    """A rep's "stay in my team" under a link to another team."""

    answer: Literal["n"] = "n"


KINDS: tuple[type[Data], ...] = (
    Pick,
    Nav,
    LangData,
    CommandData,
    ReminderData,
    SettingData,
    PauseData,
    ReviewData,
    SkillData,
    CoachingData,
    MemberData,
    ApprovalData,
    TeamData,
    RevokeData,
    JoinData,
    StayData,
)
MANAGER_TEAM_KINDS: tuple[type[Data], ...] = (MemberData, ApprovalData, TeamData, RevokeData)
MANAGE_PREFIX = ReviewData.__prefix__
TEAM_PREFIX = MemberData.__prefix__
JOIN_PREFIX = JoinData.__prefix__


def parse(data: str | None) -> Data | None:
    """The button ``data`` came from, or None for data we never made. The routers use the
    filters; this is for a look at buttons outside a tap (which of a batch's are a review's)."""
    for kind in KINDS:
        try:
            return kind.unpack(data or "")
        except (TypeError, ValueError):
            continue
    return None


def manage_data(action: str, review: int = 0, skill: str = "") -> str:
    """A manager's button under a summary (``bot.summaries`` stores them with the draft)."""
    built: Any
    if action == "go":
        built = CoachingData()
    elif action == "s":
        built = SkillData(review=review, skill=skill)
    else:
        built = ReviewData(action=action, review=review)
    return str(built.pack())
