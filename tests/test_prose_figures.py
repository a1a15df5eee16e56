"""Figures typed into the prose of a page must be figures of the data package.

The chapters quote numbers through the {eval} role on variables made from data rows, so prose and data cannot drift apart. This test
reads the prose of every page (Markdown cells, without code, glue roles, citations and links) and checks each
typed figure (a number of 100 or more that is not a year, or any percentage) against the values of the
observations table. A typed figure that no observation holds fails, with its page and line: quote it with {eval} instead.
"""
from __future__ import annotations

import re

import jupytext
import pytest

from conftest import ROOT
from shopfloor import data

PAGES = sorted(p for p in (ROOT / "chapters").rglob("*.md")) + [ROOT / "index.md"]
# Roles, inline code, links and targets carry no typed figures of the argument.
STRIP = [r"\b(?:nn?|pp?|ll?|ch)\. \d+(?:\s*[-–,]\s*\d+)*",  # locators: note, page and leaf numbers are not figures
         r"\{[a-z:]+\}`[^`]*`", r"`[^`]*`", r"\]\([^)]*\)", r"\$[^$]*\$"]
FIGURE = re.compile(r"(?<![\w.-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:percent|per cent|%))?(?![\w-]*\d)")


def prose_lines(path):
    notebook = jupytext.read(path)
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("```", ":::", ":", "#")):
                continue  # fence lines, directive options and headings; captions and exercises are checked
            for pattern in STRIP:
                line = re.sub(pattern, " ", line)
            yield line


def typed_figures(line: str):
    for match in FIGURE.finditer(line):
        number = float(match.group(1).replace(",", ""))
        percent = bool(match.group(2))
        is_year = "," not in match.group(1) and number.is_integer() and 1850 <= number <= 1999
        if percent or (number >= 100 and not is_year):
            yield match.group(0).strip(), number


@pytest.fixture(scope="module")
def known_values() -> set[float]:
    obs = data.load("observations")
    values = set()
    for column in ("value", "value_low", "value_high"):
        values |= {round(abs(float(v)), 6) for v in obs[column].dropna()}
    return values


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_typed_figures_are_in_the_data(page, known_values):
    unknown = []
    for line in prose_lines(page):
        for text, number in typed_figures(line):
            if round(number, 6) not in known_values:
                unknown.append(text)
    assert not unknown, (f"{page.relative_to(ROOT)} types figures that no observation holds: {unknown}; "
                         "quote figures from the data package with {eval}")


def test_the_check_catches_a_typed_figure(known_values):
    line = "The NKVD arrested 1,575,999 people, 87 percent of them on political charges, in 1937."
    stripped = "Goldman (ch. 1, nn. 100-101; n. 129) counts 1,575,999."
    for pattern in STRIP:
        stripped = re.sub(pattern, " ", stripped)
    assert dict(typed_figures(stripped)) == {"1,575,999": 1575999.0}
    found = dict(typed_figures(line))
    assert found == {"1,575,999": 1575999.0, "87 percent": 87.0}
    assert 1575999.0 not in known_values and 87.0 in known_values
