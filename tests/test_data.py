"""The data package: valid against its schema and the book's rules, typed on load, and bad input named."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from shopfloor import data
from shopfloor.validate import validate_package

DATA = ROOT / "data"


def test_descriptor_is_what_the_build_script_writes():
    done = subprocess.run([sys.executable, "-c", "import build_datapackage as b; print(b.render(), end='')"],
                          cwd=DATA, capture_output=True, text=True, check=True)
    assert (DATA / "datapackage.json").read_text(encoding="utf-8") == done.stdout, \
        "data/datapackage.json is stale: run `python data/build_datapackage.py`"


def test_package_is_valid():
    assert validate_package(DATA / "datapackage.json") == []


def test_every_csv_is_described():
    described = {f"{name}.csv" for name in data.table_names()}
    assert {p.name for p in DATA.glob("*.csv")} == described


def test_load_gives_typed_frames_with_locators():
    obs = data.load("observations")
    assert str(obs["value"].dtype) == "Float64" and str(obs["note"].dtype) == "Int64"
    assert str(obs["estimate"].dtype) == "boolean"
    first = obs[obs["obs_id"] == "gi-0001"].iloc[0]
    assert first["locator"] == 'Goldman 2007, intro, "Toward a Social History of the Terror", n. 2'
    assert obs["locator"].str.match(r"^(Goldman 2007|Kokosalakis 2021), ").all()
    # a range keeps its value blank: missing is never zero
    earlier = obs[obs["obs_id"] == "gi-0007"].iloc[0]
    assert pd.isna(earlier["value"]) and earlier["value_low"] == 7_000_000


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(KeyError, match="the tables are: sources, source_sections"):
        data.load("obsrvations")
    with pytest.raises(KeyError, match="persons_arrested"):
        data.measure("arrests")


def test_measure_selects_one_measure():
    executed = data.measure("persons_executed")
    assert set(executed["measure_id"]) == {"persons_executed"} and (executed["label"] == "People executed").all()


# --- bad input: each broken copy must stop with the file, line, column and what was expected ---

@pytest.fixture
def broken(tmp_path):
    """A copy of data/ and a function that edits one cell of it."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("__pycache__"))

    def edit(table: str, obs_row: int, column: str, value: str):
        path = folder / f"{table}.csv"
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        rows[obs_row][column] = value
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return folder / "datapackage.json"

    return edit


@pytest.mark.parametrize("table,column,value,expected", [
    ("observations", "value", "many", "observations.csv, line 3, column value"),
    ("observations", "period_start", "1937-13", "observations.csv, line 3, column period_start: expected a calendar"),
    ("observations", "unit", "rubles", "observations.csv, line 3, column unit: expected 'percent'"),
    ("observations", "unit", "furlongs", "observations.csv, line 3, column unit"),
    ("observations", "section", "", "observations.csv, line 3, column section"),
    ("observations", "section", "No Such Heading", "expected a heading of goldman2007 chapter intro"),
    ("observations", "obs_id", "gi-0001", "observations.csv, line 3"),
    ("observations", "value_low", "5", "observations.csv, line 3, column value_high: expected both ends"),
    ("observations", "measure_id", "no_such_measure", "observations.csv, line 3"),
    ("places", "lat", "95", "places.csv, line 3, column lat"),
    ("places", "lon", "2.35", "places.csv, line 3, column lat: expected a point inside the USSR of 1937"),
    ("events", "date_start", "5 May 1937", "events.csv, line 3, column date_start"),
    ("events", "date_start", "1905", "events.csv, line 3, column date_start: expected a date in 1917-1941"),
    ("events", "person_ids", "nobody-at-all", "events.csv, line 3, column person_ids: expected ids from people.csv"),
    ("positions", "person_id", "nobody-at-all", "positions.csv, line 3"),
    ("people", "fate", "vanished", "people.csv, line 3, column fate"),
    ("observations", "status", "guess", "observations.csv, line 3, column status"),
    ("observations", "sex", "female", "observations.csv, line 3, column sex"),
    ("observations", "theme", "", "observations.csv, line 3, column theme"),
    ("measures", "definition", "", "measures.csv, line 3, column definition"),
    ("measures", "label", "", "measures.csv, line 3, column label"),
    ("observations", "inferred", "colour:context", "observations.csv, line 3, column inferred: expected a column of"),
    ("observations", "inferred", "period_start:hunch", "observations.csv, line 3, column inferred"),
    ("observations", "inferred", "period_start", "observations.csv, line 3, column inferred"),
    ("people", "inferred", "patronymic:context", "people.csv, line 3, column inferred: patronymic is listed as "
                                                 "inferred but is blank"),
    ("people", "inferred_note", "a stray note", "people.csv, line 3, column inferred_note: expected a blank note"),
    ("people", "inferred", "fate_date:context", "people.csv, line 3, column inferred_note: expected a note"),
])
def test_bad_cell_is_named(broken, table, column, value, expected):
    package = broken(table, 1, column, value)
    with pytest.raises(data.DataError) as error:
        data.check(package)
    assert expected in str(error.value)


def test_missing_column_is_named(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("__pycache__"))
    frame = pd.read_csv(folder / "observations.csv", dtype=str, keep_default_na=False)
    frame.drop(columns=["unit"]).to_csv(folder / "observations.csv", index=False)
    with pytest.raises(data.DataError) as error:
        data.check(folder / "datapackage.json")
    assert "observations.csv" in str(error.value) and "unit" in str(error.value)


# --- the measure vocabulary (issue 12) and data.query ---

def test_vocabulary_is_small_documented_and_used():
    from shopfloor.rules import MAX_MEASURES
    measures, obs = data.load("measures"), data.load("observations")
    assert len(measures) <= MAX_MEASURES == 150
    assert set(measures["measure_id"]) == set(obs["measure_id"])  # every measure is used, every row known
    for column in ("label", "unit", "definition"):
        assert measures[column].notna().all() and (measures[column].str.strip() != "").all()
    units = dict(zip(measures["measure_id"], measures["unit"]))
    assert (obs["measure_id"].map(units) == obs["unit"]).all()


def test_measure_rules_check_dimension_values_without_the_schema():
    from shopfloor.rules import measure_rules
    read = lambda name: pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    tables = {"measures": read("measures"), "observations": read("observations")}
    assert measure_rules(tables) == []
    tables["observations"].loc[1, "status"] = "guess"
    tables["observations"].loc[2, "theme"] = ""
    tables["observations"].loc[3, "measure_id"] = "no_such_measure"
    tables["measures"].loc[0, "definition"] = ""
    problems = measure_rules(tables)
    assert "observations.csv, line 3, column status: expected one of plan, claim" in problems[-2]
    assert "observations.csv, line 4, column theme: expected one of industrial_crisis" in problems[-1]
    assert any("line 5, column measure_id: expected a measure_id of measures.csv" in p for p in problems)
    assert "measures.csv, line 2, column definition: expected a definition for measure 'persons_arrested', got a " \
           "blank" in problems


def _with_extra_measures(tmp_path, count):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("__pycache__"))
    with (folder / "measures.csv").open("a", encoding="utf-8") as f:
        for i in range(count):
            f.write(f"spare_measure_{i},Spare,count,A measure no row uses.,union_purge,false\n")
    return folder / "datapackage.json"


def test_unused_measure_is_named(tmp_path):
    with pytest.raises(data.DataError) as error:
        data.check(_with_extra_measures(tmp_path, 1))
    assert "expected a measure used by at least one row of observations.csv, got unused 'spare_measure_0'" \
        in str(error.value)


def test_too_many_measures_are_refused(tmp_path):
    with pytest.raises(data.DataError) as error:
        data.check(_with_extra_measures(tmp_path, 151))
    assert "measures.csv: expected at most 150 measures" in str(error.value)


def test_query_answers_a_seminar_question_in_one_call():
    injury = data.query("injury_rate_change")
    assert len(injury) >= 8 and set(injury["measure_id"]) == {"injury_rate_change"}
    assert (injury["label"] == "Change in injury rate").all() and (injury["unit"] == "percent_change").all()
    assert injury["definition"].notna().all() and injury["locator"].notna().all()
    kirov = data.query("party_members", place="krasnyi-putilovets")
    assert list(kirov["obs_id"]) == ["k-0004", "k-0044"] and list(kirov["value"]) == [1000, 3133]
    assert "reference" in kirov.columns


def test_query_filters_by_dimensions_and_period():
    arrested = data.query("persons_arrested", period="1937")
    assert len(arrested) and all(s[:4] <= "1937" for s in arrested["period_start"])
    assert all(str(e)[:4] >= "1937" for e in arrested["period_end"].fillna(arrested["period_start"]))
    expelled = data.query("persons_expelled", period=("1935", "1936-06"), subject="party members")
    assert len(expelled) and set(expelled["subject"]) == {"party members"}
    assert (expelled["period_start"].str[:7] <= "1936-06").all()
    plans = data.query(theme="industrial_crisis", status="plan")
    assert len(plans) and set(plans["status"]) == {"plan"} and set(plans["theme"]) == {"industrial_crisis"}
    both = data.query(["share_non_party", "share_party_members"], breakdown="union level: factory committee")
    assert set(both["measure_id"]) == {"share_non_party", "share_party_members"}
    ordered = data.query(["share_non_party", "injury_rate"])
    assert list(ordered["measure_id"]) == sorted(ordered["measure_id"])


@pytest.mark.parametrize("kwargs,expected", [
    ({"measure": "injury_rates"}, "No measure 'injury_rates'; the measures are (closest first): injury_rate"),
    ({"place": "krasnyi-putilovet"}, "No place 'krasnyi-putilovet'; the places are (closest first): "
                                     "krasnyi-putilovets"),
    ({"place": "Kirov Plant"}, "No place 'Kirov Plant'; the places are (closest first): krasnyi-putilovets"),
    ({"org": "partkom-dinam"}, "No org 'partkom-dinam'; the orgs are (closest first): partkom-dinamo"),
    ({"status": "planned"}, "No status value 'planned'; the status values are (closest first): plan"),
    ({"colour": "red"}, "No dimension 'colour'"),
])
def test_query_names_unknown_values(kwargs, expected):
    with pytest.raises(KeyError) as error:
        data.query(**kwargs)
    assert expected in str(error.value)
@pytest.mark.parametrize("value,expected", [
    ("Getty, Rittersporn and Zemskov 1993, pp. 1022-4",
     "observations.csv, line 3, column literature_ref: expected 'work_id' or 'work_id, locator'"),
    ("getty1994, pp. 1022-4", "observations.csv, line 3, column literature_ref: expected a work_id of sources.csv, "
                              "got unknown 'getty1994'"),
    ("getty1993, pp. 1022-4;davies1996", "observations.csv, line 3, column literature_ref: expected 'work_id'"),
    ("getty1993,", "observations.csv, line 3, column literature_ref: expected 'work_id'"),
])
def test_unresolved_literature_ref_is_named(broken, value, expected):
    package = broken("observations", 1, "literature_ref", value)
    with pytest.raises(data.DataError) as error:
        data.check(package)
    assert expected in str(error.value)


def test_every_literature_ref_names_a_work():
    sources = data.load("sources", locators=False)
    keys = set(sources["work_id"])
    for name in data.table_names():
        frame = data.load(name, locators=False)
        if "literature_ref" not in frame.columns:
            continue
        for value in frame["literature_ref"].dropna():
            assert all(part.split(", ")[0] in keys for part in value.split("; ")), (name, value)


def test_one_gives_the_single_row_or_stops():
    row = data.one(data.query("party_members", place="krasnyi-putilovets", period="1929"))
    assert row["obs_id"] == "k-0044"
    with pytest.raises(ValueError, match="expected one row, got 2"):
        data.one(data.query("party_members", place="krasnyi-putilovets"))
    with pytest.raises(ValueError, match="expected one row, got 0"):
        data.one(data.query("party_members", place="krasnyi-putilovets", period="1941"))


def test_a_query_reads_no_file_unless_one_changed(tmp_path, monkeypatch):
    """A page makes dozens of queries: the second one reads no file, and a changed file is read again (the
    answer follows the data, never a remembered state of it)."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("__pycache__"))
    package = folder / "datapackage.json"
    before = data.query("workforce", place="ussr", package=package)
    reads = []
    real_read_bytes, real_read_text = type(package).read_bytes, type(package).read_text
    monkeypatch.setattr(type(package), "read_bytes", lambda self: reads.append(self.name) or real_read_bytes(self))
    monkeypatch.setattr(type(package), "read_text", lambda self, *a, **k: reads.append(self.name)
                        or real_read_text(self, *a, **k))
    data.query("workforce", place="ussr", package=package)
    assert reads == [], f"a repeated query read {reads}"
    monkeypatch.undo()

    first = before.iloc[0]
    rows = list(csv.DictReader((folder / "observations.csv").open(encoding="utf-8")))
    for row in rows:
        if row["obs_id"] == first["obs_id"]:
            row["value"] = str(float(first["value"]) + 1)
    with (folder / "observations.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    after = data.query("workforce", place="ussr", package=package)
    changed = after.set_index("obs_id").loc[first["obs_id"], "value"]
    assert changed == first["value"] + 1


def _forget_parsed_tables():
    data._load.cache_clear()
    data._query_index.cache_clear()


def test_a_new_kernel_reads_the_parsed_tables_from_disk(monkeypatch):
    """Every kernel of a build loads the same tables: once parsed, typed and given their locators, a table is
    kept on disk for this state of the data and of the code, and the next kernel reads it back whole (as a
    new kernel, this test forgets what the process holds, and then may not read a CSV)."""
    with monkeypatch.context() as nothing_kept:
        nothing_kept.setattr(data.paths, "private_cache", lambda: None)
        _forget_parsed_tables()
        obs, answer = data.load("observations"), data.query("injury_rate", period="1934")
    _forget_parsed_tables()
    data.load("observations"), data.query("injury_rate")  # parsed, or read back if a kernel kept them already
    _forget_parsed_tables()

    def no_csv(path, fields):
        raise AssertionError(f"parsed {path.name} again")

    monkeypatch.setattr(data, "_read_csv", no_csv)
    try:
        pd.testing.assert_frame_equal(data.load("observations"), obs)
        pd.testing.assert_frame_equal(data.query("injury_rate", period="1934"), answer)
    finally:
        _forget_parsed_tables()


def test_parsed_tables_are_kept_only_where_no_one_else_can_write(tmp_path, monkeypatch):
    """What is kept is read back as a pickle, which can run code: a folder that another user could write to
    is not used, and the tables are then parsed from the CSV files."""
    import os
    import tempfile

    from shopfloor import paths

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = paths.private_cache()
    assert folder == tmp_path / f"shopfloor-{os.getuid()}" and oct(folder.stat().st_mode & 0o777) == "0o700"
    folder.chmod(0o777)
    assert paths.private_cache() is None
    _forget_parsed_tables()
    try:
        assert len(data.load("events")) > 0
        assert not list(tmp_path.rglob("*.pickle"))
    finally:
        _forget_parsed_tables()
