"""Every notebook gives byte-identical outputs when it runs again: charts, tables, prose values, everything.

Random element ids (pandas Styler's `T_xxxxx`), memory addresses in reprs (`<... at 0x7f...>`) or an unordered
set in a printed list would make outputs differ between runs, and with them the book's diffs and nbval's checks.
Each notebook is executed twice, in fresh kernels, from its own folder, two notebooks at a time.
"""
from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from conftest import ROOT

# Tests that share one determinism fixture run in one pytest-xdist worker (see pytest.ini).
pytestmark = pytest.mark.xdist_group("determinism")

NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.md")
                   if p.read_text(encoding="utf-8").startswith("---\njupytext") and ".ipynb_checkpoints" not in p.parts)


def outputs(path: str) -> list[str]:
    """Every output of every code cell, as canonical JSON (the execution count left out)."""
    notebook = jupytext.read(path)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            output = {k: v for k, v in output.items() if k != "execution_count"}
            found.append(f"cell {index}: " + json.dumps(output, sort_keys=True, ensure_ascii=False))
    return found


@pytest.fixture(scope="module")
def two_runs() -> dict[Path, tuple[list[str], list[str]]]:
    paths = [str(p) for p in NOTEBOOKS]
    with ProcessPoolExecutor(max_workers=2) as pool:
        first = list(pool.map(outputs, paths))
        second = list(pool.map(outputs, paths))
    return {p: (a, b) for p, a, b in zip(NOTEBOOKS, first, second)}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_are_identical_across_runs(two_runs, notebook):
    first, second = two_runs[notebook]
    differing = [a[:300] for a, b in zip(first, second) if a != b]
    assert len(first) == len(second) and not differing, \
        f"{notebook.relative_to(ROOT)}: outputs differ between two runs, e.g. {differing[:2]}"
