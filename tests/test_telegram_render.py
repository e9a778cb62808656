"""How the coach's replies look in Telegram: one message per question, buttons tied to it, and
nothing over Telegram's limits, whatever the rep typed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bot.telegram import callbacks
from bot.telegram.render import MAX_TEXT, chosen_text, render_turn
from coaching_scripts import load_catalog
from dialogs.catalog import Messages
from dialogs.types import DONE, Ask, Choice, Say


@pytest.fixture(scope="module")
def messages() -> Messages:
    return load_catalog().messages


def ask(kind: str = "choice", **fields: object) -> Ask:
    values: dict[str, object] = {
        "token": 7,
        "step": "deal_size",
        "kind": kind,
        "text": "How big is the deal?",
        "progress": "Phase 2 of 6 · question 6 of 27",
        "choices": (Choice("small", "Small deal"), Choice("large", "Large deal")),
    }
    values.update(fields)
    return Ask(**values)  # type: ignore[arg-type]


def balanced(text: str) -> bool:
    """Every opened tag is closed, in order: what Telegram's HTML parser insists on."""
    stack: list[str] = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert stack, f"</{tag}> closes nothing"
            assert stack.pop() == tag

    Checker().feed(text)
    return not stack


def test_what_was_said_and_the_question_arrive_as_one_message(messages: Messages) -> None:
    (message,) = render_turn([Say("Noted."), ask()], messages, "en")
    assert message.text.startswith("Noted.\n\n<i>Phase 2 of 6")
    assert "How big is the deal?" in message.text
    taps = [callbacks.parse(button.data) for row in message.keyboard for button in row]
    assert taps == [
        callbacks.Pick(token=7, option="small"),
        callbacks.Pick(token=7, option="large"),
    ]


def test_multiple_choice_shows_ticks_a_done_button_and_back_skip(messages: Messages) -> None:
    question = ask(
        "multi",
        choices=(Choice("price", "Price", selected=True), Choice("need", "The need")),
        can_back=True,
        can_skip=True,
    )
    (message,) = render_turn([question], messages, "zh")
    labels = [[button.text for button in row] for row in message.keyboard]
    assert labels == [["✅ Price", "The need"], ["选好了 ✔"], ["↩ 上一题", "跳过 ⏭"]]
    assert callbacks.parse(message.keyboard[1][0].data) == callbacks.Pick(token=7, option=DONE)
    assert callbacks.parse(message.keyboard[2][1].data) == callbacks.Nav(token=7, command="skip")


def test_long_labels_get_a_row_each_and_scales_one_row(messages: Messages) -> None:
    long = ask(choices=(Choice("a", "Evaluating and comparing"), Choice("b", "Using it")))
    (message,) = render_turn([long], messages, "en")
    assert [len(row) for row in message.keyboard] == [1, 1]
    scale = ask("scale", choices=tuple(Choice(str(n), str(n)) for n in range(1, 6)))
    (message,) = render_turn([scale], messages, "en")
    assert [len(row) for row in message.keyboard] == [5]


def test_a_huge_reply_is_split_at_line_breaks_with_tags_closed(messages: Messages) -> None:
    quoted = "\n".join(f"line {n}: " + "x" * 90 for n in range(120))  # ~11,500 characters
    summary = Say(f"<b>Your debrief</b>\nWhat happened: <i>{quoted}</i>\n<b>Next step:</b> call")
    pieces = render_turn([summary, ask()], messages, "en")
    assert len(pieces) >= 3
    assert all(len(piece.text) <= MAX_TEXT for piece in pieces)
    assert all(balanced(piece.text) for piece in pieces)
    assert [bool(piece.keyboard) for piece in pieces] == [False] * (len(pieces) - 1) + [True]
    text = "".join(re.sub(r"<[^>]+>", "", piece.text) for piece in pieces)
    assert text.count("line ") == 120  # nothing lost at the cuts


def test_one_endless_line_is_cut_without_breaking_an_entity(messages: Messages) -> None:
    line = "&lt;b&gt; " * 1500  # a rep's 15,000 characters, escaped
    pieces = render_turn([Say(line)], messages, "en")
    assert all(len(piece.text) <= MAX_TEXT for piece in pieces)
    for piece in pieces:
        assert re.fullmatch(r"(&lt;b&gt;|\s)*", piece.text), piece.text[:40]


def test_the_tapped_answer_is_shown_escaped() -> None:
    edited = chosen_text("<b>Which customer?</b>", "<script> & Sons")
    assert edited == "<b>Which customer?</b>\n\n✓ <b>&lt;script&gt; &amp; Sons</b>"


@pytest.mark.parametrize(
    "data",
    [
        "",
        "a:1",
        "a:x:price",
        "a:1:PRICE",
        "n:1:cancel",
        "l:fr",
        "a:1:" + "p" * 40,
        None,
        "a:+7:price",
        "a:07:price",
        "a: 7:price",
        "a:7_0:price",
        "r:1:2:done:",
        "m:s:1",
        "m:go:",
    ],
)
def test_callback_data_we_never_made_is_refused(data: str | None) -> None:
    assert callbacks.parse(data) is None


def test_callback_data_fits_telegrams_64_bytes() -> None:
    biggest = callbacks.Pick(token=10**12 - 1, option="o" * 32)
    data = biggest.pack()
    assert len(data.encode()) <= 64
    assert callbacks.parse(data) == biggest
    longest = callbacks.JoinData(code="c" * 60).pack()
    assert len(longest.encode()) == 64
    with pytest.raises(ValueError, match="code"):
        callbacks.JoinData(code="c" * 61)


@pytest.mark.parametrize(
    "data",
    [
        "a:7:small",
        "n:7:back",
        "l:zh",
        "c:edit",
        "r:12:3:done",
        "s:weekly:off",
        "p:hold",
        "m:v:12",
        "m:s:12:closing",
        "m:go",
        "t:ap:3:12",
        "t:ao:3:on",
        "t:rv:9",
        "j:y:Ab-1",
        "j:n",
    ],
)
def test_buttons_already_in_chats_keep_their_meaning(data: str) -> None:
    """The data of buttons sent before the CallbackData classes reads as it always did."""
    tap = callbacks.parse(data)
    assert tap is not None
    assert tap.pack() == data


def test_a_reading_to_confirm_shows_right_and_the_alternatives_as_buttons(
    messages: Messages,
) -> None:
    question = ask(
        "confirm",
        text="I read that as <b>1 of 5</b> — right?",
        choices=(
            Choice("ok", "Yes, right"),
            *(Choice(f"alt{n}", f"{n + 2} of 5") for n in range(4)),
        ),
        can_back=True,
    )
    (message,) = render_turn(
        [Say("Thank you for telling me how it went."), question], messages, "en"
    )
    labels = [[button.text for button in row] for row in message.keyboard]
    assert labels == [["Yes, right", "2 of 5"], ["3 of 5", "4 of 5"], ["5 of 5"], ["↩ Back"]]
    assert callbacks.parse(message.keyboard[0][0].data) == callbacks.Pick(token=7, option="ok")
    assert callbacks.parse(message.keyboard[1][1].data) == callbacks.Pick(token=7, option="alt2")
