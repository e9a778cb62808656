"""Which managers' weekly digests are due now, claimed so each goes out once.

Each active manager of each team gets the digest of that team at their own weekday and local
time (``ManagerPrefs``; Monday 08:00 by default), in their zone. The claim is a row
(``storage.digests``): two bot processes, or a restart in the middle, send it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coaching.ports import DigestClaims, DigestKey, TeamDirectory
from coaching.schedule import DigestSlot, latest_slot
from coaching.teams import Member, Team
from coaching.users import TELEGRAM_KEYS


@dataclass(frozen=True)
class DueDigest:
    key: DigestKey
    team: Team
    manager: Member
    slot: DigestSlot

    @property
    def week(self) -> str:
        return self.slot.week


class DigestDesk:
    def __init__(
        self, teams: TeamDirectory, digests: DigestClaims, *, key_prefix: str = TELEGRAM_KEYS
    ) -> None:
        self.teams = teams
        self.digests = digests
        self.key_prefix = key_prefix

    def candidates(self, now: datetime) -> list[DueDigest]:
        """Every manager's latest scheduled digest, whether sent or not (blocking)."""
        teams = {team.id: team for team in self.teams.all_teams()}
        found = []
        for team_id, manager in self.teams.all_managers():
            if not manager.active or not manager.key.startswith(self.key_prefix):
                continue
            prefs = manager.prefs
            slot = latest_slot(prefs.digest_day, prefs.digest_at, manager.tz or "UTC", now)
            if slot.due_at < manager.joined_at:
                continue  # they were not the team's manager yet
            key = (team_id, manager.user_id, slot.week)
            found.append(DueDigest(key, teams[team_id], manager, slot))
        return found

    def claim_due(self, now: datetime) -> list[DueDigest]:
        """The digests this process is now to send (blocking: call it from a worker thread)."""
        waiting = self.candidates(now)
        settled = self.digests.settled((due.key for due in waiting), now=now)
        return [
            due
            for due in waiting
            if due.key not in settled and self.digests.claim(due.key, now=now)
        ]

    def finish(self, due: DueDigest, *, sent: bool, now: datetime) -> None:
        self.digests.finish(due.key, sent=sent, now=now)


__all__ = ["DigestDesk", "DueDigest"]
