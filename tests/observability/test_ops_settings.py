"""The operator's settings: where the probes listen, the log's format and level."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config import describe_settings_error, load_settings


def test_defaults_open_no_port_and_log_readable_text_at_info() -> None:
    settings = load_settings({}, None)
    assert settings.health_listen is None
    assert settings.health_address is None
    assert (settings.log_format, settings.log_level) == ("console", "INFO")


def test_values_are_read_in_any_case() -> None:
    settings = load_settings(
        {
            "COACHBOT_HEALTH_LISTEN": " 0.0.0.0:9090 ",
            "COACHBOT_LOG_FORMAT": "JSON",
            "COACHBOT_LOG_LEVEL": "debug",
        },
        None,
    )
    assert settings.health_address == ("0.0.0.0", 9090)
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
    assert load_settings({"COACHBOT_HEALTH_LISTEN": "[::1]:9090"}, None).health_address == (
        "::1",
        9090,
    )


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("COACHBOT_HEALTH_LISTEN", "9090", "host:port"),
        ("COACHBOT_HEALTH_LISTEN", "0.0.0.0:99999", "host:port"),
        ("COACHBOT_LOG_FORMAT", "xml", "'console' or 'json'"),
        ("COACHBOT_LOG_LEVEL", "loud", "'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_setting(name: str, value: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load_settings({name: value}, None)
    [line] = describe_settings_error(caught.value).splitlines()
    assert line.startswith(f"coachbot: invalid setting {name}: ")
    assert words in line


def test_a_plain_http_webhook_only_with_a_bot_api_server_of_your_own() -> None:
    """Telegram posts only to https; a local Bot API server (or the compose file's fake) may
    post to http, e.g. to the proxy's service name."""
    hook = {"COACHBOT_WEBHOOK_URL": "http://proxy:8080/telegram/try"}
    with pytest.raises(ValidationError) as caught:
        load_settings(hook, None)
    assert "COACHBOT_WEBHOOK_URL" in describe_settings_error(caught.value)
    own = load_settings({**hook, "COACHBOT_TELEGRAM_API_URL": "http://fake-telegram:8081"}, None)
    assert own.webhook_url == "http://proxy:8080/telegram/try"
