"""Yes or no to "I read that as … — right?": "1", "yes", "对", "ok", "好的", "没问题"."""

from __future__ import annotations

import re

from dialogs.readers.reading import SURE, Read
from dialogs.readers.text import clean, trim, words

_YES = words(
    "1 y yes yeah yep yup ya ok okay k kk sure right correct exactly true confirm confirmed "
    "fine good perfect precisely indeed absolutely definitely "
    "对 对的 对啊 对呀 对了 是 是的 是啊 是呀 好 好的 好啊 好嘞 行 可以 没问题 没错 "
    "确定 确认 嗯 嗯嗯 "
    "正确 就是 就是这样 就这样 就这个 没毛病 对没错 是的没错 ok的 👍 ✅ ✔ ✔️ 👌"
)
_YES_PHRASES = frozenset({"that's right", "that's it", "that's correct", "spot on", "you got it",
                          "yes right", "yes correct", "yes that's right", "sounds right",
                          "looks right", "all good", "yes please"})  # fmt: skip
_NO = words(
    "n no nope nah wrong incorrect false "
    "不 不对 不是 错 错了 不对啊 不行 否 不是的 不正确 搞错了 弄错了 👎 ❌ ✖"
)
_NO_PHRASES = frozenset({"not right", "that's wrong", "no that's wrong", "not quite",
                         "no that's not right", "that's not right", "not correct"})  # fmt: skip
_POLITE = re.compile(r"(?:\s*(?:please|thanks|thank you|thx|谢谢|谢了|麻烦了|啦|呀|哦|喔|吧))+$")


def read_confirmation(text: str) -> Read[bool] | None:
    """True for yes, False for no, None for anything else (the rep said something new)."""
    said = trim(clean(text))
    said = trim(_POLITE.sub("", said)) or said
    said = said.replace(",", " ").replace("，", "").replace("  ", " ")
    if said in _YES or said in _YES_PHRASES:
        return Read(True, SURE)
    if said in _NO or said in _NO_PHRASES:
        return Read(False, SURE)
    parts = said.split()
    if len(parts) > 1 and all(part in _YES for part in parts):  # "对 没错", "ok sure"
        return Read(True, SURE)
    if len(parts) > 1 and all(part in _NO for part in parts):
        return Read(False, SURE)
    return None
