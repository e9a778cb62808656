"""``coachbot health``: ask a running bot's ``/readyz`` from the same machine (the Docker image's
health check). Standard library only, so the check costs little every few seconds."""

from __future__ import annotations

import urllib.error
import urllib.request

from config import Settings

ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})


def readyz_url(settings: Settings) -> str | None:
    """The health listener if there is one, else the webhook server; None with neither."""
    if settings.health_address is not None:
        host, port = settings.health_address
    elif settings.webhook_url is not None:
        host, port = settings.webhook_host, settings.webhook_port
    else:
        return None
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/readyz"


def ask(url: str, timeout: float = 5.0) -> tuple[int, str]:
    """The status and body of ``GET url``; status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        return 0, f"no answer from {url}: {getattr(error, 'reason', error)}"
