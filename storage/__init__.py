"""Durable state: the schema, its migrations, and one transaction per turn.

- ``storage.db.make_engine(url)``: SQLite (default ``sqlite:///./var/coachbot.db``) or PostgreSQL.
- ``storage.migrate.upgrade(url)``: ``alembic upgrade head``, programmatically.
- ``storage.store.Store(engine, turn)``: ``handle(profile, event, now=...)`` runs the engine on the
  stored state and commits everything a turn produces; plus the sender's and the read side.
- ``storage.memory.MemoryStore``: the same contract on dicts, for benchmarks and tests.
"""
