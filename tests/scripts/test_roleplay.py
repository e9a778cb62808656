"""The coaching role-play as a rep meets it: the buyer answers back, softens for a rep who
acknowledges, asks and answers with a figure (then raises a second objection), hardens for one
who argues, and the review sets the rep's ticks next to what the replies showed."""

from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from coaching_scripts import BUILTIN_DIR, MESSAGES_FILE, load_catalog
from dialogs.catalog import Catalog
from dialogs.compile import build_catalog
from dialogs.model import Script
from dialogs.roleplay import compile_rules
from dialogs.types import DONE, AnswerDropped, AnswerSaved, ManagerNotice, PickIn, RunFinished
from reports.export import cell
from tests.chat import Chat, plain

WHY_DID_YOU = re.compile(r"why did you|why didn't you|你为什么", re.IGNORECASE)

# (the buyer's opening, the four replies of a rep who handles it, what the buyer says back)
GOOD_REP = {
    "en": [
        "I hear you, 18% is a real gap. Which quotes are you comparing us with?",
        "Our pallets carry 30% more, so you save about 1,200 a month on breakage.",
        "Fair point. We can match 60 days on the first order; you save 5% on freight per month.",
        "Let's start with a trial of 50 pallets next Tuesday.",
    ],
    "zh": [
        "我理解，差 18% 确实不少。您是拿哪几家的报价在比？",
        "我们的托盘承重高 30%，每月能帮您减少破损，节省 1200 元左右。",
        "您说得对，第一单账期可以给到 60 天，运费每月还能省 5%。",
        "下周二先做一个 50 托的试用，您看可以吗？",
    ],
}
SECOND_OBJECTION = {"en": "payment terms are 30 days", "zh": "你们的账期是 30 天"}
AGREES = {"en": "Agreed. Send me the details in writing", "zh": "同意。把细节书面发给我"}
ARGUING = {
    "en": [
        "Our price is fine, take it or leave it.",
        "You don't understand, our quality is the best.",
        "OK.",
    ],
    "zh": ["我们的价格很合理，爱买不买。", "你不懂，我们的质量最好。", "好吧。"],
}
HARDENS = {"en": "That's an assertion, not an argument", "zh": "这是你的说法，不是论据"}
ENDS = {"en": "I still don't have what I need to decide", "zh": "我还是没有做决定所需要的东西"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def to_the_buyer(catalog: Catalog, lang: str, style: str = "owl") -> Chat:
    """A price objection from the given buyer, up to the buyer's first line."""
    chat = Chat(catalog, lang=lang)  # type: ignore[arg-type]
    chat.start("coaching")
    chat.click("objections")
    chat.send("Procurement said we were too expensive; I dropped the price on the spot.")
    chat.send("Confirming before I answer.")
    chat.click("no")
    chat.click("price")
    chat.click(style)
    assert chat.step_id == "rep_answer"
    return chat


def buyer(chat: Chat) -> str:
    """The buyer's line now waiting for the rep's reply, as the rep reads it."""
    return plain(chat.question.text)


def tick(chat: Chat, *options: str) -> None:
    for option in options:
        chat.event(PickIn(chat.question.token, option))
    chat.event(PickIn(chat.question.token, DONE))


def role_play(chat: Chat) -> dict[str, object]:
    saved = [e for e in chat.history if isinstance(e, AnswerSaved) and e.step == "rep_answer"]
    assert saved, "the role-play was never stored"
    value = saved[-1].value
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_rep_who_acknowledges_asks_and_answers_with_a_figure_moves_the_buyer(
    catalog: Catalog, lang: str
) -> None:
    chat = to_the_buyer(catalog, lang)
    first, second, third, fourth = GOOD_REP[lang]
    chat.send(first)  # acknowledged and asked: the buyer tells more, still on the price
    assert chat.step_id == "rep_answer"
    assert SECOND_OBJECTION[lang] not in buyer(chat)
    chat.send(second)  # a benefit in figures: the buyer softens and raises the second objection
    assert SECOND_OBJECTION[lang] in buyer(chat)
    chat.send(third)
    assert chat.step_id == "rep_answer"  # the buyer asks for a concrete next step
    chat.send(fourth)
    assert AGREES[lang] in chat.said
    assert chat.step_id == "checklist"

    play = role_play(chat)
    assert play["outcome"] == "agreed"
    exchanges = play["exchanges"]
    assert isinstance(exchanges, list)
    assert [e.get("rep") for e in exchanges] == [first, second, third, fourth, None]
    assert [e["stance"] for e in exchanges] == [
        "opens",
        "listens",
        "softens",
        "considers",
        "agrees",
    ]

    tick(chat, "listened", "confirmed", "no_argue", "answered")
    chat.click("compensation")
    chat.click("4")
    feedback = chat.said
    assert (
        feedback.count("ticked, and your replies show it" if lang == "en" else "回应里也看得到")
        == 4
    )
    assert ("One idea" if lang == "en" else "一个想法") not in feedback
    assert not WHY_DID_YOU.search(feedback)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_rep_who_argues_and_ticks_every_box_hears_what_the_replies_did_not_show(
    catalog: Catalog, lang: str
) -> None:
    chat = to_the_buyer(catalog, lang)
    argue, argue_again, shrug = ARGUING[lang]
    chat.send(argue)
    assert HARDENS[lang] in buyer(chat)
    chat.send(argue_again)  # hardens again, and repeats the objection
    assert HARDENS[lang] in buyer(chat)
    assert "18%" in buyer(chat)
    chat.send(shrug)  # a third hardened line in a row: the buyer ends it
    assert ENDS[lang] in chat.said
    assert role_play(chat)["outcome"] == "open"

    tick(chat, "listened", "confirmed", "no_argue")
    chat.click("compensation")
    chat.click("4")
    feedback = chat.said
    if lang == "en":
        assert "Didn't argue: ticked; your replies don't show it yet." in feedback
        assert "Confirmed I understood the objection: ticked; your replies don't" in feedback
        assert "Answered the objection: not in your replies yet." in feedback
        assert f"After “{argue}” the buyer hardened." in feedback
        assert "the technique you named doesn't show in your replies yet" in feedback
        assert "Answer: a benefit in figures" in feedback
        assert "One idea, if it helps" in feedback
    else:
        assert "没有争论：你勾选了，但回应里还看不出来。" in feedback
        assert "回答了异议：回应里还没有。" in feedback
        assert f"你说“{argue}”之后，客户的态度变硬了" in feedback
        assert "回答：用数字说明好处" in feedback
    assert not WHY_DID_YOU.search(feedback)


def test_the_summary_and_the_finished_answers_keep_every_exchange(catalog: Catalog) -> None:
    chat = to_the_buyer(catalog, "en", style="wolf")
    for reply in GOOD_REP["en"]:
        chat.send(reply)
    tick(chat, "listened")
    chat.click("questioning")
    chat.click("3")
    chat.click("no")
    chat.send("Huaxin Logistics")
    chat.send("They agree to a 50-pallet trial before 15 December")
    chat.send("Cost of breakage first, then the trial offer.")
    chat.send("The buyer only looks at unit price.")
    assert "The moment you recalled: Procurement said we were too expensive" in chat.said
    chat.send("A trial is low risk for them.")
    finished = next(e for e in chat.effects if isinstance(e, RunFinished))
    play = finished.answers["rep_answer"]
    assert play["exchanges"][0]["buyer"].startswith("Too expensive. Take 15% off")
    for reply in GOOD_REP["en"]:
        assert f"You: {reply}" in plain(finished.summary)
    assert "Buyer: “Deal. Put it in writing today.”" in plain(finished.summary)
    assert "the buyer agreed to a next step" in plain(finished.summary)
    notice = next(e for e in chat.effects if isinstance(e, ManagerNotice))
    assert "You: Let's start with a trial of 50 pallets next Tuesday." in plain(notice.summary)
    exported = cell(play, ZoneInfo("Asia/Shanghai"))  # coachbot export's answers table
    assert exported.splitlines()[:2] == [
        "buyer: Too expensive. Take 15% off, or I sign with the other supplier today.",
        f"rep: {GOOD_REP['en'][0]}",
    ]


def test_back_takes_back_the_last_reply_and_the_buyer_says_their_line_again(
    catalog: Catalog,
) -> None:
    chat = to_the_buyer(catalog, "en")
    opening = buyer(chat)
    chat.send(GOOD_REP["en"][0])
    after_first = buyer(chat)
    chat.send("Our price is fine, take it or leave it.")
    assert HARDENS["en"] in buyer(chat)
    chat.command("back")
    assert buyer(chat) == after_first
    assert len(role_play(chat)["exchanges"]) == 2  # type: ignore[arg-type]
    chat.command("back")
    assert buyer(chat) == opening
    assert any(isinstance(e, AnswerDropped) and e.step == "rep_answer" for e in chat.effects)
    chat.command("back")  # out of the role-play: the question before it
    assert chat.step_id == "style"


def test_going_back_to_a_finished_role_play_plays_it_again(catalog: Catalog) -> None:
    chat = to_the_buyer(catalog, "en")
    opening = buyer(chat)
    for reply in GOOD_REP["en"]:
        chat.send(reply)
    assert chat.step_id == "checklist"
    chat.command("back")
    assert chat.step_id == "rep_answer"
    assert buyer(chat) == opening  # from the start, not the buyer's last word
    chat.send("Our price is fine, take it or leave it.")
    assert HARDENS["en"] in buyer(chat)
    assert [e["stance"] for e in role_play(chat)["exchanges"]] == ["opens", "hardens"]  # type: ignore[index]


def test_the_reps_own_objection_opens_the_role_play(catalog: Catalog) -> None:
    chat = Chat(catalog, lang="en")
    chat.start("coaching")
    chat.click("objections")
    chat.send("They said no.")
    chat.send("Listening.")
    chat.click("yes")
    chat.send("Your delivery was a week late last time.")
    chat.click("product")
    chat.click("koala")
    assert "Your delivery was a week late last time." in buyer(chat)


def test_a_reply_too_long_is_refused_politely_and_the_buyer_waits(catalog: Catalog) -> None:
    chat = to_the_buyer(catalog, "en")
    opening = buyer(chat)
    chat.send("We save you money. " * 60)
    assert "please keep it under 1000" in chat.said
    assert buyer(chat) == opening
    assert not [e for e in chat.effects if isinstance(e, AnswerSaved)]


def test_an_objection_from_a_debrief_is_offered_and_the_buyer_opens_with_it(
    catalog: Catalog,
) -> None:
    chat = Chat(catalog, lang="zh")
    debriefed = "你们比别家贵 10%，先把价格降下来再说。"  # remembered from the rep's debrief
    chat.state = replace(chat.state, memory={"objections": [debriefed]})
    chat.start("coaching")
    chat.click("objections")
    chat.send("客户嫌贵，我马上就让了价。")
    chat.send("先确认。")
    chat.click("yes")
    chat.click(debriefed)  # offered as a button
    chat.click("price")
    chat.click("wolf")
    assert debriefed in buyer(chat)
    chat.send("我理解，差 10% 确实不少。您是拿哪家的报价在比？")
    assert role_play(chat)["exchanges"][0] == {  # type: ignore[index]
        "buyer": debriefed,
        "stance": "opens",
        "rep": "我理解，差 10% 确实不少。您是拿哪家的报价在比？",
        "shows": ["acknowledge", "question", "figure"],
    }


SOURCE = (BUILTIN_DIR / "coaching.yaml").read_text(encoding="utf-8")


def _rules_problems(old: str, new: str) -> list[str]:
    """The role-play rules of coaching.yaml with ``old`` replaced, checked as at load time."""
    assert old in SOURCE
    data = yaml.safe_load(SOURCE.replace(old, new, 1))
    try:
        script = Script.model_validate({**data, "source": "coaching.yaml"})
    except ValidationError as error:
        return [str(error)]
    before = {step.id: set() for step in script.steps}  # type: dict[str, set[str]]
    asked: set[str] = set()
    for step in script.steps:  # coaching.yaml runs straight down to the role-play
        before[step.id] = set(asked)
        asked.add(step.id)
    _, problems = compile_rules(script, before)
    return [f"[{where}]: {message}" for where, message in problems]


def test_scripts_check_reports_a_broken_role_play_rule() -> None:
    source = SOURCE.replace("needs: [acknowledge, question, benefit_figure]", "needs: [flattery]")
    messages = (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8")
    _, problems = build_catalog({"coaching.yaml": source}, messages)
    assert [str(p) for p in problems] == [
        "coaching.yaml [roleplay.stages.first]: unknown signal 'flattery'"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '    wolf_agrees: {en: "Deal. Put it in writing today.", '
            'zh: "成交。今天就把书面的发过来。"}\n',
            "",
            "[tables.buyer_reactions]: no line for 'wolf_agrees'",
        ),
        ('        - "爱买不买"', '        - "爱买不买("', "bad pattern '爱买不买('"),
        ("\n  self_check: checklist", "\n  self_check: technique", "'technique' is no multi step"),
        ("  max_replies: 5", "  max_replies: 20", "less than or equal to 10"),
        ("    kind: roleplay\n", "    kind: text\n", "exactly one roleplay step, not 0"),
        (
            "\n  style: style\n",
            "\n  style: customer\n",
            "'customer' is not asked before the role-play",
        ),
        ("    next_step:\n      en:", "    next_step:\n      fr:", "no patterns in 'en'"),
        ("      handled: softens", "      handled: delighted", "no line for 'owl_delighted'"),
    ],
)
def test_scripts_check_validates_the_role_play_rules(old: str, new: str, expected: str) -> None:
    problems = _rules_problems(old, new)
    assert any(expected in problem for problem in problems), problems


def test_the_shipped_rules_have_no_problem() -> None:
    assert _rules_problems("roleplay:", "roleplay:") == []


@pytest.mark.parametrize(
    ("reply", "shows"),
    [
        ("Our price is fine, take it or leave it", {"argue", "ignore"}),
        ("I understand. What do you compare us with?", {"acknowledge", "question"}),
        ("You save 1,200 a month", {"benefit", "figure", "benefit_figure"}),
        ("We deliver on time.", {"ignore"}),
        ("我理解。您是拿哪几家比的？", {"acknowledge", "question"}),
        ("每月能节省 3000 元", {"benefit", "figure", "benefit_figure"}),
        ("爱买不买", {"argue", "ignore"}),
        ("I see — 每月能省 20%", {"acknowledge", "benefit", "figure", "benefit_figure"}),
    ],
)
def test_what_a_reply_shows(catalog: Catalog, reply: str, shows: set[str]) -> None:
    play = catalog.scripts["coaching"].roleplay
    assert play is not None
    assert set(play.signals(reply)) == shows
