"""Nothing typed is lost: text that is not the current step's answer stays with the run as a
note (``NoteKept``), and is never stored as the answer."""

from __future__ import annotations

from dialogs.types import AnswerSaved, NoteKept
from tests.chat import Chat


def to_value(chat: Chat) -> None:
    chat.start()
    chat.send("4")
    chat.send("fine")
    chat.send("3")  # nobody to blame
    chat.click("Large")
    assert chat.step_id == "value"


def test_a_refused_answer_is_kept_as_a_note_of_its_step(chat: Chat) -> None:
    to_value(chat)

    chat.send("hard to put a figure on it, the buyer kept changing the scope")

    assert chat.step_id == "value"  # asked again
    assert chat.effects == [
        NoteKept(1, "value", "hard to put a figure on it, the buyer kept changing the scope")
    ]
    assert "value" not in chat.answers()


def test_a_valid_answer_keeps_no_note(chat: Chat) -> None:
    to_value(chat)

    chat.send("1200")

    assert not [e for e in chat.effects if isinstance(e, NoteKept)]
    assert AnswerSaved(1, "value", 1200) in chat.effects


def test_an_empty_answer_is_no_note(chat: Chat) -> None:
    to_value(chat)

    chat.send("   ")

    assert not [e for e in chat.effects if isinstance(e, NoteKept)]


def test_text_typed_while_asked_to_choose_is_kept_with_the_run(chat: Chat) -> None:
    to_value(chat)
    chat.command("cancel")  # "stop this conversation?" yes / no

    chat.send("honestly the whole visit was a waste, the buyer never showed up")

    assert chat.effects == [
        NoteKept(1, "value", "honestly the whole visit was a waste, the buyer never showed up")
    ]
    assert chat.state.mode == "confirm_cancel"  # still asked
