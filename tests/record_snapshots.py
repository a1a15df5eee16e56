"""Record the reference outputs of the chapters' checked cells (tagged nbval-check-output).

Run through `make snapshots` after a deliberate change to the data or to what a checked cell prints, and
review the diff of tests/snapshots/ before committing: nbval then holds the chapters to these outputs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import jupytext
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from conftest import CHAPTERS, SNAPSHOTS, checked_cells, snapshot_path  # noqa: E402

VOLATILE = ("execution_count",)


def record(path: Path) -> int:
    notebook = jupytext.read(path)
    if not checked_cells(notebook):
        return 0
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [[{k: v for k, v in o.items() if k not in VOLATILE} for o in c.outputs]
               for c in checked_cells(notebook)]
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    snapshot_path(path).write_text(json.dumps(outputs, indent=1, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
    return len(outputs)


if __name__ == "__main__":
    # with file arguments, only those pages; without, every page of the book
    pages = [Path(a).resolve() for a in sys.argv[1:]] or sorted(CHAPTERS.rglob("*.md"))
    for page in pages:
        print(f"{page.relative_to(ROOT)}: {record(page)} checked cell(s) recorded")
