"""The coaching-script schema: what a sales manager writes in YAML, validated into frozen models.

A script is a directed acyclic graph of steps. Each step asks one question (or just says something,
kind ``info``) and names the step that follows, optionally through branches on earlier answers.
Texts are Jinja2 templates, one per language.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

LANGUAGES: tuple[str, ...] = ("en", "zh")
"""Every user-facing text exists in each of these languages (zh is Simplified Chinese)."""

END = "end"
"""The pseudo step a ``goto`` names to finish the script."""

StepId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
OptionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{0,31}$")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Frozen):
    """One text in every language; each value is a Jinja2 template."""

    en: str | None = None
    zh: str | None = None

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None) or self.en or self.zh
        return value or ""

    def missing(self) -> list[str]:
        return [lang for lang in LANGUAGES if not getattr(self, lang)]


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    SCALE = "scale"
    YESNO = "yesno"
    NUMBER = "number"
    DATETIME = "datetime"
    INFO = "info"
    ROLEPLAY = "roleplay"
    """The coach plays the buyer and answers back, reply after reply (``Script.roleplay``)."""


class Synonyms(Frozen):
    """Other words a rep may use for an option, per language ("too expensive", "太贵")."""

    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return (*self.en, *self.zh)


class Option(Frozen):
    id: OptionId
    label: Text
    synonyms: Synonyms = Field(default_factory=Synonyms)
    """Typed, any of these picks the option as surely as its label does."""


class Branch(Frozen):
    """``goto`` this step when the condition ``if`` holds (no ``if``: always)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    when: str | None = Field(default=None, alias="if")
    goto: str


class Phase(Frozen):
    id: StepId
    title: Text


class Probe(Frozen):
    """One follow-up question for an answer that leaves the method's question open (a one-word
    "fine", an outcome without a commitment, blame): asked once, right after the answer, never
    argued. The first probe of a step whose condition holds is asked; its answer is kept under
    ``id`` like a step's, for summaries, exports, memory and later templates."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: StepId
    when: str = Field(alias="if")
    """A condition (``dialogs.conditions``) over the answer's signals (``short``, ``number``,
    ``date``, ``items`` and the script's ``signals:``) and earlier answers."""
    of: str | None = None
    """Read the signals of this earlier text step's answer instead of this step's own."""
    ask: Text
    ack: Text | None = None
    """Said after the probe's answer (neutral, never praise)."""


class Step(Frozen):
    id: StepId
    kind: Kind
    text: Text
    phase: str | None = None
    hint: Text | None = None
    optional: bool = False
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = True
    """For ``number``: whole numbers only."""
    min_labels: Text | None = None
    """For ``scale``: what the lowest value means ("very bad")."""
    max_labels: Text | None = None
    future: bool = False
    """For ``datetime``: a date in the past is questioned before it is accepted."""
    max_length: int = 2000
    """For ``text``: longer answers are refused with a request to shorten them."""
    ack: Text | None = None
    """Said right after the answer is accepted (a neutral acknowledgement, never praise)."""
    next: tuple[Branch, ...] = ()
    """Empty: the following step in the file (or the end after the last one)."""
    options_from: Literal["customers", "objections"] | None = None
    """For ``choice``: offer the rep's own recent customers (or recorded objections) as buttons;
    any typed text is accepted as a new one. The answer is the name itself."""
    partial: bool = False
    """For ``yesno``: "partly" ("sort of", "算是吧") is an answer of its own, stored as
    ``"partly"``; without it a partial answer is read as the yes or no it leans to, and
    confirmed."""
    pushback: bool = True
    """An answer that resists the question ("I don't know, you tell me", "问这些有什么用") is
    never stored: the coach says the recovery line and asks again in other words (``rephrase``);
    a second one offers to skip the question. ``false`` where such words may be the answer
    itself (a role-play line the rep says to the "buyer")."""
    rephrase: tuple[Text, ...] = Field(default=(), max_length=2)
    """One or two other wordings of the question, asked after pushback (templates like
    ``text``)."""
    probes: tuple[Probe, ...] = ()
    recall: tuple[str, ...] = ()
    """For ``yesno``: the customer's known facts (``remember.facts`` of any script) for these
    steps are shown (``known`` in the text) for one-tap confirmation; yes fills the steps, which
    are then not asked. Not asked at all when none of them is known."""

    @field_validator("next", mode="before")
    @classmethod
    def _next_shorthand(cls, value: object) -> object:
        if isinstance(value, str):
            return ({"goto": value},)
        return value

    @property
    def asks(self) -> bool:
        return self.kind is not Kind.INFO


class FollowUpEffect(Frozen):
    """On finishing, ask the outside to schedule a follow-up at the answer of step ``at``."""

    kind: Literal["follow_up"]
    at: str
    about: Text
    visit: bool = False
    """The follow-up is a customer visit: its reminder offers to start the debrief, and a
    visit left without a debrief is nudged (``reminders.policy.debrief_nudges``)."""


class NotifyManagerEffect(Frozen):
    kind: Literal["notify_manager"]


class RevisitEffect(Frozen):
    """On finishing, when the condition holds (a won deal), plan the revisits after the deal."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    kind: Literal["revisit"]
    when: str = Field(alias="if")


FinishEffect = Annotated[
    FollowUpEffect | NotifyManagerEffect | RevisitEffect, Field(discriminator="kind")
]


class ChainRule(Frozen):
    """After finishing, start another script when the condition holds (e.g. another round)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    when: str | None = Field(default=None, alias="if")
    start: str
    carry: dict[str, str] = Field(default_factory=dict, alias="with")
    """Answers to pre-fill in the new run: ``{its step: one of our steps}``; pre-filled
    questions are not asked again."""
    preset: dict[str, str | int | float | bool | list[str]] = Field(
        default_factory=dict, alias="set"
    )
    """Fixed answers for the new run, ``{its step: value}`` (an option id for a choice): a
    debrief's "practise this objection" starts coaching on the skill "objections"."""


class Remember(Frozen):
    """What later conversations may quote from this one (kept in the rep's memory)."""

    customer: str | None = None
    """The step whose answer names the customer this run is about."""
    keep: tuple[str, ...] = ()
    """Steps whose answers later scripts may quote, per customer and as "the latest"."""
    objections: str | None = None
    """A text step whose answer is a real objection the rep met, to practise later."""
    facts: tuple[str, ...] = ()
    """Steps describing the customer (contact, role, visit type, class...): kept per customer
    across runs and scripts, the newest answer of each winning, for a ``recall`` step."""


class Pushback(Frozen):
    """How the coach answers a rep who resists a question (seed 000's recovery line)."""

    patterns: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Per language, regular expressions a whole resisting answer matches, besides what
    ``dialogs.pushback`` recognises anyway."""
    reply: Text | None = None
    """The recovery line; without it, the ``pushback_reply`` message."""


# --- role-play: a buyer who answers back (rules in dialogs.roleplay) ----------------------------


class RolePlayCheck(Frozen):
    """What in the rep's replies shows one self-check option or technique: ``any`` of these
    signals in some reply, ``all`` of them in one reply, ``none`` of them in any reply."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    any_of: tuple[str, ...] = Field(default=(), alias="any")
    all_of: tuple[str, ...] = Field(default=(), alias="all")
    none_of: tuple[str, ...] = Field(default=(), alias="none")


class RolePlayStage(Frozen):
    """One hurdle of the role-play: the buyer moves on once the rep's replies in this stage
    showed every signal in ``needs``, saying ``reactions[<style>_<handled>]`` (then, with
    ``raise``, the line ``tables[raise][<objection>]``: a second objection)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: StepId
    needs: tuple[str, ...]
    handled: StepId
    raise_table: str | None = Field(default=None, alias="raise")
    detail: str | None = None
    """A table keyed by objection type: what the buyer adds when the rep listened (asked,
    acknowledged) but the stage is not handled yet."""


class RolePlay(Frozen):
    """The rules of the buyer in a ``roleplay`` step: signals read from each reply (regular
    expressions per language), stages the rep works through, the buyer's lines per style."""

    objection: str
    """The choice step naming the objection type (need, product, price, timing)."""
    style: str
    """The choice step naming the buyer's communication style."""
    own_objection: str | None = None
    """A step with the rep's own objection: when answered, the buyer opens with it."""
    opening: str
    """Table of opening lines keyed ``<objection>_<style>``."""
    reactions: str
    """Table of the buyer's reactions keyed ``<style>_<stance>``."""
    signals: dict[str, dict[str, tuple[str, ...]]]
    """Signal name -> language -> patterns; a reply shows the signal when one matches."""
    both: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Signals shown when a reply shows all of these at once (``benefit_figure``)."""
    engages: tuple[str, ...] = ()
    """A reply showing none of these ignores the buyer: it shows the signal ``ignore``."""
    hardens_on: tuple[str, ...] = ("argue", "ignore")
    stages: tuple[RolePlayStage, ...]
    max_replies: int = Field(default=5, ge=3, le=10)
    walks_after: int = Field(default=3, ge=2, le=10)
    """The buyer ends the role-play after this many hardened lines in a row."""
    ends: StepId = "ends"
    """The stance of the buyer's last line when the replies run out before the last stage."""
    self_check: str | None = None
    """The multi step where the rep ticks what they did; compared with ``checklist``."""
    checklist: dict[str, RolePlayCheck] = Field(default_factory=dict)
    """Self-check option id -> what in the replies shows it."""
    technique: str | None = None
    """The choice step naming the technique the rep used; compared with ``techniques``."""
    techniques: dict[str, RolePlayCheck] = Field(default_factory=dict)


class Script(Frozen):
    id: StepId
    version: int = 1
    title: Text
    description: Text | None = None
    phases: tuple[Phase, ...] = ()
    steps: tuple[Step, ...]
    start: str | None = None
    summary: Text
    on_finish: tuple[FinishEffect, ...] = ()
    then: tuple[ChainRule, ...] = ()
    remember: Remember = Field(default_factory=Remember)
    tables: dict[str, dict[str, Text]] = Field(default_factory=dict)
    """Texts looked up by key in templates, e.g. ``tables.buyer_lines[raw.objection]``."""
    pushback: Pushback | None = None
    roleplay: RolePlay | None = None
    """The buyer's rules for the script's ``roleplay`` step (at most one such step)."""
    signals: dict[str, dict[str, tuple[str, ...]]] = Field(default_factory=dict)
    """Named word signals for probes, per language regular expressions searched in an answer
    (every language's, so a rep mixing Chinese and English is read either way)."""
    editable_hours: int = 72
    """How long after finishing a rep can reopen the run with /edit and change an answer."""
    source: str = Field(default="", exclude=True)
    """The file the script came from, for error messages."""

    def first_step(self) -> str:
        return self.start or self.steps[0].id
