"""Every text the adapters say comes from coaching_scripts/messages.yaml, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from coaching_scripts import ADAPTER_MESSAGE_KEYS, load_catalog
from dialogs.engine import MESSAGE_KEYS

BOT = Path(__file__).resolve().parent.parent / "bot"
RENDERED_KEY = re.compile(r"""render\(\s*["']([a-z_]+)["']""")


def test_every_key_the_adapters_render_is_listed_and_translated() -> None:
    used = {
        key
        for path in BOT.rglob("*.py")
        for key in RENDERED_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert used, "the pattern no longer finds the adapters' texts"
    assert used - MESSAGE_KEYS <= ADAPTER_MESSAGE_KEYS
    messages = load_catalog().messages
    for key in sorted(ADAPTER_MESSAGE_KEYS):
        english, chinese = messages.render(key, "en"), messages.render(key, "zh")
        assert english != key, f"{key} has no English text"
        assert chinese not in (key, english), f"{key} has no Chinese text"
