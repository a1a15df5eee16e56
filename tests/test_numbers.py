"""Numbers in the prose: where each comes from, and how the prose sets them.

- A number made from a data row (numbers.say, say_change, say_times, date_words...) carries the row's locator;
  in HTML it is a focusable span whose tooltip (hover or keyboard focus) shows that locator, and whose
  accessible description is the same text; its plain text, which `print`, the nbval guard cells and the PDF
  use, is the number alone.
- The prose of every page sets ranges with en dashes (1928–1941, nn. 12–15), negative numbers with a true
  minus sign, never "by −15" after a verb of change, and a capital where a number opens a sentence.
- A small copy of the book (the front page and one chapter) is built in HTML and LaTeX: the HTML has the
  focusable source spans with the locator text, the LaTeX the plain numbers; the front page shows the three
  themes with a figure each, and at 390 and 1280 px its title keeps "1928–1941" on one line.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT, require_tool
from prose_text import pages, paragraphs, prose_lines, recorded_values
from shopfloor import data, numbers

LOCATOR = 'Goldman 2007, ch. 4, "Multicandidate, Secret-Ballot Elections", n. 35'


def staff_cut() -> pd.Series:
    """A printed negative change: the Krasnyi Tkach factory committee cut its paid staff by 15 percent."""
    return data.one(data.query("union_paid_staff_change", org="factory-committee-krasnyi-tkach"))


def formats(value) -> dict:
    from IPython.core.formatters import DisplayFormatter

    return DisplayFormatter().format(value)[0]


# --- the source a number carries -------------------------------------------------------------------------------

def test_prose_from_a_data_row_carries_its_locator_in_html():
    row = staff_cut()
    for prose in (numbers.say_change(row), numbers.say(row, unit_word=False), numbers.date_words("1937", row=row)):
        assert LOCATOR in prose.source and "GARF f. 5451, o. 22, d. 64" in prose.source
        shown = formats(prose)["text/html"]
        assert re.fullmatch(r'<span class="sf-source" tabindex="0" data-source="([^"]*)" aria-description="\1">'
                            r'[^<]*</span>', shown), shown
        assert "Multicandidate, Secret-Ballot Elections&quot;, n. 35" in shown
        assert f">{prose}</span>" in shown


def test_the_plain_text_is_the_number_alone():
    prose = numbers.say_change(staff_cut())
    assert str(prose) == repr(prose) == f"{prose}" == "15 percent"
    assert formats(prose)["text/plain"] == "15 percent"
    assert numbers.Prose("a name").source == "" and "text/html" not in formats(numbers.Prose("a name"))


def test_the_latex_edition_takes_the_plain_text_and_the_web_edition_the_span():
    """The book's mime priorities (nb_mime_priority_overrides in _config.yml) as MyST-NB applies them to an
    {eval} result: HTML shows the span with its source, LaTeX (the PDF) the number alone."""
    from myst_nb.core.render import get_mime_priority

    overrides = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"][
        "nb_mime_priority_overrides"]
    bundle = formats(numbers.say_change(staff_cut()))
    chosen = {builder: next(m for m in get_mime_priority(builder, overrides) if m in bundle)
              for builder in ("html", "latex")}
    assert chosen == {"html": "text/html", "latex": "text/plain"}
    assert "sf-source" in bundle["text/html"] and bundle["text/plain"] == "15 percent"


def test_a_computed_value_says_what_it_was_computed_from():
    rows = data.query("share_replaced", subject="replaced in elections", place="ussr")
    prose = numbers.say_value(rows["value"].mean(), "percent", computed=True, rows=rows, how="mean of the levels")
    assert prose.source.startswith("Computed (mean of the levels) from Goldman 2007, ch. 4")
    assert prose.source.count("Goldman 2007") == len(set(rows["reference"]))  # each locator once
    assert "Computed (mean of the levels) from" in formats(prose)["text/html"]
    assert numbers.computed_from(rows, "mean of the levels") == prose.source
    assert numbers.say_value(3).source == ""  # nothing known: no tooltip rather than an empty one
    assert "text/html" not in formats(numbers.say_value(3))


def test_the_source_s_own_wording_carries_the_source_too():
    row = staff_cut()
    wording = numbers.printed(row)
    assert str(wording) == row["as_printed"] and LOCATOR in wording.source


def test_a_change_is_said_without_its_sign_and_can_open_a_sentence():
    row = staff_cut()
    assert row["value"] < 0
    assert str(numbers.say_change(row)) == "15 percent"
    opening = data.one(data.query("officeholders", org="union-woolen-workers",
                                  breakdown="union level: shop committee"))
    assert str(numbers.say(opening, capital=True)) == "More than 1,000"
    assert str(numbers.number(-15)) == "\u221215"


# --- the typography of the prose --------------------------------------------------------------------------------

YEARS = re.compile(r"(?<![\w/.-])(1[89]\d\d)-(\d\d(?:\d\d)?)(?![\w-]|\.\w)")


def year_ranges(text: str) -> list[str]:
    """'1928-1941' and '1930-31' (a hyphen between years), not ISO dates such as '1937-10'."""
    found = []
    for match in YEARS.finditer(text):
        first, second = match.group(1), match.group(2)
        if (int(second) > int(first)) if len(second) == 4 else (int(second) > int(first[2:]) and int(second) > 12):
            found.append(match.group(0))
    return found


def test_the_scanner_finds_what_it_should():
    assert year_ranges("from 1928-1941 and in 1930-31") == ["1928-1941", "1930-31"]
    assert year_ranges("on 1937-10-30, 1928–1941, file 1937-1938.csv") == []


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_ranges_and_negative_numbers_are_set_properly(page):
    problems = []
    for line in prose_lines(page):
        problems += [f"{line.where()}: year range with a hyphen {r!r} (use an en dash)" for r in year_ranges(line.text)]
        problems += [f"{line.where()}: range with a hyphen {m.group(0)!r} (use an en dash)"
                     for m in re.finditer(r"\b(?:pp?|nn)\.\s?\d+-\d+\b", line.text)]
        problems += [f"{line.where()}: a hyphen as a minus sign {m.group(0)!r} (use \u2212)"
                     for m in re.finditer(r"(?<![\w\-\u2013/.])-\d", line.text)]
        problems += [f"{line.where()}: a signed number after 'by' {m.group(0)!r}: say 'cut by 15', not 'by -15'"
                     for m in re.finditer(r"\bby [-\u2212]\s?\d", line.text)]
    assert not problems, "\n".join(problems) + "\n(`python tests/prose_text.py <page>` sets dashes and minus signs)"


@pytest.mark.parametrize("page", [p for p in pages() if recorded_values(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_numbers_in_sentences_read_as_prose(page):
    """With the values the page prints (tests/snapshots): no signed value after 'by', and a value that opens a
    sentence starts with a capital letter or a digit ('were new. More than 1,000 people')."""
    values, problems = recorded_values(page), []
    for first, text in paragraphs(page):
        for match in re.finditer(r"\bby \{eval\}`([\w.]+)`", text):
            if values.get(match.group(1), "")[:1] in ("-", "\u2212"):
                problems.append(f"{first.where()}: 'by {values[match.group(1)]}' ({match.group(1)})")
        for match in re.finditer(r"(?:^|[.!?][\"'\u201d\u2019]?\s+)\{eval\}`([\w.]+)`", text):
            value = values.get(match.group(1), "")
            if value[:1].islower():
                problems.append(f"{first.where()}: a sentence opens with {value!r} ({match.group(1)})")
    assert not problems, "\n".join(problems)


# --- the built book (the HTML and PDF builds the other tests share) ------------------------------------------

CHAPTER = "chapters/union-purge/union-democracy"
THEME_PAGES = ["chapters/industrial-crisis/wages-and-workforce", "chapters/industrial-crisis/hunger-danger-protest",
               "chapters/factory-politics/kirov-works", "chapters/factory-politics/moscow-factories",
               "chapters/union-purge/union-democracy", "chapters/union-purge/repression-of-union-officials",
               "chapters/two-lenses"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_built_chapter_has_focusable_source_spans(html_site):
    page = (html_site / f"{CHAPTER}.html").read_text(encoding="utf-8")
    spans = re.findall(r'<span class="sf-source" tabindex="0" data-source="([^"]+)" aria-description="\1">([^<]+)'
                       r'</span>', page)
    assert len(spans) >= 40, f"only {len(spans)} prose numbers carry their source"
    assert ('Source: Goldman 2007, ch. 4, &quot;Multicandidate, Secret-Ballot Elections&quot;, n. 35 '
            '(GARF f. 5451, o. 22, d. 64, ll. 211-224)', "15 percent") in spans
    # the sentence reads as before: the source is in attributes, not in the text
    assert "cut its paid staff by 15 percent, handing the work to volunteers" in _text(page)
    css = (html_site / "_static" / "shopfloor.css").read_text(encoding="utf-8")
    assert ".sf-source:hover::after, .sf-source:focus::after" in css and "attr(data-source)" in css


def test_the_latex_edition_has_the_plain_numbers(pdf_file):
    tex = next(pdf_file.parent.glob("*.tex")).read_text(encoding="utf-8")
    assert "cut its paid staff by \\DUrole{output,text_plain}{15 percent}, handing" in re.sub(r"\s+", " ", tex)
    assert "sf-source" not in tex and "data-source" not in tex


def test_the_front_page_shows_the_three_themes_and_how_to_use_the_book(html_site):
    page = (html_site / "index.html").read_text(encoding="utf-8")
    text = _text(page)
    for theme in ("The industrial crisis, 1928\u2060\u2013\u20601936", "Factory politics, 1926\u2060\u2013\u20601941",
                  "The union purge, 1935\u2060\u2013\u20601938", "The comparison"):
        assert f"<h3>{theme}" in page, theme
    assert page.count('class="shopfloor-chart') >= 3 and page.count("<figure") >= 3
    source = (ROOT / "index.md").read_text(encoding="utf-8")
    for target in THEME_PAGES + ["chapters/about"]:
        assert f"{{doc}}`{target}`" in source, f"the front page does not link to {target}"
    for words in ("Read", "Rerun", "make lab", "Launch", "Binder", "PDF"):
        assert words in text, words
    assert "1928-1941" not in text and "1928\u2060\u2013\u20601941" in text
    assert len(re.findall(r'class="sf-source"', page)) >= 4  # its numbers carry their sources too


def test_the_title_keeps_its_years_together_at_390_and_1280_px(html_site, tmp_path):
    require_tool("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    url = (html_site / "index.html").as_uri()
    lines = """() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, match = /1928\\D{1,3}1941/.exec(node.data);
            if (!match || !node.parentElement.getClientRects().length) continue;
            const range = document.createRange();
            range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
            out.push([node.parentElement.tagName, tops.size]);
        }
        return out;
    }"""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for width in (390, 1280):
            view = browser.new_page(viewport={"width": width, "height": 900})
            view.goto(url)
            found = view.evaluate(lines)
            assert found, f"{width} px: no visible '1928–1941' on the front page"
            assert all(n == 1 for _, n in found), f"{width} px: the years break across lines: {found}"
            assert view.evaluate("document.documentElement.scrollWidth") <= width
            view.screenshot(path=str(tmp_path / f"front-{width}.png"), full_page=True)
        browser.close()


def test_a_focused_number_shows_its_source_inside_the_screen(html_site):
    """Keyboard focus on each prose number shows its tooltip (the locator), and no tooltip widens the page."""
    require_tool("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    url = (html_site / f"{CHAPTER}.html").as_uri()
    tip = "el => getComputedStyle(el, '::after').display + '|' + getComputedStyle(el, '::after').content"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for width in (390, 1280):
            view = browser.new_page(viewport={"width": width, "height": 900})
            view.goto(url)
            numbers_ = view.locator(".sf-source")
            assert numbers_.count() >= 40
            assert numbers_.first.evaluate(tip).startswith("none|")  # hidden until hovered or focused
            view.keyboard.press("Tab")
            for index in range(numbers_.count()):
                numbers_.nth(index).focus()
                shown = numbers_.nth(index).evaluate(tip)
                assert shown.startswith("block|\"Source: ") or shown.startswith("block|\"Computed"), shown
                assert view.evaluate("document.documentElement.scrollWidth") <= width, \
                    f"{width} px: the tooltip of number {index} widens the page"
        browser.close()
