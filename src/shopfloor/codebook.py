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
