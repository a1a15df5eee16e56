"""`make book` and `make pdf`: the `jupyter-book build` command, with Sphinx reading pages in parallel.

Reading a page executes its notebook (MyST-NB inline execution), and a kernel's start and imports cost
about as much as everything the page draws. `jupyter-book build` has no option for Sphinx's parallel
read, so this runs the same command with Sphinx's `jobs` set (SHOPFLOOR_JOBS, default: every core).
For the PDF, latexmk runs in its xelatex mode (LATEXMKOPTS=-xelatex, as Sphinx's LaTeX Makefile advises):
each of its passes writes xelatex's intermediate .xdv and xdvipdfmx makes the PDF once at the end, instead of
a whole PDF, every chart image compressed again, at each of the three passes (88 s against 22 s here).
Usage: python -m shopfloor.build [jupyter-book build arguments]
"""
from __future__ import annotations

import functools
import os
import sys

from jupyter_book import sphinx as jb_sphinx
from jupyter_book.cli import main as jb_cli


def jobs() -> int:
    wanted = os.environ.get("SHOPFLOOR_JOBS", "")
    if wanted:
        if not wanted.isdigit() or int(wanted) < 1:
            raise SystemExit(f"SHOPFLOOR_JOBS must be a whole number of at least 1, got {wanted!r}")
        return int(wanted)
    return len(os.sched_getaffinity(0))


def main(argv: list[str], standalone_mode: bool = True) -> None:
    os.environ.setdefault("LATEXMKOPTS", "-xelatex")  # read by the `make all-pdf` that jupyter-book runs
    # The command imports build_sphinx from jupyter_book.sphinx when it runs: give it the parallel one.
    serial = getattr(jb_sphinx.build_sphinx, "func", jb_sphinx.build_sphinx)
    jb_sphinx.build_sphinx = functools.partial(serial, jobs=jobs())
    jb_cli.build.main(args=argv, prog_name="jupyter-book build", standalone_mode=standalone_mode)


if __name__ == "__main__":
    main(sys.argv[1:])
