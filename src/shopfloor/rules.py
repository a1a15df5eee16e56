"""The book's rules for its data, beyond what a Frictionless schema can say.

Each rule takes the tables (name -> DataFrame of text, or None when the file is absent) and returns
problems as lines naming file, line, column and what was expected.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re

import pandas as pd

PROVENANCE_EXEMPT = {"source_sections", "measures"}


def _rows(frame):
    """(index, row) pairs, each row a dict of its cells: what iterrows() gives for these all-text tables, without
    building a pandas Series per row (which took most of the rules' time)."""
    return zip(frame.index, frame.to_dict("records"))


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
        for i, row in _rows(frame):
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
        for i, row in _rows(frame):
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
    for i, row in _rows(obs):
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
    for i, row in _rows(events):
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
        for i, row in _rows(frame):
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
        for i, row in _rows(discrepancies):
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
    for i, row in _rows(places):
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


# The measure vocabulary: at most this many measures (issue 12); finer distinctions are dimensions.
MAX_MEASURES = 150
# Controlled values of the observation dimensions that have a closed list (blank is always allowed);
# data/build_datapackage.py declares the same lists as enums.
DIMENSION_VALUES = {
    "status": ("plan", "claim", "demand", "rumour", "rule", "capacity"),
    "sex": ("women", "men"),
    "theme": ("industrial_crisis", "factory_politics", "union_purge", "national_terror"),
}
REQUIRED_DIMENSIONS = ("theme",)


def measure_rules(tables: dict) -> list[str]:
    """The vocabulary stays small and documented: at most MAX_MEASURES measures, each with a label, unit and
    definition and each used by at least one observation; every observation's unit is its measure's unit (see
    observation_rules) and its dimension values come from the controlled lists."""
    measures, obs = tables.get("measures"), tables.get("observations")
    if measures is None:
        return []
    problems = []
    if len(measures) > MAX_MEASURES:
        problems.append(f"measures.csv: expected at most {MAX_MEASURES} measures (put finer distinctions in the "
                        f"dimensions of observations.csv), got {len(measures)}")
    for i, row in _rows(measures):
        for column in ("label", "unit", "definition"):
            if column in measures.columns and _blank(row[column]):
                problems.append(f"{_where('measures', i, column)}: expected a {column} for measure "
                                f"{row['measure_id']!r}, got a blank")
    if obs is None:
        return problems
    used = set(obs["measure_id"])
    for i, row in _rows(measures):
        if row["measure_id"] not in used:
            problems.append(f"{_where('measures', i, 'measure_id')}: expected a measure used by at least one "
                            f"row of observations.csv, got unused {row['measure_id']!r}")
    known = set(measures["measure_id"])
    for i, row in _rows(obs):
        if row["measure_id"] not in known:
            problems.append(f"{_where('observations', i, 'measure_id')}: expected a measure_id of measures.csv, "
                            f"got {row['measure_id']!r}")
    for column, allowed in DIMENSION_VALUES.items():
        if column not in obs.columns:
            problems.append(f"observations.csv, line 1, column {column}: expected the dimension column "
                            f"{column!r}, got no such column")
            continue
        for i, value in obs[column].items():
            if _blank(value):
                if column in REQUIRED_DIMENSIONS:
                    problems.append(f"{_where('observations', i, column)}: expected one of {', '.join(allowed)}, "
                                    "got a blank")
            elif value not in allowed:
                problems.append(f"{_where('observations', i, column)}: expected one of {', '.join(allowed)} "
                                f"(or blank), got {value!r}")
    return problems


# Tables whose rows citations.csv may add locators to, with their key column (as in data/build_datapackage.py).
CITED_KEYS = {"observations": "obs_id", "events": "event_id", "people": "person_id", "positions": "position_id",
              "organizations": "org_id", "places": "place_id", "relations": "relation_id", "glossary": "term",
              "discrepancies": "discrepancy_id"}
PASSAGE = ("source_id", "chapter", "section", "note")


def citation_rules(tables: dict) -> list[str]:
    """Each further locator names an existing row and columns of its table, and adds a passage the row does
    not already cite (neither as its primary locator nor in another citations row)."""
    citations = tables.get("citations")
    if citations is None:
        return []
    problems, seen = [], {}
    for i, row in _rows(citations):
        table, row_id = row["table"], row["row_id"]
        frame = tables.get(table)
        if frame is None or table not in CITED_KEYS:
            problems.append(f"{_where('citations', i, 'table')}: expected one of {', '.join(CITED_KEYS)}, "
                            f"got {table!r}")
            continue
        key = CITED_KEYS[table]
        match = frame[frame[key] == row_id]
        if match.empty:
            problems.append(f"{_where('citations', i, 'row_id')}: expected the {key} of a row in {table}.csv, got unknown "
                            f"{row_id!r}")
            continue
        if not _blank(row["supports"]) and row["supports"] != "all":
            for column in row["supports"].split(";"):
                if column not in frame.columns:
                    problems.append(f"{_where('citations', i, 'supports')}: expected columns of {table}.csv or "
                                    f"'all', got unknown {column!r}")
        passage = tuple("" if _blank(row[c]) else str(row[c]) for c in PASSAGE)
        primary = tuple("" if _blank(match.iloc[0][c]) else str(match.iloc[0][c]) for c in PASSAGE)
        if passage == primary:
            problems.append(f"{_where('citations', i, 'note')}: expected a passage other than the primary locator "
                            f"of {table} {row_id!r}, got the same {passage[1]}/{passage[3] or 'no note'}")
        if (table, row_id, passage) in seen:
            problems.append(f"{_where('citations', i, 'citation_id')}: expected one row per passage, got the "
                            f"passage of line {_line(seen[(table, row_id, passage)])} again")
        seen.setdefault((table, row_id, passage), i)
    return problems


def _breakdown(text) -> dict:
    """'industry: coal; period: six months' -> {'industry': 'coal', 'period': 'six months'}."""
    parts = {}
    for item in ([] if _blank(text) else str(text).split(";")):
        dimension, _, value = item.partition(":")
        parts[dimension.strip().lower()] = value.strip().lower()
    return parts


def _distinguished(a: dict, b: dict) -> bool:
    """Two breakdowns tell rows apart when a dimension both name has different values."""
    return any(a[d] != b[d] for d in set(a) & set(b))


OBS_FACT = ("source_id", "chapter", "section", "note", "measure_id", "value", "value_low", "value_high",
            "period_start", "period_end", "place_id", "org_id", "subject", "status", "sex")


def duplicate_observation_rules(tables: dict) -> list[str]:
    """One row per fact: two observations from the same passage (source, chapter, heading, note) with the same
    measure, value(s), period, place, organisation and dimensions (subject, status, sex) are the same figure, unless a breakdown dimension both
    rows name tells them apart (`defendant: Radek` vs `defendant: Sokolnikov`). A blank breakdown, or
    breakdowns under different dimension names (`scope: mass operations` vs `operation: mass operations`),
    do not: that is the same figure coded twice. A derived row never duplicates a printed one."""
    obs = tables.get("observations")
    if obs is None:
        return []
    problems, groups = [], {}
    for i, row in _rows(obs):
        key = tuple("" if c not in row or _blank(row[c]) else str(row[c]) for c in OBS_FACT) + (_blank(row["derived"]),)
        groups.setdefault(key, []).append(i)
    for indices in groups.values():
        for n, j in enumerate(indices[1:], 1):
            for k in indices[:n]:
                if not _distinguished(_breakdown(obs.at[j, "breakdown"]), _breakdown(obs.at[k, "breakdown"])):
                    problems.append(
                        f"{_where('observations', j, 'obs_id')}: expected one row per fact, got "
                        f"{obs.at[j, 'obs_id']!r} with the passage, measure, value, period, place and organisation "
                        f"of {obs.at[k, 'obs_id']!r} (line {_line(k)}); merge them or tell them apart by breakdown")
                    break
    return problems


TITLE_SIMILARITY = 0.9  # see duplicate_event_rules


def _title(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).casefold()).split())


def _same_date(a: str, b: str) -> bool:
    """'1937-02' and '1937-02-22' may be the same day; '1937-02' and '1937-03' are not."""
    return a.startswith(b) or b.startswith(a)


def duplicate_event_rules(tables: dict) -> list[str]:
    """One row per event: two events on the same date (one date_start equal to, or a coarser form of, the
    other) whose titles are near-identical fail. Titles are compared without case and punctuation; near-
    identical means a difflib similarity ratio of at least 0.9, which catches word-order slips and added years
    ('February-March Central Committee plenum' / 'February-March 1937 Central Committee Plenum', 0.94) while the
    closest distinct events of one date in the package score well below it ('Over 100 alleged Trotskyists
    arrested' / '508 more alleged Trotskyists arrested', 0.81; 'Dock workers strike in Leningrad' / '... in
    Odessa', 0.79)."""
    events = tables.get("events")
    if events is None:
        return []
    problems = []
    rows = [(i, _title(r["title"]), str(r["date_start"])) for i, r in _rows(events) if not _blank(r["date_start"])]
    by_year: dict[str, list] = {}
    for item in rows:
        by_year.setdefault(item[2][:4], []).append(item)
    for items in by_year.values():
        for n, (j, title_j, date_j) in enumerate(items):
            for k, title_k, date_k in items[:n]:
                if not _same_date(date_j, date_k):
                    continue
                matcher = difflib.SequenceMatcher(None, title_j, title_k)
                # the two quick ratios are upper bounds of the ratio: most pairs are ruled out without it
                if title_j != title_k and (matcher.real_quick_ratio() < TITLE_SIMILARITY
                                           or matcher.quick_ratio() < TITLE_SIMILARITY):
                    continue
                ratio = matcher.ratio()
                if title_j == title_k or ratio >= TITLE_SIMILARITY:
                    problems.append(
                        f"{_where('events', j, 'title')}: expected one row per event, got "
                        f"{events.at[j, 'event_id']!r} with a title like that of {events.at[k, 'event_id']!r} "
                        f"(line {_line(k)}) on the same date (similarity {ratio:.2f}); merge them")
                    break
    return problems


# A literature_ref value: references separated by '; ', each a work_id of sources.csv, optionally followed by ', '
# and a locator (pages, volume, number, date) without ';': `getty1993, pp. 1022-4; davies1996, p. 459`.
LITERATURE_REFERENCE = re.compile(r"^(?P<key>[a-z0-9]+)(?:, (?P<locator>[^;]*\S))?$")
LITERATURE_FORMAT = "'work_id' or 'work_id, locator', several separated by '; '"


def literature_rules(tables: dict) -> list[str]:
    """Every literature_ref names works of sources.csv in the documented format, and a chapter's container is
    the edited volume it appears in."""
    sources = tables.get("sources")
    if sources is None:
        return []
    known = set(sources["work_id"])
    problems = []
    for name, frame in tables.items():
        if frame is None or "literature_ref" not in frame.columns:
            continue
        for i, value in frame["literature_ref"].items():
            if _blank(value):
                continue
            for part in str(value).split("; "):
                match = LITERATURE_REFERENCE.match(part)
                if not match:
                    problems.append(f"{_where(name, i, 'literature_ref')}: expected {LITERATURE_FORMAT}, "
                                    f"got {part!r}")
                elif match["key"] not in known:
                    problems.append(f"{_where(name, i, 'literature_ref')}: expected a work_id of sources.csv, "
                                    f"got unknown {match['key']!r}")
    volumes = set(sources.loc[sources["kind"] == "edited volume", "work_id"])
    for i, row in _rows(sources):
        if row["kind"] == "chapter" and row["container"] not in volumes:
            problems.append(f"{_where('sources', i, 'container')}: expected the work_id of the edited volume the "
                            f"chapter appears in, got {row['container']!r}")
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
        for i, row in _rows(frame):
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


RULES = (provenance_rules, date_rules, observation_rules, measure_rules, event_rules, reference_rules, place_rules,
         citation_rules, duplicate_observation_rules, duplicate_event_rules, literature_rules, inferred_rules)


def book_rules(tables: dict) -> list[str]:
    problems = []
    for rule in RULES:
        problems.extend(rule(tables))
    return problems
