"""Turn the provenance columns of data rows into locators and figure source lines.

A locator says where a fact stands: `Goldman 2007, ch. 4, "Multicandidate, Secret-Ballot Elections", n. 37`;
the archival file or literature the footnote cites follows in brackets. Source lines under figures are
generated from the rows shown, never typed by hand (EDITORIAL.md, "Citing").

A row's own provenance columns are its primary locator. Where its facts come from more than one passage,
or a second passage prints the same fact again, `data/citations.csv` holds the further locators, keyed by
table and row id; `add_locators` appends them to the row's `reference` ("...; also ...") and `source_line`
cites them beside the primary ones.
"""
from __future__ import annotations

import re

from functools import lru_cache
from pathlib import Path

import pandas as pd

MAX_LOCATORS = 4  # a source line lists at most this many, then "and N more"


def _text(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def locator(short_name: str, chapter: str, section: str, note) -> str:
    """`Goldman 2007, ch. 4, "Heading", n. 37`; the article is cited by section numeral and note."""
    parts = [short_name]
    chapter, section, note = _text(chapter), _text(section), _text(note)
    if chapter in ("intro", "conclusion"):
        parts.append(chapter)
    elif chapter.isdigit():
        parts.append(f"ch. {chapter}")
    elif chapter:
        parts.append(f"sec. {chapter}")
    if section and not section.startswith("Section "):
        # a quotation inside the quoted heading (straight or curly quotes in the data) takes single quotes:
        # "‘Family Circles’ and ...", never ""Bawlers" and ..."
        parts.append('"' + re.sub(r'["\u201c]([^"\u201c\u201d]*)["\u201d]', "\u2018\\1\u2019", section) + '"')
    if note:
        parts.append(f"n. {note}")
    return ", ".join(parts)


def literature_text(value, works: dict[str, str] | None) -> str:
    """A literature_ref value as readers see it: each work_id replaced by the work's short name.

    `getty1993, pp. 1022-4; davies1996, p. 459` -> `Getty, Rittersporn and Zemskov 1993, pp. 1022–4;
    Davies 1996, p. 459`, with `works` mapping work_id to short_name (sources.csv); page ranges take an
    en dash. A key not in `works` is left as it stands (the book rule literature_rules reports it).
    """
    text = _text(value)
    if not text or not works:
        return text
    parts = []
    for part in text.split("; "):
        key, sep, rest = part.partition(", ")
        parts.append(works.get(key, key) + sep + _PAGE_RANGE.sub("\u2013", rest))
    return "; ".join(parts)


_PAGE_RANGE = re.compile(r"(?<=\d)-(?=\d)")  # 'pp. 81-90' -> 'pp. 81–90'


def full_reference(row: pd.Series | dict, short_name: str, works: dict[str, str] | None = None) -> str:
    """The locator followed by what its footnote cites: archive file and/or published works (by short name
    when `works` maps work_id to short_name)."""
    base = locator(short_name, row.get("chapter"), row.get("section"), row.get("note"))
    literature = literature_text(row.get("literature_ref"), works)
    cited = "; ".join(t for t in (_text(row.get("archival_ref")), literature) if t)
    return f"{base} ({cited})" if cited else base


# The key column of each table that citations.csv may point into, in the order used to recognise a frame's
# table from its columns (a table's own key first: observations also carry place_id and org_id, positions
# person_id, and so on).
TABLE_KEYS = {"observations": "obs_id", "events": "event_id", "positions": "position_id",
              "relations": "relation_id", "discrepancies": "discrepancy_id", "glossary": "term",
              "organizations": "org_id", "places": "place_id", "people": "person_id"}
PROVENANCE = ("source_id", "chapter", "section", "note", "archival_ref", "literature_ref")


def table_of(frame: pd.DataFrame) -> str | None:
    """The table a frame's rows come from, recognised by its key column; None when it has none."""
    return next((table for table, key in TABLE_KEYS.items() if key in frame.columns), None)


@lru_cache(maxsize=4)
def _read_citations(path: str, stamp: int) -> dict:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    extra: dict[tuple[str, str], list[dict]] = {}
    for record in frame.to_dict("records"):
        extra.setdefault((record["table"], record["row_id"]), []).append(record)
    return extra


def further_locators(path: Path | None = None) -> dict[tuple[str, str], list[dict]]:
    """citations.csv as {(table, row_id): [its rows, in file order]}; empty when the file is absent."""
    if path is None:
        from . import paths

        path = paths.data_dir() / "citations.csv"
    path = Path(path)
    if not path.exists():
        return {}
    return _read_citations(str(path), path.stat().st_mtime_ns)


def _extra_rows(frame: pd.DataFrame) -> list[list[dict]]:
    """For each row of the frame, the citations.csv rows that add locators to it."""
    table = table_of(frame)
    if table is None:
        return [[] for _ in range(len(frame))]
    extra = further_locators()
    return [extra.get((table, _text(row_id)), []) for row_id in frame[TABLE_KEYS[table]]]


def add_locators(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Add `locator` (work, chapter, heading, note) and `reference` (with what the note cites) columns.

    `locator` is the row's primary locator; `reference` gives it with what its note cites, followed by each
    further locator that data/citations.csv holds for the row: `<primary>; also <second>; also <third>`.
    """
    names = dict(zip(sources["work_id"], sources["short_name"]))
    unknown = sorted(set(frame["source_id"].dropna()) - set(names))
    if unknown:
        raise KeyError(f"source_id not in sources.csv: {', '.join(unknown)}")
    out = frame.copy()
    out["source_name"] = out["source_id"].map(names).astype("string")
    records = out.to_dict("records")
    out["locator"] = pd.array([locator(names.get(r["source_id"], ""), r.get("chapter"), r.get("section"),
                                       r.get("note")) if _text(r.get("source_id")) else "" for r in records],
                              dtype="string")
    if "literature_ref" in out.columns:
        out["literature"] = pd.array([literature_text(r.get("literature_ref"), names) for r in records],
                                     dtype="string")
    references = []
    for record, extra in zip(records, _extra_rows(out)):
        parts = [full_reference(record, names.get(record["source_id"], ""), names)] if _text(record.get("source_id")) else []
        parts += [full_reference(c, names.get(c["source_id"], c["source_id"]), names) for c in extra]
        references.append("; also ".join(parts))
    out["reference"] = pd.array(references, dtype="string")
    return out


def _short_names() -> dict[str, str]:
    from . import paths

    path = paths.data_dir() / "sources.csv"
    return dict(_read_short_names(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _read_short_names(path: str, _mtime_ns: int) -> dict[str, str]:
    sources = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return dict(zip(sources["work_id"], sources["short_name"]))


def _note_list(notes: list[str]) -> str:
    if not notes:
        return ""
    ordered = sorted(set(notes), key=lambda n: (len(n), n))
    return ("n. " if len(ordered) == 1 else "nn. ") + ", ".join(ordered)


def source_line(frame: pd.DataFrame) -> str:
    """`Source: <locators>.` for the rows a figure shows, generated from their provenance.

    Rows from the same heading are merged (`nn. 2, 9, 11`) with what their notes cite in brackets;
    the further locators data/citations.csv holds for the rows are cited the same way; the locators are
    listed shortest first, at most four, then `and N more`.
    """
    if "source_name" not in frame.columns:
        raise KeyError("source_line needs rows loaded with shopfloor.data.load (they carry `source_name`)")
    records = [r for r in frame.to_dict("records") if _text(r.get("source_name"))]
    if records:
        names = _short_names()
        # what a note cites, by the works' short names (never the raw work_id keys of literature_ref)
        records = [dict(r, literature=literature_text(r.get("literature_ref"), names))
                   if _text(r.get("literature_ref")) else r for r in records]
        cited = frame[[bool(_text(v)) for v in frame["source_name"]]]
        for extra in _extra_rows(cited):
            records += [dict(c, source_name=names.get(c["source_id"], c["source_id"]),
                             literature=literature_text(c.get("literature_ref"), names)) for c in extra]
    groups: dict[tuple, dict] = {}
    for r in records:
        if not _text(r.get("source_name")):
            continue
        key = (_text(r["source_name"]), _text(r.get("chapter")), _text(r.get("section")))
        group = groups.setdefault(key, {"notes": [], "cited": []})
        if _text(r.get("note")):
            group["notes"].append(_text(r["note"]))
        for column in ("archival_ref", "literature" if "literature" in r else "literature_ref"):
            if _text(r.get(column)) and _text(r[column]) not in group["cited"]:
                group["cited"].append(_text(r[column]))
    if not groups:
        raise ValueError("source_line: none of the rows carries provenance")
    refs = []
    for (name, chapter, section), group in groups.items():
        text = locator(name, chapter, section, None)
        notes = _note_list(group["notes"])
        text = f"{text}, {notes}" if notes else text
        if group["cited"]:
            text += " (" + "; ".join(group["cited"]) + ")"
        refs.append(text)
    refs.sort(key=lambda r: (len(r), r))
    shown = refs[:MAX_LOCATORS]
    rest = len(refs) - len(shown)
    tail = f"; and {rest} more (see the Data appendix)" if rest else ""
    return "Source: " + "; ".join(shown) + tail + "."
