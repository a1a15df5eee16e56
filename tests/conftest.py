"""Shared fixtures: the book built once per test session (HTML and PDF), and system-tool checks."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JB_STRICT = ["--all", "-W", "-n", "--keep-going"]
# What `make book` runs: `jupyter-book build` with pages read in parallel (src/shopfloor/build.py).
BUILD = [sys.executable, "-m", "shopfloor.build"]
IN_CI = os.environ.get("CI") == "true"


def require_tool(name: str, debian_package: str) -> str:
    """The tool's path; outside CI a missing tool skips with what to install, under CI it fails."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed: `apt-get install {debian_package}` (see README.md)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def build_book(source: Path, output: Path, builder: str = "html") -> subprocess.CompletedProcess:
    """The book built as `make book` builds it, into `output`; returns the finished process."""
    command = [*BUILD, str(source), "--path-output", str(output), *JB_STRICT]
    if builder != "html":
        command += ["--builder", builder]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def html_site(tmp_path_factory) -> Path:
    # SHOPFLOOR_HTML_SITE=<dir>/_build/html looks at a book already built (e.g. by `make book`) instead of building
    # one: for checking the browser tests against a build quickly. Unset, as under `make test`, the book is built.
    prebuilt = os.environ.get("SHOPFLOOR_HTML_SITE")
    if prebuilt:
        assert (Path(prebuilt) / "index.html").exists(), f"SHOPFLOOR_HTML_SITE={prebuilt} holds no index.html"
        return Path(prebuilt)
    output = tmp_path_factory.mktemp("book-html")
    done = build_book(ROOT, output)
    assert done.returncode == 0, f"book build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return output / "_build" / "html"


@pytest.fixture(scope="session")
def pdf_file(tmp_path_factory) -> Path:
    require_tool("xelatex", "texlive-xetex")
    require_tool("latexmk", "latexmk")
    output = tmp_path_factory.mktemp("book-pdf")
    done = build_book(ROOT, output, builder="pdflatex")
    assert done.returncode == 0, f"PDF build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    pdfs = list((output / "_build" / "latex").glob("*.pdf"))
    assert len(pdfs) == 1, f"expected one PDF in {output / '_build' / 'latex'}, found {pdfs}"
    return pdfs[0]
