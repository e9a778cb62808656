"""The rep's answer to the coach's own yes/no questions (stop here? throw the draft away? switch
to the other script?), said the way reps say it, in English and Chinese."""

from __future__ import annotations

import pytest

from dialogs.readers.decision import Question, read_decision

SAID: list[tuple[Question, str, bool | None]] = [
    # "Stop the debrief here?"
    ("confirm_cancel", "no, keep it", False),
    ("confirm_cancel", "keep going", False),
    ("confirm_cancel", "No thanks, let's continue", False),
    ("confirm_cancel", "not yet", False),
    ("confirm_cancel", "yes, stop", True),
    ("confirm_cancel", "stop here please", True),
    ("confirm_cancel", "that's enough for today", True),
    ("confirm_cancel", "继续吧", False),
    ("confirm_cancel", "不用了，继续", False),
    ("confirm_cancel", "别停", False),
    ("confirm_cancel", "好的，停吧", True),
    ("confirm_cancel", "先停一下吧", True),
    ("confirm_cancel", "先到这里吧", True),
    # "Throw away your unfinished debrief?"
    ("confirm_discard", "no, keep it", False),
    ("confirm_discard", "Keep the draft", False),
    ("confirm_discard", "don't delete it", False),
    ("confirm_discard", "delete it", True),
    ("confirm_discard", "yes, throw it away", True),
    ("confirm_discard", "不要删", False),
    ("confirm_discard", "先留着吧", False),
    ("confirm_discard", "删掉吧", True),
    ("confirm_discard", "不要了", True),
    # "Switch from the debrief to the weekly plan?"
    ("confirm_switch", "no, stay", False),
    ("confirm_switch", "finish this one first", False),
    ("confirm_switch", "yes, switch", True),
    ("confirm_switch", "go ahead", True),
    ("confirm_switch", "继续现在这个", False),
    ("confirm_switch", "好，切换", True),
    # said both ways, or not a decision: asked again
    ("confirm_discard", "yes, keep it", None),
    ("confirm_discard", "no, delete it", None),
    ("confirm_cancel", "the buyer wants 10% off and we continue next week on the price", None),
    ("confirm_cancel", "hmm", None),
    ("confirm_discard", "", None),
]


@pytest.mark.parametrize(("question", "text", "decided"), SAID)
def test_the_decision_said(question: Question, text: str, decided: bool | None) -> None:
    assert read_decision(question, text) is decided
