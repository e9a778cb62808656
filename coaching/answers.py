"""The scripts and answers several layers read by name (``dialogs.contract``), declared once.

The manager's summaries, the flags, the digest, the export and a deleted rep's kept answers all
read a debrief's ``customer`` or ``goal_met``; each of them lists what it reads in its own
``CONTRACT`` (checked by ``coachbot scripts check``), and takes the names from here, the lowest
layer they share — never as string literals. An answer only one module reads is declared there.
"""

from __future__ import annotations

from dialogs.contract import Answer, ScriptRef, Value
from dialogs.model import Kind
from dialogs.readers import PARTLY

DEBRIEF = ScriptRef("debrief")
PRECALL = ScriptRef("precall")
WEEK_PLAN = ScriptRef("week_plan")
WEEK_REVIEW = ScriptRef("week_review")
REVISIT = ScriptRef("revisit")
COACHING = ScriptRef("coaching")

VISITS = (DEBRIEF.id, REVISIT.id)
"""The scripts that are a visit to a customer (who was seen, and when)."""
_VISIT = (DEBRIEF.id,)
_BOTH = (DEBRIEF.id, PRECALL.id)

CUSTOMER = Answer("customer", Kind.CHOICE, (DEBRIEF.id, PRECALL.id, REVISIT.id))
VISIT_TYPE = Answer("visit_type", Kind.CHOICE, _BOTH)
CUSTOMER_CLASS = Answer("customer_class", Kind.CHOICE, _BOTH)
DEAL_SIZE = Answer("deal_size", Kind.CHOICE, _BOTH)
VISIT_AT = Answer("visit_at", Kind.DATETIME, (PRECALL.id,))
FEELING_SCORE = Answer("feeling_score", Kind.SCALE, _VISIT)
GOAL_MET = Answer("goal_met", Kind.YESNO, _VISIT)
GOAL_PARTLY = Value(GOAL_MET, PARTLY)
"""A goal met only partly: still a visit without the goal (``partial: true``)."""
ORDER_VALUE = Answer("order_value", Kind.NUMBER, _VISIT)
OBJECTIONS = Answer("objections", Kind.MULTI, _VISIT)
MAIN_OBJECTION = Answer("main_objection", Kind.CHOICE, _VISIT)
NEXT_ACTION = Answer("next_action", Kind.TEXT, _VISIT)
NEXT_DATE = Answer("next_date", Kind.DATETIME, _VISIT)
