"""Pushback and evasion: an answer that resists the question instead of answering it.

"I don't know, you tell me", "what's the point of these questions", "pass", "你是教练，你告诉我啊",
"问这些有什么用", "随便", "不好说", "没想过": the method (docs/method.md, the recovery line) answers
these, they are never stored as an answer. An answer that merely *contains* such words ("they
don't know our brand yet", "不知道他们为什么拒绝，可能是价格") is an answer.

How: the text is cut into clauses at punctuation; every clause must be made only of resisting
phrases and filler words ("well", "honestly", "啊", "吧"), and at least one clause must hold a
resisting phrase. Both languages are read whatever the rep's language (reps mix them). Pure,
no I/O; each phrase is a regular expression over casefolded, NFKC-normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

MAX_CHARS = 200
"""Longer texts carry content: never pushback."""

_TRADITIONAL = {
    "没": "沒",
    "说": "說",
    "问": "問",
    "这": "這",
    "么": "麼",
    "为": "為",
    "还": "還",
    "关": "關",
    "难": "難",
    "时": "時",
    "间": "間",
    "题": "題",
    "过": "過",
    "随": "隨",
    "觉": "覺",
    "决": "決",
    "诉": "訴",
    "应": "應",
    "该": "該",
    "义": "義",
    "记": "記",
    "晓": "曉",
    "确": "確",
    "谁": "誰",
    "费": "費",
    "烦": "煩",
    "别": "別",
    "个": "個",
    "谈": "談",
    "讲": "講",
    "认": "認",
    "专": "專",
    "给": "給",
    "实": "實",
    "话": "話",
    "会": "會",
    "吗": "嗎",
    "样": "樣",
    "现": "現",
    "见": "見",
    "对": "對",
    "练": "練",
    "师": "師",
    "听": "聽",
    "种": "種",
    "废": "廢",
    "兴": "興",
    "办": "辦",
    "头": "頭",
    "绪": "緒",
    "虑": "慮",
    "忆": "憶",
    "乱": "亂",
    "们": "們",
    "里": "裡",
    "儿": "兒",
    "无": "無",
    "谓": "謂",
    "干": "幹",
}
"""Simplified characters of the phrases below and their traditional forms (reps in Taiwan and
Hong Kong write those): each phrase matches either."""

# --- English --------------------------------------------------------------------------------

_EN_SUBJECT = r"(?:i |we |i'm |im |i am )?"
_EN_ADVERB = (
    r"(?:(?:really|honestly|just|truly|simply|actually|seriously|genuinely|frankly|still|even) )*"
)
_NOT = r"(?:don'?t|do not|didn'?t|did not|doesn'?t|does not)"

EN_PHRASES: tuple[str, ...] = (
    # not knowing
    _EN_SUBJECT
    + _EN_ADVERB
    + _NOT
    + r" (?:really |even |actually )?know"
    + r"(?: (?:really|either|tbh|honestly|for sure|for certain|exactly|offhand|what to say|"
    r"what to tell you|what to write|what to answer|what you want(?: me to say)?|what you mean|"
    r"how to answer(?: that| this)?|how to say(?: it)?|the answer|why|that|anything|much|"
    r"what happened|what they think|what he thinks|what she thinks))?",
    r"dunno|idk|no clue|not a clue|clueless",
    r"(?:i )?(?:have |had |got )?(?:absolutely |really |honestly )?no (?:idea|clue)"
    r"(?: (?:really|at all|whatsoever|why|honestly|what to say|what they want))?",
    _EN_SUBJECT + _EN_ADVERB + r"not (?:really |so |too |entirely |quite |totally |100% )?"
    r"(?:sure|certain)(?: (?:really|tbh|either|to be honest|what to say|how to answer))?",
    r"(?:i'm |i am )?unsure",
    r"(?:who|god|heaven|lord|nobody|no one) knows",
    r"beats me|search me|good question|no comment|no answer|i have no answer",
    r"(?:it's |its |it is )?(?:hard|difficult|tough|impossible) to (?:say|tell)",
    r"(?:i )?(?:can'?t|cannot|couldn'?t|could not) (?:really )?(?:tell you|say for sure|"
    r"answer that|answer this|say|tell|answer)",
    r"(?:i )?(?:have )?nothing to (?:say|add)|nothing comes to mind|drawing a blank|"
    r"(?:i )?(?:can'?t|cannot) think of anything",
    r"(?:i )?(?:have|had)(?:n'?t| not)(?: really| even)? thought(?: (?:about|of))?"
    r"(?: (?:it|that|this))?(?: (?:yet|much|really))?",
    r"(?:i )?(?:never|didn'?t|did not)(?: really)? (?:thought|think)(?: (?:about|of))?"
    r"(?: (?:it|that|this))?",
    r"no (?:thoughts|opinion|idea really)",
    r"(?:i )?(?:can'?t|cannot|don'?t|do not)(?: really)? (?:remember|recall)(?: (?:it|that))?",
    r"(?:i )?forgot|(?:i )?forget",
    # handing the question back
    r"(?:why don'?t |can'?t |could |can )?you (?:tell|answer|say|decide|guess)(?: (?:me|it|that))?",
    r"tell me(?: (?:you|then|yourself))?",
    r"you(?:'re| are) the (?:coach|expert|boss|pro|one who knows|teacher)",
    r"(?:isn'?t |is )?that(?:'s| is)? (?:your|the coach's) job",
    r"you should (?:know|tell me)|you know better|you know",
    r"what (?:do|would) you (?:think|say|suggest)|what'?s your (?:opinion|take|guess|answer)",
    r"(?:it's )?(?:up to you|your call)|whatever you (?:think|say|want)|you choose",
    # challenging the question
    r"what(?:'?s| is) the (?:point|use|purpose)(?: (?:of|in))?(?: (?:this|that|these|it|asking|"
    r"all this|all these|all that))?(?: (?:questions?|stuff|question))?",
    r"why (?:does|would|should|do) (?:it|that|this|any of this) (?:even )?matter",
    r"(?:does|do) (?:it|that|this|any of this) (?:even |really )?matter",
    r"(?:it |that |this )?(?:doesn'?t|does not|don'?t|won'?t) (?:really )?matter",
    r"(?:who|nobody|no one) cares|(?:i )?(?:don'?t|do not) care|(?:i )?couldn'?t care less",
    r"what difference does (?:it|that) make|so what|what for",
    r"why (?:do|would|should) (?:you|i) "
    r"(?:care|need to know|want to know|ask(?: me)?(?: (?:this|that))?)",
    r"why (?:are you asking|are you asking me|ask me|ask|do you ask|you ask|you asking)"
    r"(?: (?:this|that|me this|me that))?",
    r"why (?:these|this|so many|all these|all the) questions?",
    r"(?:this|that|these|it)(?: is|'s| are)? (?:(?:so|really|just) )?(?:pointless|useless|stupid|"
    r"silly|dumb|irrelevant|ridiculous|a waste of time|a stupid question|not relevant)"
    r"(?: questions?)?",
    r"(?:(?:so|such) )?(?:pointless|useless|stupid|silly|dumb|irrelevant|annoying|too many) "
    r"questions?",
    r"(?:what a |such a |total |complete )?waste of (?:my )?time",
    r"how (?:should|would|could|do|can) i (?:possibly )?know|how am i supposed to know",
    r"why should i (?:care|know)|i don'?t see the point|not relevant|irrelevant",
    r"enough(?: (?:questions|already))?|stop asking(?: (?:me|this|that|questions))?",
    r"again|this again|not again",
    # passing on it
    r"(?:i )?pass|(?:i'?ll |i will )pass|next(?: (?:question|one|please))?",
    r"skip(?: (?:this one|this question|this|it|that))?|move on|let'?s move on",
    r"whatever|meh|nah|not now|maybe later|later",
    r"(?:i'?d )?rather not(?: (?:say|answer|talk about it))?",
    r"(?:i )?(?:don'?t|do not) (?:want|wanna) to (?:say|answer|talk about it|go into it)",
    r"none of your business|n/?a|no",
    # hesitation alone
    r"h?m+|u+m+|u+h+|e+r+m*|a+h+",
)
"""Each matches one resisting phrase, whole words, in casefolded text ("no" only counts next to
another resisting phrase: alone it is an answer, see ``EN_ALONE_IS_ANSWER``)."""

EN_FILLERS: tuple[str, ...] = (
    r"well|so|ok|okay|honestly|frankly|tbh|to be honest|sorry|lol|lmao|haha+|ha|man|mate|dude|"
    r"bro|boss|coach|seriously|really|look|listen|please|pls|oh|yeah|yea|yes|yep|i mean|like|"
    r"anyway|anyways|just|actually|then|though|sir|ugh|sigh|jeez|geez|come on|"
    r"to be fair|i guess|guess|either|lah|la|and|but|or|hey",
)

EN_ALONE_IS_ANSWER = r"no|later|again|you know"
"""Words that resist only next to a resisting phrase ("no idea, no"); typed alone they may
well be the answer ("no" to "anything else?")."""

# --- Chinese --------------------------------------------------------------------------------

_ZH_SUBJECT = r"(?:我|俺|我们|咱)?"
_ZH_ADVERB = r"(?:也|真|真的|确实|实在|根本|完全|还|都|就是|是|暂时|目前|现在)*"

ZH_PHRASES: tuple[str, ...] = (
    # not knowing
    _ZH_SUBJECT
    + _ZH_ADVERB
    + r"(?:不|没|没有)(?:太|大|怎么|是很|是太|很|是)?(?:知道|清楚|晓得|确定|了解|明白|懂|"
    r"记得|知)(?:为什么|为啥|怎么说|说什么|该怎么说|怎么回答|该怎么回答|答案|耶)?",
    r"(?:不|没)(?:好|太好)(?:说|讲)|(?:说|讲)不(?:好|清楚|清|上来|准|出来)|(?:很|挺|真)?难(?:说|讲)",
    r"没法(?:说|讲|回答)|回答不了|答不上来|答不出来|说不出",
    r"(?:搞|弄|想|看)不(?:清楚|清|懂|明白|出来|起来)|记不(?:清楚|清|得|起来)|忘(?:记了|了|记)",
    r"没(?:印象|概念|头绪|主意|思路|想法|意见|什么想法|啥想法|有想法|答案|有答案)",
    _ZH_SUBJECT
    + _ZH_ADVERB
    + r"(?:没|没有|从没|从来没|还没|还没有)(?:仔细|认真|怎么|好好)?"
    + r"(?:想|考虑|思考)(?:过|好|到|清楚)?",
    r"(?:谁|天|鬼|哪个)(?:知道|晓得)|我(?:哪|哪儿|哪里|怎么|咋|怎么会)(?:知道|晓得)|问我我问谁",
    # handing the question back
    r"你(?:来|直接|就)?(?:告诉|教)我|你(?:来)?说(?:呢|吧)?|你(?:觉得|认为|看|想)呢|你怎么(?:看|想)",
    r"你(?:才)?是(?:教练|专家|老师|领导|老大)|你(?:应该|肯定|不是)(?:知道|清楚)",
    r"你比我(?:清楚|懂|了解|明白)|你(?:来)?(?:定|决定)|听你的|你给(?:个|我)?答案|还是你说",
    # challenging the question
    r"(?:你)?(?:问|说)(?:这些|这个|这|那么多|这么多)(?:问题)?(?:有什么用|有啥用|干嘛|干什么|做什么|"
    r"有什么意义|有意义吗|有用吗)",
    r"(?:为什么|为啥|干嘛|干吗)(?:要|老|总|又)?问(?:这个|这些|这|我)(?:问题)?",
    r"(?:这|这个|这些|那)?(?:有什么|有啥)(?:用|意义|关系|区别)(?:吗)?",
    r"(?:这|这个|这些|那)?有(?:用|意义|关系|区别)吗",
    r"(?:这|这个)?(?:没|没有)(?:什么|啥)?(?:用|意义)",
    r"(?:这|这个)?(?:重要|有关系)吗",
    r"无所谓|管他(?:呢)?|谁(?:在乎|管)|关我(?:什么|啥)事|浪费时间|别问了|不要(?:再)?问了",
    r"(?:烦不烦|好烦|烦死了|又来了|问题(?:太多|真多)了?|这么多问题|废话)",
    # passing on it
    r"随便|随意|都行|都可以|都一样|跳过|下一(?:个|题|步)|过|算了|pass",
    r"不想(?:说|回答|讲|谈|答)|没(?:什么|啥)(?:好|可)说的|没话(?:说|讲)|无话可说|不说了",
    r"(?:以后|回头|等会|等一下|改天)?再说",
    # hesitation and a shrug
    r"嗯|呃|额|唔|呵呵|🤷",
)

ZH_FILLERS: tuple[str, ...] = (
    r"我|啊|吧|呢|呀|啦|嘛|哦|喔|哈|了|唉|哎|诶|欸|其实|说实话|老实说|实话说|真的|反正|这个|那个|"
    r"就是|好吧|好|那|哈哈|所以|教练|老师|兄弟|大哥|哥|亲|拜托|咯|吗|啥|的|呐|哇|耶|嘿|这个问题|"
    r"这些问题|问题|这",
)


def _traditional(pattern: str) -> str:
    """``pattern`` with each simplified character also matching its traditional form."""
    out = []
    for char in pattern:
        other = _TRADITIONAL.get(char)
        out.append(f"[{char}{other}]" if other and other != char else char)
    return "".join(out)


def _alternation(patterns: tuple[str, ...], *, words: bool) -> str:
    boundary = r"(?![a-z0-9'])" if words else ""
    return "|".join(f"(?:{pattern}){boundary}" for pattern in patterns)


@cache
def _filler_units() -> str:
    """The filler words of both languages, as one alternation."""
    en_fillers = _alternation(EN_FILLERS, words=True)
    zh_fillers = _traditional(_alternation(ZH_FILLERS, words=False))
    return f"{en_fillers}|{zh_fillers}"


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(clauses of resisting or filler units, of fillers only, of words that alone answer)."""
    en_phrases = _alternation(EN_PHRASES, words=True)
    zh_phrases = _traditional(_alternation(ZH_PHRASES, words=False))
    alone = _alternation((EN_ALONE_IS_ANSWER,), words=True)
    fillers = f"(?>{_filler_units()})"
    # atomic groups: each unit is taken whole, so a failing clause fails in linear time
    units = f"(?>{en_phrases}|{zh_phrases}|{_filler_units()})"
    answers = f"(?>{alone}|{_filler_units()})"
    return (
        re.compile(rf"\s*(?:{units}\s*)+"),
        re.compile(rf"\s*(?:{fillers}\s*)+"),
        re.compile(rf"\s*(?:{answers}\s*)+"),
    )


_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]\"“”…~～、。，；：！？\n\r\t]+|\s[-–—]+\s|[-–—]{2,}")
_SIGNS_ONLY = re.compile(r"[\s?.…\-–—_~!]*")
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")
_SHRUG = re.compile(r"🤷|¯\\_\(ツ\)_/¯")


def normalise(text: str) -> str:
    """Casefolded, full-width forms folded (NFKC), curly apostrophes straight."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return folded.replace("’", "'").replace("‘", "'").replace("`", "'").strip()


def resists(text: str) -> bool:
    """Does ``text`` resist or evade the question instead of answering it?"""
    clean = normalise(text)
    if not clean or len(clean) > MAX_CHARS:
        return False
    if _SHRUG.search(clean):
        clean = _SHRUG.sub(" idk ", clean)
    clean = _EMOJI.sub(" ", clean).strip()
    if not clean:
        return False  # emoji alone ("👍") may well be the answer
    if _SIGNS_ONLY.fullmatch(clean):
        return True  # "?", "...", "-": nothing said
    units, fillers, answers = _patterns()
    clauses = _clauses(clean)
    # "no" or "later" alone is an answer; next to "no idea" it is pushback
    return _made_of(clauses, units, fillers) and not answers.fullmatch(" ".join(clauses))


def _clauses(clean: str) -> list[str]:
    return [part.strip() for part in _CLAUSE_BREAK.split(clean) if part.strip()]


def _made_of(clauses: list[str], units: re.Pattern[str], fillers: re.Pattern[str]) -> bool:
    """Every clause is made of ``units`` (fillers among them), and one is more than fillers."""
    found = False
    for clause in clauses:
        if fillers.fullmatch(clause):
            continue
        if not units.fullmatch(clause):
            return False
        found = True
    return found


_HESITATION = re.compile(_traditional(r"\s*(?:(?:嗯|嗯呢|嗯嗯|呃|额|唔|h?m+|u+m+|u+h+|meh)\s*)+"))


def hesitates(text: str) -> bool:
    """Only a sound ("嗯", "hmm", "meh"): pushback at a free-text question, but "嗯" is a yes and
    "meh" a middling rating where those are asked."""
    clean = _CLAUSE_BREAK.sub(" ", normalise(text)).strip()
    return bool(clean) and bool(_HESITATION.fullmatch(clean))


SKIP_WORDS = re.compile(
    _traditional(
        r"(?:i |i'?ll |i will )?(?:pass|skip(?: (?:this one|this question|this|it))?|"
        r"next(?: question| one)?|"
        r"move on|let'?s move on)|跳过|下一(?:个|题)|过|pass"
    )
)


def wants_skip(text: str) -> bool:
    """The rep asks to pass on this question ("pass", "skip", "跳过", "下一题")."""
    clean = normalise(text).strip(" .!。！~～")
    for filler in ("please", "pls", "吧", "啊", "了", "好吧", "ok", "okay"):
        clean = clean.removesuffix(filler).removeprefix(filler).strip(" ,，.!。！")
    return bool(SKIP_WORDS.fullmatch(clean))


_NUMBER = r"(?:\d+|a few|a couple(?: of)?|one|two|three|four|five|ten|fifteen|twenty)"
EN_HURRY: tuple[str, ...] = (
    r"hurry(?: up)?|(?:be )?quick please|be quick|make it (?:quick|fast|short)|faster please",
    r"(?:can we |let'?s )?(?:keep it|make this|do this|be) (?:short|quick|brief|fast)",
    r"(?:i'?m |i am |we'?re |we are )(?:busy|rushed|running late|late)",
    r"(?:i'?m |i am |we'?re |we are )?(?:in a (?:hurry|rush)|short on time|pressed for time)",
    r"(?:i )?(?:only |just )?(?:have|got) (?:only |just )?" + _NUMBER
    + r" (?:min(?:ute)?s?|seconds?|secs?)(?: left)?",
    r"(?:i )?(?:(?:don'?t|do not) have|have no|got no)(?: much| a lot of)? time|no time",
    r"short version|got to go|gotta go|(?:i )?have to (?:go|run)",
)  # fmt: skip
"""Each matches one phrase of a rep in a hurry, whole words, in casefolded text."""
ZH_HURRY: tuple[str, ...] = (
    r"快点|快一点|快些|快快|赶紧|抓紧(?:时间)?|简单点|简单一点|长话短说|说重点",
    r"(?:我)?(?:在)?赶时间|(?:我)?(?:没|没有)(?:什么|多少|太多)?时间|时间(?:不多|很紧|紧|有限)",
    r"我(?:很|挺|太)?忙(?:着呢)?|(?:我)?(?:只有|就|只剩)\d+分钟|(?:我)?(?:要|得)走了|来不及",
)


@cache
def _hurry_units() -> re.Pattern[str]:
    """Clauses of hurry or filler units (the fillers are the pushback reader's)."""
    hurry = (
        f"{_alternation(EN_HURRY, words=True)}|{_traditional(_alternation(ZH_HURRY, words=False))}"
    )
    return re.compile(rf"\s*(?:(?>{hurry}|{_filler_units()})\s*)+")


def hurries(text: str) -> bool:
    """Is the whole of ``text`` the rep saying they are short of time ("hurry up", "I only have
    2 minutes", "快点吧", "我赶时间")? Then it answers nothing: the coach says short answers will
    do, and asks again."""
    clean = normalise(text)
    if not clean or len(clean) > MAX_CHARS:
        return False
    _, fillers, _ = _patterns()
    return _made_of(_clauses(clean), _hurry_units(), fillers)


__all__ = ["MAX_CHARS", "hesitates", "hurries", "normalise", "resists", "wants_skip"]
