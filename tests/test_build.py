"""The book builds strictly, a notebook that raises fails the build, and a rebuild is never stale.

The rebuild checks work on a small copy of the book (the front page, the introduction and the bibliography),
built as `make book` builds: incrementally, each page read and executed again only when it or what it reads
changed (shopfloor.sphinx_ext).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, ROOT, build_book

COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", ".jupyter_cache", "__pycache__", ".pytest_cache",
                                     ".cache", ".ipynb_checkpoints")
EXECUTED = re.compile(r"(\S+\.md): Executed notebook in")


def small_book(folder: Path, pages: list[str]) -> Path:
    """A copy of the book whose table of contents holds only these pages, under a front page of one line (the
    book's own runs code, which these checks do not need: two seconds at each build)."""
    book = folder / "book"
    shutil.copytree(ROOT, book, ignore=COPY_IGNORE)
    (book / "index.md").write_text("# Shop Floor\n\nA small copy of the book, for the build tests.\n", encoding="utf-8")
    chapters = "\n".join(f"      - file: {page}" for page in pages)
    (book / "_toc.yml").write_text(f"format: jb-book\nroot: index\nparts:\n  - caption: The book\n    chapters:\n"
                                   f"{chapters}\n", encoding="utf-8")
    return book


def make_book(book: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`make book`'s build (incremental, not strict: the small copy links to pages it leaves out); returns the
    process and the pages it executed."""
    done = subprocess.run([*BUILD, str(book), "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done, sorted({Path(p).name for p in EXECUTED.findall(done.stdout + done.stderr)})


def test_book_builds_strictly(html_site):
    assert (html_site / "index.html").exists()
    assert (html_site / "chapters" / "introduction.html").exists()
    assert (html_site / "_static" / "vega-bundle.js").stat().st_size > 500_000


def test_the_html_edition_renders_no_png(html_site):
    """Static images of charts are for the PDF only; the web book draws every chart from its spec."""
    pngs = [p.name for p in html_site.rglob("*.png") if "_static" not in p.parts]
    assert pngs == [], f"the HTML build wrote PNG images: {pngs[:5]}"


def test_failing_notebook_fails_the_build(tmp_path):
    """A notebook that raises fails a strict build, and fails the next one too: a rebuild on what the first
    left reads that page again (shopfloor.sphinx_ext notes the pages a strict build warned about). Before,
    Sphinx held the warnings back until every page was read, the count taken page by page saw none, and a
    second `make book` passed."""
    book = small_book(tmp_path, ["chapters/broken"])
    (book / "chapters" / "broken.md").write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n"
        "  display_name: Python 3\n---\n\n# Broken\n\n```{code-cell} ipython3\nraise RuntimeError('boom')\n```\n",
        encoding="utf-8")
    done = build_book(book, tmp_path / "out")
    assert done.returncode != 0, "a notebook that raises must fail the build"
    assert "broken" in (done.stdout + done.stderr)
    again = build_book(book, tmp_path / "out", fresh=False)  # as `make book` again, on what the first one left
    assert again.returncode != 0, "a strict rebuild passed over the broken notebook"
    assert "broken" in (again.stdout + again.stderr)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    book = small_book(tmp_path_factory.mktemp("rebuild"), ["chapters/introduction", "chapters/bibliography"])
    _, first = make_book(book)
    _, unchanged = make_book(book)
    page = book / "chapters" / "introduction.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "## Three themes", "A sentence added by the rebuild test.\n\n## Three themes", 1), encoding="utf-8")
    _, prose_edit = make_book(book)
    observations = book / "data" / "observations.csv"
    text = observations.read_text(encoding="utf-8")
    assert "\ngi-0001,persons_arrested,1575000," in text
    observations.write_text(text.replace("\ngi-0001,persons_arrested,1575000,", "\ngi-0001,persons_arrested,1575111,"),
                            encoding="utf-8")
    _, data_edit = make_book(book)
    html = (book / "_build" / "html" / "chapters" / "introduction.html").read_text(encoding="utf-8")
    return {"first": first, "unchanged": unchanged, "prose_edit": prose_edit, "data_edit": data_edit, "html": html}


@pytest.mark.xdist_group("rebuild")
def test_a_clean_build_executes_every_page(rebuilt):
    assert "introduction.md" in rebuilt["first"]


@pytest.mark.xdist_group("rebuild")
def test_a_rebuild_without_changes_executes_nothing(rebuilt):
    assert rebuilt["unchanged"] == []


@pytest.mark.xdist_group("rebuild")
def test_a_prose_edit_executes_only_that_page(rebuilt):
    assert rebuilt["prose_edit"] == ["introduction.md"]


@pytest.mark.xdist_group("rebuild")
def test_a_data_edit_executes_again_and_shows_the_new_value(rebuilt):
    assert "introduction.md" in rebuilt["data_edit"]
    prose = re.sub(r"<[^>]+>", "", rebuilt["html"])
    assert "arrested more than 1,575,111 people" in prose, "the rebuilt page does not show the new value"
    assert "arrested more than 1,575,000 people" not in prose


def test_pages_are_read_in_parallel(tmp_path, monkeypatch):
    """`make book` reads (and so executes) pages on every core: every extension the book loads allows it."""
    from sphinx.application import Sphinx

    from shopfloor import build

    seen = {}
    monkeypatch.setattr(Sphinx, "build", lambda self, *args, **kwargs: seen.update(
        jobs=self.parallel, parallel_read=self.is_parallel_allowed("read")))
    monkeypatch.setenv("SHOPFLOOR_JOBS", "2")
    build.main([str(ROOT), "--path-output", str(tmp_path)], standalone_mode=False)
    assert seen == {"jobs": 2, "parallel_read": True}


CAPTION_NUMBER = re.compile(r'<span class="caption-number">Fig\. (\d+)\.(\d+) </span>')
CHAPTER_NUMBER = re.compile(r'<h1><span class="section-number">(\d+)\. </span>')


def test_figures_are_numbered_within_their_chapter(html_site):
    """Fig. 3.2 is the second figure of chapter 3, the number its heading shows."""
    for page in ["chapters/introduction.html", "chapters/industrial-crisis/hunger-danger-protest.html",
                 "chapters/union-purge/union-democracy.html", "chapters/two-lenses.html"]:
        html = (html_site / page).read_text(encoding="utf-8")
        chapter = CHAPTER_NUMBER.search(html)
        assert chapter, f"{page}: its heading carries no chapter number"
        numbers = [(int(c), int(f)) for c, f in CAPTION_NUMBER.findall(html)]
        assert numbers, f"{page}: no numbered figure"
        assert {c for c, _ in numbers} == {int(chapter.group(1))}, f"{page}: figures of other chapters {numbers}"
        assert [f for _, f in numbers] == list(range(1, len(numbers) + 1)), f"{page}: figures numbered {numbers}"
