"""Shared fixtures: the book built once per test session (HTML and PDF), and system-tool checks.

The two builds are made once for the whole run, whichever pytest-xdist worker first asks for them; a worker that
asks while the other builds waits for that build (a lock file) and then reads the same folder. So a test that
reads the built book may run on either worker, and the tests of the book spread over both."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
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


def build_book(source: Path, output: Path, builder: str = "html", fresh: bool = True) -> subprocess.CompletedProcess:
    """The book built as `make book` builds it, into `output`; returns the finished process. Not `fresh`: what
    is already built in `output` is reused, as `make pdf` after `make book` reuses the executed pages."""
    command = [*BUILD, str(source), "--path-output", str(output), *(JB_STRICT if fresh else JB_STRICT[1:])]
    if builder != "html":
        command += ["--builder", builder]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


def once_per_run(name: str, tmp_path_factory, worker_id: str, make) -> dict:
    """`make(folder)`'s result (a JSON-able dict), made once per test run across pytest-xdist workers in a folder
    they share. A build that failed fails every test that asks for it, with the same message, and is not tried
    again by the other worker."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # each worker has its own basetemp, inside the run's
        shared = shared.parent
    record = shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():
            folder = shared / name
            folder.mkdir()
            try:
                outcome = {"result": make(folder)}
            except pytest.skip.Exception as error:
                outcome = {"skip": str(error)}
            except (Exception, pytest.fail.Exception) as error:
                outcome = {"error": f"{type(error).__name__}: {error}"}
            record.write_text(json.dumps(outcome), encoding="utf-8")
        outcome = json.loads(record.read_text(encoding="utf-8"))
    if "skip" in outcome:
        pytest.skip(outcome["skip"])
    assert "error" not in outcome, outcome.get("error")
    return outcome["result"]


PDF_FIXTURES = {"pdf_build", "pdf_file"}


@pytest.fixture(scope="session")
def html_site(request, tmp_path_factory, worker_id) -> Path:
    # SHOPFLOOR_HTML_SITE=<dir>/_build/html looks at a book already built (e.g. by `make book`) instead of building
    # one: for checking the browser tests against a build quickly. Unset, as under `make test`, the book is built.
    prebuilt = os.environ.get("SHOPFLOOR_HTML_SITE")
    if prebuilt:
        assert (Path(prebuilt) / "index.html").exists(), f"SHOPFLOOR_HTML_SITE={prebuilt} holds no index.html"
        return Path(prebuilt)

    def build(output: Path) -> dict:
        done = build_book(ROOT, output)
        assert done.returncode == 0, f"book build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        # only when a test of this run reads the PDF: a run of a few tests leaves no build behind it
        wants_pdf = any(PDF_FIXTURES & set(getattr(item, "fixturenames", ())) for item in request.session.items)
        if wants_pdf and shutil.which("xelatex") and shutil.which("latexmk"):
            start_pdf_build(output)
        return {"site": str(output / "_build" / "html")}

    return Path(once_per_run("book-html", tmp_path_factory, worker_id, build)["site"])


def start_pdf_build(output: Path) -> None:
    """`make pdf` after `make book`, started in the background as soon as the HTML build is done: it runs while the
    browser checks run, instead of after them. It writes its output to pdf-build.log and its exit status to
    pdf-build.status in `output` (pdf_build waits for that file)."""
    command = [*BUILD, str(ROOT), "--path-output", str(output), *JB_STRICT[1:], "--builder", "pdflatex"]
    script = '"$@" > "$0/pdf-build.log" 2>&1; echo $? > "$0/pdf-build.status.partial"; ' \
             'mv "$0/pdf-build.status.partial" "$0/pdf-build.status"'
    subprocess.Popen(["bash", "-c", script, str(output), *command], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (output / "pdf-build.started").touch()


def finished_pdf_build(output: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    status = output / "pdf-build.status"
    deadline = time.monotonic() + timeout
    while not status.exists():
        assert time.monotonic() < deadline, f"the PDF build started in {output} did not finish in {timeout} s"
        time.sleep(0.5)
    log = (output / "pdf-build.log").read_text(encoding="utf-8", errors="replace")
    return subprocess.CompletedProcess([], int(status.read_text()), stdout=log, stderr="")


@pytest.fixture(scope="session")
def pdf_build(html_site, tmp_path_factory, worker_id) -> dict:
    """The PDF built as `make pdf` after `make book` builds it: in the HTML build's folder, from the pages that
    build executed (started in the background when the HTML build finished, see start_pdf_build). With
    SHOPFLOOR_HTML_SITE, a build of its own from scratch."""

    def build(folder: Path) -> dict:
        require_tool("xelatex", "texlive-xetex")
        require_tool("latexmk", "latexmk")
        after_html = not os.environ.get("SHOPFLOOR_HTML_SITE")
        output = html_site.parents[1] if after_html else folder
        if after_html and (output / "pdf-build.started").exists():  # started when the HTML build was done
            done = finished_pdf_build(output)
        else:
            done = build_book(ROOT, output, builder="pdflatex", fresh=not after_html)
        assert done.returncode == 0, f"PDF build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        pdfs = list((output / "_build" / "latex").glob("*.pdf"))
        assert len(pdfs) == 1, f"expected one PDF in {output / '_build' / 'latex'}, found {pdfs}"
        return {"pdf": str(pdfs[0]), "log": done.stdout + done.stderr, "after_html": after_html}

    built = once_per_run("book-pdf", tmp_path_factory, worker_id, build)
    return {**built, "pdf": Path(built["pdf"])}


@pytest.fixture(scope="session")
def pdf_file(pdf_build) -> Path:
    return pdf_build["pdf"]


BOOK_FIXTURES = {"html_site", *PDF_FIXTURES}


def pytest_collection_modifyitems(items):
    """The tests that read the built book (other than the browser check, which starts the build) come last: while
    one worker builds the book, the other runs the tests that need no book instead of waiting for it."""
    def reads_the_book(item) -> bool:
        return bool(BOOK_FIXTURES & set(getattr(item, "fixturenames", ()))) and \
            not any(mark.args == ("browser",) for mark in item.iter_markers("xdist_group"))

    items.sort(key=reads_the_book)  # stable: the order within each part is kept
