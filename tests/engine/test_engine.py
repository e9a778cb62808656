"""The engine as a rep experiences it: questions, re-asks, branches, back, skip, cancel, resume."""

from __future__ import annotations

from datetime import datetime

from coaching_scripts import load_catalog
from dialogs.types import (
    BACK,
    SKIP,
    AnswerDropped,
    AnswerSaved,
    Ask,
    FollowUpWanted,
    ManagerNotice,
    MediaIn,
    MediaKept,
    PickIn,
    RunDiscarded,
    RunDrafted,
    RunFinished,
    RunResumed,
    RunStarted,
)
from tests.chat import Chat, plain


def saved(chat: Chat) -> dict[str, object]:
    return {e.step: e.value for e in chat.effects if isinstance(e, AnswerSaved)}


def through_blame(chat: Chat, blame: str = "3") -> None:
    chat.start()
    chat.send("4")
    chat.send("It went fine")
    chat.send(blame)


def test_start_says_intro_and_asks_first_question_with_progress(chat: Chat) -> None:
    chat.start()
    assert "Welcome to the sample." in chat.said
    assert chat.step_id == "mood"
    assert chat.question.progress == "Phase 1 of 2 · question 1 of 8"
    assert [c.id for c in chat.question.choices] == ["1", "2", "3", "4", "5"]
    assert plain(chat.question.hint) == "1 = bad … 5 = great"
    assert chat.effects == [RunStarted(1, "sample", 3)]


def test_scale_accepts_typed_number_and_button_and_refuses_out_of_range(chat: Chat) -> None:
    chat.start()
    chat.send("7")
    assert "whole number from 1 to 5" in chat.said
    assert chat.step_id == "mood"
    chat.send("４")  # full-width digit, as a Chinese keyboard types it
    assert saved(chat) == {"mood": 4}
    assert "Noted: 4." in chat.said
    assert chat.step_id == "words"


def test_text_refuses_empty_and_too_long_then_accepts(chat: Chat) -> None:
    chat.start()
    chat.click("3")
    chat.send("   ")
    assert "didn't get an answer" in chat.said
    chat.send("x" * 10_000)
    assert "10000 characters" in chat.said
    assert chat.step_id == "words"
    chat.send("  Tough but useful  ")
    assert saved(chat) == {"words": "Tough but useful"}


def test_multi_by_numbers_labels_and_toggled_buttons(chat: Chat) -> None:
    through_blame(chat, "1, the competition")
    assert chat.answers()["blame"] == ["buyer", "rival"]

    other = Chat(chat.catalog)
    through_blame(other, "9")
    assert "numbers 1–3" in other.said
    other.click("buyer")
    assert [c.selected for c in other.question.choices] == [True, False, False]
    other.click("rival")
    other.click("buyer")  # untoggle
    assert [c.selected for c in other.question.choices] == [False, True, False]
    other.event(PickIn(other.question.token, "__done__"))
    assert other.answers()["blame"] == ["rival"]


def test_branch_on_blame_says_analyse_together(chat: Chat) -> None:
    through_blame(chat, "1")
    assert "Let's analyse that together." in chat.said
    assert chat.step_id == "size"
    calm = Chat(chat.catalog)
    through_blame(calm, "3")
    assert "analyse" not in calm.said
    assert calm.step_id == "size"


def test_small_deal_takes_the_short_route_and_progress_follows(chat: Chat) -> None:
    through_blame(chat)
    assert chat.question.progress == "Phase 2 of 2 · question 4 of 8"
    chat.click("Small")
    assert chat.step_id == "met"
    assert chat.question.progress == "Phase 2 of 2 · question 5 of 6"


def test_choice_by_number_label_and_garbage(chat: Chat) -> None:
    through_blame(chat)
    chat.send("medium")
    assert "pick one of the options (1–2)" in chat.said
    chat.send("LARGE")
    assert chat.answers()["size"] == "large"
    assert chat.step_id == "value"


def test_number_validation(chat: Chat) -> None:
    through_blame(chat)
    chat.send("2")
    chat.send("lots")
    assert "Please answer with a number" in chat.said
    chat.send("2.5")
    assert "whole number" in chat.said
    chat.send("-3")
    assert "from 0 up to 1000000" in chat.said
    chat.send("12,500")
    assert chat.answers()["value"] == 12500
    assert "Any note about 12500?" in plain(chat.question.text)


def test_skip_only_optional_questions(chat: Chat) -> None:
    through_blame(chat)
    chat.command("skip")
    assert "can't be skipped" in chat.said
    assert chat.step_id == "size"
    chat.send("2")
    chat.send("100")
    assert chat.question.can_skip
    chat.command("skip")
    assert saved(chat) == {"note": None}
    assert chat.step_id == "met"


def test_yes_no_in_both_languages(chat: Chat) -> None:
    through_blame(chat)
    chat.send("1")
    chat.send("maybe")
    assert "yes or no" in chat.said
    chat.send("是的")
    assert chat.answers()["met"] is True


def test_date_is_confirmed_in_words_then_finishes_with_effects(chat: Chat) -> None:
    through_blame(chat)
    chat.send("1")
    chat.click("No")
    chat.send("tomorrow 3pm")
    assert chat.question.kind == "yesno"
    assert plain(chat.question.text) == "Mon 23 Nov, 15:00 — right?"
    chat.send("yes")
    finished = [e for e in chat.effects if isinstance(e, RunFinished)]
    assert len(finished) == 1
    assert finished[0].answers == {
        "mood": 4,
        "words": "It went fine",
        "blame": ["nobody"],
        "size": "small",
        "met": False,
        "when": {"at": "2026-11-23T07:00:00+00:00", "has_time": True},
    }
    summary = plain(finished[0].summary)
    assert summary == ("Mood 4; said “It went fine”; size Small; met: No; next Mon 23 Nov, 15:00.")
    follow = [e for e in chat.effects if isinstance(e, FollowUpWanted)]
    assert follow == [
        FollowUpWanted(
            1, datetime.fromisoformat("2026-11-23T07:00:00+00:00"), follow[0].about, step="when"
        )
    ]
    assert plain(follow[0].about) == "Follow up: It went fine"
    assert any(isinstance(e, ManagerNotice) for e in chat.effects)
    assert chat.state.active is None


def test_date_said_no_asks_again_and_past_date_is_questioned(chat: Chat) -> None:
    through_blame(chat)
    chat.send("1")
    chat.send("no")
    chat.send("yesterday")
    assert "is in the past" in plain(chat.question.text)
    chat.send("no")
    assert "when then?" in chat.said
    assert chat.question.kind == "datetime"
    chat.send("gibberish")
    assert "couldn't read that as a date" in chat.said
    chat.send("next Tuesday")
    assert plain(chat.question.text) == "Tue 24 Nov — right?"  # Tuesday of next week
    chat.send("in 2 weeks")  # another date instead of yes/no: confirm that one
    assert "6 Dec" in plain(chat.question.text)
    chat.click("Yes")
    assert chat.state.active is None


def test_back_changes_previous_answer_and_keeps_later_ones(chat: Chat) -> None:
    through_blame(chat)
    chat.send("2")  # large
    chat.send("500")
    assert chat.step_id == "note"
    chat.command("back")
    assert chat.step_id == "value"
    assert plain(chat.question.current) == "500"
    chat.command("back")
    chat.command("back")
    assert chat.step_id == "blame"
    chat.send("2")  # the competition: now the analyse info is said, later answers stay
    assert "Let's analyse that together." in chat.said
    assert chat.step_id == "note"
    assert chat.answers()["value"] == 500
    assert chat.answers()["size"] == "large"


def test_back_to_a_branch_no_longer_taken_drops_its_answers(chat: Chat) -> None:
    through_blame(chat)
    chat.send("2")
    chat.send("500")
    chat.send("a note")
    assert chat.step_id == "met"
    for _ in range(3):
        chat.command("back")
    assert chat.step_id == "size"
    chat.send("small")
    dropped = {e.step for e in chat.effects if isinstance(e, AnswerDropped)}
    assert dropped == {"value", "note"}
    assert "value" not in chat.answers()
    assert chat.step_id == "met"


def test_back_at_first_question_and_skip_keeps_answer_when_revisiting(chat: Chat) -> None:
    chat.start()
    chat.command("back")
    assert "first question" in chat.said
    chat.send("2")
    chat.command("back")
    assert chat.question.can_skip
    chat.command("skip")
    assert "Kept your earlier answer" in chat.said
    assert chat.answers()["mood"] == 2
    assert chat.step_id == "words"


def test_stale_or_forged_button_is_applied_to_nothing(chat: Chat) -> None:
    chat.start()
    old = chat.question.token
    chat.click("5")
    chat.event(PickIn(old, "1"))
    assert "moved on" in chat.said
    assert chat.answers() == {"mood": 5}
    chat.event(PickIn(chat.question.token, "'; drop table"))
    assert "moved on" in chat.said
    assert chat.step_id == "words"


def test_cancel_keeps_a_draft_that_resumes_at_the_same_question(chat: Chat) -> None:
    through_blame(chat)
    chat.command("cancel")
    assert "kept as a draft" in plain(chat.question.text)
    chat.send("no")
    assert chat.step_id == "size"
    chat.command("cancel")
    chat.click("Yes")
    assert RunDrafted(1) in chat.effects
    assert chat.state.active is None
    chat.send("hello?")
    assert "/resume" in chat.said
    chat.command("resume")
    assert RunResumed(1) in chat.effects
    assert "Welcome back" in chat.said
    assert "Phase 2 of 2 · question 4 of 8" in chat.said
    assert chat.step_id == "size"
    assert chat.answers()["blame"] == ["nobody"]


def test_starting_again_with_a_draft_offers_continue_or_afresh(chat: Chat) -> None:
    through_blame(chat)
    chat.command("cancel")
    chat.send("yes")
    chat.start()
    assert "unfinished" in plain(chat.question.text)
    chat.click("Start afresh")
    assert RunDiscarded(1) in chat.effects
    assert RunStarted(2, "sample", 3) in chat.effects
    assert chat.step_id == "mood"
    assert chat.state.drafts == ()


def test_discard_asks_first(chat: Chat) -> None:
    chat.start()
    chat.send("3")
    chat.command("cancel")
    chat.send("yes")
    chat.command("discard")
    chat.send("whatever")
    assert "choose one of the options" in chat.said
    chat.send("1")
    assert "discarded" in chat.said
    assert chat.state.drafts == ()


def test_keeping_a_draft_at_discards_question_is_answered(chat: Chat) -> None:
    """ "No, keep it" with nothing else open used to get no reply at all."""
    chat.start()
    chat.command("cancel")
    chat.send("yes")
    chat.command("discard")
    chat.send("2")  # no
    assert "You have an unfinished sample talk" in chat.said
    assert "/resume" in chat.said
    assert len(chat.state.drafts) == 1


def test_the_coachs_own_yes_no_questions_read_what_reps_say(chat: Chat) -> None:
    """ "No, keep it" to "stop here?" used to get "Please choose one of the options"."""
    through_blame(chat)
    chat.command("cancel")
    chat.send("no, keep going")
    assert "choose one of the options" not in chat.said
    assert chat.step_id == "size"
    chat.command("cancel")
    chat.send("yes, stop here")
    assert RunDrafted(1) in chat.effects
    chat.command("discard")
    chat.send("no, keep it")
    assert len(chat.state.drafts) == 1
    assert "/resume" in chat.said
    chat.command("discard")
    chat.send("yes, keep it")  # said both ways: asked again, nothing thrown away
    assert "choose one of the options" in chat.said
    assert len(chat.state.drafts) == 1
    chat.send("delete it")
    assert RunDiscarded(1) in chat.effects
    assert chat.state.drafts == ()


def test_the_coachs_own_yes_no_questions_in_chinese() -> None:
    chat = Chat(load_catalog(), lang="zh")
    chat.start("debrief")
    chat.send("3")
    chat.command("cancel")
    chat.send("不用了，继续吧")
    assert chat.state.active is not None
    assert "请选择一个选项" not in chat.said
    chat.command("cancel")
    chat.send("好的，先停一下吧")
    assert chat.state.active is None
    chat.command("discard")
    chat.send("别删，先留着")
    assert len(chat.state.drafts) == 1
    chat.command("discard")
    chat.send("删掉吧")
    assert chat.state.drafts == ()


def test_starting_again_before_any_answer_just_asks_again(chat: Chat) -> None:
    """The console starts a debrief at once; the rep who then types /debrief (as the README
    says) was told "Welcome back … here is where we stopped" about a talk not yet begun."""
    chat.start()
    first = chat.step_id
    chat.start()
    assert "Welcome back" not in chat.said
    assert chat.step_id == first
    chat.send("3")
    chat.start()
    assert "Welcome back" in chat.said


def test_pause_and_resume_tells_where_we_are(chat: Chat) -> None:
    through_blame(chat)
    chat.wait(days=2)
    chat.command("resume")
    assert "Welcome back" in chat.said
    assert chat.step_id == "size"
    chat.start()  # starting the same script again also resumes
    assert chat.step_id == "size"
    assert chat.answers()["mood"] == 4


def test_unknown_command_and_help_reask(chat: Chat) -> None:
    chat.start()
    chat.command("frobnicate")
    assert "don't know the command /frobnicate" in chat.said
    assert chat.step_id == "mood"
    chat.command("help")
    assert "/back" in chat.said
    assert chat.step_id == "mood"


def test_media_evidence_kept_stickers_refused(chat: Chat) -> None:
    chat.start()
    chat.event(MediaIn("photo", "file-1"))
    assert MediaKept(1, "mood", "photo", "file-1") in chat.effects
    assert chat.step_id == "mood"
    chat.event(MediaIn("sticker"))
    assert "only work with text" in chat.said
    chat.event(MediaIn("voice", "v-1"))
    assert "one-line version" in chat.said


def test_user_text_is_escaped_in_replies(chat: Chat) -> None:
    chat.start()
    chat.send("3")
    chat.send("<b>boss</b> & [x](y)")
    chat.send("3")
    chat.send("1")
    chat.send("yes")
    chat.send("tomorrow 9am")
    chat.send("yes")
    summary = next(e for e in chat.effects if isinstance(e, RunFinished)).summary
    assert "&lt;b&gt;boss&lt;/b&gt; &amp; [x](y)" in summary


def test_chinese_conversation(chat: Chat) -> None:
    chat.lang = "zh"
    chat.start()
    assert chat.question.progress == "第 1/2 阶段 · 第 1/8 题"
    chat.send("5")
    chat.send("不错")
    chat.send("没有")
    chat.send("小")
    chat.send("对")
    chat.send("明天下午3点")
    assert plain(chat.question.text) == "11月23日(周一) 15:00，对吗？"
    chat.send("是")
    assert "心情 5" in chat.said
    assert chat.state.active is None


def test_idle_text_points_to_the_scripts(chat: Chat) -> None:
    chat.send("hi")
    assert "/sample" in chat.said
    assert not [r for r in chat.replies if isinstance(r, Ask)]


def test_a_template_failing_on_one_reps_data_degrades_instead_of_crashing() -> None:
    from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE
    from dialogs.compile import build_catalog

    script = """
id: fragile
title: {en: Fragile, zh: 脆弱}
steps:
  - {id: count, kind: number, text: {en: "How many?", zh: "几个？"}}
  - id: next_one
    kind: text
    text: {en: "Twice {{ raw.count + 'x' }} is a lot?", zh: "{{ raw.count + 'x' }} 很多？"}
summary: {en: "Done", zh: "完成"}
"""
    catalog, problems = build_catalog(
        {"fragile.yaml": script}, (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8")
    )
    assert problems == []
    chat = Chat(catalog)
    chat.start("fragile")
    chat.send("3")
    assert plain(chat.question.text) == "Twice  is a lot?"
    assert chat.step_id == "next_one"


def test_hello_greets_a_new_rep_and_shows_a_returning_one_where_they_are(chat: Chat) -> None:
    chat.command("hello")
    assert "I'm your sales coach" in chat.said
    assert chat.state.active is None
    chat.start()
    chat.command("hello")
    assert "Welcome back" in chat.said
    assert chat.step_id == "mood"


def test_back_and_skip_buttons_act_only_on_their_own_question(chat: Chat) -> None:
    chat.start()
    chat.send("4")
    words = chat.question
    assert words.can_back
    chat.event(PickIn(words.token, BACK))
    assert chat.step_id == "mood"
    stale = PickIn(words.token, BACK)
    chat.send("4")
    chat.event(stale)
    assert "moved on" in chat.said
    assert chat.step_id == "words"
    chat.event(PickIn(chat.question.token, SKIP))
    assert chat.step_id == "words"  # not optional: the rep is told so, nothing is skipped
    assert "words" not in chat.answers()
