"""Settings: defaults, parsing, normalisation, and one clear line per malformed setting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from config import Settings, describe_settings_error, load_settings

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ms"


def load(**values: str) -> Settings:
    """Settings from exactly these COACHBOT_* values (no os.environ, no .env file)."""
    return load_settings({f"COACHBOT_{key.upper()}": value for key, value in values.items()}, None)


def error_lines(**values: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load(**values)
    return describe_settings_error(caught.value).splitlines()


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No COACHBOT_* variables in os.environ, and an empty working directory."""
    for name in list(os.environ):
        if name.upper().startswith("COACHBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults() -> None:
    settings = load()
    assert settings.telegram_token is None
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_url == "sqlite:///./var/coachbot.db"
    assert settings.webhook_url is None
    assert settings.webhook_listen == "0.0.0.0:8080"
    assert (settings.webhook_host, settings.webhook_port) == ("0.0.0.0", 8080)
    assert settings.webhook_secret is None
    assert settings.admin_ids == []
    assert settings.timezone == "UTC"
    assert str(settings.tzinfo) == "UTC"
    assert settings.language == "en"
    assert settings.scripts_dir is None
    assert settings.sqlite_synchronous == "NORMAL"


def test_nothing_is_read_at_import() -> None:
    import config.settings

    assert not any(isinstance(value, Settings) for value in vars(config.settings).values())


def test_good_values(tmp_path: Path) -> None:
    settings = load(
        telegram_token=TOKEN,
        telegram_api_url="http://127.0.0.1:8081/",
        webhook_url="https://bot.example.com/telegram",
        webhook_listen="[::]:8443",
        webhook_secret="s3cret_-X",
        timezone="Asia/Shanghai",
        scripts_dir=str(tmp_path),
        sqlite_synchronous="full",
    )
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.webhook_url == "https://bot.example.com/telegram"
    assert (settings.webhook_host, settings.webhook_port) == ("::", 8443)
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "s3cret_-X"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.scripts_dir == str(tmp_path)
    assert settings.sqlite_synchronous == "FULL"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", [1]),
        ("1, 2,3", [1, 2, 3]),
        (" 42 ,", [42]),
        ("123456789,987654321", [123456789, 987654321]),
    ],
)
def test_admin_ids(raw: str, expected: list[int]) -> None:
    assert load(admin_ids=raw).admin_ids == expected


def test_empty_values_mean_not_set() -> None:
    settings = load(admin_ids="", telegram_token="", webhook_url="", timezone="")
    assert settings.admin_ids == []
    assert settings.telegram_token is None
    assert settings.webhook_url is None
    assert settings.timezone == "UTC"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("zh", "zh"),
        ("zh-Hans", "zh"),
        ("zh-CN", "zh"),
        ("zh_CN", "zh"),
    ],
)
def test_language_normalised(raw: str, expected: str) -> None:
    assert load(language=raw).language == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://coach:pw@db:5432/coachbot", "postgresql+psycopg://coach:pw@db:5432/coachbot"),
        ("postgresql://coach@127.0.0.1/coachbot", "postgresql+psycopg://coach@127.0.0.1/coachbot"),
        ("postgresql+psycopg://coach@db/coachbot", "postgresql+psycopg://coach@db/coachbot"),
        (
            "postgresql://u:p%40ss@db/x?sslmode=require",
            "postgresql+psycopg://u:p%40ss@db/x?sslmode=require",
        ),
        ("sqlite:////srv/coachbot/coachbot.db", "sqlite:////srv/coachbot/coachbot.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_database_url(raw: str, expected: str) -> None:
    assert load(database_url=raw).database_url == expected


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("telegram_token", "changeme", "not a Telegram bot token"),
        ("telegram_token", "123:short", "not a Telegram bot token"),
        ("telegram_api_url", "api.telegram.org", "URL"),
        ("telegram_api_url", "ftp://api.telegram.org", "URL"),
        ("database_url", "not a url", "not a database URL"),
        ("database_url", "mysql://u@h/db", "unsupported database"),
        ("webhook_url", "http://bot.example.com/hook", "https"),
        ("webhook_url", "https://", "https"),
        ("webhook_listen", "8080", "host:port"),
        ("webhook_listen", "0.0.0.0:0", "host:port"),
        ("webhook_listen", "0.0.0.0:65536", "host:port"),
        ("webhook_listen", "localhost:http", "host:port"),
        ("webhook_secret", "has spaces in it", "A-Z"),
        ("webhook_secret", "x" * 257, "1-256"),
        ("admin_ids", "1, two, 3", "'two'"),
        ("admin_ids", "1;2", "'1;2'"),
        ("admin_ids", "-5", "'-5'"),
        ("timezone", "Mars/Base", "unknown time zone 'Mars/Base'"),
        ("timezone", "../../etc/passwd", "unknown time zone"),
        ("language", "fr", "unsupported language 'fr'"),
        ("scripts_dir", "/no/such/folder", "no such folder"),
        ("sqlite_synchronous", "OFF", "NORMAL or FULL"),
    ],
)
def test_malformed_value_gives_one_line_naming_the_setting(
    setting: str, value: str, words: str
) -> None:
    lines = error_lines(**{setting: value})
    assert len(lines) == 1
    assert lines[0].startswith(f"coachbot: invalid setting COACHBOT_{setting.upper()}: ")
    assert words in lines[0]


def test_timezone_message_exactly() -> None:
    (line,) = error_lines(timezone="Mars/Base")
    assert line.startswith(
        "coachbot: invalid setting COACHBOT_TIMEZONE: unknown time zone 'Mars/Base'"
    )


def test_several_errors_one_line_each() -> None:
    lines = error_lines(timezone="Mars/Base", admin_ids="x", webhook_listen="nope")
    assert len(lines) == 3
    named = {line.split(":")[1].split()[-1] for line in lines}
    assert named == {"COACHBOT_TIMEZONE", "COACHBOT_ADMIN_IDS", "COACHBOT_WEBHOOK_LISTEN"}


@pytest.mark.parametrize(
    ("setting", "secret"),
    [
        ("telegram_token", "123456789:short-but-secret"),
        ("webhook_secret", "secret with spaces"),
        ("webhook_url", "http://bot.example.com/bot123456789:secret-path"),
    ],
)
def test_errors_do_not_echo_secrets(setting: str, secret: str) -> None:
    (line,) = error_lines(**{setting: secret})
    assert "secret" not in line.split(":", 2)[2]


def test_environment_is_read(clean_environ: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACHBOT_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("coachbot_admin_ids", "7")
    settings = load_settings()
    assert settings.timezone == "Europe/Berlin"
    assert settings.admin_ids == [7]


def test_env_file_is_read(clean_environ: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_environ / ".env").write_text(
        "# a comment\n"
        "COACHBOT_TIMEZONE=Asia/Shanghai\n"
        "COACHBOT_LANGUAGE=zh-CN\n"
        "COACHBOT_ADMIN_IDS=1, 2\n"
        "COACHBOT_WEBHOOK_URL=\n"
        "OTHER_PROGRAM_SETTING=ignored\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.language == "zh"
    assert settings.admin_ids == [1, 2]
    assert settings.webhook_url is None
    assert load_settings(env_file=None).timezone == "UTC"


def test_environment_wins_over_env_file(
    clean_environ: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environ / ".env").write_text("COACHBOT_TIMEZONE=Asia/Shanghai\n", encoding="utf-8")
    monkeypatch.setenv("COACHBOT_TIMEZONE", "Europe/Paris")
    assert load_settings().timezone == "Europe/Paris"
    assert load_settings({"COACHBOT_LANGUAGE": "zh"}).timezone == "Asia/Shanghai"


def test_malformed_value_in_env_file_is_named(clean_environ: Path) -> None:
    (clean_environ / ".env").write_text("COACHBOT_TIMEZONE=Mars/Base\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_settings()
    assert describe_settings_error(caught.value).startswith(
        "coachbot: invalid setting COACHBOT_TIMEZONE: "
    )


def test_given_mapping_ignores_os_environ(
    clean_environ: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACHBOT_TIMEZONE", "Mars/Base")
    assert load_settings({}, None).timezone == "UTC"
