"""Turn the provenance columns of data rows into locators and figure source lines.

A locator says where a fact stands: `Goldman 2007, ch. 4, "Multicandidate, Secret-Ballot Elections", n. 37`;
the archival file or literature the footnote cites follows in brackets. Source lines under figures are
generated from the rows shown, never typed by hand (EDITORIAL.md, "Citing").
"""
from __future__ import annotations

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
        parts.append(f'"{section}"')
    if note:
        parts.append(f"n. {note}")
    return ", ".join(parts)


def literature_text(value, works: dict[str, str] | None) -> str:
    """A literature_ref value as readers see it: each work_id replaced by the work's short name.

    `getty1993, pp. 1022-4; davies1996, p. 459` -> `Getty, Rittersporn and Zemskov 1993, pp. 1022-4;
    Davies 1996, p. 459`, with `works` mapping work_id to short_name (sources.csv). A key not in `works`
    is left as it stands (the book rule literature_rules reports it).
    """
    text = _text(value)
    if not text or not works:
        return text
    parts = []
    for part in text.split("; "):
        key, sep, rest = part.partition(", ")
        parts.append(works.get(key, key) + sep + rest)
    return "; ".join(parts)


def full_reference(row: pd.Series | dict, short_name: str, works: dict[str, str] | None = None) -> str:
    """The locator followed by what its footnote cites: archive file and/or published works (by short name
    when `works` maps work_id to short_name)."""
    base = locator(short_name, row.get("chapter"), row.get("section"), row.get("note"))
    literature = literature_text(row.get("literature_ref"), works)
    cited = "; ".join(t for t in (_text(row.get("archival_ref")), literature) if t)
    return f"{base} ({cited})" if cited else base


def add_locators(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Add `locator` (work, chapter, heading, note) and `reference` (with what the note cites) columns."""
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
    out["reference"] = pd.array([full_reference(r, names.get(r["source_id"], ""), names) if _text(r.get("source_id"))
                                 else "" for r in records], dtype="string")
    return out


def _note_list(notes: list[str]) -> str:
    if not notes:
        return ""
    ordered = sorted(set(notes), key=lambda n: (len(n), n))
    return ("n. " if len(ordered) == 1 else "nn. ") + ", ".join(ordered)


def source_line(frame: pd.DataFrame) -> str:
    """`Source: <locators>.` for the rows a figure shows, generated from their provenance.

    Rows from the same heading are merged (`nn. 2, 9, 11`) with what their notes cite in brackets;
    the locators are listed shortest first, at most four, then `and N more`.
    """
    if "source_name" not in frame.columns:
        raise KeyError("source_line needs rows loaded with shopfloor.data.load (they carry `source_name`)")
    groups: dict[tuple, dict] = {}
    for r in frame.to_dict("records"):
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
