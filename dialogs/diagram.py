"""A Mermaid flowchart of a script, so managers can see a conversation's routes at a glance."""

from __future__ import annotations

from dialogs.compile import CompiledScript
from dialogs.model import END, Kind

_SHAPES = {Kind.INFO: ("[/", "/]")}


def mermaid(script: CompiledScript, lang: str = "en") -> str:
    """``flowchart TD`` text: one node per step (grouped by phase), one edge per route."""
    lines = ["flowchart TD", f"    start((start)) --> {script.start}"]
    phases = {phase.id: phase.title.get(lang) for phase in script.script.phases}
    by_phase: dict[str | None, list[str]] = {}
    for step_id, compiled in script.steps.items():
        by_phase.setdefault(compiled.step.phase, []).append(step_id)
    for phase, members in by_phase.items():
        nodes = [_node(script, step_id, lang) for step_id in members]
        if phase is None:
            lines.extend(f"    {node}" for node in nodes)
            continue
        lines.append(f'    subgraph {phase}["{_quote(phases.get(phase) or phase)}"]')
        lines.extend(f"        {node}" for node in nodes)
        lines.append("    end")
    for step_id, compiled in script.steps.items():
        for route in compiled.routes:
            target = "finish" if route.target == END else route.target
            if route.condition is None:
                lines.append(f"    {step_id} --> {target}")
            else:
                lines.append(f'    {step_id} -->|"{_quote(route.condition.source)}"| {target}')
        if not compiled.routes or compiled.routes[-1].condition is not None:
            target = "finish" if compiled.fallthrough == END else compiled.fallthrough
            lines.append(f"    {step_id} --> {target}")
    lines.append("    finish((end))")
    return "\n".join(lines) + "\n"


def _node(script: CompiledScript, step_id: str, lang: str) -> str:
    step = script.steps[step_id].step
    opening, closing = _SHAPES.get(step.kind, ("[", "]"))
    text = step.text.get(lang).splitlines()[0] if step.text.get(lang) else step_id
    if len(text) > 60:
        text = text[:57] + "…"
    optional = " · optional" if step.optional else ""
    label = f"<b>{step_id}</b> ({step.kind.value}{optional})<br/>{_quote(text)}"
    return f'{step_id}{opening}"{label}"{closing}'


def _quote(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")
