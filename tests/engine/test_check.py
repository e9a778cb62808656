"""`coachbot scripts check`: every problem reported at once, one line each, naming file and step."""

from __future__ import annotations

from pathlib import Path

import pytest

from coaching_scripts import check_path

GOOD = """
id: tiny
title: {en: Tiny, zh: 小}
steps:
  - id: first
    kind: text
    text: {en: "First?", zh: "第一？"}
  - id: second
    kind: yesno
    text: {en: "You said {{ first }}. Sure?", zh: "你说{{ first }}。确定？"}
summary: {en: "{{ first }} {{ second }}", zh: "{{ first }} {{ second }}"}
"""


def check(tmp_path: Path, text: str, name: str = "tiny.yaml") -> list[str]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return check_path(tmp_path)


def test_a_good_script_passes(tmp_path: Path) -> None:
    assert check(tmp_path, GOOD) == []


def test_the_shipped_scripts_pass() -> None:
    import coaching_scripts

    assert check_path(coaching_scripts.BUILTIN_DIR) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("goto_x", '    text: {en: "First?", zh: "第一？"}\n    next: nowhere'),
            "tiny.yaml [first]: goes to unknown step 'nowhere'",
        ),
        (("kind: yesno", "kind: colour"), "tiny.yaml [second.kind]: Input should be"),
        (('zh: "第一？"', "fr: x"), "tiny.yaml [first.text.fr]: Extra inputs are not permitted"),
        (('zh: "第一？"', 'zh: ""'), "tiny.yaml [first.text]: text missing in language 'zh'"),
        (
            ("{{ first }}. Sure?", "{{ second }}. Sure?"),
            "tiny.yaml [second]: template variable 'second' (en) is asked only later",
        ),
        (
            ("{{ first }}. Sure?", "{{ nobody }}. Sure?"),
            "tiny.yaml [second]: template variable 'nobody' (en) is not a step",
        ),
        (("{{ first }}. Sure?", "{{ first. Sure?"), "tiny.yaml [second.text]: template error (en)"),
        (("kind: yesno", "kind: choice"), "tiny.yaml [second]: a choice step needs at least two"),
    ],
)
def test_each_problem_is_named(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    text = (
        GOOD.replace('    text: {en: "First?", zh: "第一？"}', new)
        if old == "goto_x"
        else (GOOD.replace(old, new, 1))
    )
    problems = check(tmp_path, text)
    assert any(line.startswith(expected) for line in problems), problems


STEP = """  - id: {id}
    kind: yesno
    text: {{en: "{id}?", zh: "{id}？"}}
"""


def script(*steps: str) -> str:
    head = "id: tiny\ntitle: {en: Tiny, zh: 小}\nsteps:\n"
    return head + "".join(steps) + "summary: {en: done, zh: 完成}\n"


def test_graph_problems_unreachable_loop_and_conditions(tmp_path: Path) -> None:
    first = STEP.format(id="first") + "    next: end\n"
    problems = check(tmp_path, script(first, STEP.format(id="second"), STEP.format(id="orphan")))
    assert "tiny.yaml [second]: unreachable: no way leads to this step" in problems
    assert "tiny.yaml [orphan]: unreachable: no way leads to this step" in problems

    back = STEP.format(id="second") + "    next: [{if: 'second', goto: first}, {goto: end}]\n"
    problems = check(tmp_path, script(STEP.format(id="first"), back))
    assert "tiny.yaml [second]: loops back to an earlier step (not supported)" in problems

    forever = STEP.format(id="second") + "    next: first\n"
    problems = check(tmp_path, script(STEP.format(id="first"), forever))
    assert "tiny.yaml [first]: no way from this step to the end" in problems

    reads_later = STEP.format(id="first") + "    next: [{if: 'second', goto: end}]\n"
    problems = check(tmp_path, script(reads_later, STEP.format(id="second")))
    assert "tiny.yaml [first]: condition reads 'second', not asked before" in problems

    unsafe = STEP.format(id="first") + "    next: [{if: '__import__(1)', goto: end}]\n"
    problems = check(tmp_path, script(unsafe, STEP.format(id="second")))
    assert any(p.startswith("tiny.yaml [first]: unknown function") for p in problems), problems


def test_several_problems_at_once_and_file_name_mismatch(tmp_path: Path) -> None:
    text = GOOD.replace('zh: "第一？"', 'zh: ""').replace("{{ first }}. Sure?", "{{ nope }}")
    problems = check(tmp_path, text, name="other.yaml")
    assert len(problems) >= 2
    assert all(line.startswith("other.yaml") for line in problems)


def test_not_yaml_and_missing_folder(tmp_path: Path) -> None:
    assert check(tmp_path, "id: [unclosed")[0].startswith("tiny.yaml: not valid YAML")
    assert check_path(tmp_path / "nope") == [f"{tmp_path / 'nope'}: no such file or folder"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Why did you offer a discount?", "en"),
        ("why didn't you ask for the order?", "en"),
        ("你为什么没有提价格？", "zh"),
    ],
)
def test_asking_the_rep_why_they_did_something_is_refused(
    tmp_path: Path, text: str, lang: str
) -> None:
    other = "en" if lang == "zh" else "zh"
    step = f'  - id: first\n    kind: text\n    text: {{{lang}: "{text}", {other}: "x"}}\n'
    problems = check(tmp_path, script(step))
    assert problems == [
        f"tiny.yaml [first]: asks the rep why they did something ({lang}); "
        "ask why about the buyer instead"
    ]


def test_why_about_the_buyer_is_fine_and_long_questions_are_refused(tmp_path: Path) -> None:
    buyer = (
        "  - id: first\n    kind: text\n"
        '    text: {en: "Why do you think the customer said that?",\n'
        '           zh: "你觉得客户为什么那样说？"}\n'
    )
    assert check(tmp_path, script(buyer)) == []
    long = f'  - id: first\n    kind: text\n    text: {{en: "{"word " * 70}", zh: "短"}}\n'
    assert check(tmp_path, script(long)) == [
        "tiny.yaml [first]: text is 350 characters (en); keep it under 300 for a phone screen"
    ]


REPHRASED = GOOD.replace(
    '    text: {en: "You said {{ first }}. Sure?", zh: "你说{{ first }}。确定？"}',
    '    text: {en: "You said {{ first }}. Sure?", zh: "你说{{ first }}。确定？"}\n'
    "    rephrase:\n"
    '      - {en: "So, {{ first }}: right?", zh: "所以是{{ first }}，对吗？"}',
)


def test_rephrasings_are_checked_like_the_question(tmp_path: Path) -> None:
    assert check(tmp_path, REPHRASED) == []
    later = REPHRASED.replace("So, {{ first }}", "So, {{ second }}")
    assert check(tmp_path, later) == [
        "tiny.yaml [second.rephrase.1]: template variable 'second' (en) is asked only later"
    ]
    missing = REPHRASED.replace(', zh: "所以是{{ first }}，对吗？"', "")
    assert check(tmp_path, missing) == [
        "tiny.yaml [second.rephrase.1]: text missing in language 'zh'"
    ]
    broken = REPHRASED.replace("So, {{ first }}", "So, {{ first")
    assert any(
        p.startswith("tiny.yaml [second.rephrase.1]: template error (en)")
        for p in check(tmp_path, broken)
    )
    blaming = REPHRASED.replace("So, {{ first }}: right?", "Why did you say {{ first }}?")
    assert check(tmp_path, blaming) == [
        "tiny.yaml [second]: asks the rep why they did something (en); "
        "ask why about the buyer instead"
    ]


def test_at_most_two_rephrasings_and_none_on_an_info_step(tmp_path: Path) -> None:
    three = REPHRASED.replace(
        '"所以是{{ first }}，对吗？"}',
        '"所以是{{ first }}，对吗？"}\n'
        '      - {en: "B?", zh: "乙？"}\n'
        '      - {en: "C?", zh: "丙？"}',
    )
    assert any("[second.rephrase]" in p and "at most 2" in p for p in check(tmp_path, three))
    info = script(
        '  - id: first\n    kind: info\n    text: {en: "Hi", zh: "你好"}\n'
        '    rephrase: [{en: "Hello", zh: "您好"}]\n',
        STEP.format(id="second"),
    )
    assert check(tmp_path, info) == [
        "tiny.yaml [first]: an info step asks nothing, so it has nothing to rephrase"
    ]


PROBED = """
id: tiny
title: {en: Tiny, zh: 小}
steps:
  - id: first
    kind: text
    text: {en: "First?", zh: "第一？"}
    probes:
      - id: more
        if: "short and not optimistic"
        ask: {en: "Say more?", zh: "再多说一点？"}
  - id: second
    kind: yesno
    text: {en: "Sure?", zh: "确定？"}
summary: {en: "{{ first }} {{ more }}", zh: "{{ first }} {{ more }}"}
signals:
  optimistic: {en: ["great"], zh: ["很好"]}
"""


def test_a_probed_script_passes(tmp_path: Path) -> None:
    assert check(tmp_path, PROBED) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("short and", "vague and", "tiny.yaml [first.probes.more]: unknown condition: 'vague'"),
        ("short and", "second and", "tiny.yaml [first.probes.more]: unknown condition: 'second'"),
        ('zh: "再多说一点？"', 'zh: ""', "tiny.yaml [first.probes.more.ask]: text missing in"),
        ("id: more", "id: second", "tiny.yaml [first.probes.second]: probe id is already"),
        ("Say more?", "Why did you say that?", "tiny.yaml [first.more]: asks the rep why"),
        ('zh: ["很好"]', "zh: []", "tiny.yaml [signals.optimistic]: no words in language 'zh'"),
        ('en: ["great"]', 'en: ["(great"]', "tiny.yaml [signals.optimistic]: bad pattern"),
        ("{{ first }} {{ more }}", "{{ first }} {{ less }}", "tiny.yaml [summary]: template"),
    ],
)
def test_each_probe_problem_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    problems = check(tmp_path, PROBED.replace(old, new, 1))
    assert any(line.startswith(expected) for line in problems), problems


def test_a_recall_needs_a_yes_no_step_and_known_steps(tmp_path: Path) -> None:
    text = PROBED.replace(
        "    kind: yesno\n", "    kind: yesno\n    recall: [first, nothing]\n"
    ).replace("steps:\n", "remember: {customer: first}\nsteps:\n", 1)
    assert "tiny.yaml [second]: recalls unknown step 'nothing'" in check(tmp_path, text)
    text = text.replace("kind: yesno", "kind: text")
    assert "tiny.yaml [second]: recall works on a yesno step" in check(tmp_path, text)


SHARED = """{% set _mine = history|first %}
{% set latest_day = _mine.day if _mine else none %}
"""


def uses(template: str) -> str:
    """The good script, its second question importing from a shared block."""
    return GOOD.replace('"You said {{ first }}. Sure?"', f"'{template} {{{{ first }}}}?'")


def test_a_shared_block_is_one_source_for_several_texts(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "mine.jinja").write_text(SHARED, encoding="utf-8")
    text = uses('{% from "mine.jinja" import latest_day with context %}{{ latest_day }}')
    assert check(tmp_path, text) == []

    wrong = uses('{% from "mine.jinja" import latest_day, first_day with context %}')
    assert check(tmp_path, wrong) == ["tiny.yaml [second.text]: 'mine.jinja' sets no 'first_day'"]
    private = uses('{% from "mine.jinja" import _mine with context %}')
    (line,) = check(tmp_path, private)
    assert line.startswith("tiny.yaml [second.text]: template error (en): names starting with")
    unknown = uses('{% from "theirs.jinja" import x with context %}')
    assert check(tmp_path, unknown) == [
        "tiny.yaml [second.text]: no shared block 'theirs.jinja' (shared/)"
    ]


def test_a_shared_block_reads_only_what_every_template_may(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    block = SHARED + "{% set answer = first %}\n{% if %}"
    (tmp_path / "shared" / "mine.jinja").write_text(block[: -len("{% if %}")], encoding="utf-8")
    assert check(tmp_path, GOOD) == ["shared/mine.jinja: template variable 'first' is not shared"]
    (tmp_path / "shared" / "mine.jinja").write_text(block, encoding="utf-8")
    (line,) = check(tmp_path, GOOD)
    assert line.startswith("shared/mine.jinja: template error:")


def test_the_weekly_texts_take_the_plan_from_the_one_shared_block() -> None:
    import coaching_scripts

    copies = {
        name: (coaching_scripts.BUILTIN_DIR / name).read_text(encoding="utf-8")
        for name in ("week_plan.yaml", "week_review.yaml")
    }
    assert all('selectattr("script", "equalto", "week_plan")' not in t for t in copies.values())
    assert all("{% set plan =" not in t and "{% set debriefs =" not in t for t in copies.values())
    assert sum(t.count('{% from "week.jinja" import') for t in copies.values()) > 8
