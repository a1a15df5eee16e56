"""Load the book's data package as typed DataFrames, after validating it.

    from shopfloor import data
    obs = data.load("observations")          # every row, typed, with a `locator` column
    arrests = data.measure("persons_arrested")  # one measure, with its label
    data.query("injury_rate_change")                                  # every change in the injury rate
    data.query("party_members", place="krasnyi-putilovets")           # party membership at the Kirov works
    data.query("persons_arrested", period="1937", subject="union officials")
    data.query(["share_non_party", "share_party_members"], breakdown="union level: factory committee")

Observations are long: one row per figure, with `measure_id` (what quantity, from the vocabulary in
measures.csv) and dimensions that say which part of it the figure covers: `place_id`, `org_id`, the period
(`period_start`, `period_end`), `breakdown` (a subgroup as 'dimension: value'), `subject` (who or what within the
measure), `status` (plan, claim, demand, rumour, rule or capacity; blank for an actual figure), `sex` and
`theme`. `query` selects on any of them in one call.

Every load validates the table against data/datapackage.json first (types, required fields, keys, patterns)
and against the book's own rules (see `shopfloor.rules`), so bad input stops with an error that names the
file, the line, the column and what was expected instead of turning into a silently wrong chart.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import citations, paths
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
    return copy.deepcopy(_descriptor(package))


def _descriptor(package: Path | None) -> dict:
    """The parsed datapackage.json, read again only when the file changed; not to be modified."""
    package = Path(package or paths.datapackage())
    stat = package.stat()
    return _parsed(str(package.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _parsed(package: str, _size: int, _mtime_ns: int) -> dict:
    return json.loads(Path(package).read_text(encoding="utf-8"))


def table_names(package: Path | None = None) -> list[str]:
    return [r["name"] for r in _descriptor(package)["resources"]]


def resource(name: str, package: Path | None = None) -> dict:
    names = table_names(package)
    if name not in names:
        raise KeyError(f"No table {name!r} in the data package; the tables are: {', '.join(names)}")
    return copy.deepcopy(next(r for r in _descriptor(package)["resources"] if r["name"] == name))


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
    """A hash of the descriptor and every CSV: any change to the data gives a new fingerprint. The files are
    read again only when one's size or modification time changed (a page asks for it at every query)."""
    files = [package, *sorted(package.parent.glob("*.csv"))]
    return _hash_files(tuple((str(f), s.st_size, s.st_mtime_ns) for f in files for s in [f.stat()]))


@lru_cache(maxsize=8)
def _hash_files(stats: tuple) -> str:
    names = [Path(name) for name, _size, _mtime in stats]
    digest = hashlib.sha256(names[0].read_bytes())
    for path in names[1:]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:24]


@lru_cache(maxsize=8)
def _problems(package: str, fingerprint: str) -> tuple[str, ...]:
    """Validate once per process and per state of the files; a clean result is also remembered on disk for
    this fingerprint, so the next notebook kernel skips the two-second Frictionless pass."""
    from .validate import validate_package

    folder = paths.private_cache()
    stamp = folder / f"valid-{fingerprint}" if folder is not None else None
    if stamp is not None and stamp.exists():
        return ()
    problems = tuple(validate_package(Path(package)))
    if not problems and stamp is not None:
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
    if name not in table_names(package):
        resource(name, package)  # fails, listing the valid names
    return _load(name, str(package), _fingerprint(package), locators).copy()


@lru_cache(maxsize=64)
def _load(name: str, package: str, fingerprint: str, locators: bool) -> pd.DataFrame:
    package_path = Path(package)
    check(package_path)

    def parse() -> pd.DataFrame:
        spec = resource(name, package_path)
        fields = spec["schema"]["fields"]
        frame = _typed(_read_csv(package_path.parent / spec["path"], fields), fields)
        if locators and "source_id" in frame.columns and "chapter" in frame.columns:
            frame = add_locators(frame, _load("sources", package, fingerprint, False))
        return frame

    return _kept(f"table-{name}-{'locators' if locators else 'plain'}", fingerprint, parse)


# Every notebook kernel of a build or a test run loads the same tables; parsing them, typing them and writing
# their locators took a fifth of a second in each. A table is kept on disk (paths.private_cache), for the state
# of the files (`_fingerprint`) and of the code that shapes it, and read back in a few milliseconds.


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """What else decides a kept table besides the data: this module and citations.py, pandas and Python."""
    digest = hashlib.sha256(f"{pd.__version__} {sys.version}".encode())
    for module in (__file__, citations.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


KEPT_STATES = 8  # per table: a build of a changed copy of the data (as the tests make) does not evict the book's


def _kept(kind: str, fingerprint: str, make):
    """`make()`, kept on disk for this fingerprint and this code, beside those of the KEPT_STATES - 1 states
    kept last."""
    folder = paths.private_cache()
    if folder is None:
        return make()
    path = folder / f"{kind}.{fingerprint}-{_code_digest()}.pickle"
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except Exception:  # none yet, or a damaged one: made (again)
        pass
    value = make()
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)  # whole or not at all, for the kernels reading beside this one
        kept = sorted(folder.glob(f"{kind}.*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[KEPT_STATES:]:
            old.unlink(missing_ok=True)
    except OSError:
        partial.unlink(missing_ok=True)
    return value


# Observation columns `query` accepts as keyword filters besides place, org, period, breakdown and theme.
DIMENSIONS = ("subject", "status", "sex")


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]


def _check_known(kind: str, values: list, known, names: dict | None = None) -> None:
    """Raise KeyError naming the unknown value(s) and listing the valid ones, closest matches first (by
    spelling of the id, then ids whose id or name, in `names`, contains the value)."""
    known_set = known if isinstance(known, frozenset) else frozenset(str(k) for k in known if not pd.isna(k))
    unknown = [v for v in values if str(v) not in known_set]
    if not unknown:
        return
    known = sorted(known_set)
    names = names or {}
    close = [m for v in unknown for m in difflib.get_close_matches(str(v), known, n=5, cutoff=0.4)]
    close = [m for v in unknown for m in known
             if str(v).lower() in f"{m} {names.get(m, '')}".lower() and m not in close] + close
    ordered = list(dict.fromkeys(close)) + [k for k in known if k not in close]
    raise KeyError(f"No {kind} {', '.join(repr(v) for v in unknown)}; the {kind}s are (closest first): "
                   + ", ".join(ordered))


def _date_bounds(text: str) -> tuple[str, str]:
    """The first and last day a partial ISO date ('1937', '1937-04', '1937-04-12') can mean, as ISO strings."""
    text = str(text)
    if len(text) == 4:
        return f"{text}-01-01", f"{text}-12-31"
    if len(text) == 7:
        return f"{text}-01", f"{text}-31"
    return text, text


def query(measure=None, *, place=None, org=None, period=None, breakdown=None, theme=None,
          package: Path | None = None, **dimensions) -> pd.DataFrame:
    """Observations selected by measure and dimensions, with the measure's label, unit and definition.

    - `measure`: a measure_id or a list of them (see measures.csv); None for every measure.
    - `place`, `org`: a place_id / org_id or a list; rows whose place_id / org_id is one of them.
    - `period`: a year 'YYYY' (rows whose period covers any part of that year) or a (start, end) tuple of
      partial ISO dates (rows whose period overlaps it; None at either end leaves it open).
    - `breakdown`, `theme` and the dimensions `subject`, `status`, `sex`: an exact value or a list of values.

    Returns every observation column (typed, with `locator` and `reference` as `load` gives them) plus
    `label` and `definition`, sorted by measure_id, period_start and obs_id. An unknown measure, place,
    organisation, dimension or dimension value raises KeyError listing the valid ones, closest matches first.
    Examples: `query("injury_rate_change")`; `query("party_members", place="krasnyi-putilovets")`.
    """
    index = _query_index(*_state(package))
    obs = index.obs
    keep = pd.Series(True, index=obs.index)
    if measure is not None:
        wanted = _as_list(measure)
        _check_known("measure", wanted, index.known["measure"])
        keep &= obs["measure_id"].isin(wanted)
    for kind, value, column in (("place", place, "place_id"), ("org", org, "org_id")):
        if value is not None:
            wanted = _as_list(value)
            _check_known(kind, wanted, index.known[kind], index.names[kind])
            keep &= obs[column].isin(wanted)
    unknown_dims = [d for d in dimensions if d not in DIMENSIONS]
    if unknown_dims:
        _check_known("dimension", unknown_dims, ("place", "org", "period", "breakdown", "theme", *DIMENSIONS))
    for column, value in (("breakdown", breakdown), ("theme", theme), *dimensions.items()):
        if value is None:
            continue
        wanted = _as_list(value)
        _check_known(f"{column} value", wanted, index.known[column])
        keep &= obs[column].isin(wanted)
    if period is not None:
        if isinstance(period, (tuple, list)):
            if len(period) != 2:
                raise ValueError(f"period: expected 'YYYY' or a (start, end) pair, got {period!r}")
            lo, hi = period
        else:
            if not (isinstance(period, (str, int)) and len(str(period)) == 4 and str(period).isdigit()):
                raise ValueError(f"period: expected a year 'YYYY' or a (start, end) pair, got {period!r}")
            lo = hi = str(period)
        if lo is not None:
            keep &= index.last_day >= _date_bounds(lo)[0]
        if hi is not None:
            keep &= index.first_day <= _date_bounds(hi)[1]
    # the index holds the rows in the order a query returns them, with their label and definition
    return obs[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def _state(package: Path | None) -> tuple[str, str]:
    package = Path(package or paths.datapackage()).resolve()
    return str(package), _fingerprint(package)


class _QueryIndex:
    """What `query` needs of a state of the data, worked out once: the observations as loaded, with their
    measure's label and definition and sorted as a query returns them (by measure_id, period_start and obs_id),
    the known values of each filter (with the names that help a mistyped id find its match), and each row's
    period as first and last possible day."""

    def __init__(self, package: str, fingerprint: str):
        obs = _load("observations", package, fingerprint, True)
        measures = _load("measures", package, fingerprint, True).set_index("measure_id")
        obs = obs.assign(label=obs["measure_id"].map(measures["label"]).astype("string"),
                         definition=obs["measure_id"].map(measures["definition"]).astype("string"))
        self.obs = obs.sort_values(["measure_id", "period_start", "obs_id"], kind="stable").reset_index(drop=True)
        self.known = {"measure": frozenset(measures.index)}
        self.names = {}
        for kind, table, key in (("place", "places", "place_id"), ("org", "organizations", "org_id")):
            frame = _load(table, package, fingerprint, False)
            text = [c for c in ("name", "name_modern", "name_ru", "name_variants") if c in frame.columns]
            self.known[kind] = frozenset(frame[key].dropna())
            self.names[kind] = dict(zip(frame[key], frame[text].fillna("").astype(str).agg(" ".join, axis=1)))
        for column in ("breakdown", "theme", *DIMENSIONS):
            self.known[column] = frozenset(self.obs[column].dropna().astype(str))
        starts = self.obs["period_start"].astype(str)
        ends = self.obs["period_end"].fillna(self.obs["period_start"]).astype(str)
        self.first_day = starts.map(lambda d: _date_bounds(d)[0])
        self.last_day = ends.map(lambda d: _date_bounds(d)[1])


@lru_cache(maxsize=8)
def _query_index(package: str, fingerprint: str) -> _QueryIndex:
    check(Path(package))
    return _kept("query-index", fingerprint, lambda: _QueryIndex(package, fingerprint))


def measure(measure_id: str, package: Path | None = None, **dimensions) -> pd.DataFrame:
    """All observations of one measure (optionally narrowed by dimensions, as in `query`), with its label."""
    return query(measure_id, package=package, **dimensions)


def observations(measure_ids: list[str], period_start: str | None = None, period_end: str | None = None,
                 package: Path | None = None, **dimensions) -> pd.DataFrame:
    """Observations of several measures (each with its label), optionally for rows with exactly this
    period_start / period_end, and narrowed by any `query` filter."""
    rows = query(list(measure_ids), package=package, **dimensions)
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
    known = set(frame[key])
    missing = [i for i in ids if i not in known]
    if missing:
        raise KeyError(f"not in {name}.csv ({key}): {', '.join(missing)}")
    return frame.set_index(key, drop=False).loc[ids].reset_index(drop=True)


def one(rows: pd.DataFrame) -> pd.Series:
    """The single row a selection should give, for a figure quoted in prose; stops, showing what it found, if
    the selection gives none or several (a query that is too loose must not pick a figure silently)."""
    if len(rows) != 1:
        shown = [c for c in ("obs_id", "event_id", "person_id", "description", "title", "name") if c in rows.columns]
        raise ValueError(f"expected one row, got {len(rows)}:\n{rows[shown[:2]].to_string(index=False)}")
    return rows.iloc[0]


PROVENANCE = ["source_id", "source_name", "chapter", "section", "note", "archival_ref", "literature_ref",
              "locator", "reference"]


def provenance(*frames: pd.DataFrame) -> pd.DataFrame:
    """The provenance columns of rows from several tables in one frame, for one generated source line."""
    parts = [f[[c for c in PROVENANCE if c in f.columns]] for f in frames if len(f)]
    return pd.concat(parts, ignore_index=True)
