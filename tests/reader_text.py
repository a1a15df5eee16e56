"""What a reader sees of a built page, and the internal identifiers that must not be in it.

`visible_text` keeps the text of a built HTML page as a reader reads it: without scripts, styles, the code of
figure cells, inline code (what an exercise asks a reader to type: `data.query("persons_expelled", place="dinamo")`
names a measure and a place by their ids on purpose), attributes (tooltips live in `title` and in the charts' JSON) and the Sphinx chrome; text inside
`<details>` counts, since a reader opens it. `id_hits` matches that text against the row-id patterns of
data/datapackage.json, the hyphenated slugs of the data (people, places, organisations), and ISO dates.
The browser test (tests/browser_check.py) makes the same check on the rendered pages; these functions check
generated text without a build, and the length of the reference pages.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?(?![\w-])")
# Ids that are also plain English ("expelled for right-opposition ties"): not taken for ids in prose.
ENGLISH = {"right-opposition"}
# Parts of a page that are not read as text: code, the navigation and the theme's chrome.
HIDDEN = ["script", "style", "noscript", "template", "div.cell_input", "code", "nav", "header", ".bd-sidebar-primary",
          ".bd-sidebar-secondary", ".prev-next-area", ".bd-header-article", "footer", ".headerlink", ".bd-search",
          ".search-button-field", ".skip-link"]


@lru_cache(maxsize=None)
def id_patterns() -> dict[str, re.Pattern]:
    """One pattern per identifier kind: the package's row-id patterns (obs_id, position_id, discrepancy_id...)
    and, for keys whose pattern is a bare slug or would match a year range, the ids the data holds."""
    import csv

    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    patterns, literal = {}, set()
    for resource in package["resources"]:
        keys = resource.get("schema", {}).get("primaryKey") or []
        keys = [keys] if isinstance(keys, str) else keys
        for field in resource.get("schema", {}).get("fields", []):
            pattern = field.get("constraints", {}).get("pattern")
            if field["name"] not in keys or not pattern:
                continue
            body = pattern.strip("^$")
            if re.fullmatch(r"[a-z]+-\\d\{\d\}", body) or body == r"[a-z0-9]+-\d{4}":
                # 'disc-\d{3}', 'pos-\d{4}'; the observations' free prefix ('g1b-0052') is narrowed to the
                # prefixes the data uses, so that 'pre-1928' or a year range is not taken for an id
                if "[a-z0-9]+" in body:
                    with (ROOT / "data" / f"{resource['name']}.csv").open(encoding="utf-8") as handle:
                        prefixes = {row[field["name"]].rsplit("-", 1)[0] for row in csv.DictReader(handle)}
                    body = body.replace("[a-z0-9]+", "(?:" + "|".join(sorted(prefixes)) + ")")
                patterns[f"{resource['name']}.{field['name']}"] = re.compile(rf"(?<![\w-]){body}(?![\w-])")
            else:
                with (ROOT / "data" / f"{resource['name']}.csv").open(encoding="utf-8") as handle:
                    literal |= {row[field["name"]] for row in csv.DictReader(handle) if "-" in row[field["name"]]}
    alternatives = "|".join(sorted(map(re.escape, literal - ENGLISH), key=len, reverse=True))
    patterns["slug"] = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    patterns["iso date"] = ISO_DATE
    return patterns


def visible_text(page_html: str) -> str:
    soup = BeautifulSoup(page_html, "html.parser")
    main = soup.select_one("main") or soup.select_one("article") or soup
    for selector in HIDDEN:
        for element in main.select(selector):
            element.decompose()
    text = main.get_text(" ")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u2011", "-")).strip()


def id_hits(text: str) -> list[tuple[str, str, str]]:
    """(kind, match, context) for every identifier or ISO date in the text."""
    hits = []
    for kind, pattern in id_patterns().items():
        for match in pattern.finditer(text):
            start, end = match.span()
            hits.append((kind, match.group(0), text[max(0, start - 60):end + 60]))
    return hits


def unfolded_text(page_html: str) -> str:
    """The visible text a reader scrolls past before opening anything: `visible_text` without the content of
    closed <details> (their <summary> stays) and without the rows of an interactive table beyond its scroll
    box (counted as one screen: the box has a fixed height)."""
    soup = BeautifulSoup(page_html, "html.parser")
    for details in soup.select("details:not([open])"):
        for child in list(details.children):
            if getattr(child, "name", None) != "summary":
                child.extract()
    for box in soup.select(".sf-table-scroll"):
        rows = box.select("tbody tr")
        for row in rows[10:]:
            row.decompose()
    return visible_text(str(soup))
