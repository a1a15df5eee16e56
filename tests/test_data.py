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
