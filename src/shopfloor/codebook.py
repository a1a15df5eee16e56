"""The Data appendix, written from data/datapackage.json so it always describes the package as it is."""
from __future__ import annotations

import pandas as pd

from . import data

CITATION = ("The Shop Floor authors, *Shop Floor: Soviet Industry and Political Repression, 1928-1941*, data "
            "package version {version} (CC BY 4.0). Cite the source works too: each row names its own.")


def _escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def overview() -> pd.DataFrame:
    """One row per table: name, title, rows, and the CSV file."""
    rows = []
    for resource in data.descriptor()["resources"]:
        frame = data.load(resource["name"], locators=False)
        rows.append({"table": resource["name"], "title": resource["title"], "rows": len(frame),
                     "columns": len(resource["schema"]["fields"]), "file": resource["path"]})
    return pd.DataFrame(rows)


def overview_markdown() -> str:
    """The tables as a Markdown table with a download link to each CSV."""
    lines = ["| table | what it holds | rows | file |", "|---|---|---:|---|"]
    for row in overview().itertuples():
        lines.append(f"| `{row.table}` | {row.title} | {row.rows:,} | "
                     f"{{download}}`{row.file} <../data/{row.file}>` |")
    return "\n".join(lines) + "\n"


def table_markdown(name: str) -> str:
    """A MyST section for one table: what it holds, its key, a download link and every column."""
    resource = data.resource(name)
    schema = resource["schema"]
    frame = data.load(name, locators=False)
    lines = [f"### {resource['title']} (`{name}`)", "", resource["description"], "",
             f"{len(frame):,} rows. Primary key: `{', '.join(schema['primaryKey'])}`. "
             f"Download: {{download}}`{resource['path']} <../data/{resource['path']}>`.", ""]
    keys = {fk["fields"]: fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])}
    lines += ["| column | type | required | meaning |", "|---|---|---|---|"]
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        meaning = field["description"]
        if "enum" in constraints:
            meaning += " One of: " + ", ".join(f"`{v}`" for v in constraints["enum"]) + "."
        if field["name"] in keys:
            meaning += f" Refers to `{keys[field['name']]}`."
        required = "yes" if constraints.get("required") else ""
        lines.append(f"| `{field['name']}` | {field['type']} | {required} | {_escape(meaning)} |")
    return "\n".join(lines) + "\n"


def citation() -> str:
    return CITATION.format(version=data.descriptor()["version"])


# The dimensions of an observation: what `data.query` selects on besides the measure.
DIMENSIONS = [
    ("place_id", "place", "Where: a place of places.csv (`ussr` for national figures)."),
    ("org_id", "org", "Which organisation: a body of organizations.csv."),
    ("period_start, period_end", "period", "When: partial ISO dates; `period='1937'` finds every row whose period "
     "covers part of 1937, `period=('1935', '1936-06')` every row overlapping that span."),
    ("breakdown", "breakdown", "A subgroup as 'dimension: value' (for example 'union level: factory committee', "
     "'reason: passivity', 'person: Mironov')."),
    ("subject", "subject", "Who or what within the measure the figure covers: a group of people ('union "
     "officials'), a kind of body ('unions with rising injuries'), an item ('milk') or a cause ('work accidents'); "
     "blank when the figure covers the measure's own population."),
    ("status", "status", "What kind of figure: blank for a reported actual value; `plan` (a target), `claim`, "
     "`demand`, `rumour`, `rule` (a statutory norm or deadline) or `capacity`."),
    ("sex", "sex", "`women` or `men` where the figure covers one sex only; blank otherwise."),
    ("theme", "theme", "The theme chapter the figure serves: industrial_crisis, factory_politics, union_purge or "
     "national_terror."),
]


def dimensions_markdown() -> str:
    """The observation dimensions as a Markdown table, with the number of rows that fill each one."""
    obs = data.load("observations", locators=False)
    lines = ["| column | `query` keyword | meaning | rows filled |", "|---|---|---|---:|"]
    for column, keyword, meaning in DIMENSIONS:
        first = column.split(",")[0]
        filled = int(obs[first].notna().sum())
        lines.append(f"| `{column}` | `{keyword}` | {_escape(meaning)} | {filled:,} |")
    return "\n".join(lines) + "\n"


def vocabulary() -> pd.DataFrame:
    """One row per measure: id, label, unit, definition, theme and how many observations use it."""
    measures = data.load("measures", locators=False)
    counts = data.load("observations", locators=False)["measure_id"].value_counts()
    return measures.assign(rows=measures["measure_id"].map(counts).fillna(0).astype(int))


def vocabulary_markdown() -> str:
    """The measure vocabulary as a Markdown table, grouped by unit."""
    frame = vocabulary().sort_values(["unit", "measure_id"])
    lines = ["| measure | label | unit | definition | rows |", "|---|---|---|---|---:|"]
    for row in frame.itertuples():
        lines.append(f"| `{row.measure_id}` | {_escape(row.label)} | {row.unit.replace('_', ' ')} | "
                     f"{_escape(row.definition)} | {row.rows} |")
    return "\n".join(lines) + "\n"
