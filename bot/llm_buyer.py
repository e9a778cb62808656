"""A language model voices the role-play buyer: an optional adapter at the edge.

The engine stays pure and the script's rules decide what the buyer does (soften, harden, raise
the second objection, agree); with ``COACHBOT_ROLEPLAY_LLM_URL`` set, a model on an
OpenAI-compatible chat endpoint only *says* it, in its own words. The adapter asks before the
turn and puts the line into the event (``TextIn.buyer``), so the line is stored with the event and
a replay meets the same buyer. Any failure — no answer within the timeout, an HTTP error, an empty
or odd reply — leaves the event as it was: the script's own line answers, and the rep never
notices.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from config import Settings
from dialogs import roleplay
from dialogs.catalog import Catalog
from dialogs.model import Kind
from dialogs.state import Conversation
from dialogs.types import Event, TextIn

log = logging.getLogger(__name__)

MAX_TOKENS = 120
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese"}
WHAT_THE_BUYER_DOES = {
    roleplay.HARDENS: "The salesperson argued with you or ignored what you said: you harden.",
    roleplay.LISTENS: "The salesperson listened: you answer their question and add a detail.",
    roleplay.WAITS: "You listened, but you are not convinced yet.",
    "softens": "Your first objection was handled well: you soften, then raise a second, concrete "
    "objection.",
    "considers": "Your second objection was answered: you accept it and ask what they propose "
    "as a next step.",
    "agrees": "You agree to the next step the salesperson proposed.",
    "ends": "You end the conversation, politely but firmly, without agreeing.",
}
_QUOTES = "\"'“”‘’「」『』"


@dataclass(frozen=True)
class LlmBuyer:
    """The endpoint and what to send it; :meth:`voice` is all an adapter calls."""

    catalog: Catalog
    url: str
    model: str
    api_key: str = ""
    timeout: float = 8.0

    @classmethod
    def from_settings(cls, settings: Settings, catalog: Catalog) -> LlmBuyer | None:
        """None when the seam is off (no ``COACHBOT_ROLEPLAY_LLM_URL``): the default."""
        if not settings.roleplay_llm_url:
            return None
        key = settings.roleplay_llm_api_key
        return cls(
            catalog,
            settings.roleplay_llm_url,
            settings.roleplay_llm_model,
            key.get_secret_value() if key else "",
            settings.roleplay_llm_timeout,
        )

    def voice(self, state: Conversation, event: Event, lang: str) -> Event:
        """``event`` with the model's buyer line when it answers a role-play, else unchanged."""
        if not isinstance(event, TextIn) or event.buyer:
            return event
        brief = brief_for(self.catalog, state, event.text, lang)
        if brief is None:
            return event
        line = self.line(brief)
        return replace(event, buyer=line) if line else event

    def line(self, brief: roleplay.Brief) -> str:
        """The model's line for ``brief``, or "" when it did not give a usable one in time."""
        body = {
            "model": self.model,
            "messages": messages(brief),
            "max_tokens": MAX_TOKENS,
            "temperature": 0.7,
        }
        request = urllib.request.Request(
            f"{self.url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **self._auth()},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.load(response)
            text = reply["choices"][0]["message"]["content"]
        except (OSError, ValueError, LookupError, TypeError) as error:
            log.warning("role-play model did not answer (%s); the script's line answers", error)
            return ""
        return clean(text) if isinstance(text, str) else ""

    def _auth(self) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}


def brief_for(catalog: Catalog, state: Conversation, text: str, lang: str) -> roleplay.Brief | None:
    """What the rules make of the rep's reply ``text``, when the rep is in a role-play."""
    run = state.active
    script = catalog.scripts.get(run.script) if run is not None and not state.mode else None
    if run is None or script is None or script.roleplay is None:
        return None
    compiled = script.steps.get(run.step)
    if compiled is None or compiled.step.kind is not Kind.ROLEPLAY or run.pending is not None:
        return None
    if not text.strip() or len(text.strip()) > compiled.step.max_length:
        return None  # the engine refuses it; no need to ask the model
    value = run.answers.get(run.step)
    if run.revisit and roleplay.finished(value):
        value = None
    tables = script.script.tables
    play = script.roleplay
    style = run.answers.get(play.rules.style)
    names = tables.get("style_names", {}).get(str(style))
    persona = names.get("en") if names is not None else str(style)
    return roleplay.brief(play, tables, run.answers, value, text.strip(), lang, persona or "")


def messages(brief: roleplay.Brief) -> list[dict[str, str]]:
    """The chat: the buyer's brief as the system message, then the role-play so far."""
    language = LANGUAGE_NAMES.get(brief.lang, "English")
    does = WHAT_THE_BUYER_DOES.get(brief.stance, "")
    system = (
        "You play the buyer in a sales-training role-play with a field salesperson. "
        f"Your communication style: {brief.persona}. Your objection type: {brief.objection}. "
        f"Answer in {language}, in one to three short spoken sentences, in character, without "
        f"stage directions or quotation marks. {does} "
        f"The training script's line for this moment is: {brief.rule_line!r} — say the same "
        "thing in your own words, keeping any figures and the objection it raises."
    )
    chat: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for buyer, rep in brief.transcript:
        chat.append({"role": "assistant", "content": buyer})
        if rep is not None:
            chat.append({"role": "user", "content": rep})
    return chat


def clean(text: str) -> str:
    """One short line: no surrounding quotes, no line breaks, not longer than a buyer's."""
    line = re.sub(r"\s+", " ", text).strip().strip(_QUOTES).strip()
    return line[: roleplay.MAX_VOICE]
