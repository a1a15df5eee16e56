"""Validate the data package: the Frictionless schema first, then the book's own rules.

Every problem is one line that names the file, the line of the file, the column and what was expected,
e.g. `observations.csv, line 14, column value: expected a number, got 'many'`.
Run it from the shell with `python -m shopfloor.validate [data/datapackage.json]`.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd



def _frictionless_problems(package: Path) -> list[str]:
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(package)).validate()
    problems = []
    for task in report.tasks:
        file = Path(task.place).name if task.place else task.name
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None)
            cell = getattr(error, "cell", None)
            where = f"{file}" + (f", line {row}" if row else "") + (f", column {column}" if column else "")
            got = f", got {cell!r}" if cell not in (None, "") else ""
            problems.append(f"{where}: {error.title.lower()}: {error.note}{got}")
    for error in report.errors:
        problems.append(f"{package.name}: {error.title.lower()}: {error.note}")
    return problems


def _frame(package: Path, name: str) -> pd.DataFrame | None:
    path = package.parent / f"{name}.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")




def validate_package(package: Path) -> list[str]:
    """Every problem found, schema first; an empty list means the package is clean."""
    from .rules import book_rules

    problems = _frictionless_problems(package)
    if problems:  # the book's rules assume well-typed tables
        return problems
    import json

    names = [r["name"] for r in json.loads(package.read_text(encoding="utf-8"))["resources"]]
    tables = {name: _frame(package, name) for name in names}
    return book_rules(tables)


def main(argv: list[str]) -> int:
    from . import paths

    package = Path(argv[1]) if len(argv) > 1 else paths.datapackage()
    problems = validate_package(package.resolve())
    for line in problems:
        print(line)
    print(f"{len(problems)} problem(s) in {package}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
