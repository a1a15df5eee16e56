"""Every printed figure in the data package stands in the chapter or section its row cites.

Needs the source texts (../shared/seeds/, or the folder named by SHOPFLOOR_SEEDS), which only the project's own
machines have: readers of the book do not, so without them the test is skipped with a message (under CI=true it
fails instead).

`as_printed` holds the printed words with their hedge ("more than 90 percent", "about 1,500"): the qualifier checks
below hold the row's `qualifier` to those words and to the words the text prints just before the figure.
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from conftest import IN_CI, ROOT
from shopfloor import data

SEEDS = Path(os.environ.get("SHOPFLOOR_SEEDS") or ROOT.parent / "shared" / "seeds")
SEED_FILES = {"goldman2007": "000_94aead680d47f3e8.txt", "kokosalakis2021": "003_988a9b7b23945072.txt"}
MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("*", "")
    return re.sub(r"\s+", " ", text).lower()


@pytest.fixture(scope="module")
def chapter_texts() -> dict:
    if not SEEDS.is_dir():
        message = f"source texts not found at {SEEDS}: the accuracy check needs the project's copies of the sources"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    sections = data.load("source_sections")
    texts = {}
    for source_id, filename in SEED_FILES.items():
        lines = (SEEDS / filename).read_text(encoding="utf-8").splitlines()
        rows = sections[sections["source_id"] == source_id]
        for chapter, group in rows.groupby("chapter"):
            if source_id == "kokosalakis2021":
                # the article's notes stand together at its end, so a section's figure may be in any note
                start, end = int(group["line"].min()), len(lines)
            else:
                start, end = int(group["line"].min()), int(group["line_end"].max())
            texts[(source_id, chapter)] = normalise("\n".join(lines[start - 1:end]))
    return texts


def printed_numbers(text: str) -> list[float]:
    """The numbers a printed figure states ('1,575,000' -> 1575000, '1.5 million' -> 1500000, '53 of 56' ->
    53 and 56); none when it is written in words ('two-thirds')."""
    found = re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion)?", text.lower())
    return [float(n.replace(",", "")) * MULTIPLIERS.get(m or "", 1) for n, m in found]


def test_printed_figures_stand_in_the_cited_chapter(chapter_texts):
    obs = data.load("observations")
    missing = []
    for row in obs[obs["as_printed"].notna()].itertuples():
        text = chapter_texts.get((row.source_id, row.chapter))
        for part in row.as_printed.split(" | "):
            if text is None or normalise(part) not in text:
                missing.append(f"{row.obs_id} ({row.chapter}): {part!r}")
    assert not missing, f"{len(missing)} printed figures not found in their cited chapter: {missing[:30]}"


def test_values_agree_with_what_is_printed():
    obs = data.load("observations")
    wrong = []
    for row in obs[obs["as_printed"].notna()].itertuples():
        parts = row.as_printed.split(" | ")
        values = [row.value] if len(parts) == 1 else [row.value_low, row.value_high]
        for part, value in zip(parts, values):
            numbers = printed_numbers(part)
            if not numbers or pd.isna(value):
                continue
            # a fall is stored as a negative change ("fell 42 percent" -> -42), and "30-40,000" may carry its
            # thousands on the other end: compare magnitudes, allowing a factor of a thousand
            size = abs(value)
            if not any(abs(size - n * k) <= 1e-6 * max(1, size) for n in numbers for k in (1, 1e3, 1e6, 1e9)):
                wrong.append(f"{row.obs_id}: printed {part!r}, stored {value:g}")
    assert not wrong, f"{len(wrong)} values disagree with their printed figure: {wrong[:30]}"


# How each qualifier may stand in print: a row whose qualifier is not `exact` has one of its qualifier's phrases in
# `as_printed` (whole words, after normalise()).
QUALIFIER_WORDS = {
    "more than": ("more than", "over", "upward of", "upwards of", "in excess of", "majority"),
    "about": ("about", "approximately", "roughly", "around", "some", "or so"),
    "almost": ("almost", "nearly", "close to", "just under", "not quite"),
    "at least": ("at least", "at the very least", "or more", "and more", "no fewer than", "no less than",
                 "tens of", "hundreds of", "thousands of"),
    "up to": ("up to", "as much as", "as many as", "no more than", "at most", "maximum", "within", "reaching"),
    "less than": ("less than", "fewer than", "under", "below"),
}
# Words that hedge a figure printed right before ("more than [90 percent]") or after it ("[300 workers] or more"):
# the row is then not `exact`.
HEDGES_BEFORE = ("more than", "over", "upward of", "upwards of", "in excess of", "about", "approximately",
                 "roughly", "around", "some", "almost", "nearly", "close to", "just under", "at least",
                 "no fewer than", "no less than", "up to", "as much as", "as many as", "no more than", "at most",
                 "less than", "fewer than", "under")
HEDGES_AFTER = ("or more", "and more", "or so")
# Places where a hedge word stands before a figure without hedging it (checked by reading the passage).
NOT_A_HEDGE: dict[str, str] = {
    "g1a-0050": "'send over four kilograms': 'send over' is the verb, the quantity is exact",
    "k-0076": "'held over seven days': 'over' means during, the conference lasted 19-25 April",
}


def _phrase(words) -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


HEDGE_BEFORE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in HEDGES_BEFORE) + r")\s*$")
HEDGE_AFTER = re.compile(r"^\s*(" + "|".join(re.escape(w) for w in HEDGES_AFTER) + r")(?![\w-])")
HEDGE_AT_START = re.compile(r"^(" + "|".join(re.escape(w) for w in HEDGES_BEFORE) + r")(?![\w-])")
MARKER = re.compile(r"<sup>(\d+)</sup>")


def places_printed(text: str, printed: str, note, then: str | None = None) -> list[int]:
    """Where `printed` stands in `text` as whole words (for a range, followed within a few words by the other end,
    `then`). By the footnote rule the row's note is the next marker after its figure: where that picks out some of
    the places, only those are returned."""
    found = [m.start() for m in re.finditer(r"(?<![\w-])" + re.escape(printed) + r"(?![\w-])", text)]
    if then is not None:
        found = [at for at in found if then in text[at + len(printed):at + len(printed) + 20]] or found
    if pd.isna(note) or not str(note).strip():
        return found
    note = str(note).strip().split(".")[0]
    mine = []
    for at in found:
        marker = MARKER.search(text, at + len(printed))
        if marker and marker.group(1) == note:
            mine.append(at)
    return mine or found


def test_a_hedged_figure_prints_its_hedge():
    """(b) A row whose qualifier is not `exact` carries the hedge in `as_printed`: "more than 90 percent", not
    "90 percent"."""
    obs = data.load("observations")
    wrong = []
    for row in obs[obs["as_printed"].notna() & (obs["qualifier"] != "exact")].itertuples():
        words = QUALIFIER_WORDS[row.qualifier]
        if not _phrase(words).search(normalise(row.as_printed)):
            wrong.append(f"{row.obs_id}: qualifier {row.qualifier!r} but as_printed {row.as_printed!r} has none of "
                         f"{', '.join(words)}")
    assert not wrong, (f"{len(wrong)} rows leave their hedge out of as_printed (data/observations.csv, column "
                       f"as_printed): {wrong[:30]}")


def test_a_figure_the_text_hedges_is_not_exact(chapter_texts):
    """(c) Conversely: where the text prints a hedge word just before the figure ("about [1,500]"), or the printed
    words start with one, the row's qualifier is not `exact`."""
    obs = data.load("observations")
    wrong = []
    for row in obs[obs["as_printed"].notna() & (obs["qualifier"] == "exact")].itertuples():
        if row.obs_id in NOT_A_HEDGE:
            continue
        text = chapter_texts.get((row.source_id, row.chapter))
        parts = [normalise(part) for part in row.as_printed.split(" | ")]
        first = parts[0]
        start = HEDGE_AT_START.match(first)
        if start:
            wrong.append(f"{row.obs_id}: as_printed {row.as_printed!r} starts with {start.group(1)!r}")
            continue
        if text is None:
            continue
        places = places_printed(text, first, row.note, parts[1] if len(parts) > 1 else None)
        last = parts[-1]
        hedges = [HEDGE_BEFORE.search(text[max(0, at - 30):at])
                  or HEDGE_AFTER.search(text[text.find(last, at) + len(last):][:20]) for at in places]
        if places and all(hedges):
            wrong.append(f"{row.obs_id}: the text prints {hedges[0].group(1)!r} next to {row.as_printed!r}")
    assert not wrong, (f"{len(wrong)} rows are coded exact (data/observations.csv, column qualifier) where the "
                       f"text hedges the figure: {wrong[:30]}")
def _year_printed(year: str, text: str) -> bool:
    """The year stands in the text, alone or inside a printed span ('1936-37', '1935-1937')."""
    if re.search(rf"(?<!\d){year}(?!\d)", text):
        return True
    for start, end in re.findall(r"(?<!\d)(19\d\d)\s*-\s*(\d\d(?:\d\d)?)(?!\d)", text):
        end = start[:2] + end if len(end) == 2 else end
        if int(start) <= int(year) <= int(end):
            return True
    return False


@pytest.fixture(scope="module")
def section_texts() -> dict:
    """The text under each heading with its footnotes (for the article: its section and all its notes, which
    stand at the end)."""
    if not SEEDS.is_dir():
        pytest.skip(f"source texts not found at {SEEDS}")
    sections = data.load("source_sections")
    texts = {}
    for source_id, filename in SEED_FILES.items():
        lines = (SEEDS / filename).read_text(encoding="utf-8").splitlines()
        notes_from = next((i for i, line in enumerate(lines) if line.startswith("<sup>1</sup>")), len(lines))
        rows = sections[sections["source_id"] == source_id]
        for row in rows.itertuples():
            body = lines[int(row.line) - 1:int(row.line_end)]
            if source_id == "kokosalakis2021":
                body = body + lines[notes_from:]
            else:
                # a footnote may stand after the next heading: add the notes the section's paragraphs mark
                chapter = rows[rows["chapter"] == row.chapter]
                last = int(chapter["line_end"].max())
                marks = {m for line in body if not line.startswith("<sup>")
                         for m in re.findall(r"<sup>\d+</sup>", line)}
                body = body + [line for line in lines[int(row.line) - 1:last]
                               if line.startswith("<sup>") and line.split("</sup>")[0] + "</sup>" in marks]
            texts[(source_id, row.chapter, row.section)] = normalise("\n".join(body))
    return texts


@pytest.mark.parametrize("table,id_column,date_column", [
    ("observations", "obs_id", "period_start"), ("events", "event_id", "date_start")])
def test_unprinted_years_are_flagged_as_inferred(section_texts, table, id_column, date_column):
    """A year that the cited section does not print was worked out from elsewhere: the row must say so."""
    frame = data.load(table)
    unflagged = []
    for row in frame.itertuples():
        date = getattr(row, date_column)
        if pd.isna(date):
            continue
        text = section_texts.get((row.source_id, row.chapter, row.section), "")
        flagged = not pd.isna(row.inferred) and f"{date_column}:" in row.inferred
        if not _year_printed(date[:4], text) and not flagged:
            unflagged.append(f"{getattr(row, id_column)} ({row.chapter}, {row.section!r}): {date_column} {date}")
    assert not unflagged, (f"{len(unflagged)} {table} rows date a fact to a year their cited section does not print, "
                           f"without listing {date_column} in `inferred`: {unflagged[:20]}")
