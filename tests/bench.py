"""`make bench`: timings and sizes of the book, measured in one run on this machine.

Printed as a table and written to _build/bench.json. Numbers are reported, not asserted:
- a clean full build (every notebook executed) and a no-change rebuild;
- each notebook's execution time against the floor, a kernel that imports the same libraries and draws
  nothing, measured in the same run;
- the size of every built page and of every chart spec (the largest named);
- the Binder environment: the size requirements.txt installs into a fresh venv, and the install time from a
  warm package cache.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
FLOOR_CELL = "import altair, pandas, geopandas\nfrom shopfloor import charts, data, maps, numbers"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def execute(notebook, folder: Path) -> float:
    start = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    jb = str(Path(sys.executable).parent / "jupyter-book")
    shutil.rmtree(BUILD / "html", ignore_errors=True)
    shutil.rmtree(BUILD / "jupyter_execute", ignore_errors=True)
    results: dict = {"clean_build_s": timed([jb, "build", ".", "--all", "-W", "-n", "--keep-going"])}
    # make book always rebuilds in full (--all, forced execution): outputs are never stale
    results["rebuild_s"] = timed([jb, "build", ".", "--all", "-W", "-n", "--keep-going"])

    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CELL)])
    results["floor_s"] = round(execute(floor_nb, ROOT / "chapters"), 2)
    notebooks = {}
    for page in sorted((ROOT / "chapters").rglob("*.md")):
        if page.read_text(encoding="utf-8").startswith("---\njupytext"):
            seconds = execute(jupytext.read(page), page.parent)
            notebooks[str(page.relative_to(ROOT))] = {"seconds": round(seconds, 2),
                                                      "x_floor": round(seconds / results["floor_s"], 2)}
    results["notebooks"] = notebooks

    site = BUILD / "html"
    pages = {str(p.relative_to(site)): p.stat().st_size for p in site.rglob("*.html") if "_static" not in p.parts}
    specs = {}
    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        for match in re.finditer(r'<div id="(sf-chart-[^"]+)".*?var spec = (\{.*?\});\n', html, re.S):
            specs[f"{name}#{match.group(1)}"] = len(match.group(2).encode("utf-8"))
    results["pages_bytes"] = pages
    results["largest_spec"] = max(specs.items(), key=lambda kv: kv[1]) if specs else None
    results["chart_specs_bytes"] = specs

    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        start = time.perf_counter()
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", "requirements.txt"], cwd=ROOT,
                       check=True, capture_output=True)
        results["binder_install_s"] = round(time.perf_counter() - start, 1)
        results["binder_venv_bytes"] = folder_size(venv)

    BUILD.mkdir(exist_ok=True)
    (BUILD / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{'clean full build':40s} {results['clean_build_s']:8.1f} s")
    print(f"{'no-change rebuild':40s} {results['rebuild_s']:8.1f} s")
    print(f"{'floor (imports, no drawing)':40s} {results['floor_s']:8.2f} s")
    for name, row in notebooks.items():
        print(f"{name:60s} {row['seconds']:6.2f} s  {row['x_floor']:5.2f} x floor")
    for name, size in sorted(pages.items(), key=lambda kv: -kv[1]):
        print(f"{name:60s} {size / 1e3:8.0f} kB")
    if results["largest_spec"]:
        print(f"largest chart spec: {results['largest_spec'][0]} ({results['largest_spec'][1] / 1e3:.0f} kB)")
    print(f"{'Binder venv (requirements.txt)':40s} {results['binder_venv_bytes'] / 1e6:8.0f} MB, "
          f"installed in {results['binder_install_s']} s")
    print(f"written to {BUILD / 'bench.json'}")


if __name__ == "__main__":
    main()
