"""Further locators (data/citations.csv) and one row per fact: the rules, the reference column and source lines."""
from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from conftest import ROOT
from shopfloor import citations, data, rules

DATA = ROOT / "data"


def _tables(folder=DATA) -> dict:
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in folder.glob("*.csv")}


def _rows(table: str) -> list[dict]:
    with (DATA / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- the rows the issue names carry their second passage ---

def test_rows_joining_two_passages_cite_both():
    extra = citations.further_locators()
    wanted = {("events", "1934-12-01-kirov-murder"): ("conclusion", ""),
              ("events", "1937-07-order-00447"): ("6", "10"),
              ("people", "lominadze"): ("2", "100"),
              ("events", "1928-first-five-year-plan"): ("II", "")}
    for key, (chapter, note) in wanted.items():
        assert any(c["chapter"] == chapter and c["note"] == note for c in extra.get(key, [])), key
    kirov = next(r for r in _rows("events") if r["event_id"] == "1934-12-01-kirov-murder")
    assert (kirov["chapter"], kirov["section"], kirov["note"]) == ("2", "From Murder to Mass Conspiracy", "3"), \
        "the murder's day and Nikolaev's name stand in ch. 2 before n. 3: that is the primary locator"


def test_reference_lists_every_locator_primary_first():
    events = data.load("events").set_index("event_id")
    reference = events.at["1934-12-01-kirov-murder", "reference"]
    assert reference.startswith('Goldman 2007, ch. 2, "From Murder to Mass Conspiracy", n. 3 (Conquest 1989')
    assert '; also Goldman 2007, conclusion, "Conclusion"' in reference
    assert "; also Kokosalakis 2021, sec. II, n. 21 (Black 1994)" in reference
    assert events.at["1917-revolution", "reference"] == 'Goldman 2007, intro, "Toward a Social History of the Terror", n. 1'
    assert events.at["1934-12-01-kirov-murder", "locator"] == 'Goldman 2007, ch. 2, "From Murder to Mass Conspiracy", n. 3'


def test_source_line_cites_the_further_locators():
    events = data.load("events")
    line = citations.source_line(events[events["event_id"] == "1937-07-order-00447"])
    assert 'Goldman 2007, intro, "Toward a Social History of the Terror", n. 10' in line
    # a quotation inside a quoted heading takes single quotes, so the quotes do not collide
    assert 'Goldman 2007, ch. 6, "Deviations from the \u2018Heroic Biography\u2019", n. 10 (Getty 2002' in line
    obs = data.load("observations")
    line = citations.source_line(obs[obs["obs_id"].isin(["gi-0001", "gi-0010"])])
    assert "nn. 2, 9, 11" in line  # gi-0001 is printed again at n. 9


def test_source_line_names_works_by_short_name():
    """A caption never prints a literature_ref key (`filtzer1986`): rows whose `literature` column was lost
    (a selection of columns, or a concat with rows of another table) are cited by the works' short names."""
    events = data.load("events")
    row = events[events["event_id"] == "1932-brak-pay-rules"]
    for rows in (row.drop(columns=["literature"]), pd.concat([row.drop(columns=["literature"]), row.iloc[:0]])):
        line = citations.source_line(rows)
        assert "Filtzer 1986, p. 87" in line and "filtzer1986" not in line, line
    places = data.load("places")
    line = citations.source_line(places[places["place_id"] == "arkhangelsk"])
    assert "filtzer1986" not in line and "Filtzer 1986, pp. 81\u201390" in line, line


def test_quoted_heading_with_curly_quotes_takes_single_quotes_inside():
    """The data spells some headings with curly quotes (“Bawlers” and ...); inside the locator's own double
    quotes they become single, as straight ones do, never two double quotes in a row."""
    assert (citations.locator("Goldman 2007", "6", "\u201cBawlers\u201d and Organizational Chaos", "76")
            == 'Goldman 2007, ch. 6, "\u2018Bawlers\u2019 and Organizational Chaos", n. 76')


def test_table_of_recognises_frames():
    assert citations.table_of(data.load("observations", locators=False)) == "observations"
    assert citations.table_of(data.load("positions", locators=False)) == "positions"
    assert citations.table_of(data.load("people", locators=False)) == "people"
    assert citations.table_of(pd.DataFrame({"x": [1]})) is None


# --- the rules: each fails on a broken copy, and the duplicate rules fail on the data before the merge ---

def test_citation_rules_name_bad_rows():
    tables = _tables()
    assert rules.citation_rules(tables) == []
    bad = tables["citations"].copy()
    bad.loc[0, "row_id"] = "no-such-row"
    bad.loc[1, "supports"] = "colour"
    first = bad.iloc[2]
    primary = tables[first["table"]].set_index(rules.CITED_KEYS[first["table"]]).loc[first["row_id"]]
    for column in ("source_id", "chapter", "section", "note"):
        bad.loc[2, column] = primary[column]
    problems = rules.citation_rules({**tables, "citations": bad})
    assert any(p.startswith("citations.csv, line 2, column row_id: expected the obs_id of a row in "
                            "observations.csv, got unknown 'no-such-row'") for p in problems)
    assert any(p.startswith("citations.csv, line 3, column supports") and "'colour'" in p for p in problems)
    assert any(p.startswith("citations.csv, line 4, column note: expected a passage other than") for p in problems)


def test_citation_heading_must_be_listed(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("__pycache__"))
    frame = pd.read_csv(folder / "citations.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "section"] = "No Such Heading"
    frame.to_csv(folder / "citations.csv", index=False, lineterminator="\n")
    with pytest.raises(data.DataError) as error:
        data.check(folder / "datapackage.json")
    assert "citations.csv, line 2, column section: expected a heading of" in str(error.value)


def test_duplicate_observation_fails():
    tables = _tables()
    assert rules.duplicate_observation_rules(tables) == []
    obs = tables["observations"]
    twin = obs[obs["obs_id"] == "gi-0010"].assign(obs_id="gi-9999", breakdown="operation: mass operations",
                                                  description="Coded a second time.")
    problems = rules.duplicate_observation_rules({**tables, "observations": pd.concat([obs, twin], ignore_index=True)})
    assert len(problems) == 1 and "'gi-9999' with the passage, measure, value" in problems[0]
    assert problems[0].startswith(f"observations.csv, line {len(obs) + 2}, column obs_id")
    # a breakdown dimension both rows name, with different values, tells two figures apart
    other = twin.assign(breakdown="scope: something else")
    assert rules.duplicate_observation_rules({**tables, "observations": pd.concat([obs, other], ignore_index=True)}) == []


def test_duplicate_event_fails():
    tables = _tables()
    assert rules.duplicate_event_rules(tables) == []
    events = tables["events"]
    twin = events[events["event_id"] == "1928-first-five-year-plan"].assign(
        event_id="1928-first-five-year-plan-launched", title="First Five-Year Plan launched.")
    problems = rules.duplicate_event_rules({**tables, "events": pd.concat([events, twin], ignore_index=True)})
    assert len(problems) == 1 and "'1928-first-five-year-plan-launched'" in problems[0]
    later = twin.assign(date_start="1929")
    assert rules.duplicate_event_rules({**tables, "events": pd.concat([events, later], ignore_index=True)}) == []


def test_duplicate_rules_fail_on_the_data_before_the_merge():
    """The package as it stood before the merge (ea1295b) held ten doubled introduction figures and two
    doubled events; rebuilt here from the rows the merge removed."""
    obs, events = _tables()["observations"], _tables()["events"]
    gi = obs[obs["obs_id"].isin(["gi-0001", "gi-0011"])].assign(breakdown="")
    doubled = pd.concat([obs, gi.assign(obs_id=["g1a-0001", "g1a-0014"])], ignore_index=True)
    assert len(rules.duplicate_observation_rules({"observations": doubled})) == 2
    plenum = events[events["event_id"] == "1937-02-22-feb-march-plenum"].assign(
        event_id="1937-02-feb-march-plenum", date_start="1937-02", title="February-March Central Committee plenum")
    assert len(rules.duplicate_event_rules({"events": pd.concat([events, plenum], ignore_index=True)})) == 1
