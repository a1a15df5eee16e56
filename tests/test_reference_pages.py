"""The reference pages list every row of their table, stay small, and the people table works offline.

The first tests read the built HTML (the `html_site` fixture builds the book once per session) and look for
every person's, place's, organisation's and event's name in the visible text of its page. The browser test
opens the people page in headless Chromium inside `unshare --net` (no network at all), searches, filters
and sorts the table, and reports what a reader would see; this file is also that browser script
(`python tests/test_reference_pages.py SITE_DIR`).
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest


REFERENCE = Path("chapters") / "reference"
MAX_PAGE_BYTES = 1_500_000
PAGES = ["timeline", "people", "places", "organisations", "glossary", "source-criticism", "register", "sources-and-method",
         "about-the-maps", "seminar-guide", "how-to-cite"]

# Sphinx turns straight quotes and dashes into typographic ones; compare in one plain form.
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                             "\u2014": "-", "\u2026": "...", "\u00a0": " "})


def normalise(text: str) -> str:
    text = text.translate(_TYPOGRAPHY)
    text = re.sub(r"-{2,}", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def visible_text(page_html: str) -> str:
    """The text a reader sees: without scripts, styles and tags, entities decoded, typography plain."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return normalise(html.unescape(text))


def missing_names(names, text: str) -> list[str]:
    """The names (as given) that do not occur in the page text."""
    return [name for name in names if normalise(str(name)) not in text]


def page_text(site: Path, page: str) -> str:
    return visible_text((site / REFERENCE / f"{page}.html").read_text(encoding="utf-8"))


def check_listed(site: Path, page: str, table: str, key: str, column: str):
    from shopfloor import data

    frame = data.load(table, locators=False)
    text = page_text(site, page)
    names = dict(zip(frame[key], frame[column]))
    missing = {k: v for k, v in names.items() if v in set(missing_names(names.values(), text))}
    assert not missing, (f"{len(missing)} of {len(names)} {table} rows have no {column} on {page}.html: "
                         f"{sorted(missing.items())[:25]}")


# ----------------------------------------------------------------------------------- the checks themselves

def test_the_name_check_can_fail():
    text = visible_text("<p>Zal\u2019tsman &amp; the <b>Krasnyi</b>\nPutilovets</p><script>var x = 'Ezhov';</script>")
    assert missing_names(["Zal'tsman", "Krasnyi Putilovets"], text) == []
    assert missing_names(["Ezhov", "Iagoda"], text) == ["Ezhov", "Iagoda"]


# ----------------------------------------------------------------------------------- built pages

def test_every_person_is_on_the_people_page(html_site):
    check_listed(html_site, "people", "people", "person_id", "name")


def test_every_place_is_on_the_places_page(html_site):
    check_listed(html_site, "places", "places", "place_id", "name")


def test_every_organisation_is_on_the_organisations_page(html_site):
    check_listed(html_site, "organisations", "organizations", "org_id", "name")


def test_every_event_is_on_the_timeline(html_site):
    check_listed(html_site, "timeline", "events", "event_id", "title")


def test_every_discrepancy_is_on_the_register_page(html_site):
    # by what disagrees: the entry's id is its HTML anchor and tooltip, not text a reader sees
    check_listed(html_site, "register", "discrepancies", "discrepancy_id", "what")


@pytest.mark.parametrize("page", PAGES)
def test_reference_page_is_small_enough(html_site, page):
    size = (html_site / REFERENCE / f"{page}.html").stat().st_size
    assert size < MAX_PAGE_BYTES, f"{page}.html is {size:,} bytes (limit {MAX_PAGE_BYTES:,})"


def test_reference_pages_load_nothing_from_a_cdn(html_site):
    pattern = re.compile(r"<(?:script|link)\b[^>]*(?:src|href)=\"https?://", re.I)
    offending = [p for p in PAGES if pattern.search((html_site / REFERENCE / f"{p}.html").read_text("utf-8"))]
    assert not offending, f"pages that load scripts or styles from the network: {offending}"


# ----------------------------------------------------------------------------------- the people table in a browser

@pytest.fixture(scope="module")
def people_table_report(html_site):
    from conftest import require_tool

    require_tool("chromium", "chromium")
    require_tool("unshare", "util-linux")
    command = ["unshare", "--net", sys.executable, str(Path(__file__).resolve()), str(html_site)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"browser check failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return json.loads(done.stdout)


@pytest.mark.xdist_group("people-table")  # the tests that read one report run in one worker
def test_people_table_filters_offline(people_table_report):
    from shopfloor import data

    people = data.load("people", locators=False)
    report = people_table_report
    assert report["rows"] == len(people), report
    assert report["console_errors"] == [] and report["outside_requests"] == [], report
    search = report["search"]
    assert 0 < search["visible"] < len(people), search
    assert search["all_match"] and search["count_text"].startswith(f"{search['visible']} of {len(people)}"), search
    fate = report["fate_filter"]
    assert fate["visible"] == int((people["fate"] == "shot").sum()) and fate["all_match"], fate
    assert report["reset_visible"] == len(people), report


@pytest.mark.xdist_group("people-table")
def test_people_table_sorts_offline(people_table_report):
    report = people_table_report
    for column in ("name", "date"):
        ascending, descending = report["sort"][column]["ascending"], report["sort"][column]["descending"]
        assert ascending["ordered"] and ascending["aria"] == "ascending", (column, ascending)
        assert descending["ordered"] and descending["aria"] == "descending", (column, descending)
        assert ascending["first"] != descending["first"], (column, ascending, descending)
    # rows without a date of fate stay at the end in both directions
    assert report["sort"]["date"]["ascending"]["last_blank"] and report["sort"]["date"]["descending"]["last_blank"]


BROWSER_JS = {
    "visible": "() => [...document.querySelectorAll('#sf-people-table tbody tr')].filter(r => !r.hidden).length",
    "keys": """(col) => [...document.querySelectorAll('#sf-people-table tbody tr')].filter(r => !r.hidden)
                 .map(r => { const c = r.cells[col]; return c.hasAttribute('data-sort') ? c.getAttribute('data-sort')
                                                                                     : c.textContent.trim(); })""",
}


def _sort_state(page, col: int, direction: str) -> dict:
    keys = page.evaluate(BROWSER_JS["keys"], col)
    filled = [k for k in keys if k != ""]
    sign = 1 if direction == "ascending" else -1
    ordered = page.evaluate(
        """([keys, sign]) => keys.every((k, i) => i === 0 ||
               sign * keys[i - 1].localeCompare(k, 'en', {sensitivity: 'base', numeric: true}) <= 0)""",
        [filled, sign])
    blanks_last = keys[len(filled):] == [""] * (len(keys) - len(filled))
    aria = page.eval_on_selector_all("#sf-people-table thead th", "ths => ths.map(t => t.getAttribute('aria-sort'))")
    return {"ordered": bool(ordered), "first": keys[0] if keys else None, "aria": aria[col],
            "last_blank": blanks_last}


def browser_check(site: Path) -> dict:
    """Search, filter and sort the people table the way a reader would, and report the results."""
    from playwright.sync_api import sync_playwright

    from browser_check import ARGS, CHROMIUM

    report = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors, outside = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:", "blob:"))
                else None)
        page.goto((site / REFERENCE / "people.html").as_uri(), wait_until="load")
        page.wait_for_selector("#sf-people-table tbody tr")
        report["rows"] = page.evaluate(BROWSER_JS["visible"])
        heads = page.eval_on_selector_all("#sf-people-table thead th", "ths => ths.map(t => t.textContent.trim())")
        name_col = next(i for i, h in enumerate(heads) if h.startswith("Name"))
        date_col = next(i for i, h in enumerate(heads) if h.startswith("Date"))
        fate_col = next(i for i, h in enumerate(heads) if h.startswith("Fate"))

        page.fill("#sf-people input[type=search]", "ezhov")
        visible = page.evaluate(BROWSER_JS["visible"])
        all_match = page.evaluate("""() => [...document.querySelectorAll('#sf-people-table tbody tr')]
                                     .filter(r => !r.hidden).every(r => r.textContent.toLowerCase().includes('ezhov'))""")
        report["search"] = {"visible": visible, "all_match": all_match,
                            "count_text": page.inner_text("#sf-people .sf-table-count")}
        page.fill("#sf-people input[type=search]", "")

        page.select_option(f"#sf-people select[data-col='{fate_col}']", "shot")
        visible = page.evaluate(BROWSER_JS["visible"])
        all_match = page.evaluate(f"""() => [...document.querySelectorAll('#sf-people-table tbody tr')]
                                     .filter(r => !r.hidden).every(r => r.cells[{fate_col}].textContent.trim() === 'shot')""")
        report["fate_filter"] = {"visible": visible, "all_match": all_match}
        page.select_option(f"#sf-people select[data-col='{fate_col}']", "")
        report["reset_visible"] = page.evaluate(BROWSER_JS["visible"])

        report["sort"] = {}
        for label, col in (("name", name_col), ("date", date_col)):
            button = page.locator("#sf-people-table thead th button").nth(col)
            button.click()
            ascending = _sort_state(page, col, "ascending")
            button.click()
            descending = _sort_state(page, col, "descending")
            report["sort"][label] = {"ascending": ascending, "descending": descending}
        report["console_errors"] = errors
        report["outside_requests"] = outside
        browser.close()
    return report


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print(json.dumps(browser_check(Path(sys.argv[1]))))


def test_column_descriptions_print_ids_and_examples_as_code():
    """Sources and method: a work id or an example value in a column's description is inline code (something a
    reader types), never prose where it reads as a leaked identifier."""
    from shopfloor import reference

    table = reference.field_table_markdown("observations", ["source_id", "literature_ref", "as_printed"])
    assert "The work read: `goldman2007` or `kokosalakis2021`." in table
    assert "(e.g. `getty1993, pp. 1022-4; davies1996, p. 459`)" in table
    assert "separated by ` \\| `" in table  # a pipe in a table cell stays escaped inside the code
    outside_code = re.sub(r"`[^`]*`", "", table)
    assert not re.search(r"\b(goldman2007|kokosalakis2021|getty1993|davies1996)\b", outside_code), outside_code
