"""Executing a chapter twice gives identical chart HTML (so strict output checks and diffs stay quiet)."""
from __future__ import annotations

import jupytext
from nbclient import NotebookClient

from conftest import ROOT

CHAPTER = ROOT / "chapters" / "introduction.md"


def chart_outputs() -> list[str]:
    notebook = jupytext.read(CHAPTER)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(CHAPTER.parent)}}).execute()
    htmls = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for mime, content in output.get("data", {}).items():
                if mime.endswith("text/html") and "shopfloor-chart" in content:
                    htmls.append(content)
    return htmls


def test_chart_html_is_identical_across_runs():
    first, second = chart_outputs(), chart_outputs()
    assert first, "the chapter produced no chart"
    assert first == second
