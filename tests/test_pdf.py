"""The PDF edition: one book through xelatex, with every chart as an image, Cyrillic intact, no broken references."""
from __future__ import annotations

import json
import re
import subprocess
from collections import Counter

import pytest

from conftest import require_tool


@pytest.fixture(scope="module")
def pdf_text(pdf_file) -> list[str]:
    pdftotext = require_tool("pdftotext", "poppler-utils")
    text = subprocess.run([pdftotext, "-layout", str(pdf_file), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


@pytest.fixture(scope="module")
def images_per_page(pdf_file) -> Counter:
    pdfimages = require_tool("pdfimages", "poppler-utils")
    listing = subprocess.run([pdfimages, "-list", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    return Counter(int(line.split()[0]) for line in listing.splitlines()[2:] if " image " in line)


def test_pdf_is_a_whole_book(pdf_text):
    assert len(pdf_text) > 100, f"only {len(pdf_text)} pages"
    front = "\n".join(pdf_text[:6])
    assert "Shop Floor" in front, "no title page"
    assert re.search(r"About this book[ .]+\d+", front), "no table of contents with page numbers"
    # Sphinx's manual class puts the page number at the outer edge of the footer line
    body = [p for p in pdf_text[10:60] if p.strip()]
    numbered = [p for p in body if re.search(r"\s(\d{1,3})\s*$", p.rstrip()) or re.search(r"^\s*\d{1,3}\s", p.rstrip().splitlines()[-1])]
    assert len(numbered) > len(body) / 2, "most pages carry no page number"


def chart_outputs(pdf_file) -> list[str]:
    """The page of every chart the executed pages drew (_build/jupyter_execute, written when the pages were
    executed; the PDF edition is built from the same execution as the web book)."""
    executed = pdf_file.parents[1] / "jupyter_execute"
    found = []
    for notebook in sorted(executed.rglob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                html = "".join(output.get("data", {}).get("text/html", ""))
                found += [str(notebook.relative_to(executed))] * html.count('class="shopfloor-chart"')
    return found


def test_every_chart_is_an_image(pdf_file, images_per_page):
    charts = chart_outputs(pdf_file)
    assert len(charts) >= 40, f"only {len(charts)} charts in the executed pages"
    tex = next(pdf_file.parent.glob("*.tex")).read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{(charts/[0-9a-f]{64})\}\.png\}", tex)
    assert len(included) == len(charts), f"{len(included)} chart images in the LaTeX for {len(charts)} charts"
    missing = [name for name in set(included) if not (pdf_file.parent / f"{name}.png").is_file()]
    assert not missing, f"chart images the LaTeX includes but the build did not write: {missing[:5]}"
    assert sum(images_per_page.values()) >= len(charts), (
        f"{sum(images_per_page.values())} images in the PDF for {len(charts)} charts")


def test_the_pdf_after_the_web_book_executes_no_notebook(pdf_build):
    """`make pdf` after `make book`: the PDF takes the pages as the HTML build executed them (it draws the
    charts' images from their specs), so no notebook runs a second time."""
    if not pdf_build["after_html"]:
        pytest.fail("SHOPFLOOR_HTML_SITE is set: the PDF was built on its own, this test needs the HTML build")
    executed = re.findall(r"(\S+\.md): Executed notebook in", pdf_build["log"])
    assert executed == [], f"the PDF build executed again: {executed}"
    assert re.search(r"building \[latex\]", pdf_build["log"]), "no LaTeX build in the log"


def test_every_theme_chapter_has_its_figures_as_images(pdf_text, images_per_page):
    chapter_of_page = {}
    current = None
    for number, page in enumerate(pdf_text, 1):
        match = re.search(r"Chapter \d+\.\s+(.+)", page)
        current = match.group(1).strip() if match else current
        chapter_of_page[number] = current
    per_chapter = Counter()
    for page, count in images_per_page.items():
        per_chapter[chapter_of_page.get(page)] += count
    for theme in ("The industrial crisis", "Factory politics", "The union purge"):
        images = sum(n for chapter, n in per_chapter.items() if chapter and chapter.startswith(theme))
        assert images >= 8, f"{theme}: {images} images in the PDF, expected at least 8 figures"


def test_pdf_keeps_cyrillic_and_has_no_chart_placeholder(pdf_text):
    text = "\n".join(pdf_text)
    assert "профсоюз" in text, "the Cyrillic test word did not survive into the PDF"
    for placeholder in ("alt.Chart", "LayerChart", "<IPython.core.display", "This chart needs the Vega"):
        assert placeholder not in text, f"{placeholder!r} reached the PDF as text"


def test_latex_resolved_every_reference(pdf_file):
    log = pdf_file.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    undefined = [line for line in log.splitlines() if "undefined" in line]
    assert "There were undefined references" not in log, f"undefined references in the PDF: {undefined[:10]}"


def test_a_pdf_build_removes_the_chart_images_no_chart_uses(tmp_path):
    """The PNGs are named by what they are drawn from: those of charts changed or gone since the last PDF build
    are removed when it ends, the ones this build used are kept."""
    from types import SimpleNamespace

    from shopfloor import sphinx_ext

    folder = tmp_path / sphinx_ext.CHART_IMAGES
    folder.mkdir()
    for name in ("used", "stale"):
        (folder / f"{name}.png").write_bytes(b"png")
    builder = SimpleNamespace(format="latex", shopfloor_chart_images={f"{sphinx_ext.CHART_IMAGES}/used.png"})
    sphinx_ext._remove_unused_chart_images(SimpleNamespace(builder=builder, outdir=str(tmp_path)))
    assert sorted(p.name for p in folder.iterdir()) == ["used.png"]
