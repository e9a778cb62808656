"""Fakes for the tests and the benchmarks: a fake Telegram Bot API server, a fake dialog turn,
throw-away PostgreSQL schemas and the phrase tables of the date readers.

Both ``tests/`` and ``bench/`` import from here; ``bench/`` never imports ``tests/``
(tests/test_layout.py). Not shipped in the wheel: nothing in the product imports it.
"""
