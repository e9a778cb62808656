"""A rehearsal of the whole stack without Telegram: the fake Bot API plays Telegram and one rep,
who goes through a short debrief once the bot has registered its webhook.

``docker compose -f deploy/compose.yaml --env-file deploy/try.env --profile try up`` runs it as
the ``fake-telegram`` service (``python -m tests.telegram.rehearsal --host 0.0.0.0``); it prints
the conversation and ``rehearsal passed`` (or why not), then keeps serving so that the bot's
/metrics can be looked at. tests/telegram/test_rehearsal.py runs the same against a bot in the
test's own process.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from testkit.fake_telegram import DEFAULT_TOKEN, FakeTelegram, User

REP_ID = 42
"""The rehearsing rep's Telegram id (an admin in deploy/try.env, so no invite is needed)."""
LINES = Path(__file__).resolve().parent.parent / "golden" / "inputs" / "debrief.short.en.txt"
SUMMARY = "Your debrief:"
STEP_WAIT = 30.0


async def rehearse(
    fake: FakeTelegram,
    rep: User,
    *,
    say: Callable[[str], None],
    webhook_wait: float = 120.0,
) -> bool:
    """Wait for the bot's webhook, then debrief; True when the debrief's summary came."""
    await fake.wait_for(lambda: fake.webhook_url, webhook_wait, "the bot's setWebhook")
    say(f"bot registered its webhook: {fake.webhook_url}")
    for line in ["/debrief", *LINES.read_text(encoding="utf-8").splitlines()]:
        before = len(fake.messages_to(rep.id))
        say(f"rep> {line}")
        fake.send_text(rep, line)
        await fake.wait_for_messages(rep.id, before + 1, timeout=STEP_WAIT)
        for message in fake.messages_to(rep.id)[before:]:
            say(f"bot> {message.text}")
    return any(SUMMARY in (message.text or "") for message in fake.messages_to(rep.id))


def _out(text: str) -> None:
    """A line on standard output at once (the container's log)."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--exit", action="store_true", help="stop after the rehearsal")
    args = parser.parse_args(argv)
    async with FakeTelegram(token=args.token, host=args.host, port=args.port) as fake:
        _out(f"fake Bot API on {args.host}:{fake.port}, waiting for the bot")
        rep = fake.user(REP_ID, "Rehearsal", language_code="en")
        try:
            passed = await rehearse(fake, rep, say=_out)
        except AssertionError as error:  # the fake's wait_for: what the bot last did
            _out(f"rehearsal failed: {error}")
            passed = False
        _out("rehearsal passed" if passed else "rehearsal failed: no summary")
        if not args.exit:
            await asyncio.Event().wait()  # keep serving until the container is stopped
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
