"""The application layer: what coachbot does, whatever the messenger or the database.

The use cases live here — a rep's turn (``conversations``), a user's account
(``accounts``), reminders and nudges (``reminders``), a manager's summaries
(``summaries``), the weekly digests due (``digests``), a team's settings (``team_settings``),
the commands that start a script (``commands``) — with the rules and texts they need. They run
the pure engine (``dialogs``) and the pure timing rules (``reminders`` at the top level), and
reach the database only through the ports they declare (``typing.Protocol``); ``storage/``
implements them. No aiogram, no SQL here: ``bot/`` adapts Telegram, the console and the CLI to
these calls (``tests/test_layout.py`` enforces the import rule).
"""
