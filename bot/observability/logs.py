"""The bot's log: every record (ours, aiogram's, aiohttp's) rendered by structlog, one line each,
as JSON for a log collector (``COACHBOT_LOG_FORMAT=json``) or as readable text (``console``).

Fields passed with ``extra=`` become the line's keys. What reps say is never logged; as a second
line of defence, keys that would carry a person's words or identity (``text``, ``first_name``,
``phone_number``...) are blanked whoever passes them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import Processor

LogFormat = Literal["console", "json"]

PRIVATE_KEYS = frozenset(
    {
        "text",
        "caption",
        "answer",
        "first_name",
        "last_name",
        "full_name",
        "display_name",
        "username",
        "phone_number",
        "contact",
    }
)
REDACTED = "[redacted]"
QUIET_LOGGERS = {
    "aiogram.event": logging.WARNING,  # its own line per update: ours says more
    "aiohttp.access": logging.WARNING,  # one line per request, Telegram's included
    "apscheduler.executors.default": logging.WARNING,  # two lines per tick: ~3 lines a second
}


def redact_private(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in PRIVATE_KEYS & event_dict.keys():
        event_dict[key] = REDACTED
    return event_dict


def structured_handler(
    log_format: LogFormat = "console", stream: TextIO | None = None
) -> logging.Handler:
    """A handler that renders any record through structlog, one line each."""
    shared: list[Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_private,
    ]
    renderer: Processor
    if log_format == "json":
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    return handler


def configure_logging(log_format: LogFormat = "console", level: str = "INFO") -> None:
    """Make the structured handler the root logger's only one (``coachbot run`` does this)."""
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(structured_handler(log_format))
    root.setLevel(level.upper())
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
