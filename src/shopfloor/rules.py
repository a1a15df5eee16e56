"""The book's rules for its data, beyond what a Frictionless schema can say.

Each rule takes the tables (name -> DataFrame of text, or None when the file is absent) and returns
problems as lines naming file, line, column and what was expected.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

PROVENANCE_EXEMPT = {"source_sections", "measures"}


def _line(index: int) -> int:
    return index + 2  # the header is line 1 of the file


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value == ""


def _where(table: str, index: int, column: str) -> str:
    return f"{table}.csv, line {_line(index)}, column {column}"


def provenance_rules(tables: dict) -> list[str]:
    problems = []
    sections = tables.get("source_sections")
    known = set()
    if sections is not None:
        known = set(zip(sections["source_id"], sections["chapter"], sections["section"]))
    for name, frame in tables.items():
        if frame is None or name in PROVENANCE_EXEMPT or "source_id" not in frame.columns:
            continue
        for i, row in frame.iterrows():
            if name == "sources" and row.get("work_id") == row["source_id"]:
                continue  # a work read in full is its own provenance
            for column in ("source_id", "chapter", "section"):
                if _blank(row[column]):
                    problems.append(f"{_where(name, i, column)}: expected the provenance of the row, got a blank")
            if not any(_blank(row[c]) for c in ("source_id", "chapter", "section")):
                if (row["source_id"], row["chapter"], row["section"]) not in known:
                    problems.append(
                        f"{_where(name, i, 'section')}: expected a heading of {row['source_id']} chapter "
                        f"{row['chapter']} listed in source_sections.csv, got {row['section']!r}")
    return problems


def _valid_date(text: str) -> bool:
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def date_rules(tables: dict) -> list[str]:
    """Partial ISO dates must be real calendar dates, and a period must not end before it starts."""
    pairs = {"observations": ("period_start", "period_end")}
    problems = []
    for name, (start, end) in pairs.items():
        frame = tables.get(name)
        if frame is None:
            continue
        for i, row in frame.iterrows():
            for column in (start, end):
                if not _blank(row[column]) and not _valid_date(row[column]):
                    problems.append(f"{_where(name, i, column)}: expected a calendar date, got {row[column]!r}")
            if not _blank(row[start]) and not _blank(row[end]) and row[end][:len(row[start])] < row[start]:
                problems.append(f"{_where(name, i, end)}: expected a date not before {start} "
                                f"{row[start]!r}, got {row[end]!r}")
    return problems


def observation_rules(tables: dict) -> list[str]:
    obs, measures = tables.get("observations"), tables.get("measures")
    if obs is None or measures is None:
        return []
    units = dict(zip(measures["measure_id"], measures["unit"]))
    problems = []
    for i, row in obs.iterrows():
        expected_unit = units.get(row["measure_id"])
        if expected_unit and row["unit"] != expected_unit:
            problems.append(f"{_where('observations', i, 'unit')}: expected {expected_unit!r}, the unit of measure "
                            f"{row['measure_id']!r} in measures.csv, got {row['unit']!r}")
        value, low, high = (None if _blank(row[c]) else float(row[c]) for c in ("value", "value_low", "value_high"))
        if value is None and (low is None or high is None):
            problems.append(f"{_where('observations', i, 'value')}: expected a value, or both value_low and "
                            "value_high for a range; a missing figure has no row")
        if (low is None) != (high is None):
            problems.append(f"{_where('observations', i, 'value_high' if high is None else 'value_low')}: expected "
                            "both ends of a range")
        if low is not None and high is not None and low > high:
            problems.append(f"{_where('observations', i, 'value_low')}: expected value_low <= value_high, "
                            f"got {low:g} > {high:g}")
        if value is not None and low is not None and high is not None and not (low <= value <= high):
            problems.append(f"{_where('observations', i, 'value')}: expected value within value_low..value_high, "
                            f"got {value:g}")
        if row["unit"] == "percent":
            for column, number in (("value", value), ("value_low", low), ("value_high", high)):
                if number is not None and not 0 <= number <= 100:
                    problems.append(f"{_where('observations', i, column)}: expected a percentage in 0-100, "
                                    f"got {number:g}")
        printed, derived = not _blank(row["as_printed"]), not _blank(row["derived"])
        if printed == derived:
            problems.append(f"{_where('observations', i, 'as_printed')}: expected as_printed for a printed "
                            "figure or a derived formula for a computed one (exactly one of the two)")
    return problems


RULES = (provenance_rules, date_rules, observation_rules)


def book_rules(tables: dict) -> list[str]:
    problems = []
    for rule in RULES:
        problems.extend(rule(tables))
    return problems
