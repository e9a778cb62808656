"""coachbot's settings: the environment (prefix ``COACHBOT_``) and a ``.env`` file.

Nothing is read at import time: :func:`load_settings` builds a :class:`Settings` when the program
starts, and :func:`describe_settings_error` turns a refusal into one line per wrong setting, naming
its environment variable (``coachbot: invalid setting COACHBOT_TIMEZONE: unknown time zone ...``).

Validators never echo secrets (the token, the webhook secret, a database password) back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENV_PREFIX = "COACHBOT_"
DEFAULT_DATABASE_URL = "sqlite:///./var/coachbot.db"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"

_BOT_TOKEN = re.compile(r"^[0-9]+:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_USER_ID = re.compile(r"^[0-9]+$")
_PORT = re.compile(r"[0-9]{1,5}")
_POSTGRES_SCHEME = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)
_SQLITE_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite"})
_POSTGRES_DRIVERS = frozenset({"postgresql+psycopg"})

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_environ_override: ContextVar[Mapping[str, str] | None] = ContextVar(
    "coachbot_settings_environ", default=None
)


class Settings(BaseSettings):
    """Every setting of coachbot; see ``.env.example`` and the README for what each one does."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `COACHBOT_WEBHOOK_URL=` in a .env means "not set"
        case_sensitive=False,
        extra="ignore",  # a .env file may hold other programs' variables too
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0:8080"
    webhook_secret: SecretStr | None = None
    health_listen: str | None = None
    """host:port of a listener for /healthz, /readyz and /metrics (None: only on the webhook's
    port, and none with long polling)."""
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    admin_ids: Annotated[list[int], NoDecode] = []
    timezone: str = "UTC"
    language: Literal["en", "zh"] = "en"
    scripts_dir: str | None = None
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    send_rate: Annotated[float, Field(ge=0)] = 30.0
    """Messages per second to Telegram overall (0: no limit, e.g. against a local test server)."""
    send_chat_rate: Annotated[float, Field(ge=0)] = 1.0
    """Messages per second to one chat, after a short burst (0: no limit)."""
    send_chat_burst: Annotated[float, Field(ge=1, le=20)] = 3.0
    """Messages that may go to one chat at once before ``send_chat_rate`` applies: a turn's
    reply of 1–3 messages goes out together."""
    send_lease: Annotated[float, Field(ge=1, le=3600)] = 10.0
    """Seconds a bot process holds the replies it is sending before another may take them
    over (it renews them while it lives; several processes on PostgreSQL)."""
    reminder_tick: Annotated[float, Field(gt=0, le=300)] = 2.0
    """Seconds between two looks for due reminders and daily summary batches (new summaries:
    four times as often, ``bot.telegram.runner.summary_tick``)."""
    quiet_hours: str = "21:00-08:00"
    """No nudges in these local hours (follow-ups a rep timed still come)."""
    quiet_weekends: bool = True
    week_plan_at: str = "Mon 09:00"
    week_review_at: str = "Fri 16:00"
    holidays: Annotated[list[date], NoDecode] = []
    """Days without nudges, e.g. ``2026-12-25,2027-01-01``."""
    revisit_days: Annotated[list[int], NoDecode] = [7, 30, 90]
    """Days after a won deal when the revisits are due."""
    revisit_class_days: str = "A=14,B=30,C=90"
    """Longest gap between visits per customer class before a revisit is suggested."""
    debrief_nudge_hours: Annotated[float, Field(gt=0, le=72)] = 3.0
    """Hours after a planned visit before an undebriefed visit is nudged."""
    outbox_retention_days: Annotated[float, Field(ge=0, le=3650)] = 3.0
    """Days a delivered message stays in the outbox before the hourly purge deletes it."""
    roleplay_llm_url: str | None = None
    """An OpenAI-compatible chat API (e.g. ``https://api.openai.com/v1``) that voices the
    role-play buyer; unset (the default): the script's own lines. See ``bot.llm_buyer``."""
    roleplay_llm_model: str = ""
    roleplay_llm_api_key: SecretStr | None = None
    roleplay_llm_timeout: Annotated[float, Field(gt=0, le=60)] = 8.0
    """Seconds to wait for the model; after that the script's line answers."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        environ = _environ_override.get()
        if environ is not None:
            env_settings = _MappingEnvSource(settings_cls, environ)
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    # -- validators (each message is written to follow "invalid setting COACHBOT_X: ") --

    @field_validator("telegram_token", "webhook_secret", mode="before")
    @classmethod
    def _strip_secret(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("roleplay_llm_url")
    @classmethod
    def _check_llm_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "not an http(s) URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1"
            )
        return value.strip().rstrip("/")

    @field_validator("telegram_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _BOT_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "not a Telegram bot token (expected the form 123456789:AAE... from @BotFather)"
            )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters, only A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        return _http_url(value, schemes=("http", "https")).rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        own_api = info.data.get("telegram_api_url", DEFAULT_TELEGRAM_API_URL) not in (
            DEFAULT_TELEGRAM_API_URL,
            f"{DEFAULT_TELEGRAM_API_URL}/",
        )
        if urlsplit(value.strip()).hostname in _LOCAL_HOSTS or own_api:
            # A Bot API server of your own (or a test one) may post to plain http; Telegram won't.
            return _http_url(value, schemes=("http", "https"))
        return _http_url(value, schemes=("https",))

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        value = _POSTGRES_SCHEME.sub("postgresql+psycopg://", value.strip(), count=1)
        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(
                "not a database URL (expected sqlite:///path/to/file.db "
                "or postgresql://user@host/dbname)"
            ) from None
        if url.drivername not in _SQLITE_DRIVERS | _POSTGRES_DRIVERS:
            raise ValueError(
                f"unsupported database {url.drivername!r}: use sqlite:///path/to/file.db "
                "or postgresql://user@host/dbname"
            )
        return value

    @field_validator("webhook_listen", "health_listen")
    @classmethod
    def _check_listen(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        _split_host_port(value)
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        ids: list[int] = []
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if not _USER_ID.fullmatch(item):
                raise ValueError(
                    f"not a Telegram user id: {item!r} (expected comma-separated numbers)"
                )
            ids.append(int(item))
        return ids

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai or UTC)"
            ) from None
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _normalise_language(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
        if primary not in ("en", "zh"):
            raise ValueError(f"unsupported language {value!r} (use en or zh)")
        return primary

    @field_validator("scripts_dir")
    @classmethod
    def _check_scripts_dir(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_dir():
            raise ValueError(f"no such folder {value!r}")
        return value

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _check_synchronous(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip().upper()
        if value not in ("NORMAL", "FULL"):
            raise ValueError(f"must be NORMAL or FULL, not {value!r}")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet_hours(cls, value: str) -> str:
        parts = value.replace(" ", "").split("-")
        if len(parts) != 2 or not all(_CLOCK.fullmatch(part) for part in parts):
            raise ValueError(f"expected HH:MM-HH:MM such as 21:00-08:00, not {value!r}")
        return "-".join(parts)

    @field_validator("week_plan_at", "week_review_at")
    @classmethod
    def _check_weekly(cls, value: str) -> str:
        parts = value.split()
        if (
            len(parts) != 2
            or parts[0][:3].lower() not in WEEKDAYS
            or not _CLOCK.fullmatch(parts[1])
        ):
            raise ValueError(f"expected a weekday and a time such as Mon 09:00, not {value!r}")
        return f"{parts[0][:3].title()} {parts[1]}"

    @field_validator("holidays", "revisit_days", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("revisit_class_days")
    @classmethod
    def _check_class_days(cls, value: str) -> str:
        for item in value.split(","):
            name, _, days = item.partition("=")
            if not name.strip() or not days.strip().isdigit():
                raise ValueError(f"expected CLASS=DAYS pairs such as A=14,B=30,C=90, not {value!r}")
        return value

    # -- conveniences --

    @property
    def class_days(self) -> dict[str, int]:
        pairs = (item.partition("=") for item in self.revisit_class_days.split(","))
        return {name.strip().upper(): int(days) for name, _, days in pairs}

    @property
    def tzinfo(self) -> ZoneInfo:
        """The default time zone of new users."""
        return ZoneInfo(self.timezone)

    @property
    def webhook_host(self) -> str:
        """Host part of ``webhook_listen`` (IPv6 without brackets)."""
        return _split_host_port(self.webhook_listen)[0]

    @property
    def webhook_port(self) -> int:
        return _split_host_port(self.webhook_listen)[1]

    @property
    def health_address(self) -> tuple[str, int] | None:
        """``health_listen`` as a host and a port, or None when unset."""
        return None if self.health_listen is None else _split_host_port(self.health_listen)


def load_settings(env: Mapping[str, str] | None = None, env_file: str | None = ".env") -> Settings:
    """Build the settings from ``env`` (default: ``os.environ``) and ``env_file`` (None: no file).

    Values in the environment win over the file. Raises :class:`pydantic.ValidationError`; show it
    with :func:`describe_settings_error`.
    """
    with _environ(env):
        return Settings(_env_file=env_file)


def env_name(field: str) -> str:
    """The environment variable of a setting: ``timezone`` -> ``COACHBOT_TIMEZONE``."""
    return f"{ENV_PREFIX}{field.upper()}"


def describe_settings_error(exc: ValidationError) -> str:
    """One line per wrong setting, each naming its environment variable (joined by newlines)."""
    problems: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        loc = error.get("loc", ())
        name = env_name(str(loc[0])) if loc else ""
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if message not in problems.setdefault(name, []):
            problems[name].append(message)
    return "\n".join(
        f"coachbot: invalid setting {name}: {'; '.join(messages)}"
        if name
        else f"coachbot: invalid settings: {'; '.join(messages)}"
        for name, messages in problems.items()
    )


# -- helpers --


class _MappingEnvSource(EnvSettingsSource):
    """The environment source, reading a given mapping instead of ``os.environ``."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {
            (key if self.case_sensitive else key.lower()): value
            for key, value in self._environ.items()
            if not (self.env_ignore_empty and value == "")
        }


@contextmanager
def _environ(env: Mapping[str, str] | None) -> Iterator[None]:
    token = _environ_override.set(env)
    try:
        yield
    finally:
        _environ_override.reset(token)


def _http_url(value: str, *, schemes: tuple[str, ...]) -> str:
    # The value is not echoed: a webhook URL often carries a secret in its path.
    value = value.strip()
    problem = f"not a valid {' or '.join(schemes)} URL (expected {schemes[-1]}://host/...)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise ValueError(problem) from None
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise ValueError(problem)
    return value


def _split_host_port(value: str) -> tuple[str, int]:
    """``host:port`` (``[::]:8080`` for IPv6) as a host and a port number."""
    host, sep, port = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
        raise ValueError(
            f"expected host:port with a port from 1 to 65535 (e.g. 0.0.0.0:8080), not {value!r}"
        )
    return host, int(port)
