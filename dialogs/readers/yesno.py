"""Yes or no, the way reps say it: "no, not yet", "yes they did", "达成了", "还没有，差一点".

A script may allow a third answer, ``partly`` ("partly", "sort of", "算是吧"); where it does
not, a partial answer is read as the yes or no it leans to, unsure, so the rep confirms it.
"""

from __future__ import annotations

import re
from typing import Literal

from dialogs.readers.reading import GUESS, LIKELY, SURE, UNSURE, Read
from dialogs.readers.text import (
    chinese,
    clean,
    cues,
    english,
    length,
    remove_spans,
    trim,
    words,
)

PARTLY: Literal["partly"] = "partly"
YesNo = bool | Literal["partly"]

_EXACT_YES = words(
    "yes y yeah yea yep yup ya sure ok okay right correct true absolutely definitely "
    "indeed certainly done 1 是 是的 是啊 对 对的 对啊 好 好的 嗯 嗯嗯 有 有的 可以 行 没错 "
    "确定 当然 当然了 达成 达成了 做到了 成了 完成了 搞定了 👍 ✅"
)
_EXACT_NO = words(
    "no n nope nah false wrong never 2 否 不 不是 不对 没有 没 没呢 不要 错 还没 还没有 "
    "没达成 未达成 没做到 没成 👎 ❌"
)

_UNDECIDED = words("maybe perhaps possibly dunno 可能 可能吧 也许 也许吧 不一定 看情况 难说 随便")
"""A whole answer that decides nothing: asked again, never guessed."""

_UNKNOWN = cues(
    english(
        r"(?:i )?(?:don'?t|do not) know",
        r"no idea",
        r"not sure",
        r"unsure",
        r"can'?t (?:say|tell)",
        r"who knows",
        r"hard to say",
        r"dunno",
        r"idk",
    ),
    chinese("不知道", "不清楚", "不确定", "说不好", "说不准", "难说", "不好说", "不晓得"),
)
_NEUTRAL = cues(
    english(
        r"partly",
        r"partially",
        r"in part",
        r"half(?:way)?",
        r"somewhat",
        r"some of it",
        r"to some (?:extent|degree)",
        r"yes and no",
        r"fifty[- ]fifty",
        r"50[-/ ]50",
        r"part of it",
    ),
    chinese("一部分", "部分", "一半", "有一点", "有点", "有些", "一定程度"),
)
_LEAN_YES = cues(
    english(
        r"sort of",
        r"kind of",
        r"kinda",
        r"sorta",
        r"more or less",
        r"mostly",
        r"pretty much",
        r"basically",
        r"largely",
        r"i (?:guess|think|suppose) so",
        r"probably(?: yes)?",
        r"maybe(?: yes)?",
        r"somehow",
    ),
    chinese(
        "算是",
        "基本",
        "差不多",
        "大体",
        "大致",
        "大部分",
        "应该是",
        "应该算",
        "勉强",
        "也许",
        "可能",
    ),
)
_LEAN_NO = cues(
    english(
        r"almost",
        r"nearly",
        r"not quite",
        r"not really",
        r"not entirely",
        r"not fully",
        r"not completely",
        r"not totally",
        r"close(?: to it)?",
        r"probably not",
        r"maybe not",
        r"i don'?t think so",
        r"i doubt it",
    ),
    chinese(
        "差一点", "差点", "快了", "接近", "不太", "不完全", "没完全", "不全", "不怎么", "没怎么"
    ),
)
_IN_PROGRESS = cues(
    english(
        r"still (?:negotiating|talking|in talks|discussing|thinking(?: about it| it over)?|open)",
        r"(?:waiting|wait) (?:for|on) (?:their|his|her|the) "
        r"(?:answer|reply|decision|call|feedback)",
        r"(?:they|he|she)(?:'ll| will) (?:get back to (?:me|us)|let (?:me|us) know|think about it)",
        r"thinking (?:about it|it over)",
        r"needs? (?:to think (?:about )?it(?: over)?|more time)",
        r"(?:we'?ll|we will|let'?s) see",
        r"pending",
        r"in progress",
        r"on hold",
        r"to be (?:decided|confirmed)",
        r"tbd",
    ),
    chinese(
        "还在谈",
        "在谈",
        "还在考虑",
        "考虑中",
        r"等(?:他们|他|她|客户|对方)?的?(?:回复|答复|消息|回音|决定|反馈)",
        "再看看",
        "再想想",
        "跟进中",
        "待定",
        "还没定",
        "没定下来",
    ),
)
"""Not decided at this visit ("still negotiating", "还在谈"): not reached yet, shown to confirm."""
_NO = cues(
    english(
        r"no",
        r"nope",
        r"nah",
        r"not(?: yet)?",
        r"never",
        r"none",
        r"negative",
        r"(?:did|do|does|have|has|had|was|were|is|are|could|would|will|ca|wo)n'?t",
        r"(?:did|do|does|have|has|was|were|is|are|could) not",
        r"cannot",
        r"failed",
        r"missed(?: it)?",
        r"nothing",
        r"wrong",
        r"false",
        r"refused",
        r"rejected",
        r"declined",
        r"said no",
        r"lost(?: it| the deal| the order)?",
        r"no way",
    ),
    chinese(
        r"还?没(?:有)?(?:能)?(?:达成|做到|完成|成功|拿下|谈成|搞定|成交|签约|签|同意|下单|答应|成|呢|到)?",
        r"未(?:能)?(?:达成|完成|成功|成交|签约)?",
        r"不(?:是|对|行|可以|能|成|会|同意)?",
        r"拒绝",
        r"否",
        r"失败",
        r"落空",
    ),
)
_YES = cues(
    english(
        r"yes",
        r"y",
        r"yeah",
        r"yea",
        r"yep",
        r"yup",
        r"ya",
        r"sure",
        r"ok(?:ay)?",
        r"right",
        r"correct",
        r"true",
        r"absolutely",
        r"definitely",
        r"certainly",
        r"indeed",
        r"of course",
        r"did",
        r"do",
        r"does",
        r"have",
        r"has",
        r"done",
        r"reached(?: it)?",
        r"achieved(?: it)?",
        r"made it",
        r"got it",
        r"succeeded",
        r"nailed it",
        r"we did",
        r"i did",
        r"they did",
        r"sure did",
        r"it did",
        r"agreed",
        r"signed(?: it)?",
        r"accepted",
        r"ordered",
        r"won(?: it| the deal)?",
        r"closed(?: it| the deal)?",
        r"got (?:it|them|the order|the deal|an order|a yes)",
    ),
    chinese(
        "达成",
        "做到",
        "完成",
        "成功",
        "拿下",
        "谈成",
        "搞定",
        "成了",
        "成交",
        "签约",
        "签了",
        "同意",
        "下单",
        "答应",
        "是",
        "对",
        "有",
        "可以",
        "行",
        "当然",
        "没错",
        "确定",
        "好",
        "嗯",
    ),
)
_INTENSIFIERS = cues(
    english(r"absolutely", r"definitely", r"certainly", r"of course", r"really", r"sure"),
    chinese("当然", "肯定", "绝对", "确实"),
)
"""Words that only strengthen an answer: "absolutely not" and "当然没有" are a no."""
_SHORT = 8
_CLAUSE = re.compile(r"[,.;:!?，。；：！？…]|\s(?:but|and|then|because)\s|但是|不过|因为")
"""At most this many words (or Chinese characters) is an answer; more is a story with one in it."""


def read_yes_no(text: str, *, partial: bool = False) -> Read[YesNo] | None:
    """``partial``: the question allows ``partly`` as an answer of its own."""
    said = trim(clean(text))
    if not said:
        return None
    if said in _EXACT_YES:
        return Read(True, SURE)
    if said in _EXACT_NO:
        return Read(False, SURE)
    if said in _UNDECIDED or _UNKNOWN.search(said):
        return None
    short = length(said) <= _SHORT
    if not short:  # a story: only its opening clause may answer ("No, he wanted to wait...")
        said = _CLAUSE.split(said, maxsplit=1)[0]
        if length(said) > _SHORT // 2:
            return None
    in_progress, said = _find(_IN_PROGRESS, said)
    lean_yes, rest = _find(_LEAN_YES, said)
    lean_no, rest = _find(_LEAN_NO, rest)
    neutral, rest = _find(_NEUTRAL, rest)
    no, rest = _find(_NO, rest)
    yes, _ = _find(_YES, rest)
    if neutral or lean_yes or lean_no:
        return _partial(neutral, lean_yes, lean_no, no, partial)
    if not yes and not no:
        if in_progress:
            return Read(False, UNSURE, (PARTLY,) if partial else (True,))
        return None
    if yes and no and not _YES.search(_INTENSIFIERS.sub(" ", rest)):
        return Read(False, LIKELY if short else UNSURE, () if short else (True,))
    if yes and no:
        first = min(yes) < min(no)
        return Read(first, GUESS, (not first,))
    answer = bool(yes)
    return Read(answer, LIKELY if short else UNSURE, () if short else (not answer,))


def _partial(
    neutral: list[int], lean_yes: list[int], lean_no: list[int], no: list[int], partial: bool
) -> Read[YesNo]:
    """A partial answer: ``partly`` where allowed, else the yes or no it leans to, unsure."""
    if lean_no and no:  # "还没有，差一点", "no, not quite": a no, said kindly
        return Read(False, LIKELY, (PARTLY,) if partial else ())
    if partial:
        if neutral and not lean_yes and not lean_no:
            return Read(PARTLY, LIKELY)
        lean = bool(lean_yes) and not lean_no
        return Read(PARTLY, UNSURE, (lean, not lean))
    lean = bool(lean_yes) and not lean_no and not neutral
    return Read(lean, UNSURE if not neutral else GUESS, (not lean,))


def _find(pattern: re.Pattern[str], text: str) -> tuple[list[int], str]:
    """Where ``pattern`` matches (start positions), and the text without those matches."""
    matches = [m for m in pattern.finditer(text) if m.end() > m.start()]
    spans = [(m.start(), m.end()) for m in matches]
    return [m.start() for m in matches], remove_spans(text, spans) if spans else text
