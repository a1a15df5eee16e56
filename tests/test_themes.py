"""The three themes meet the book's standard: an argument organised by questions, enough of the book's own prose,
figures with generated source lines and a map, and seminar exercises of which some are interpretive.

Read from the MyST sources of each theme's two pages:
- words of the book's own prose (Markdown cells without code, directives' options, roles' targets and quotations
  inside quotation marks) at least 3,000 per theme;
- at least 8 figures per theme, each a code cell with MyST-NB figure metadata whose caption ends with the
  generated source line ({eval}`fig.source`), and at least one map;
- the body's section headings are the book's questions (they end with "?"), apart from the fixed skeleton;
- 4-5 exercises per theme, each with a solution, at least two interpretive: a short quotation from a source,
  marked and cited, set against the data.
"""
from __future__ import annotations

import re

import jupytext
import pytest

from conftest import ROOT

THEMES = {
    "industrial crisis": ["chapters/industrial-crisis/wages-and-workforce.md",
                          "chapters/industrial-crisis/hunger-danger-protest.md"],
    "factory politics": ["chapters/factory-politics/kirov-works.md", "chapters/factory-politics/moscow-factories.md"],
    "union purge": ["chapters/union-purge/union-democracy.md", "chapters/union-purge/repression-of-union-officials.md"],
}
SKELETON = {"overview", "sources and datasets used", "summary", "seminar exercises", "exercises", "solutions",
            "further reading", "what the crisis explains, and what it does not"}
QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"")
ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")
EXERCISE = re.compile(r"`{3,4}\{exercise\}\n(.*?)\n`{3,4}\n", re.S)


def cells(path: str):
    return jupytext.read(ROOT / path).cells


def own_words(path: str) -> int:
    count = 0
    for cell in cells(path):
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"`{3,4}\{[^}]+\}[^\n]*\n(:[^\n]*\n)*", "", cell.source)  # directive fences and options
        text = QUOTED.sub(" ", ROLE.sub(" ", text))
        text = re.sub(r"^#+ .*$|^`{3,4}.*$|\(\S+\)=", " ", text, flags=re.M)
        count += len(re.findall(r"[A-Za-z][A-Za-z'’-]*", text))
    return count


def figure_cells(path: str) -> list:
    return [c for c in cells(path) if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {})]


def headings(path: str) -> list[str]:
    found = []
    for cell in cells(path):
        if cell.cell_type == "markdown":
            found += [h.strip() for h in re.findall(r"^##+ (.*)$", cell.source, flags=re.M)]
    return found


@pytest.mark.parametrize("theme", THEMES)
def test_theme_has_enough_of_the_books_own_prose(theme):
    words = sum(own_words(p) for p in THEMES[theme])
    assert words >= 3000, f"{theme}: {words} words of the book's own prose, fewer than 3,000"


@pytest.mark.parametrize("theme", THEMES)
def test_theme_has_eight_sourced_figures_and_a_map(theme):
    figures = [c for p in THEMES[theme] for c in figure_cells(p)]
    unsourced = [c.metadata["mystnb"]["figure"].get("name") for c in figures
                 if not c.metadata["mystnb"]["figure"].get("caption", "").rstrip().endswith("{eval}`fig.source`")]
    assert len(figures) >= 8, f"{theme}: {len(figures)} figures, fewer than 8"
    assert not unsourced, f"{theme}: figures whose caption does not end with the generated source line: {unsourced}"
    assert any("maps." in c.source for c in figures), f"{theme}: no map"


@pytest.mark.parametrize("theme", THEMES)
def test_sections_are_the_books_questions(theme):
    body = [h for p in THEMES[theme] for h in headings(p) if h.lower().rstrip(".") not in SKELETON]
    statements = [h for h in body if not h.endswith("?")]
    assert body and not statements, f"{theme}: section headings that are not questions: {statements}"


@pytest.mark.parametrize("theme", THEMES)
def test_theme_has_seminar_exercises_some_interpretive(theme):
    sources = {p: (ROOT / p).read_text(encoding="utf-8") for p in THEMES[theme]}
    exercises = [e for text in sources.values() for e in EXERCISE.findall(text)]
    labels = [re.search(r":label: (\S+)", e).group(1) for e in exercises]
    solved = {label for text in sources.values() for label in re.findall(r"\{solution-start\} (\S+)", text)}
    assert 4 <= len(exercises) <= 5, f"{theme}: {len(exercises)} exercises, expected 4 or 5"
    assert set(labels) <= solved, f"{theme}: exercises without a solution: {sorted(set(labels) - solved)}"
    interpretive = [e for e in exercises if QUOTED.search(e) and "{cite" in e
                    and re.search(r"data\.(query|rows|load)|measure", e)]
    assert len(interpretive) >= 2, f"{theme}: {len(interpretive)} interpretive exercises (a marked, cited " \
                                   "quotation set against the data), fewer than 2"
