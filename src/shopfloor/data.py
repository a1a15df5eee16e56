"""Load the book's data package as typed DataFrames, after validating it.

    from shopfloor import data
    obs = data.load("observations")          # every row, typed, with a `locator` column
    arrests = data.measure("persons_arrested")  # one measure, with its label

Every load validates the table against data/datapackage.json first (types, required fields, keys, patterns)
and against the book's own rules (see `shopfloor.rules`), so bad input stops with an error that names the
file, the line, the column and what was expected instead of turning into a silently wrong chart.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from .citations import add_locators

# pandas dtypes for Frictionless field types; nullable ones, so that a blank stays missing (never 0).
_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


class DataError(ValueError):
    """A data file breaks its schema or a rule of the book. The message lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:25]
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        super().__init__(f"{len(problems)} problem(s) in the data package:\n  " + "\n  ".join(shown) + more)


def descriptor(package: Path | None = None) -> dict:
    package = package or paths.datapackage()
    return json.loads(Path(package).read_text(encoding="utf-8"))


def table_names(package: Path | None = None) -> list[str]:
    return [r["name"] for r in descriptor(package)["resources"]]


def resource(name: str, package: Path | None = None) -> dict:
    names = table_names(package)
    if name not in names:
        raise KeyError(f"No table {name!r} in the data package; the tables are: {', '.join(names)}")
    return next(r for r in descriptor(package)["resources"] if r["name"] == name)


def _read_csv(path: Path, fields: list[dict]) -> pd.DataFrame:
    """Read a CSV with every column as text; typing happens after validation."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    return frame


def _typed(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    out = frame.copy()
    for spec in fields:
        name, kind = spec["name"], spec.get("type", "string")
        if kind == "boolean":
            out[name] = out[name].map({"true": True, "false": False}).astype("boolean")
        elif kind == "integer":
            out[name] = pd.to_numeric(out[name]).astype("Int64")
        elif kind == "number":
            out[name] = pd.to_numeric(out[name]).astype("Float64")
        else:
            out[name] = out[name].astype(_DTYPES.get(kind, "string"))
    return out


def _fingerprint(package: Path) -> str:
    """A hash of the descriptor and every CSV: any change to the data gives a new fingerprint."""
    digest = hashlib.sha256(package.read_bytes())
    for path in sorted(package.parent.glob("*.csv")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:24]


@lru_cache(maxsize=8)
def _problems(package: str, fingerprint: str) -> tuple[str, ...]:
    """Validate once per process and per state of the files; a clean result is also remembered on disk for
    this fingerprint, so the next notebook kernel skips the two-second Frictionless pass."""
    from .validate import validate_package

    stamp = Path(tempfile.gettempdir()) / f"shopfloor-valid-{fingerprint}"
    if stamp.exists():
        return ()
    problems = tuple(validate_package(Path(package)))
    if not problems:
        stamp.touch()
    return problems


def check(package: Path | None = None) -> None:
    """Raise DataError listing every problem in the package; return None when it is clean."""
    package = Path(package or paths.datapackage()).resolve()
    problems = _problems(str(package), _fingerprint(package))
    if problems:
        raise DataError(list(problems))


def load(name: str, package: Path | None = None, locators: bool = True) -> pd.DataFrame:
    """The table `name` as a typed DataFrame (nullable dtypes). Validates the whole package first.

    With `locators`, tables that carry provenance get a `locator` column ("Goldman 2007, intro,
    "Toward a Social History of the Terror", n. 2") for tooltips and source lines, and a `reference` column
    that adds what the footnote cites. Each call returns a fresh copy; the parsed table is kept per state of
    the files, so a page may load the same table many times cheaply.
    """
    package = Path(package or paths.datapackage()).resolve()
    resource(name, package)  # an unknown name fails here, listing the valid ones
    return _load(name, str(package), _fingerprint(package), locators).copy()


@lru_cache(maxsize=64)
def _load(name: str, package: str, fingerprint: str, locators: bool) -> pd.DataFrame:
    package_path = Path(package)
    check(package_path)
    spec = resource(name, package_path)
    fields = spec["schema"]["fields"]
    frame = _typed(_read_csv(package_path.parent / spec["path"], fields), fields)
    if locators and "source_id" in frame.columns and "chapter" in frame.columns:
        frame = add_locators(frame, _load("sources", package, fingerprint, False))
    return frame


def measure(measure_id: str, package: Path | None = None) -> pd.DataFrame:
    """All observations of one measure, with the measure's label and definition joined on."""
    measures = load("measures", package)
    if measure_id not in set(measures["measure_id"]):
        known = ", ".join(sorted(measures["measure_id"]))
        raise KeyError(f"No measure {measure_id!r}; the measures are: {known}")
    obs = load("observations", package)
    rows = obs[obs["measure_id"] == measure_id]
    meta = measures.set_index("measure_id").loc[measure_id]
    return rows.assign(label=meta["label"], definition=meta["definition"]).reset_index(drop=True)


def observations(measure_ids: list[str], period_start: str | None = None, period_end: str | None = None,
                 package: Path | None = None) -> pd.DataFrame:
    """Observations of several measures (each with its label), optionally for one period only."""
    frames = [measure(m, package) for m in measure_ids]
    rows = pd.concat(frames, ignore_index=True)
    if period_start is not None:
        rows = rows[rows["period_start"] == period_start]
    if period_end is not None:
        rows = rows[rows["period_end"] == period_end]
    return rows.reset_index(drop=True)


_KEYS = {"observations": "obs_id", "events": "event_id", "people": "person_id", "positions": "position_id",
         "places": "place_id", "organizations": "org_id", "relations": "relation_id", "measures": "measure_id",
         "discrepancies": "discrepancy_id", "glossary": "term", "sources": "work_id"}


def rows(name: str, ids, package: Path | None = None) -> pd.DataFrame:
    """The rows of table `name` with these ids, in the order given: for a figure whose point is a particular
    row (a named event, a person). An unknown id raises KeyError naming it."""
    ids = [ids] if isinstance(ids, str) else list(ids)
    frame = load(name, package)
    key = _KEYS.get(name) or frame.columns[0]
    missing = [i for i in ids if i not in set(frame[key])]
    if missing:
        raise KeyError(f"not in {name}.csv ({key}): {', '.join(missing)}")
    return frame.set_index(key, drop=False).loc[ids].reset_index(drop=True)


PROVENANCE = ["source_id", "source_name", "chapter", "section", "note", "archival_ref", "literature_ref",
              "locator", "reference"]


def provenance(*frames: pd.DataFrame) -> pd.DataFrame:
    """The provenance columns of rows from several tables in one frame, for one generated source line."""
    parts = [f[[c for c in PROVENANCE if c in f.columns]] for f in frames if len(f)]
    return pd.concat(parts, ignore_index=True)
