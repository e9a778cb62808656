"""The flowchart shows every step and every route a rep can take."""

from __future__ import annotations

from dialogs.catalog import Catalog
from dialogs.diagram import mermaid


def test_sample_flowchart_has_every_route(sample_catalog: Catalog) -> None:
    chart = mermaid(sample_catalog.scripts["sample"])
    assert chart.startswith("flowchart TD\n    start((start)) --> intro\n")
    assert (
        '    blame -->|"#quot;buyer#quot; in blame or #quot;rival#quot; in blame"| analyse' in chart
    )
    assert "    blame --> size" in chart
    assert '    size -->|"size == #quot;small#quot;"| met' in chart
    assert "    size --> value" in chart  # the fall-through when the deal is not small
    assert "    when --> finish" in chart
    assert 'subgraph phase_two["Two"]' in chart
    assert 'note["<b>note</b> (text · optional)' in chart


def test_flowchart_in_chinese(sample_catalog: Catalog) -> None:
    chart = mermaid(sample_catalog.scripts["sample"], "zh")
    assert 'subgraph phase_one["一"]' in chart
    assert "感觉如何？" in chart
