"""Binder rehearsal: what Binder does, on this machine.

A fresh virtual environment with runtime.txt's Python and requirements.txt only (plus postBuild), then every
notebook executed from its own folder, as JupyterLab runs it. It builds a venv (about a minute from a warm
package cache), so it runs under CI=true or `make binder-check`; elsewhere it is skipped with that message.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

RUN = os.environ.get("CI") == "true" or os.environ.get("SHOPFLOOR_BINDER_CHECK") == "1"
BOOK_ONLY = {"jupyter-book", "sphinx", "myst-nb", "nbval", "pytest", "playwright"}


def runtime_python() -> str:
    version = re.fullmatch(r"python-(\d+\.\d+)", (ROOT / "runtime.txt").read_text().strip()).group(1)
    python = shutil.which(f"python{version}")
    assert python, f"runtime.txt asks for Python {version}, which is not installed"
    return python


def test_reader_environment_leaves_out_the_book_stack():
    names = {re.split(r"[=<>\[ ]", line.strip())[0].lower() for line in
             (ROOT / "requirements.txt").read_text().splitlines() if line.strip() and not line.startswith(("#", "-"))}
    assert not names & BOOK_ONLY, f"requirements.txt (Binder) carries book-building packages: {names & BOOK_ONLY}"


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory) -> Path:
    if not RUN:
        pytest.skip("the Binder rehearsal builds a fresh venv: run it with CI=true or `make binder-check`")
    venv = tmp_path_factory.mktemp("binder") / "venv"
    subprocess.run([runtime_python(), "-m", "venv", str(venv)], check=True)
    # nbclient stands in for the Jupyter server that Binder's image brings along with requirements.txt
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", "requirements.txt", "nbclient==0.11.0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    if (ROOT / "postBuild").exists():
        home = venv.parent / "home"
        home.mkdir()
        subprocess.run(["bash", str(ROOT / "postBuild")], cwd=ROOT, check=True, env={**os.environ, "HOME": str(home)})
    return venv


NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.md") if p.read_text(encoding="utf-8").startswith("---\njupytext"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs_in_the_reader_environment(binder_venv, notebook):
    script = ("import jupytext, sys\nfrom nbclient import NotebookClient\n"
              "nb = jupytext.read(sys.argv[1])\n"
              "NotebookClient(nb, timeout=300, kernel_name='python3',"
              " resources={'metadata': {'path': sys.argv[2]}}).execute()\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPFLOOR")}
    env["PATH"] = f"{binder_venv / 'bin'}:{env['PATH']}"
    done = subprocess.run([str(binder_venv / "bin" / "python"), "-c", script, str(notebook), str(notebook.parent)],
                          cwd=notebook.parent, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, f"{notebook.name} failed in the Binder environment:\n{done.stderr[-3000:]}"
