"""The optional language-model buyer: a tiny OpenAI-compatible server on 127.0.0.1 voices the
role-play in the console chat; when it errs or is too slow, the script's own line answers."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import User

from bot.console import run_console
from bot.llm_buyer import LlmBuyer
from bot.telegram.coach import Coach
from coaching_scripts import load_catalog
from config import load_settings
from dialogs.engine import step
from storage.db import make_engine
from storage.migrate import upgrade
from storage.store import Store
from tests.test_telegram_coach import START, TOKEN, RecordingSender, Rep

RULE_LINE = "A fair question. I'm comparing you with the other quotes on my desk"
MODEL_LINE = "Good that you ask. Two other quotes on my desk, both cheaper for the same volume."
TO_THE_BUYER = ["4", "A buyer said we were too expensive.", "Confirming first.", "no", "3", "2"]
REPLY = "I hear you, 18% is a real gap. Which quotes are you comparing with?"


@dataclass
class FakeModel:
    """What the fake endpoint answers, and what it was asked."""

    status: int = 200
    content: str = f"“{MODEL_LINE}”\n"
    hold: threading.Event | None = None
    """Set: the server waits for it before answering (a model slower than the timeout)."""
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def model() -> Iterator[tuple[FakeModel, str]]:
    fake = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            fake.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            if fake.hold is not None:
                fake.hold.wait(5)
            payload = {"choices": [{"message": {"role": "assistant", "content": fake.content}}]}
            data = json.dumps(payload).encode() if fake.status == 200 else b"{}"
            try:
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout)
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        if fake.hold is not None:
            fake.hold.set()
        server.shutdown()
        server.server_close()


class PipedInput(io.StringIO):
    def isatty(self) -> bool:
        return False


def chat(tmp_path: Path, url: str | None, lines: list[str], timeout: str = "5") -> str:
    environ = {"COACHBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'coach.db'}"}
    if url is not None:
        environ |= {
            "COACHBOT_ROLEPLAY_LLM_URL": url,
            "COACHBOT_ROLEPLAY_LLM_MODEL": "buyer-mini",
            "COACHBOT_ROLEPLAY_LLM_API_KEY": "sk-test-123",
            "COACHBOT_ROLEPLAY_LLM_TIMEOUT": timeout,
        }
    settings = load_settings(environ, env_file=None)
    moments = (datetime(2026, 11, 23, 2, 0, tzinfo=UTC) + timedelta(minutes=m) for m in range(999))
    out = io.StringIO()
    status = run_console(
        settings,
        user="anna",
        lang="en",
        script="coaching",
        stdin=PipedInput("\n".join(lines) + "\n"),
        stdout=out,
        clock=lambda: next(moments),
    )
    assert status == 0
    return out.getvalue()


def stored_role_play(tmp_path: Path) -> dict[str, Any]:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'coach.db'}"), lambda *_: None)  # type: ignore[arg-type,return-value]
    answers = store.conversation("console:anna").active
    assert answers is not None
    value = answers.answers["rep_answer"]
    assert isinstance(value, dict)
    return value


def test_the_model_voices_the_buyer_and_the_rules_decide(
    tmp_path: Path, model: tuple[FakeModel, str]
) -> None:
    fake, url = model
    out = chat(tmp_path, url, [*TO_THE_BUYER, REPLY])
    assert f"“{MODEL_LINE}”" in out
    assert RULE_LINE not in out

    (request,) = fake.requests  # only the reply to the buyer asked the model
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test-123"
    body = request["body"]
    assert body["model"] == "buyer-mini"
    system, opening, reply = body["messages"]
    assert system["role"] == "system"
    assert "an owl" in system["content"]
    assert RULE_LINE in system["content"]  # the rules' decision, for the model to voice
    assert "answer their question and add a detail" in system["content"]
    assert opening == {
        "role": "assistant",
        "content": "You're 18% above the other two quotes I have. Send me a cost breakdown "
        "that explains the difference.",
    }
    assert reply == {"role": "user", "content": REPLY}

    play = stored_role_play(tmp_path)
    assert play["exchanges"][-1] == {"buyer": MODEL_LINE, "stance": "listens"}


@pytest.mark.parametrize("failure", ["error", "timeout"])
def test_without_an_answer_in_time_the_scripts_line_answers(
    tmp_path: Path, model: tuple[FakeModel, str], failure: str
) -> None:
    fake, url = model
    if failure == "error":
        fake.status = 500
    else:
        fake.hold = threading.Event()
    out = chat(tmp_path, url, [*TO_THE_BUYER, REPLY], timeout="0.3")
    assert len(fake.requests) == 1
    assert RULE_LINE in out
    assert MODEL_LINE not in out
    assert stored_role_play(tmp_path)["exchanges"][-1]["stance"] == "listens"


def test_off_by_default_and_the_key_stays_secret() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.roleplay_llm_url is None
    keyed = load_settings(
        {
            "COACHBOT_ROLEPLAY_LLM_URL": "https://llm.example/v1/",
            "COACHBOT_ROLEPLAY_LLM_API_KEY": "sk-x",
        },
        env_file=None,
    )
    assert keyed.roleplay_llm_url == "https://llm.example/v1"
    assert "sk-x" not in repr(keyed)


async def test_in_telegram_the_buyer_answers_back_in_the_models_words(
    tmp_path: Path, model: tuple[FakeModel, str]
) -> None:
    fake, url = model
    catalog = load_catalog()
    database = f"sqlite:///{tmp_path / 'tg.db'}"
    upgrade(database)
    engine = make_engine(database)
    store = Store(engine, partial(step, catalog))
    sender = RecordingSender()
    moments = (START + timedelta(minutes=n) for n in range(10**6))
    coach = Coach(
        store=store,
        catalog=catalog,
        sender=sender,
        clock=lambda: next(moments),
        timezone="Asia/Shanghai",
        language="en",
        buyer=LlmBuyer(catalog, url, "buyer-mini", timeout=5),
    )
    dispatcher = Dispatcher()
    dispatcher.include_router(coach.router())
    user = User(id=42, is_bot=False, first_name="Anna", language_code="en")
    rep = Rep(dispatcher, Bot(TOKEN), sender, user, iter(range(1, 10**6)))

    await rep.say("/practice")
    await rep.tap("Handling objections")
    await rep.say("A buyer said we were too expensive.")
    await rep.say("Confirming first.")
    await rep.tap("No")
    await rep.tap("Price")
    await rep.tap("Owl — analytical, wants data")
    assert "You're 18% above the other two quotes" in rep.texts()[-1]
    await rep.say(REPLY)
    assert MODEL_LINE in rep.texts()[-1]
    await rep.say("Our price is fine, take it or leave it.")
    assert "you harden" in fake.requests[-1]["body"]["messages"][0]["content"]
    play = store.answers("tg:42")["rep_answer"]
    assert [e["stance"] for e in play["exchanges"]] == ["opens", "listens", "hardens"]
    assert play["exchanges"][0]["rep"] == REPLY
    assert play["exchanges"][1]["buyer"] == MODEL_LINE
    engine.dispose()
