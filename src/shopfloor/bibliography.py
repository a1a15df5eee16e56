"""Generate the book's BibTeX file from data/sources.csv, so the bibliography and the data cannot disagree."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import data

_ENTRY_TYPES = {"monograph": "book", "edited volume": "book", "article": "article", "chapter": "incollection",
                "document collection": "book"}


def _field(name: str, value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    return f"  {name} = {{{value}}}"


def bibtex(sources: pd.DataFrame) -> str:
    entries = []
    for row in sources.to_dict("records"):
        title = row["title"] + (f": {row['subtitle']}" if pd.notna(row.get("subtitle")) else "")
        people = "editor" if row["kind"] == "edited volume" else "author"
        journal, volume, number = None, None, None
        if row["kind"] == "article" and pd.notna(row.get("container")):
            # "The Journal of Modern History 93, no. 2" -> journal, volume, number
            head, _, issue = str(row["container"]).partition(", no. ")
            journal, _, volume = head.rpartition(" ")
            number = issue or None
        fields = [_field(people, row["authors"]), _field("title", "{" + title + "}"), _field("journal", journal),
                  _field("volume", volume), _field("number", number), _field("publisher", row.get("publisher")),
                  _field("address", row.get("place")), _field("year", row["year"]), _field("doi", row.get("doi"))]
        body = ",\n".join(f for f in fields if f)
        entries.append(f"@{_ENTRY_TYPES[row['kind']]}{{{row['work_id']},\n{body}\n}}\n")
    return "\n".join(entries)


def write(target: Path, package: Path | None = None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(bibtex(data.load("sources", package=package, locators=False)), encoding="utf-8")
    return target
