"""The rep's decision at the coach's own yes/no questions — stop here? throw the draft away?
switch to another script? — said the way reps say it: "no, keep it", "keep going", "继续吧",
"删掉吧", "yes, stop". A bare "yes" or "no" is read before this, as for any question.

What is said is read as an action (stop, delete, switch) or as keeping things as they are;
each question says which its "yes" is. Said both ways ("yes, keep it" to "throw it away?"),
nothing is read and the question is asked again.
"""

from __future__ import annotations

import re
from typing import Literal, TypeGuard

from dialogs.readers.reading import LIKELY
from dialogs.readers.text import chinese, clean, cues, english, length, trim
from dialogs.readers.yesno import read_yes_no

Question = Literal["confirm_cancel", "confirm_discard", "confirm_switch"]

_LONGEST = 12
"""Words (a Chinese character is one) beyond which a reply is not read as a decision."""

_KEEP_GOING = cues(
    english("keep going", "go on", "carry on", "continue", "let'?s continue", "not now", "not yet"),
    chinese("继续", "接着", "不停", "先不停", "别停", "不要停"),
)
_STOP = cues(
    english(
        "stop(?: (?:here|it|now|for now))?", "end it", "pause(?: it)?", "that'?s enough", "enough"
    ),
    chinese("停", "暂停", "先到这", "到此为止", "结束"),
)
_KEEP_IT = cues(
    english(
        "keep(?: it| the draft)?", "don'?t (?:delete|discard|throw)", "leave it", "hold on to it"
    ),
    chinese("保留", "留着", "别删", "不要删", "不删", "别扔", "不要扔"),
)
_DROP_IT = cues(
    english(
        "delete(?: it)?", "discard(?: it)?", "throw (?:it )?away", "bin it", "get rid of it",
        "scrap it", "trash it",
    ),
    chinese("删", "扔掉", "丢掉", "不要了", "作废"),
)  # fmt: skip
_SWITCH = cues(
    english("switch(?: over)?", "go ahead", "change(?: it)?", "start (?:it|the new one)"),
    chinese("切换", "换吧", "换成", "换一个", "开始新的"),
)
_STAY = cues(
    english("stay", "keep going", "carry on", "continue", "finish (?:this|the current) one first"),
    chinese("继续", "不换", "别换", "先做完", "留在"),
)

_YES_MEANS: dict[Question, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "confirm_cancel": (_STOP, _KEEP_GOING),
    "confirm_discard": (_DROP_IT, _KEEP_IT),
    "confirm_switch": (_SWITCH, _STAY),
}
"""For each question: what its "yes" sounds like, what its "no" sounds like."""


def is_decision(mode: str) -> TypeGuard[Question]:
    """Whether the engine's ``mode`` is one of the yes/no questions read here."""
    return mode in _YES_MEANS


def read_decision(question: Question, text: str) -> bool | None:
    """True for the question's yes, False for its no, None when it is not clear."""
    said = trim(clean(text))
    if not said or length(said) > _LONGEST:
        return None
    action, keeping = _YES_MEANS[question]
    # the cue for keeping first: "don't delete" holds "delete", "不要删" holds "删"
    kept = keeping.search(said) is not None
    acted = not kept and action.search(said) is not None
    rest = trim(action.sub(" ", keeping.sub(" ", said)))  # "不要了" is not a plain "no"
    plain = read_yes_no(rest) if rest else None
    yes_no = plain.value if plain is not None and plain.certainty >= LIKELY else None
    readings = {yes_no, True if acted else None, False if kept else None} - {None}
    if len(readings) != 1:
        return None
    return bool(readings.pop())


__all__ = ["Question", "is_decision", "read_decision"]
