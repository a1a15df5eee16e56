"""The book builds strictly, and a notebook that raises fails the build."""
from __future__ import annotations

import shutil

from conftest import ROOT, build_book

COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", ".jupyter_cache", "__pycache__", ".pytest_cache")


def test_book_builds_strictly(html_site):
    assert (html_site / "index.html").exists()
    assert (html_site / "chapters" / "introduction.html").exists()
    assert (html_site / "_static" / "vega-bundle.js").stat().st_size > 500_000


def test_failing_notebook_fails_the_build(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT, book, ignore=COPY_IGNORE)
    (book / "chapters" / "broken.md").write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n"
        "  display_name: Python 3\n---\n\n# Broken\n\n```{code-cell} ipython3\nraise RuntimeError('boom')\n```\n",
        encoding="utf-8")
    toc = book / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8") + "      - file: chapters/broken\n", encoding="utf-8")
    done = build_book(book, tmp_path / "out")
    assert done.returncode != 0, "a notebook that raises must fail the build"
    assert "broken" in (done.stdout + done.stderr)
