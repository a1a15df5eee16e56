"""Static checks of every built page: charts carry tooltips and text alternatives, pages stay light."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_browser import content_pages


PAGE_BUDGET = 1_500_000  # bytes a reader downloads for one page, not counting the shared Vega bundle
SHARED = {"vega-bundle.js"}
CHART = re.compile(r'<div id="(sf-chart-[0-9a-f-]+)" class="shopfloor-chart" role="img" aria-label="([^"]*)"[^>]*></div>\s*'
                   r'<script type="text/javascript">.*?var spec = (\{.*?\});\n', re.S)


class Assets(HTMLParser):
    """Local files a page loads: scripts, stylesheets and images."""

    def __init__(self):
        super().__init__()
        self.files: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = attrs.get("src") if tag in ("script", "img") else attrs.get("href") if (
            tag == "link" and attrs.get("rel") == "stylesheet") else None
        if url and not url.startswith(("http:", "https:", "data:", "//")):
            self.files.append(url.split("?")[0].split("#")[0])


def charts_of(page: Path) -> list[tuple[str, str, dict]]:
    html = page.read_text(encoding="utf-8")
    return [(m.group(1), m.group(2), json.loads(m.group(3).replace("<\\/", "</"))) for m in CHART.finditer(html)]


def has_tooltip(spec) -> bool:
    if isinstance(spec, dict):
        if "tooltip" in spec.get("encoding", {}) or (isinstance(spec.get("mark"), dict) and
                                                       spec["mark"].get("tooltip")):
            return True
        return any(has_tooltip(v) for v in spec.values())
    if isinstance(spec, list):
        return any(has_tooltip(v) for v in spec)
    return False


FONT_FACES = {"fa-solid-900.woff2": ("fa-solid", "fas "), "fa-brands-400.woff2": ("fa-brands", "fab "),
              "fa-regular-400.woff2": ("fa-regular", "far ")}


def font_bytes(stylesheet: Path, html: str) -> int:
    """Web fonts a stylesheet declares that the page uses (an icon font is fetched only when an icon of its
    style is on the page; other fonts are counted whenever declared)."""
    if stylesheet.suffix != ".css":
        return 0
    total = 0
    for font in set(re.findall(r"url\(['\"]?([^)'\"]+\.woff2)", stylesheet.read_text(encoding="utf-8", errors="replace"))):
        path = (stylesheet.parent / font).resolve()
        markers = FONT_FACES.get(path.name)
        if path.is_file() and (markers is None or any(m in html for m in markers)):
            total += path.stat().st_size
    return total


@pytest.fixture(scope="module")
def pages(html_site):
    return [(name, html_site / name) for name in content_pages(html_site)]


def test_every_chart_has_a_tooltip_and_a_text_alternative(pages):
    found, problems = 0, []
    for name, page in pages:
        for div_id, label, spec in charts_of(page):
            found += 1
            if not has_tooltip(spec):
                problems.append(f"{name} {div_id}: no tooltip")
            if len(label.split()) < 6:
                problems.append(f"{name} {div_id}: text alternative too short: {label!r}")
    assert found, "no chart found in the built pages"
    assert not problems, problems


def test_every_page_stays_within_its_weight(pages):
    heavy = {}
    for name, page in pages:
        parser = Assets()
        html = page.read_text(encoding="utf-8")
        parser.feed(html)
        total = page.stat().st_size
        for url in set(parser.files):
            path = (page.parent / url).resolve()
            if path.name not in SHARED and path.is_file():
                total += path.stat().st_size + font_bytes(path, html)
        if total > PAGE_BUDGET:
            heavy[name] = total
    assert not heavy, f"pages over {PAGE_BUDGET:,} bytes (without the Vega bundle): {heavy}"


THEME_PAGES = ["chapters/introduction.html", "chapters/industrial-crisis/wages-and-workforce.html",
               "chapters/industrial-crisis/hunger-danger-protest.html", "chapters/factory-politics/kirov-works.html",
               "chapters/factory-politics/moscow-factories.html", "chapters/union-purge/union-democracy.html",
               "chapters/union-purge/repression-of-union-officials.html"]
# What a reader must not meet in the prose: row ids of the data package, glue names, listings of variables.
INTERNAL = re.compile(r"\b(?:gi|g1a|g1b|g[2-6]|k)-\d{4}\b|\bdisc-\d{3}\b|\{glue|\bglue\b|\w+_\w+ = ")


def reader_text(soup) -> str:
    """The text a reader sees without opening anything: no code (collapsed or not), scripts or styles."""
    for hidden in soup.select("script, style, div.cell_input, details.hide, .highlight, div.solution"):
        hidden.decompose()
    return soup.get_text(" ")


@pytest.mark.parametrize("name", THEME_PAGES)
def test_figure_code_is_a_collapsed_toggle(html_site, name):
    """Above each figure of a theme page the web reader can open the code that makes it (hide-input), and no
    listing of glue names or row ids stands in the prose."""
    from bs4 import BeautifulSoup

    html = re.sub(r"<script\b.*?</script>", "", (html_site / name).read_text(encoding="utf-8"), flags=re.S)
    soup = BeautifulSoup(html, "html.parser")
    figures = [f for f in soup.select("figure") if f.select_one(".shopfloor-chart, table")]
    assert figures, f"{name}: no figure"
    for figure in figures:
        cell = figure.find_parent("div", class_="cell")
        assert cell is not None and "tag_hide-input" in cell["class"], \
            f"{name}: figure {figure.get('id')} is not the output of a code cell shown as a collapsed toggle"
        toggle = cell.select_one("details.hide.above-input")
        assert toggle is not None and toggle.select_one("div.cell_input") and not toggle.has_attr("open"), \
            f"{name}: figure {figure.get('id')} has no collapsed code toggle"
        assert re.search(r"charts\.show\(|maps\.", toggle.get_text()), f"{name}: {figure.get('id')}'s code hides"
    leaks = sorted(set(m.group(0) for m in INTERNAL.finditer(reader_text(soup))))
    assert not leaks, f"{name}: internal identifiers in the reader's view: {leaks[:10]}"
