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
