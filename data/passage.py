"""Print the passage a row cites, with its footnote, to check its dates, places and `inferred` flags by eye.

    python data/passage.py observations g2-0076 [more ids]        # tables: observations, events, people, ...

The passage is the paragraph that carries the row's note marker plus the lines just before it that carry
none (a dialogue, a paragraph split by a page break); the footnote is the line that starts with the
marker (for the article, in its notes at the end). Needs the project's copies of the sources
(../shared/seeds/, or --seeds DIR); prints nothing of them anywhere else.
"""
from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED_FILES = {"goldman2007": "000_94aead680d47f3e8.txt", "kokosalakis2021": "003_988a9b7b23945072.txt"}


def read(table: str) -> list[dict]:
    with (HERE / f"{table}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cited_passage(row: dict, lines: list[str], sections: list[dict]) -> tuple[str, str]:
    mine = [s for s in sections if s["source_id"] == row["source_id"] and s["chapter"] == row["chapter"]]
    first, last = min(int(s["line"]) for s in mine), max(int(s["line_end"]) for s in mine)
    start = next((int(s["line"]) for s in mine if s["section"] == row["section"]), first)
    if not row.get("note"):
        return "(no note: the passage is not pinned)", ""
    mark = f"<sup>{row['note']}</sup>"
    hits = [i for i in range(first - 1, last) if mark in lines[i] and not lines[i].startswith(mark)]
    if not hits:
        return f"(marker {mark} not found in the chapter)", ""
    at = next((i for i in hits if i >= start - 1), hits[0])
    passage, j = [lines[at]], at - 1
    while j >= start - 1:
        text = lines[j]
        if text.strip() and not text.startswith("<sup>") and not text.startswith("---"):
            if text.startswith("#") or re.search(r"<sup>\d+</sup>", text):
                break
            passage.insert(0, text)
        j -= 1
    notes = range(328, len(lines)) if row["source_id"] == "kokosalakis2021" else range(first - 1, len(lines))
    footnote = next((lines[i] for i in notes if lines[i].startswith(mark)), "")
    return "\n".join(passage), footnote


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table")
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--seeds", type=Path, default=HERE.parent.parent / "shared" / "seeds")
    args = parser.parse_args()
    texts = {k: (args.seeds / v).read_text(encoding="utf-8").splitlines() for k, v in SEED_FILES.items()}
    sections = read("source_sections")
    for row in read(args.table):
        if next(iter(row.values())) in args.ids:
            shown = {k: v for k, v in row.items() if v and k not in ("archival_ref", "literature_ref")}
            print("=" * 100, "\n", shown, sep="")
            passage, footnote = cited_passage(row, texts[row["source_id"]], sections)
            print("-- passage:\n" + passage + "\n-- footnote:\n" + footnote)


if __name__ == "__main__":
    main()
