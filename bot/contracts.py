"""Every module's ``CONTRACT`` — what it reads from the scripts by name — for ``scripts check``.

The contracts are declared next to the code that reads (``dialogs.contract``); this list only
gathers them, and a test fails when a module declares one that is missing here. The commands and
the reminders' buttons start scripts by id: their contracts are built from their own tables.
"""

from __future__ import annotations

from coaching import summaries
from coaching.commands import SCRIPT_ALIASES
from coaching.reminders import STARTS
from dialogs.contract import Contract, ScriptRef
from reports import digest, export
from storage import activity, privacy, reminders, reviews

CONTRACTS: tuple[Contract, ...] = (
    activity.CONTRACT,
    digest.CONTRACT,
    export.CONTRACT,
    privacy.CONTRACT,
    reminders.CONTRACT,
    reviews.CONTRACT,
    summaries.CONTRACT,
    Contract("coaching.commands", tuple(ScriptRef(script) for script in SCRIPT_ALIASES.values())),
    Contract("coaching.reminders", tuple(ScriptRef(script) for script in STARTS.values())),
)
