"""Collect the MyST Markdown notebooks in chapters/ for nbval.

nbval reads only .ipynb files, and a MyST notebook stores no outputs. This hook reads each chapter with
jupytext, gives the cells tagged `nbval-check-output` their recorded reference outputs from
tests/snapshots/<chapter>.json (made by `make snapshots`), and hands the notebook to nbval. Every cell
runs; the tagged cells must print what was recorded.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from unittest import mock

import jupytext
import nbformat
import pytest
from nbval.plugin import IPyNbFile

ROOT = Path(__file__).resolve().parent
CHAPTERS = ROOT / "chapters"
SNAPSHOTS = ROOT / "tests" / "snapshots"
CHECK_TAG = "nbval-check-output"


def checked_cells(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code" and CHECK_TAG in c.metadata.get("tags", [])]


def snapshot_path(page: Path) -> Path:
    """tests/snapshots/<folder>--<page>.json for pages in sub-folders of chapters/, <page>.json at its top."""
    relative = page.resolve().relative_to(CHAPTERS).with_suffix("")
    return SNAPSHOTS / ("--".join(relative.parts) + ".json")


def notebook_with_snapshots(path: Path):
    notebook = jupytext.read(path)
    cells = checked_cells(notebook)
    if not cells:
        return notebook
    snapshot = snapshot_path(path)
    if not snapshot.exists():
        raise FileNotFoundError(f"{snapshot} is missing: run `make snapshots` and review the outputs")
    recorded = json.loads(snapshot.read_text(encoding="utf-8"))
    if len(recorded) != len(cells):
        raise ValueError(f"{snapshot} records {len(recorded)} checked cells, {path.name} has {len(cells)}: "
                         "run `make snapshots` and review the outputs")
    for cell, outputs in zip(cells, recorded):
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        cell.execution_count = 1  # nbval ignores reference outputs of a cell it thinks was never run
    return notebook


class MystNotebook(IPyNbFile):
    def collect(self):
        notebook = notebook_with_snapshots(Path(self.path))
        with mock.patch("nbval.plugin.nbformat.read", return_value=notebook):
            items = list(super().collect())
        # a notebook's cells share one kernel: with pytest-xdist they all go to one worker, in order
        for item in items:
            item.add_marker(pytest.mark.xdist_group(f"notebook:{Path(self.path).relative_to(CHAPTERS)}"))
        return items


# In CI the Binder rehearsal (tests/test_binder.py) runs every notebook in the readers' environment and compares
# the same recorded outputs; a run of each notebook by nbval there too would be the same work twice.
REHEARSAL_RUNS = os.environ.get("CI") == "true" or os.environ.get("SHOPFLOOR_BINDER_CHECK") == "1"


def pytest_collect_file(file_path: Path, parent):
    if REHEARSAL_RUNS:
        return None
    if file_path.suffix == ".md" and CHAPTERS in file_path.resolve().parents and ".ipynb_checkpoints" not in file_path.parts:
        return MystNotebook.from_parent(parent, path=file_path)
    return None
