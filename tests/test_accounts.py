"""coaching.accounts: a user's language and zone as stored else the adapter's defaults, a block
recorded only for a known user, a console rep's first visit — on a stand-in for the port."""

from __future__ import annotations

from dataclasses import dataclass, replace

from coaching.accounts import Accounts


@dataclass(frozen=True)
class Known:
    lang: str = "en"
    tz: str = "UTC"
    active: bool = True


class Users:
    """A stand-in for ``storage.store.Store`` as the ``UserAccounts`` port sees it."""

    def __init__(self, **users: Known) -> None:
        self.users = dict(users)
        self.writes: list[tuple[str, str, object]] = []

    def user(self, key: str) -> Known | None:
        return self.users.get(key)

    def _set(self, key: str, **values: object) -> None:
        self.users[key] = replace(self.users.get(key, Known()), **values)  # type: ignore[arg-type]
        self.writes.extend((key, name, value) for name, value in values.items())

    def set_language(self, key: str, lang: str) -> None:
        self._set(key, lang=lang)

    def set_timezone(self, key: str, tz: str) -> None:
        self._set(key, tz=tz)

    def set_active(self, key: str, active: bool) -> None:
        self._set(key, active=active)


def test_what_is_stored_wins_else_the_defaults() -> None:
    accounts = Accounts(Users(anna=Known("zh", "Asia/Shanghai")))
    assert accounts.who("anna", "en", "Europe/Berlin") == ("zh", "Asia/Shanghai")
    assert accounts.who("bob", "en", "Europe/Berlin") == ("en", "Europe/Berlin")
    assert accounts.language("anna", "en") == "zh"
    assert accounts.language("bob", "zh") == "zh"
    assert accounts.zone("anna", "UTC") == "Asia/Shanghai"
    assert accounts.zone("bob", "UTC") == "UTC"


def test_a_block_is_recorded_only_for_a_known_user() -> None:
    users = Users(anna=Known())
    accounts = Accounts(users)
    assert accounts.set_active("anna", False) is True
    assert accounts.set_active("stranger", False) is False
    assert users.writes == [("anna", "active", False)]
    assert "stranger" not in users.users


def test_a_console_rep_starts_in_the_deployments_language_and_zone() -> None:
    users = Users()
    accounts = Accounts(users)
    assert accounts.welcome("console:anna", lang="zh", tz="Asia/Shanghai") == "zh"
    assert users.users["console:anna"] == Known("zh", "Asia/Shanghai")
    # a later visit keeps what is stored; a language asked for replaces it
    assert accounts.welcome("console:anna", lang="en", tz="UTC") == "zh"
    assert accounts.welcome("console:anna", lang="en", tz="UTC", chosen="en") == "en"
    assert users.users["console:anna"] == Known("en", "Asia/Shanghai")
