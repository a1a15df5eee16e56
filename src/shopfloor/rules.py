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
    pairs = {"observations": ("period_start", "period_end"), "events": ("date_start", "date_end"),
             "positions": ("date_from", "date_to"), "people": ("fate_date", "fate_date"),
             "relations": ("date", "date")}
    problems = []
    for name, (start, end) in pairs.items():
        frame = tables.get(name)
        if frame is None:
            continue
        for i, row in frame.iterrows():
            for column in (start, end):
                if not _blank(row[column]) and not _valid_date(row[column]):
                    problems.append(f"{_where(name, i, column)}: expected a calendar date, got {row[column]!r}")
            if _blank(row[start]) or _blank(row[end]):
                continue
            shared = min(len(row[start]), len(row[end]))  # '1938' does not end before '1938-04'
            if row[end][:shared] < row[start][:shared]:
                problems.append(f"{_where(name, i, end)}: expected a date not before {start} "
                                f"{row[start]!r}, got {row[end]!r}")
    return problems


def observation_rules(tables: dict) -> list[str]:
    obs, measures = tables.get("observations"), tables.get("measures")
    if obs is None or measures is None:
        return []
    units = dict(zip(measures["measure_id"], measures["unit"]))
    over_100 = set(measures.loc[measures["over_100_allowed"] == "true", "measure_id"])
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
        if row["unit"] == "percent" and row["measure_id"] not in over_100:
            for column, number in (("value", value), ("value_low", low), ("value_high", high)):
                if number is not None and not 0 <= number <= 100:
                    problems.append(f"{_where('observations', i, column)}: expected a percentage in 0-100, "
                                    f"got {number:g}")
        printed, derived = not _blank(row["as_printed"]), not _blank(row["derived"])
        if printed == derived:
            problems.append(f"{_where('observations', i, 'as_printed')}: expected as_printed for a printed "
                            "figure or a derived formula for a computed one (exactly one of the two)")
    return problems


def event_rules(tables: dict) -> list[str]:
    """Events fall within the book's span, 1917-1941."""
    events = tables.get("events")
    if events is None:
        return []
    problems = []
    for i, row in events.iterrows():
        if not _blank(row["date_start"]) and not 1917 <= int(row["date_start"][:4]) <= 1941:
            problems.append(f"{_where('events', i, 'date_start')}: expected a date in 1917-1941, got {row['date_start']!r}")
    return problems


# Columns that hold several ids separated by ';', which a Frictionless foreign key cannot check.
MULTI_REFERENCES = [("events", "org_ids", "organizations", "org_id"), ("events", "person_ids", "people", "person_id")]


def reference_rules(tables: dict) -> list[str]:
    problems = []
    for table, column, target, key in MULTI_REFERENCES:
        frame, targets = tables.get(table), tables.get(target)
        if frame is None or targets is None:
            continue
        known = set(targets[key])
        for i, row in frame.iterrows():
            for value in ([] if _blank(row[column]) else row[column].split(";")):
                if value.strip() not in known:
                    problems.append(f"{_where(table, i, column)}: expected ids from {target}.csv, got unknown "
                                    f"{value.strip()!r}")
    discrepancies = tables.get("discrepancies")
    if discrepancies is not None:
        known = set()
        for table, key in (("observations", "obs_id"), ("events", "event_id"), ("people", "person_id"),
                           ("places", "place_id"), ("organizations", "org_id")):
            if tables.get(table) is not None:
                known |= set(tables[table][key])
        for i, row in discrepancies.iterrows():
            for value in ([] if _blank(row["rows"]) else row["rows"].split(";")):
                if value.strip() not in known:
                    problems.append(f"{_where('discrepancies', i, 'rows')}: expected ids of rows in the package, "
                                    f"got unknown {value.strip()!r}")
    return problems


def place_rules(tables: dict) -> list[str]:
    """Coordinates come in pairs, agree with their precision flag, and lie inside the USSR of 1937 unless the
    row says the place was outside it."""
    places = tables.get("places")
    if places is None:
        return []
    from .maps import CITY_EXTENTS, in_city, inside_ussr

    problems = []
    for i, row in places.iterrows():
        has_lat, has_lon = not _blank(row["lat"]), not _blank(row["lon"])
        if has_lat != has_lon:
            problems.append(f"{_where('places', i, 'lon' if has_lat else 'lat')}: expected both coordinates or neither")
            continue
        if has_lat == (row["location_precision"] == "unknown"):
            problems.append(f"{_where('places', i, 'location_precision')}: expected 'unknown' exactly when there are "
                            f"no coordinates, got {row['location_precision']!r}")
        if has_lat and row["outside_ussr_1937"] != "true" and not inside_ussr(float(row["lat"]), float(row["lon"])):
            problems.append(f"{_where('places', i, 'lat')}: expected a point inside the USSR of 1937 (or "
                            f"outside_ussr_1937 = true), got {row['lat']}, {row['lon']}")
        city = row["parent_place_id"]
        if has_lat and city in CITY_EXTENTS and not in_city(city, float(row["lat"]), float(row["lon"])):
            problems.append(f"{_where('places', i, 'lat')}: expected a point within the extent of {city} "
                            f"(its parent_place_id), got {row['lat']}, {row['lon']}")
    return problems


INFERENCE_BASES = ("context", "arithmetic", "general_knowledge")
INFERRED_TABLES = ("observations", "events", "people", "positions", "places")


def inferred_rules(tables: dict) -> list[str]:
    """`inferred` lists 'field:basis' pairs: each field a filled column of the same table, named once, with a
    basis from the vocabulary; `inferred_note` says what they rest on, and is blank when nothing is inferred."""
    problems = []
    for name in INFERRED_TABLES:
        frame = tables.get(name)
        if frame is None or "inferred" not in frame.columns:
            continue
        own = [c for c in frame.columns if c not in ("inferred", "inferred_note")]
        for i, row in frame.iterrows():
            listed, note = row["inferred"], row.get("inferred_note")
            if _blank(listed):
                if not _blank(note):
                    problems.append(f"{_where(name, i, 'inferred_note')}: expected a blank note where inferred is "
                                    f"blank, got {note!r}")
                continue
            if _blank(note):
                problems.append(f"{_where(name, i, 'inferred_note')}: expected a note on what the inferred "
                                f"values ({listed}) rest on, got a blank")
            seen = set()
            for item in str(listed).split(";"):
                column, sep, basis = item.strip().partition(":")
                if not sep:
                    problems.append(f"{_where(name, i, 'inferred')}: expected 'field:basis', got {item!r}")
                    continue
                if column not in own:
                    problems.append(f"{_where(name, i, 'inferred')}: expected a column of {name}.csv, got "
                                    f"{column!r} in {item!r}")
                elif _blank(row[column]):
                    problems.append(f"{_where(name, i, 'inferred')}: {column} is listed as inferred but is blank; "
                                    "expected a filled field (a value the source does not give stays blank "
                                    "and is not listed)")
                if basis not in INFERENCE_BASES:
                    problems.append(f"{_where(name, i, 'inferred')}: expected a basis from "
                                    f"{', '.join(INFERENCE_BASES)}, got {basis!r} in {item!r}")
                if column in seen:
                    problems.append(f"{_where(name, i, 'inferred')}: expected each field once, got {column!r} twice")
                seen.add(column)
    return problems


RULES = (provenance_rules, date_rules, observation_rules, event_rules, reference_rules, place_rules,
         inferred_rules)


def book_rules(tables: dict) -> list[str]:
    problems = []
    for rule in RULES:
        problems.extend(rule(tables))
    return problems
