"""Answers read with doubt are shown back with one-tap buttons, never refused, never stored
unconfirmed; answers read surely are stored at once, with their unit where one was typed."""

from __future__ import annotations

from dialogs.types import AnswerDropped, AnswerSaved, NoteKept
from tests.chat import Chat, plain


def saved(chat: Chat) -> dict[str, object]:
    return {e.step: e.value for e in chat.effects if isinstance(e, AnswerSaved)}


def to_value(chat: Chat) -> None:
    chat.start()
    chat.send("4")
    chat.send("It went fine")
    chat.send("1")  # the buyer
    chat.send("2")  # large
    assert chat.step_id == "value"


def test_a_hedged_rating_is_stored_at_once(chat: Chat) -> None:
    chat.start()
    chat.send("about a 3 I guess")
    assert saved(chat) == {"mood": 3}
    assert chat.step_id == "words"


def test_a_feeling_word_is_shown_back_with_buttons_and_not_stored(chat: Chat) -> None:
    chat.start()
    chat.send("terrible")
    assert saved(chat) == {}
    assert plain(chat.question.text) == "I read that as 1 of 5 — right?"
    assert [plain(c.label) for c in chat.question.choices] == [
        "Yes, right", "2 of 5", "3 of 5", "4 of 5", "5 of 5"
    ]  # fmt: skip


def test_tap_yes_stores_the_reading(chat: Chat) -> None:
    chat.start()
    chat.send("terrible")
    chat.click("Yes, right")
    assert saved(chat) == {"mood": 1}
    assert chat.step_id == "words"


def test_tap_an_alternative_stores_it(chat: Chat) -> None:
    chat.start()
    chat.send("not great")
    chat.click("3 of 5")
    assert saved(chat) == {"mood": 3}


def test_typed_yes_confirms_and_typed_correction_is_read_again(chat: Chat) -> None:
    chat.start()
    chat.send("good")
    chat.send("对")
    assert saved(chat) == {"mood": 4}
    chat.command("back")
    chat.send("great")
    chat.send("3")  # a digit at a rating is a new rating, not "yes"
    assert saved(chat) == {"mood": 3}


def test_typed_no_asks_the_question_again(chat: Chat) -> None:
    chat.start()
    chat.send("awful")
    chat.send("no")
    assert saved(chat) == {}
    assert "answer once more" in chat.said
    assert chat.step_id == "mood"
    assert chat.question.kind == "scale"


def test_a_vent_is_acknowledged_neutrally_and_read_as_a_rating(chat: Chat) -> None:
    chat.start()
    chat.send("Terrible. The buyer was an idiot and kept me waiting an hour.")
    assert "Thank you for telling me how it went." in chat.said
    assert "idiot" not in chat.said  # no judgement, no repeating
    vent = "Terrible. The buyer was an idiot and kept me waiting an hour."
    assert NoteKept(1, "mood", vent) in chat.effects  # the rep's words are kept
    assert plain(chat.question.text) == "I read that as 1 of 5 — right?"
    chat.click("Yes, right")
    assert saved(chat) == {"mood": 1}


def test_chinese_rating_and_confirmation(sample_catalog: object) -> None:
    chat = Chat(sample_catalog, lang="zh")  # type: ignore[arg-type]
    chat.start()
    chat.send("太差了")
    assert plain(chat.question.text) == "我理解为：1 分（满分 5），对吗？"
    chat.send("没问题")
    assert saved(chat) == {"mood": 1}


def test_natural_yes_no(chat: Chat) -> None:
    chat.start()
    chat.send("3")
    chat.send("fine")
    chat.send("3")
    chat.send("small")
    chat.send("no, not yet")
    assert saved(chat) == {"met": False}


def test_a_partial_yes_is_confirmed_where_partly_is_not_allowed(chat: Chat) -> None:
    chat.start()
    chat.send("3")
    chat.send("fine")
    chat.send("3")
    chat.send("small")
    chat.send("sort of")
    assert saved(chat) == {}
    assert plain(chat.question.text) == "I read that as Yes — right?"
    chat.click("No")
    assert saved(chat) == {"met": False}


def test_a_number_with_currency_keeps_the_unit(chat: Chat) -> None:
    to_value(chat)
    chat.send("about 410k EUR")
    assert saved(chat) == {"value": 410_000, "value.unit": "EUR"}
    assert chat.step_id == "note"
    assert "Any note about 410000 EUR?" in plain(chat.question.text)


def test_changing_a_number_without_unit_drops_the_old_unit(chat: Chat) -> None:
    to_value(chat)
    chat.send("大概41万欧元")
    chat.command("back")
    chat.send("400000")
    assert saved(chat) == {"value": 400_000}
    assert AnswerDropped(1, "value.unit") in chat.effects
    assert "value.unit" not in chat.state.active.answers


def test_a_range_is_offered_with_both_ends(chat: Chat) -> None:
    to_value(chat)
    chat.send("30-40k")
    assert plain(chat.question.text) == "I read that as 35000 — right?"
    chat.click("40000")
    assert saved(chat) == {"value": 40_000}


def test_a_label_in_a_sentence_is_offered_then_a_new_answer_is_read(chat: Chat) -> None:
    chat.start()
    chat.send("3")
    chat.send("fine")
    chat.send("3")
    chat.send("I would say it was rather large")
    assert saved(chat) == {}
    assert plain(chat.question.text) == "I read that as Large — right?"
    chat.send("small")  # typed instead of tapping: read as a new answer
    assert saved(chat) == {"size": "small"}


def test_multi_by_labels_and_words(chat: Chat) -> None:
    chat.start()
    chat.send("3")
    chat.send("fine")
    chat.send("the buyer and the competition")
    assert saved(chat) == {"blame": ["buyer", "rival"]}


def test_back_leaves_the_reading(chat: Chat) -> None:
    chat.start()
    chat.send("terrible")
    chat.command("back")
    assert chat.step_id == "mood"
    assert chat.question.kind == "scale"
    assert saved(chat) == {}


def test_a_stale_or_forged_button_changes_nothing(chat: Chat) -> None:
    from dialogs.types import PickIn

    chat.start()
    chat.send("terrible")
    chat.event(PickIn(chat.question.token, "alt99"))
    assert saved(chat) == {}
    assert plain(chat.question.text) == "I read that as 1 of 5 — right?"


def test_a_refusal_shows_the_accepted_answers_as_buttons(chat: Chat) -> None:
    chat.start()
    chat.send("purple")
    assert "whole number from 1 to 5" in chat.said
    assert [c.id for c in chat.question.choices] == ["1", "2", "3", "4", "5"]


def test_typing_a_button_label_picks_it(chat: Chat) -> None:
    chat.start()
    chat.send("3")
    chat.send("fine")
    chat.send("3")
    chat.send("small")
    chat.send("sort of")
    chat.send("No")  # the label of the button offered beside "Yes, right"
    assert saved(chat) == {"met": False}


def test_a_rating_typed_as_a_label_is_stored(chat: Chat) -> None:
    chat.start()
    chat.send("awful")
    chat.send("2 of 5")
    assert saved(chat) == {"mood": 2}


def test_a_vent_without_a_rating_is_kept_and_the_question_comes_back(chat: Chat) -> None:
    chat.start()
    chat.send("The buyer kept me waiting an hour and then left early.")
    assert saved(chat) == {}
    assert [e for e in chat.effects if isinstance(e, NoteKept)]
    assert "Thank you for telling me how it went." in chat.said
    assert chat.question.kind == "scale"


def test_going_back_to_an_amount_shows_it_with_its_currency(chat: Chat) -> None:
    to_value(chat)
    chat.send("about 410k EUR")
    chat.command("back")
    assert chat.question.current == "410000 EUR"


def test_a_story_at_a_choice_is_kept_and_the_rep_is_told_so_before_the_question_comes_back(
    chat: Chat,
) -> None:
    chat.start()
    chat.send("4")
    chat.send("It went fine")
    step = chat.step_id
    chat.send("We talked for an hour about their new warehouse plans")
    assert [e.text for e in chat.effects if isinstance(e, NoteKept)] == [
        "We talked for an hour about their new warehouse plans"
    ]
    noted, refusal, question = chat.texts
    assert noted == "Noted — I've kept that with your answers."
    assert refusal.startswith("Please pick from the options")
    assert chat.step_id == step
    chat.send("blue")  # a word that is no option: refused, nothing to tell about
    assert chat.texts == [refusal, question]
