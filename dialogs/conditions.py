"""A small, safe condition language for branching on earlier answers.

Conditions look like Python expressions but are never evaluated by Python: they are parsed with
``ast`` and only an allow-listed subset is interpreted (names of steps, literals, comparisons,
``in`` / ``not in``, ``and`` / ``or`` / ``not``, parentheses, lists). Anything else is a load-time
error, so a typo in a script fails ``coachbot scripts check``, never a rep's conversation.

Examples: ``feeling_score <= 2``, ``deal_size == "large"``, ``"price" in objections``,
``goal_met == false and not skipped(next_step)``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None, "none": None}
_FUNCTIONS = frozenset({"answered", "skipped", "count"})

Evaluator = Callable[[Mapping[str, Any]], Any]


class ConditionError(ValueError):
    """The condition text is not in the allowed language."""


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    names: frozenset[str]
    """The step ids the condition reads."""
    _evaluate: Evaluator

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Unanswered steps read as ``null``; a comparison that cannot be made is simply false."""
        try:
            return bool(self._evaluate(answers))
        except TypeError:
            return False


def parse_condition(source: str) -> Condition:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"cannot read condition {source!r}: {exc.msg}") from None
    names: set[str] = set()
    evaluate = _compile(tree.body, names)
    return Condition(source=source, names=frozenset(names), _evaluate=evaluate)


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: bool(a == b),
    ast.NotEq: lambda a, b: bool(a != b),
    ast.Lt: lambda a, b: bool(a < b),
    ast.LtE: lambda a, b: bool(a <= b),
    ast.Gt: lambda a, b: bool(a > b),
    ast.GtE: lambda a, b: bool(a >= b),
    ast.In: lambda a, b: b is not None and a in b,
    ast.NotIn: lambda a, b: b is None or a not in b,
}


def _compile(node: ast.expr, names: set[str]) -> Evaluator:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
        value = node.value
        return lambda _answers: value
    if isinstance(node, ast.Name):
        name = node.id
        if name.lower() in _CONSTANTS:
            constant = _CONSTANTS[name.lower()]
            return lambda _answers: constant
        names.add(name)
        return lambda answers: answers.get(name)
    if isinstance(node, ast.List | ast.Tuple):
        items = [_compile(item, names) for item in node.elts]
        return lambda answers: [item(answers) for item in items]
    if isinstance(node, ast.BoolOp):
        parts = [_compile(value, names) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda answers: all(part(answers) for part in parts)
        return lambda answers: any(part(answers) for part in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        operand = _compile(node.operand, names)
        return lambda answers: not operand(answers)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = _compile(node.operand, names)
        return lambda answers: -operand(answers)
    if isinstance(node, ast.Compare):
        return _compile_compare(node, names)
    if isinstance(node, ast.Call):
        return _compile_call(node, names)
    raise ConditionError(f"not allowed in a condition: {ast.unparse(node)!r}")


def _compile_compare(node: ast.Compare, names: set[str]) -> Evaluator:
    operands = [_compile(node.left, names), *(_compile(c, names) for c in node.comparators)]
    operators = []
    for op in node.ops:
        compare = _COMPARE.get(type(op))
        if compare is None:
            raise ConditionError(f"operator not allowed in a condition: {ast.unparse(node)!r}")
        operators.append(compare)

    def evaluate(answers: Mapping[str, Any]) -> bool:
        left = operands[0](answers)
        for compare, right_fn in zip(operators, operands[1:], strict=True):
            right = right_fn(answers)
            if left is None and compare not in (_COMPARE[ast.Eq], _COMPARE[ast.NotEq]):
                return False
            if not compare(left, right):
                return False
            left = right
        return True

    return evaluate


def _compile_call(node: ast.Call, names: set[str]) -> Evaluator:
    if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
        raise ConditionError(f"unknown function in a condition: {ast.unparse(node)!r}")
    if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Name):
        raise ConditionError(f"{node.func.id}() takes one step name: {ast.unparse(node)!r}")
    name = node.args[0].id
    names.add(name)
    function = node.func.id
    if function == "answered":
        return lambda answers: answers.get(name) is not None
    if function == "skipped":
        return lambda answers: name in answers and answers[name] is None
    return lambda answers: len(answers.get(name) or ())
