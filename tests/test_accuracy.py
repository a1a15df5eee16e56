"""Every printed figure in the data package stands in the chapter or section its row cites.

Needs the source texts (../shared/seeds/), which only the project's own machines have: readers of the book
do not, so without them the test is skipped with a message (under CI=true it fails instead).
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest

from conftest import IN_CI, ROOT
from shopfloor import data

SEEDS = ROOT.parent / "shared" / "seeds"
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
