"""``coachbot`` report and export commands for the operator."""

from __future__ import annotations

import argparse
from typing import Any


def add_report_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the report and export commands on the ``coachbot`` parser."""
