"""One reader per kind of answer, each in English and Chinese: pure functions from what a rep
typed to a ``Read`` (a value and how sure it is), or None when the text holds no such answer."""

from dialogs.readers.choice import OptionWords, read_choice, read_choices
from dialogs.readers.confirm import read_confirmation
from dialogs.readers.number import CURRENCIES, read_number
from dialogs.readers.rating import read_rating
from dialogs.readers.reading import ACCEPT_AT, Read
from dialogs.readers.yesno import PARTLY, YesNo, read_yes_no

__all__ = [
    "ACCEPT_AT",
    "CURRENCIES",
    "PARTLY",
    "OptionWords",
    "Read",
    "YesNo",
    "read_choice",
    "read_choices",
    "read_confirmation",
    "read_number",
    "read_rating",
    "read_yes_no",
]
