"""What a reader sees: no internal identifier or ISO date in the text, and no reference page too long to scroll.

The id check (tests/reader_text.py) matches the visible text of each built page against the row-id patterns of
data/datapackage.json (obs_id 'g1b-0052', discrepancy_id 'disc-041', position_id 'pos-0070', ...), against the
ids the data holds for events, people, places and organisations ('1937-10-30-...', 'krasnyi-putilovets'), and
against ISO dates ('1937-10-30', '1937-07'). Ids stay in tooltips (attributes), in code a reader types, and in
the Data appendix, the one page allowed to show them.

The length budget: a reference page is consulted, not read through, so the text a reader scrolls past before
opening anything (the visible text outside closed <details>) may be at most REFERENCE_BUDGET characters, about
twenty screens of body text at 1280 px (some 2,000 characters a screen) and less than the longest theme chapter
(about 54,000). Before the folds the timeline had 126,000 such characters and organisations 156,000.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from reader_text import id_hits, unfolded_text, visible_text  # noqa: E402

REFERENCE = Path("chapters") / "reference"
REFERENCE_PAGES = ["timeline", "people", "places", "organisations", "glossary", "source-criticism", "register",
                   "sources-and-method", "about-the-maps", "seminar-guide", "how-to-cite"]
REFERENCE_BUDGET = 40_000


def test_the_id_check_can_fail():
    page = ("<main><h2>disc-041, Goldman 2007, ch. 4</h2><p>Polonskii, shot 1937-10-30 (gi-0001), c. 1937-07;"
            " see 1937-vtssps-affirms-democracy and pos-0070 at krasnyi-putilovets.</p>"
            "<p title='g1b-0052'>In 1928\u20131941, 1928-1941 and pre-1928, nothing.</p>"
            "<div class='cell_input'><pre>data.rows('observations', ['k-0044'])</pre></div>"
            "<p><code>data.query(\"persons_expelled\", place=\"dinamo\", period=\"1937-04\")</code></p>"
            "<script>var id = 'g2-0001';</script></main>")
    found = sorted(match for _kind, match, _context in id_hits(visible_text(page)))
    assert found == sorted(["disc-041", "1937-10-30", "gi-0001", "1937-07", "pos-0070", "krasnyi-putilovets"]
                           + ([] if not _event_id_known("1937-vtssps-affirms-democracy") else
                              ["1937-vtssps-affirms-democracy"])), found


def _event_id_known(event_id: str) -> bool:
    import csv

    with (Path(__file__).resolve().parents[1] / "data" / "events.csv").open(encoding="utf-8") as handle:
        return any(row["event_id"] == event_id for row in csv.DictReader(handle))


def test_an_event_id_is_caught():
    import csv

    with (Path(__file__).resolve().parents[1] / "data" / "events.csv").open(encoding="utf-8") as handle:
        event_id = next(csv.DictReader(handle))["event_id"]
    assert [m for _k, m, _c in id_hits(f"as coded ({event_id}, events)") if m == event_id]


def test_the_length_budget_counts_closed_folds_as_their_summary():
    page = ("<main><p>Intro.</p><details><summary>1937: 154 events</summary><table><tr><td>"
            + "x" * 5000 + "</td></tr></table></details><details open><summary>Open</summary>yyy</details></main>")
    text = unfolded_text(page)
    assert "1937: 154 events" in text and "x" not in text and "yyy" in text


# ----------------------------------------------------------------------------------- the generated sources

def _strip_targets(markdown: str) -> str:
    """Generated Markdown without what never shows: label lines '(org-x)=', link targets '](#org-x)', tags."""
    markdown = re.sub(r"^\([^)\s]+\)=$", "", markdown, flags=re.M)
    markdown = re.sub(r"\]\(#[^)]+\)", "]", markdown)
    markdown = re.sub(r"<[^>]+>", " ", markdown)  # HTML tags, with their attributes (ids, tooltips)
    return markdown


def test_generated_reference_pages_show_no_ids():
    """Everything reference.py writes into a reference page, read as a reader would (no build needed)."""
    from shopfloor import reference

    parts = {"timeline": reference.timeline_by_year_markdown(),
             "register": reference.register_table_html(),
             "register (static)": reference.register_table()._repr_markdown_(),
             "glossary": reference.glossary_markdown()}
    for kind in reference.ORG_KIND_LABELS:
        parts[f"organisations ({kind})"] = reference.organisations_markdown(kind)
    for name in ("union_officials_check", "stalin_count_check", "dinamo_check", "derived_checks"):
        parts[f"register ({name})"] = reference.frame_markdown(getattr(reference, name)())
    parts["people"] = reference.people_table_html()
    parts["places"] = reference.gazetteer_table_html()
    found = {name: [m for _k, m, _c in id_hits(_strip_targets(text))][:10] for name, text in parts.items()}
    found = {name: hits for name, hits in found.items() if hits}
    assert not found, f"ids or ISO dates in the text of generated reference pages: {found}"


# ----------------------------------------------------------------------------------- the built book

def reference_lengths(site: Path) -> dict[str, int]:
    return {page: len(unfolded_text((site / REFERENCE / f"{page}.html").read_text(encoding="utf-8")))
            for page in REFERENCE_PAGES if (site / REFERENCE / f"{page}.html").exists()}


def test_reference_pages_fit_the_length_budget(html_site):
    lengths = reference_lengths(html_site)
    assert len(lengths) == len(REFERENCE_PAGES), f"missing reference pages: {set(REFERENCE_PAGES) - set(lengths)}"
    over = {page: n for page, n in lengths.items() if n > REFERENCE_BUDGET}
    assert not over, (f"reference pages longer than {REFERENCE_BUDGET:,} characters of unfolded text "
                      f"(fold long lists in <details>): {over}")
