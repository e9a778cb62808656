"""Reading cost per answer, for every kind of question: what a rep's typed words cost to read.

    python bench/reading.py [--rounds 200]

Each phrase is read the way the engine reads it — ``dialogs.answers.read_text`` on a real
compiled step of the debrief (rating, yes/no with "partly", number, choice, multiple choice,
date), ``dialogs.readers.read_confirmation`` for "right?" and the pushback check
(``CompiledScript.resists``) — ``--rounds`` times; the figures
are per answer (wall clock and CPU), p50 and p99 per kind. Goal: p99 < 5 ms, dates included.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coaching_scripts import load_catalog  # noqa: E402
from dialogs.answers import read_text  # noqa: E402
from dialogs.readers import read_confirmation  # noqa: E402
from dialogs.types import Context  # noqa: E402

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
PHRASES: dict[str, tuple[str, list[str]]] = {
    "rating": (
        "feeling_score",
        [
            "4",
            "about a 3 I guess",
            "3/5",
            "⭐⭐⭐",
            "three",
            "terrible",
            "not bad",
            "3-4",
            "Terrible. The buyer was an idiot and kept me waiting for an hour, again.",
            "3分吧",
            "三分",
            "给个4分吧",
            "太差了",
            "还可以吧",
            "满分5分打4分",
            "8/10",
        ],
    ),
    "yes/no": (
        "goal_met",
        [
            "yes",
            "no, not yet",
            "yes they did",
            "partly",
            "sort of",
            "nope",
            "I don't know",
            "No, he wanted to wait for his boss to decide on it",
            "达成了",
            "还没有，差一点",
            "算是吧",
            "基本上",
            "没达成",
            "是的",
            "不知道",
        ],
    ),
    "number": (
        "order_value",
        [
            "410k",
            "about 410k EUR",
            "€410,000",
            "two hundred and five",
            "1.5 million",
            "30-40k",
            "we got an order of about 300k in the end, the buyer was happy with it",
            "1.5万",
            "两百",
            "8次左右",
            "大概41万欧元",
            "四十一万",
            "4.8万元",
            "一千二",
        ],
    ),
    "choice": (
        "visit_type",
        [
            "2",
            "existing customer",
            "an existing customer",
            "the second one",
            "revisit",
            "a new one",
            "exsiting",
            "老客户",
            "第二个",
            "新客户吧",
            "成交后回访",
            "hello",
        ],
    ),
    "multi": (
        "objections",
        [
            "1, 3",
            "price and timing",
            "the price",
            "price, 4",
            "no objections",
            "价格、时机",
            "价格和时机",
            "太贵了",
            "需求",
            "1 3",
        ],
    ),
    "date": (
        "next_date",
        [
            "tomorrow 3pm",
            "next Tuesday",
            "friday after next at half past 3 pm",
            "in a couple hours",
            "end of next week",
            "1 Dec 9:30",
            "明天下午3点",
            "下周二",
            "下下周五下午三点半",
            "月底前",
            "周五之前",
            "两周后",
        ],
    ),
}
CONFIRMATIONS = [
    "1",
    "yes",
    "ok",
    "that's right",
    "no",
    "对",
    "好的",
    "没问题",
    "不对",
    "4 actually",
]

PUSHBACK = [
    "I don't know, you tell me",
    "what's the point of these questions",
    "no idea",
    "who cares",
    "pass",
    "Honestly? No clue.",
    "they don't know our brand yet",
    "I don't know their budget, but they liked the demo",
    "Their stock is still high and the buyer is new",
    "你是教练，你告诉我啊",
    "问这些有什么用",
    "随便",
    "不清楚",
    "不好说",
    "没想过这个问题",
    "客户不知道我们的品牌",
    "不知道他们为什么拒绝，可能是价格太高",
    "他们仓库经理一直抱怨破损，试用的风险小。",
]
"""Read by ``CompiledScript.resists`` (``dialogs.pushback``) besides the kind's reader: on every
free-text answer, and wherever the reader refused or read generously."""


def measure(read: Callable[[], object], rounds: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        read()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    debrief = load_catalog().scripts["debrief"]
    readers: dict[str, list[Callable[[], object]]] = {}
    for kind, (step_id, phrases) in PHRASES.items():
        step = debrief.steps[step_id]
        readers[kind] = [
            (lambda s=step, t=text, lang=lang: read_text(s, t, Context(NOW, lang, "Asia/Shanghai")))
            for text in phrases
            for lang in ("en", "zh")
        ]
    readers["confirm"] = [lambda t=text: read_confirmation(t) for text in CONFIRMATIONS]
    readers["pushback"] = [lambda t=text: debrief.resists(t) for text in PUSHBACK]
    everything: list[float] = []
    everything_cpu: list[float] = []
    print(f"per answer, {rounds} rounds of each phrase (ms)")
    for kind, calls in readers.items():
        for call in calls:
            call()  # warm up: imports, compiled patterns, caches
        walls: list[float] = []
        cpus: list[float] = []
        for call in calls:
            wall, cpu = measure(call, rounds)
            walls += wall
            cpus += cpu
        everything += walls
        everything_cpu += cpus
        print(
            f"{kind:8} phrases {len(calls):3} · p50 {p(walls, 50):.3f} p99 {p(walls, 99):.3f}"
            f" · CPU p50 {p(cpus, 50):.3f} p99 {p(cpus, 99):.3f} · max {max(walls) * 1000:.2f}"
        )
    print(
        f"all      p50 {p(everything, 50):.3f} p99 {p(everything, 99):.3f}"
        f" · CPU p50 {p(everything_cpu, 50):.3f} p99 {p(everything_cpu, 99):.3f}"
        " (goal: p99 < 5 ms)"
    )


if __name__ == "__main__":
    main()
