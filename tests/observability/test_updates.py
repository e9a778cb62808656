"""Each update is counted once by outcome, and timed, whatever happens in its handling."""

from __future__ import annotations

import pytest
from aiogram.types import Update

from bot.observability.metrics import Metrics
from bot.observability.updates import observing, turn_committed


def update(kind: str = "message") -> Update:
    user = {"id": 42, "is_bot": False, "first_name": "Anna"}
    payloads = {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "from": user,
            "text": "hello",
        },
        "callback_query": {"id": "7", "from": user, "chat_instance": "x", "data": "a:1:yes"},
    }
    return Update.model_validate({"update_id": 5, kind: payloads[kind]})


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def test_a_failing_update_counts_as_an_error_and_is_still_timed() -> None:
    metrics = Metrics()
    with pytest.raises(RuntimeError), observing(metrics, update()):
        raise RuntimeError("the database is gone")
    assert sample(metrics, "coachbot_updates_total", kind="message", outcome="error") == 1
    assert sample(metrics, "coachbot_update_duration_seconds_count", kind="message") == 1


def test_turns_count_inside_an_update_and_a_redelivery_marks_it_duplicate() -> None:
    metrics = Metrics()
    with observing(metrics, update("callback_query")):
        turn_committed(duplicate=False, seconds=0.003)
        turn_committed(duplicate=False, seconds=0.004)
    with observing(metrics, update()):
        turn_committed(duplicate=True, seconds=0.001)
    assert sample(metrics, "coachbot_updates_total", kind="callback_query", outcome="ok") == 1
    assert sample(metrics, "coachbot_updates_total", kind="message", outcome="duplicate") == 1
    assert sample(metrics, "coachbot_turns_total") == 2
    assert sample(metrics, "coachbot_turn_duration_seconds_sum") == pytest.approx(0.007)
    assert sample(metrics, "coachbot_updates_deduplicated_total") == 1


def test_a_turn_outside_an_update_counts_nowhere() -> None:
    """The console chat's turns: no update, no metrics (and no error)."""
    metrics = Metrics()
    turn_committed(duplicate=False, seconds=0.01)
    assert sample(metrics, "coachbot_turns_total") == 0
