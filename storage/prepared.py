"""Core statements compiled once, executed straight on the DBAPI cursor: the store's hot path.

Why around SQLAlchemy: its ``Connection.execute`` cost about 60 µs per statement in Python
(execution context, events, result wrapping) — more than SQLite's own work for the statement, and
a turn runs half a dozen statements. Compiling them once per dialect and running the SQL text on
the DBAPI cursor took the durable SQLite turn from about 1,100 to about 1,800 a second
(``bench/turns.py --turn fake``, the storage cost almost alone; bench/README.md, "What made the
hot path fast"). Nothing of SQLAlchemy's typing is lost: the statements are still Core
constructs over ``storage.schema``'s tables, and ``Prepared`` applies the bind and result
processing SQLAlchemy would (JSON serializer, aware-UTC datetimes), taken from the statement's
own column types. Everything but the hot path still goes through SQLAlchemy proper
(docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any] | None
_MISSING: Any = object()
_PYFORMAT = re.compile(r"%\((\w+)\)s")


def _remember_last(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``processor`` that reuses its last result for the very same object.

    One turn binds the same ``now`` to half a dozen statements; formatting it once is enough.
    The cache is one immutable tuple, replaced whole: safe across threads.
    """
    last: list[tuple[Any, Any]] = [(_MISSING, None)]

    def process(value: Any) -> Any:
        seen, result = last[0]
        if value is seen:
            return result
        result = processor(value)
        last[0] = (value, result)
        return result

    return process


class Prepared:
    """One statement for one dialect: ``run(cursor, params)`` executes it, ``row``/``rows`` read."""

    __slots__ = ("_named", "_params", "_results", "sql")

    def __init__(
        self,
        statement: ClauseElement,
        dialect: sa.Dialect,
        *,
        column_keys: list[str] | None = None,
    ) -> None:
        """``column_keys``: the columns an INSERT without ``.values()`` takes (as parameters)."""
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=column_keys))
        self.sql = compiled.string
        binds = compiled.binds
        if dialect.positional:
            names = list(compiled.positiontup or ())
        elif dialect.paramstyle == "pyformat":
            names = list(dict.fromkeys(_PYFORMAT.findall(self.sql)))
        else:  # pragma: no cover - our two dialects are qmark and pyformat
            raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
        self._named = not dialect.positional
        self._params: list[tuple[str, Processor, Any]] = []
        for name in names:
            bind = binds[name]
            processor = _processor(bind.type, dialect)
            default = _MISSING if bind.required else bind.effective_value
            self._params.append((name, processor, default))
        types: list[Any] = []
        if isinstance(statement, sa.Select):
            types = [column.type for column in statement.selected_columns]
        elif isinstance(statement, UpdateBase):
            types = [d["type"] for d in statement.returning_column_descriptions]
        self._results = [t.dialect_impl(dialect).result_processor(dialect, None) for t in types]

    def args(self, params: Mapping[str, Any]) -> Any:
        values = []
        for name, processor, default in self._params:
            value = params[name] if default is _MISSING else params.get(name, default)
            values.append(processor(value) if processor is not None else value)
        if self._named:
            return dict(zip((p[0] for p in self._params), values, strict=True))
        return tuple(values)

    def run(self, cursor: Any, params: Mapping[str, Any]) -> Any:
        """Execute on ``cursor`` and return it (in a psycopg pipeline, results come later)."""
        cursor.execute(self.sql, self.args(params))
        return cursor

    def first(self, cursor: Any) -> tuple[Any, ...] | None:
        """The first row of the statement run on ``cursor`` (type-processed), or None."""
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.fetchall()  # drain: some drivers keep the statement busy otherwise
        return tuple(
            processor(value) if processor is not None else value
            for processor, value in zip(self._results, row, strict=True)
        )

    def all(self, cursor: Any) -> list[tuple[Any, ...]]:
        """Every row of the statement run on ``cursor`` (type-processed)."""
        return [
            tuple(
                processor(value) if processor is not None else value
                for processor, value in zip(self._results, row, strict=True)
            )
            for row in cursor.fetchall()
        ]

    def row(self, cursor: Any, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Execute and return the first row (type-processed), or None."""
        return self.first(self.run(cursor, params))


_SHARED: dict[tuple[str, str], Processor] = {}


def _processor(type_: Any, dialect: sa.Dialect) -> Processor:
    """The bind processor of ``type_``; for datetimes a shared one that remembers its last value."""
    impl = type_.dialect_impl(dialect)
    datetime_type = isinstance(type_, sa.DateTime) or (
        isinstance(type_, sa.types.TypeDecorator) and isinstance(type_.impl_instance, sa.DateTime)
    )
    if not datetime_type:
        return cast(Processor, impl.bind_processor(dialect))
    key = (dialect.name, repr(type_))
    if key not in _SHARED:
        processor = impl.bind_processor(dialect)
        _SHARED[key] = _remember_last(processor) if processor is not None else None
    return _SHARED[key]


__all__ = ["Prepared"]
