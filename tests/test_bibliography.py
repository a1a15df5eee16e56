"""The generated bibliography: one entry per work of sources.csv, labelled author-year, every entry formattable."""
from __future__ import annotations

import pytest

from shopfloor import bibliography, data

pybtex = pytest.importorskip("pybtex")


@pytest.fixture(scope="module")
def formatted():
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    sources = data.load("sources", locators=False)
    database = parse_string(bibliography.bibtex(sources), "bibtex")
    style = find_plugin("pybtex.style.formatting", bibliography.register_style())()
    return sources, database, list(style.format_entries(database.entries.values()))


def test_every_work_has_one_entry(formatted):
    sources, database, _ = formatted
    assert sorted(database.entries.keys()) == sorted(sources["work_id"])


def test_labels_are_the_short_names_in_author_year_order(formatted):
    sources, _, entries = formatted
    names = dict(zip(sources["work_id"], sources["short_name"]))
    assert [e.label for e in entries] == [names[e.key] for e in entries]
    assert [e.label.lower() for e in entries] == sorted(e.label.lower() for e in entries)
    text = {e.key: e.text.render_as("text") for e in entries}
    assert "American Historical Review, 98(4), 1993" in text["getty1993"]
    assert "In Melanie Ilic, editor, Stalin's Terror Revisited" in text["jo2006"]


def test_literature_text_shows_short_names():
    from shopfloor.citations import literature_text

    works = {"getty1993": "Getty, Rittersporn and Zemskov 1993", "davies1996": "Davies 1996"}
    assert (literature_text("getty1993, pp. 1022-4; davies1996", works)
            == "Getty, Rittersporn and Zemskov 1993, pp. 1022\u20134; Davies 1996")
    obs = data.load("observations")
    first = obs[obs["obs_id"] == "gi-0001"].iloc[0]
    primary = first["reference"].split("; also ")[0]
    assert primary.endswith("(Getty, Rittersporn and Zemskov 1993, pp. 1022\u20134)")
