"""Ask a running bot's ``/readyz`` from the same machine: ``coachbot health``, and the Docker
image's health check, ``python -m bot.observability.probe``.

The module form reads only the environment (``COACHBOT_HEALTH_LISTEN``, else the webhook's
``COACHBOT_WEBHOOK_LISTEN`` when ``COACHBOT_WEBHOOK_URL`` is set) and imports nothing but the
standard library: a check every few seconds costs tens of milliseconds, not the second it takes
to load all of coachbot. Exit status 0 when ready, 1 when not, 2 when there is nothing to ask.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config import Settings

ANY_ADDRESS = frozenset({"0.0.0.0", "::", "[::]", ""})
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0:8080"


def url_for(health_listen: str | None, webhook_url: str | None, webhook_listen: str) -> str | None:
    """``/readyz`` on the health listener if there is one, else on the webhook server; None
    with neither (a polling bot without a health listener)."""
    listen = health_listen or (webhook_listen if webhook_url else None)
    if not listen:
        return None
    host, _, port = listen.strip().rpartition(":")
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/readyz"


def readyz_url(settings: Settings) -> str | None:
    return url_for(settings.health_listen, settings.webhook_url, settings.webhook_listen)


def ask(url: str, timeout: float = 5.0) -> tuple[int, str]:
    """The status and body of ``GET url``; status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        return 0, f"no answer from {url}: {getattr(error, 'reason', error)}"


def main(environ: Mapping[str, str] = os.environ) -> int:
    url = url_for(
        environ.get("COACHBOT_HEALTH_LISTEN") or None,
        environ.get("COACHBOT_WEBHOOK_URL") or None,
        environ.get("COACHBOT_WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN,
    )
    if url is None:
        sys.stderr.write("coachbot probe: set COACHBOT_HEALTH_LISTEN (or COACHBOT_WEBHOOK_URL)\n")
        return 2
    status, body = ask(url)
    (sys.stdout if status == 200 else sys.stderr).write(f"{body}\n")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
