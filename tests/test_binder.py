"""Binder as a seminar participant gets it: what repo2docker builds, and the notebooks in that environment.

- The configuration: `repo2docker --no-build` prints the Dockerfile Binder would build (no Docker needed). The
  readers' environment (binder/requirements.txt) must be installed before the repository is copied in, so a
  commit that changes only prose or code reuses it; the book's package is installed once, editable, by
  binder/postBuild (not a second time by repo2docker's own `pip install .`).
- The rehearsal: a fresh virtual environment with binder/runtime.txt's Python, binder/requirements.txt and
  binder/postBuild, then every notebook executed twice from its own folder, as JupyterLab runs it: it must run,
  and give byte-identical outputs both times (determinism). It builds a venv (about a minute from a warm package
  cache), so it runs under CI=true or `make binder-check`; elsewhere it is skipped with that message.
  tests/test_jupyterlab.py drives the same JupyterLab in a browser.
"""
from __future__ import annotations

import difflib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import BIN, ROOT

# Tests that share one binder fixture run in one pytest-xdist worker (see pytest.ini).
pytestmark = pytest.mark.xdist_group("binder")

RUN = os.environ.get("CI") == "true" or os.environ.get("SHOPFLOOR_BINDER_CHECK") == "1"
BINDER = ROOT / "binder"
BOOK_ONLY = {"jupyter-book", "sphinx", "myst-nb", "nbval", "pytest", "playwright", "jupyter-repo2docker"}


def requirement_names(path: Path) -> set[str]:
    return {re.split(r"[=<>\[ ]", line.strip())[0].lower() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith(("#", "-"))}


def test_reader_environment_leaves_out_the_book_stack():
    names = requirement_names(BINDER / "requirements.txt")
    assert not names & BOOK_ONLY, f"binder/requirements.txt carries book-building packages: {names & BOOK_ONLY}"


def test_reader_environment_pins_only_what_is_used():
    """Every package pinned for readers is imported by the notebooks or the package, or is the JupyterLab they
    run in (itables was pinned once and imported nowhere)."""
    runtime = {"ipykernel", "jupyterlab", "notebook", "jupytext", "jupyterlab-myst", "pyogrio", "shapely",
               "jsonschema"}  # jsonschema: pinned for import time (see binder/requirements.txt)
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("src/shopfloor/*.py"),
                                                             *ROOT.glob("chapters/**/*.md")])
    imports = {"altair": "altair", "vl-convert-python": "vl_convert", "pandas": "pandas", "geopandas": "geopandas",
               "frictionless": "frictionless"}
    for name in requirement_names(BINDER / "requirements.txt") - runtime:
        module = imports.get(name, name.replace("-", "_"))
        assert re.search(rf"^\s*(import|from) {module}\b", code, flags=re.M), f"{name} is pinned but never imported"


def dockerfile(tmp_path: Path) -> str:
    """The Dockerfile repo2docker would build for a clean copy of the committed repository."""
    repo = tmp_path / "repo"
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    repo.mkdir()
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    for path in ("binder",):  # the working tree's binder/ (what this change is about), over the committed one
        shutil.rmtree(repo / path, ignore_errors=True)
        shutil.copytree(ROOT / path, repo / path)
    done = subprocess.run([str(BIN / "repo2docker"), "--no-run", "--no-build", "--debug", "--user-id", "1000",
                           "--user-name", "jovyan", str(repo)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def test_binder_installs_the_environment_before_the_repository_and_the_package_once(tmp_path):
    text = dockerfile(tmp_path)
    lines = text.splitlines()
    install = [i for i, l in enumerate(lines) if re.search(r'pip install .*-r "?binder/requirements.txt', l)]
    copy_repo = [i for i, l in enumerate(lines) if re.match(r"COPY .*src/ \$\{REPO_DIR\}/", l)]
    assert install and copy_repo, "repo2docker's Dockerfile has no requirements install or repository copy"
    assert install[0] < copy_repo[0], "the environment is installed after the repository copy: every commit " \
                                      "would rebuild it"
    assert not any(re.search(r"pip install[^\n]*\s\.(\s|$)", l) for l in lines), \
        "repo2docker installs the package itself (pip install .), besides postBuild"
    assert any("binder/postBuild" in l for l in lines)
    post_build = (BINDER / "postBuild").read_text()
    assert len(re.findall(r"pip install[^\n]*-e \.", post_build)) == 1
    assert not re.search(r"^-e|^\.", (BINDER / "requirements.txt").read_text(), flags=re.M)


def runtime_python() -> str:
    version = re.fullmatch(r"python-(\d+\.\d+)", (BINDER / "runtime.txt").read_text().strip()).group(1)
    python = shutil.which(f"python{version}")
    assert python, f"binder/runtime.txt asks for Python {version}, which is not installed"
    return python


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory) -> Path:
    if not RUN:
        pytest.skip("the Binder rehearsal builds a fresh venv: run it with CI=true or `make binder-check`")
    venv = tmp_path_factory.mktemp("binder") / "venv"
    subprocess.run([runtime_python(), "-m", "venv", str(venv)], check=True)
    # nbclient stands in for the Jupyter server's kernel manager (it comes with JupyterLab anyway)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", "binder/requirements.txt"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    home = venv.parent / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (home / ".jupyter" / "labconfig" / "default_setting_overrides.json").exists()
    return venv


NOTEBOOKS = sorted(p for p in [ROOT / "index.md", *(ROOT / "chapters").rglob("*.md")]
                   if p.read_text(encoding="utf-8").startswith("---\njupytext") and ".ipynb_checkpoints" not in p.parts)

# Runs one notebook in the readers' environment, from its own folder, and prints its outputs as JSON lines. The
# kernel sends printed text in chunks whose boundaries depend on timing: consecutive chunks are joined, as a
# reader sees them; the execution count is left out.
RUN_SCRIPT = """
import json, sys
import jupytext
from nbclient import NotebookClient
nb = jupytext.read(sys.argv[1])
NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
for index, cell in enumerate(nb.cells):
    merged = []
    for output in cell.get("outputs", []):
        output = {k: v for k, v in output.items() if k != "execution_count"}
        if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1]["name"] == output["name"]):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + output["text"]}
        else:
            merged.append(output)
    for output in merged:
        print(f"cell {index}: " + json.dumps(output, sort_keys=True, ensure_ascii=False))
"""


def run_in_reader_environment(venv: Path, notebook: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPFLOOR")}
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    return subprocess.run([str(venv / "bin" / "python"), "-c", RUN_SCRIPT, str(notebook), str(notebook.parent)],
                          cwd=notebook.parent, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def two_runs(binder_venv) -> dict[Path, tuple]:
    """Every notebook executed twice in the readers' environment, two at a time (the machine's two cores)."""
    jobs = [notebook for notebook in NOTEBOOKS for _ in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda notebook: run_in_reader_environment(binder_venv, notebook), jobs))
    return {notebook: (done[2 * i], done[2 * i + 1]) for i, notebook in enumerate(NOTEBOOKS)}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs_in_the_reader_environment_and_gives_the_same_outputs_twice(two_runs, notebook):
    """It runs as JupyterLab runs it, and running it again gives byte-identical outputs: charts, tables, prose
    values (random element ids such as pandas Styler's `T_xxxxx`, or memory addresses in reprs, would differ)."""
    first, second = two_runs[notebook]
    for run in (first, second):
        assert run.returncode == 0, f"{notebook.name} failed in the Binder environment:\n{run.stderr[-3000:]}"
    changed = [line[:300] for line in difflib.unified_diff(first.stdout.splitlines(), second.stdout.splitlines(),
                                                           "first run", "second run", lineterm="", n=0)
               if line.startswith(("+", "-"))]
    assert not changed, f"{notebook.relative_to(ROOT)}: outputs differ between two runs: {changed[:6]}"


def _book_conftest():
    """The root conftest.py (nbval's collection of the chapters), whose snapshot helpers this test shares."""
    spec = importlib.util.spec_from_file_location("book_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _printed_outputs(run: subprocess.CompletedProcess) -> dict[int, list[dict]]:
    outputs: dict[int, list[dict]] = {}
    for line in run.stdout.splitlines():
        index, _, output = line.partition(": ")
        outputs.setdefault(int(index.removeprefix("cell ")), []).append(json.loads(output))
    return outputs


def _joined(outputs) -> list[dict]:
    """Outputs as RUN_SCRIPT prints them: consecutive chunks of one stream joined, no execution count."""
    merged = []
    for output in outputs:
        output = {k: v for k, v in dict(output).items() if k not in ("execution_count", "metadata")}
        if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1]["name"] == output["name"]):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + output["text"]}
        else:
            merged.append(output)
    return merged


CHECKED = [n for n in NOTEBOOKS if "chapters" in n.parts and "nbval-check-output" in n.read_text(encoding="utf-8")]


@pytest.mark.parametrize("notebook", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_checked_cells_print_what_was_recorded_in_the_reader_environment(two_runs, notebook):
    """The check nbval makes outside CI (root conftest.py), made on the rehearsal's first run: in CI the readers'
    environment runs every notebook anyway, so nbval's own run of each notebook would be the same work twice."""
    book = _book_conftest()
    expected = book.notebook_with_snapshots(notebook)
    printed = _printed_outputs(two_runs[notebook][0])
    checked = [i for i, cell in enumerate(expected.cells) if book.CHECK_TAG in cell.metadata.get("tags", [])]
    assert checked, f"{notebook.name}: no cell tagged {book.CHECK_TAG}"
    for index in checked:
        want = _joined(expected.cells[index].outputs)
        got = [{k: v for k, v in o.items() if k != "metadata"} for o in printed.get(index, [])]
        assert got == want, (f"{notebook.relative_to(ROOT)}, cell {index}: printed {got!r:.600} in the readers' "
                             f"environment, recorded {want!r:.600} (tests/snapshots; `make snapshots` re-records)")


def test_importing_altair_compiles_no_grammar():
    """Every kernel imports Altair, which imports jsonschema: from 4.24, jsonschema builds an RFC 3987 parser
    with Lark on import (1.3 to 2 s per kernel). binder/requirements.txt pins 4.23.0, which does not."""
    done = subprocess.run([sys.executable, "-c", "import sys, altair; print(sorted(m for m in ('lark', "
                           "'rfc3987_syntax') if m in sys.modules))"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", f"importing altair loaded {done.stdout.strip()}"
