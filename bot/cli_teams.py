"""``coachbot`` team and invite commands for the operator."""

from __future__ import annotations

import argparse
from typing import Any


def add_team_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the team and invite commands on the ``coachbot`` parser."""
