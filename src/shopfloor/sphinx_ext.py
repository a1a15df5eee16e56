"""Sphinx extension of the book: serve the Vega bundle locally and tell kernels they run in a book build.

- Writes the Vega + Vega-Lite + Vega-Embed bundle that vl-convert ships into the built book's `_static`
  and loads it on every page, so no chart fetches a library from a CDN.
- Drops the live-code (thebe) scripts: the book launches notebooks on Binder instead, and thebe's inline
  configuration is emitted twice by Jupyter Book 1, which is a console error on every page.
- Generates the BibTeX file from data/sources.csv into the build folder and points sphinxcontrib-bibtex at it.
- Sets SHOPFLOOR_BOOK_BUILD=1 before notebooks execute: the chart renderer then leaves the bundle out of
  each chart (the page already has it).
"""
from __future__ import annotations

import os
from pathlib import Path

BUNDLE = "vega-bundle.js"
STATIC = Path(__file__).resolve().parent / "static"


def _write_bundle(app, exception=None) -> None:
    from .charts import vega_bundle

    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / BUNDLE).write_text(vega_bundle(), encoding="utf-8")


def _builder_inited(app) -> None:
    os.environ["SHOPFLOOR_BOOK_BUILD"] = "1"
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("shopfloor.css", priority=900)  # after myst-nb's own css
        # A classic script in <head>: defined before any chart's inline script runs.
        app.add_js_file(BUNDLE, priority=200)


def _is_thebe(script) -> bool:
    body = getattr(script, "attributes", {}).get("body", "") or ""
    filename = getattr(script, "filename", "") or ""
    return "THEBE_JS_URL" in body or "thebe" in filename


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe(s)]


def _bibliography(app, config) -> None:
    from .bibliography import write

    package = Path(app.srcdir) / "data" / "datapackage.json"  # the book being built, wherever it lies
    config.bibtex_bibfiles = [str(write(Path(app.outdir).parent / "references.bib", package))]


def setup(app):
    app.connect("config-inited", _bibliography)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _drop_thebe)
    app.connect("build-finished", _write_bundle)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
