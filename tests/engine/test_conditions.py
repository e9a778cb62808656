"""The branching language: readable conditions on answers, and nothing else gets through."""

from __future__ import annotations

import pytest

from dialogs.conditions import ConditionError, parse_condition

ANSWERS = {"mood": 2, "size": "large", "blame": ["buyer", "price"], "met": False, "note": None}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("mood <= 2", True),
        ("mood > 2", False),
        ("1 < mood < 3", True),
        ('size == "large"', True),
        ("size != 'large'", False),
        ('"price" in blame', True),
        ('"rival" not in blame', True),
        ("met == false", True),
        ("not met", True),
        ('mood <= 2 and size == "large"', True),
        ('mood > 4 or "buyer" in blame', True),
        ("(mood > 4 or met) and size", False),
        ("answered(mood)", True),
        ("answered(note)", False),
        ("skipped(note)", True),
        ("skipped(mood)", False),
        ("count(blame) >= 2", True),
        ('size in ["small", "large"]', True),
        ("unknown_step == null", True),
        ("unknown_step > 3", False),  # unanswered reads as null: comparisons are false
        ('mood == "2"', False),
        ("mood > 'a'", False),  # cannot compare: false, never an error mid-conversation
    ],
)
def test_conditions_evaluate_against_answers(source: str, expected: bool) -> None:
    assert parse_condition(source).holds(ANSWERS) is expected


def test_condition_names_the_steps_it_reads() -> None:
    condition = parse_condition('mood <= 2 and ("x" in blame or answered(note))')
    assert condition.names == {"mood", "blame", "note"}


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('ls')",
        "mood.__class__",
        "open('/etc/passwd')",
        "mood + 1 > 2",
        "[x for x in blame]",
        "lambda: 1",
        "mood if met else size",
        "blame[0] == 'buyer'",
        "mood ==",
        "count(blame, mood)",
    ],
)
def test_anything_outside_the_language_is_refused_at_load(source: str) -> None:
    with pytest.raises(ConditionError):
        parse_condition(source)
