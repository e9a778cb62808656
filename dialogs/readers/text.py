"""Shared clean-up of what a rep typed, before any reader looks at it."""

from __future__ import annotations

import re
import unicodedata

MAX_READ = 400
"""Longer texts are read only from their start: a reading never costs more than this."""

_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = re.compile(
    r"^[\s.,!?;:~…\-—'\"“”‘’()（）。，！？；：、]+|[\s.,!?;:~…\-—'\"“”‘’()（）。，！？；：、]+$"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]")


def clean(text: str) -> str:
    """NFKC (full-width digits become ASCII), lower case, curly quotes straight, one space."""
    folded = unicodedata.normalize("NFKC", text[:MAX_READ]).casefold()
    folded = folded.replace("’", "'").replace("‘", "'")
    return _SPACES.sub(" ", folded).strip()


def trim(text: str) -> str:
    """Without the punctuation around it: "no, not yet." → "no, not yet"."""
    return _EDGE_PUNCTUATION.sub("", text)


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def length(text: str) -> int:
    """Words, counting each Chinese character as one: how much a rep said."""
    return len(_WORD.findall(text))


_ZH_SENTENCE = re.compile(
    r"[我你他她]|就是|觉得|因为|所以|但是|可是|没有|不想|不要|还没|已经|[。！？!?]"
    # an outcome or what the buyer said ("没成，客户说再看看"): no company is named like that
    r"|客户|[,，;；]|没成|没谈|没签|不买|不行|再看看|考虑|太贵|压价|说了|[呢吗嘛]$"
)
_EN_SENTENCE = re.compile(
    r"\b(i|he|she|they|we|you|was|were|is|are|wants?|said|says|because|but|not|"
    r"didn'?t|don'?t|doesn'?t|won'?t)\b|[!?]$"
)


def reads_like_a_sentence(text: str) -> bool:
    """A customer's name that reads like a remark instead ("他就是想压价", "they want it
    cheaper"): worth one question before it becomes a customer."""
    said = clean(text)
    if has_cjk(said):
        return _ZH_SENTENCE.search(said) is not None
    words = said.split()
    if len(words) > 6 or (said.endswith(".") and len(words) > 3):
        return True
    return _EN_SENTENCE.search(said) is not None


_NOTHING = re.compile(
    r"(?:no|nope|none|nothing|nil|n/?a|not really|no (?:real )?(?:problems?|issues?))"
    r"(?: (?:really|at all|special|in particular|much|to (?:add|change|improve|say)))?"
    r"(?:[,.;!]? ?(?:it )?(?:all )?went (?:well|fine|ok|okay|smoothly))?"
    r"|(?:没有|没|无|没什么|没啥|没有什么|没问题|没有问题|没什么问题|没啥问题|都挺好|一切顺利|都顺利)"
    r"(?:的|了|吧|啊|呀|哦)?(?:[，,]?(?:挺|很|都|一切)?顺利(?:的|了)?)?"
)


def says_nothing(text: str) -> bool:
    """ "nothing", "no problems", "没什么问题": the whole answer is that there is none — at an
    optional question, the same as /skip."""
    return _NOTHING.fullmatch(trim(clean(text))) is not None


def remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given spans blanked out (kept as spaces, so positions stay)."""
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            chars[index] = " "
    return "".join(chars)


def words(listing: str) -> frozenset[str]:
    """A set of single words written as one space-separated string (tables stay readable)."""
    return frozenset(listing.split())


_WHOLE_WORDS = r"(?<![a-z'])(?:{})(?![a-z'])"


def english(*phrases: str) -> str:
    """English phrases as one alternation, each matched as whole words only."""
    return _WHOLE_WORDS.format("|".join(phrases))


def chinese(*phrases: str) -> str:
    """Chinese phrases as one alternation (no word boundaries in Chinese)."""
    return "|".join(phrases)


def cues(*parts: str) -> re.Pattern[str]:
    """One pattern finding any of ``parts`` (from :func:`english` and :func:`chinese`)."""
    return re.compile("|".join(f"(?:{part})" for part in parts if part))
