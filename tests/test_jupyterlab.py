"""The notebooks as a seminar participant meets them: in JupyterLab, in a browser.

JupyterLab, jupytext and jupyterlab-myst at the versions binder/requirements.txt pins (the readers' environment,
which `make` installs too), with the default-viewer setting that binder/postBuild installs. Headless Chromium
(Debian's, driven by playwright) opens two theme chapters by JupyterLab's default action, runs all cells and
looks at the page: it is a notebook, no cell failed, every figure of the book's page is drawn under its code,
no output is empty or cut off, and the prose shows numbers and readable references instead of MyST roles.
Screenshots go to _build/jupyterlab/ for a person to look at.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, ROOT, require_tool

# Tests that share one jupyterlab fixture run in one pytest-xdist worker (see pytest.ini).
pytestmark = pytest.mark.xdist_group("jupyterlab")

# Two theme pages with exercises and the figure-richest page of the first theme.
CHAPTERS = ["chapters/factory-politics/moscow-factories.md", "chapters/union-purge/repression-of-union-officials.md",
            "chapters/industrial-crisis/wages-and-workforce.md"]
ROLE = re.compile(r"\{(glue|numref|cite|eval|term|doc|ref)(:[a-z]+)?\}")
SHOTS = ROOT / "_build" / "jupyterlab"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def figures_in(page: Path) -> int:
    """How many figures the book shows for this page: code cells with MyST-NB figure metadata (or, in the
    book's first edition, glued figures)."""
    return len(re.findall(r"^mystnb:\n  figure:|^```\{glue:figure\}", page.read_text(encoding="utf-8"), flags=re.M))


def eval_names(page: Path) -> list[str]:
    """The variables the page's prose shows through {eval} (a figure's `fig.source` is in its caption, not the prose)."""
    return sorted(set(re.findall(r"\{eval\}`([^`]+)`", page.read_text(encoding="utf-8"))) - {"fig.source"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on loopback, configured as binder/postBuild configures Binder's."""
    config = tmp_path_factory.mktemp("jupyter-config")
    # JupyterLab writes checkpoints (and would autosave) beside the files it opens: it serves a copy of the book
    book = tmp_path_factory.mktemp("book") / "shop-floor"
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns(".git", ".venv", "_build", ".pytest_cache", ".cache",
                                                              ".jupyter_cache", "__pycache__"))
    shutil.copytree(ROOT / "binder" / "labconfig", config / "labconfig")
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "SHOPFLOOR_ROOT": str(book)}
    env.pop("SHOPFLOOR_BOOK_BUILD", None)
    log = open(config / "lab.log", "w")
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
         "--ServerApp.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         f"--LabApp.workspaces_dir={config / 'workspaces'}", f"--ServerApp.root_dir={book}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=book)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail(f"JupyterLab did not start:\n{(config / 'lab.log').read_text()[-3000:]}")
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    require_tool("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        yield chromium
        chromium.close()


# Each step JupyterLab is awaited for has a time limit, so a step that never ends fails the test and names itself.
RUN_AND_WAIT = """async ([path, names]) => {
  const within = (promise, seconds, step) => Promise.race([promise, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${step}: not done after ${seconds} s`)), seconds * 1000))]);
  const app = window.jupyterapp;
  const widget = await within(app.commands.execute('docmanager:open', {path}), 60, 'opening the file');
  await within(widget.context.ready, 60, 'reading the file');
  const isNotebook = widget.node.classList.contains('jp-NotebookPanel');
  if (!isNotebook) { return {isNotebook, kind: widget.node.className}; }
  await within(widget.sessionContext.ready, 60, 'starting the kernel');
  await within(app.commands.execute('notebook:run-all-cells'), 60, 'Run All');
  const started = Date.now();
  while (Date.now() - started < 240000) {
    const cells = [...widget.content.widgets].filter(c => c.model.type === 'code');
    const busy = widget.sessionContext.session.kernel.status !== 'idle' ||
      cells.some(c => c.model.executionCount === null || c.promptNode.textContent.includes('*'));
    if (!busy) { break; }
    await new Promise(r => setTimeout(r, 250));
  }
  // inline expressions ({eval}) render, and charts draw, a moment after the kernel is idle: wait for both
  // (at most 30 s each; what is still missing then is reported by the test)
  const prose = () => [...widget.content.node.querySelectorAll('.jp-MarkdownCell .myst')].map(e => e.textContent).join(' ');
  const undrawn = () => [...widget.content.node.querySelectorAll('.jp-OutputArea .shopfloor-chart')]
    .some(e => !e.querySelector('svg, canvas'));
  for (const missing of [() => names.some(n => prose().includes(n)), undrawn]) {
    const waited = Date.now();
    while (Date.now() - waited < 30000 && missing()) {
      await new Promise(r => setTimeout(r, 250));
    }
  }
  await new Promise(r => setTimeout(r, 500));  // the last chart fits itself to its column
  return {isNotebook, kind: widget.node.className};
}"""

LOOK = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content.node;
  const cells = [...nb.querySelectorAll('.jp-Cell')];
  const outputs = [...nb.querySelectorAll('.jp-OutputArea-output')];
  return {
    errors: [...nb.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"], .jp-OutputArea-output.jp-mod-error, .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.textContent.slice(0, 300)),
    figureCells: cells.filter(c => c.querySelector('.jp-OutputArea .shopfloor-chart svg, .jp-OutputArea .shopfloor-chart canvas, .jp-OutputArea table.shopfloor-table')).length,
    undrawn: [...nb.querySelectorAll('.jp-OutputArea .shopfloor-chart')].filter(e => !e.querySelector('svg, canvas')).map(e => e.textContent.slice(0, 200)),
    empty: outputs.filter(o => !o.textContent.trim() && !o.querySelector('svg, canvas, img, table'))
      .map(o => { const c = o.closest('.jp-Cell');
                  return (c.querySelector('.jp-InputArea-editor') || c.querySelector('.jp-InputPlaceholder') || c)
                    .textContent.slice(0, 120); }),
    trimmed: nb.querySelectorAll('.jp-TrimmedOutputs').length,
    markdown: [...nb.querySelectorAll('.jp-MarkdownCell .myst, .jp-MarkdownCell .jp-RenderedMarkdown')].map(e => e.textContent),
    collapsedInputs: nb.querySelectorAll('.jp-InputPlaceholder').length,
  };
}"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_and_draws_in_jupyterlab(lab, browser, chapter):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(f"{lab}/lab/workspaces/{Path(chapter).stem}?reset", wait_until="load")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=60000)
    page.evaluate("() => window.jupyterapp.started")
    names = eval_names(ROOT / chapter)
    try:
        opened = page.evaluate(RUN_AND_WAIT, [chapter, names])
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (Path(chapter).stem + "-failed.png")))
        raise
    assert opened["isNotebook"], f"{chapter} opened as {opened['kind']!r}, not as a notebook"
    seen = page.evaluate(LOOK)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / (Path(chapter).stem + ".png")))
    (SHOTS / (Path(chapter).stem + ".json")).write_text(json.dumps(seen, indent=1), encoding="utf-8")
    page.close()

    assert seen["errors"] == [], f"{chapter}: cells failed in JupyterLab: {seen['errors']}"
    assert seen["undrawn"] == [], f"{chapter}: charts not drawn: {seen['undrawn']}"
    expected = figures_in(ROOT / chapter)
    assert expected >= 4 and seen["figureCells"] >= expected, \
        f"{chapter}: {seen['figureCells']} cells show a drawn figure; the book shows {expected}"
    source = (ROOT / chapter).read_text(encoding="utf-8")
    solutions = len(re.findall(r"^  source_hidden: true", source, flags=re.M))
    assert seen["collapsedInputs"] >= solutions, \
        f"{chapter}: {solutions} solution cells, only {seen['collapsedInputs']} collapsed in JupyterLab"
    if solutions:  # JupyterLab shows a cell's outputs when it runs, so the answers stand after all the questions
        assert source.rindex("{exercise}") < source.index("{solution-start}"), \
            f"{chapter}: a solution stands between the exercises"
    assert seen["empty"] == [], f"{chapter}: empty outputs under the cells {seen['empty']}"
    assert seen["trimmed"] == 0, f"{chapter}: JupyterLab cut outputs off (more than its output limit)"
    raw = [m for m in seen["markdown"] if ROLE.search(m)]
    assert raw == [], f"{chapter}: prose shows MyST roles raw: {[ROLE.search(m).group(0) for m in raw][:5]}"
    text = "\n".join(seen["markdown"])
    unevaluated = [n for n in names if n in text]
    assert names and not unevaluated, f"{chapter}: prose shows variable names instead of values: {unevaluated[:5]}"
    assert re.search(r"\d", text), f"{chapter}: no number rendered in the prose"


def test_the_checked_pages_have_exercises():
    """The solution check above must have solutions to look at."""
    with_solutions = [c for c in CHAPTERS if "source_hidden: true" in (ROOT / c).read_text(encoding="utf-8")]
    assert len(with_solutions) >= 2, "at least two of the pages driven in JupyterLab must have exercises"
