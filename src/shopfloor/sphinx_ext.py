"""Sphinx extension of the book: serve the Vega bundle locally and tell kernels they run in a book build.

- Writes the Vega + Vega-Lite + Vega-Embed bundle that vl-convert ships into the built book's `_static`
  and loads it on every page, so no chart fetches a library from a CDN.
- Drops the live-code (thebe) scripts: the book launches notebooks on Binder instead, and thebe's inline
  configuration is emitted twice by Jupyter Book 1, which is a console error on every page.
- Drops the theme's fontawesome.js (1.5 MB on every page): the theme's stylesheet already carries the
  Font Awesome web-font rules, which draw the same icons from a 150 KB font.
- Generates the BibTeX file from data/sources.csv into the build folder and points sphinxcontrib-bibtex at it,
  with the pybtex style `shopfloor` (author-year labels, see shopfloor.bibliography).
- Leaves the search index (200 KB and growing with the book) to the search page: the theme loads it on every
  page for a search-as-you-type box that this book does not enable; its search box submits to search.html.
- Sets SHOPFLOOR_BOOK_BUILD=1 before notebooks execute: the chart renderer then leaves the bundle out of
  each chart (the page already has it).
- In the PDF (LaTeX) edition, the one that needs a static image of every chart, draws each chart's PNG from
  the spec in its HTML output while the LaTeX is written (ChartImagesForPrint). A page's execution is thus the
  same for both editions: `make pdf` after `make book` executes no notebook again.
- Rebuilds that are never stale: MyST-NB's inline execution has no cache of its own, and Sphinx re-reads only
  the pages whose source changed. This extension adds the pages that depend on anything else: when the content
  of data/, src/, maps/, the configuration or the requirements changes (a digest of every file), every page is
  read and executed again; a page that warned in the previous strict (-W) build is read again too, so a
  strict rebuild cannot pass over a broken notebook.
"""
from __future__ import annotations

import hashlib
import json
import logging as std_logging
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

BUNDLE = "vega-bundle.js"
STATIC = Path(__file__).resolve().parent / "static"
# Overrides of theme templates: static/webpack-macros.html is pydata-sphinx-theme 0.17.1's without fontawesome.js.
TEMPLATES = Path(__file__).resolve().parent / "templates"


SEARCH_SCRIPTS = re.compile(r'\s*<script src="[^"]*(searchindex\.js|_static/searchtools\.js|_static/language_data\.js)"></script>')


# Accessible names that contradict the visible text (axe-core's label-content-name-mismatch, aria-required-children):
# the theme's search button says "Search" while it shows "Search... Ctrl+K"; MyST-NB's fold of a figure's code
# says "Toggle hidden content" while it shows "Show code cell source"; docutils gives the bibliography's list of
# citations the role "list" although its entries are biblio entries, not list items. The visible text is the name.
NAME_FIXES = [
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'), r"\1"),
    (re.compile(r'(<summary[^>]*?) aria-label="Toggle hidden content"'), r"\1"),
    (re.compile(r'<div role="list" class="citation-list">'), '<div class="citation-list">'),
]


def _rewrite_pages(app, exception=None) -> None:
    """Once the HTML pages are written: accessible names as shown (NAME_FIXES) on every page, and the search
    index scripts left to the search page (unless the theme's search-as-you-type box asks for them)."""
    if exception is not None or app.builder.format != "html":
        return
    index_everywhere = app.config.html_theme_options.get("search_as_you_type")
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        fixed = html
        for pattern, replacement in NAME_FIXES:
            fixed = pattern.sub(replacement, fixed)
        if not index_everywhere and page.name != "search.html":
            fixed = SEARCH_SCRIPTS.sub("", fixed)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")


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


def _is_dropped(script) -> bool:
    body = getattr(script, "attributes", {}).get("body", "") or ""
    filename = getattr(script, "filename", "") or ""
    return "THEBE_JS_URL" in body or "thebe" in filename


def _drop_scripts(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_dropped(s)]


def _config_inited(app, config) -> None:
    config.templates_path.insert(0, str(TEMPLATES))  # before the theme's templates are loaded
    _bibliography(app, config)


def _bibliography(app, config) -> None:
    from .bibliography import register_style, write

    config.bibtex_default_style = register_style()  # author-year labels from sources.csv's short_name

    package = Path(app.srcdir) / "data" / "datapackage.json"  # the book being built, wherever it lies
    config.bibtex_bibfiles = [str(write(Path(app.outdir).parent / "references.bib", package))]


# What a page's execution reads besides its own source.
INPUT_FOLDERS = ("data", "src", "maps")
INPUT_FILES = ("_config.yml", "_toc.yml", "requirements.txt", "requirements-book.txt", "binder/requirements.txt")


def inputs_digest(srcdir: Path) -> str:
    """A digest of the content of every file the notebooks read."""
    digest = hashlib.sha256()
    files = [srcdir / f for f in INPUT_FILES]
    for folder in INPUT_FOLDERS:
        files += [p for p in (srcdir / folder).rglob("*") if p.is_file() and not
                  ({"__pycache__", ".cache"} & set(p.relative_to(srcdir).parts)) and not p.name.endswith(".egg-info")]
    for path in sorted(files):
        if path.is_file():
            digest.update(str(path.relative_to(srcdir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


WARNED_FILE = "shopfloor-warned.json"  # in the doctree folder: the pages that warned in the last strict build


def _outdated(app, env, added, changed, removed) -> list[str]:
    digest = inputs_digest(Path(app.srcdir))
    previous = getattr(env, "shopfloor_inputs", None)
    env.shopfloor_inputs = digest
    record = Path(app.doctreedir) / WARNED_FILE
    warned = set(json.loads(record.read_text(encoding="utf-8"))) & set(env.found_docs) if record.exists() else set()
    if previous is not None and previous != digest:
        logger.info("shopfloor: data, code or configuration changed: every page is read and executed again")
        return sorted(env.found_docs)
    if warned:
        logger.info(f"shopfloor: reading again the pages that warned last time: {', '.join(sorted(warned))}")
    return sorted(warned)


class _WarnedPages(std_logging.Handler):
    """The pages the warnings of a strict build are about, noted as each warning is logged. (Sphinx holds the
    warnings of the pages it reads back until it has read them all, and only then counts them: a count taken
    page by page sees none.) A warning names its page by docname, (docname, line), a source path or a node;
    while a page is read, one that names none is about that page."""

    def __init__(self, app):
        super().__init__(std_logging.WARNING)
        self.app, self.pages = app, set()

    def emit(self, record) -> None:
        from sphinx.util.logging import is_suppressed_warning

        if is_suppressed_warning(getattr(record, "type", ""), getattr(record, "subtype", ""),
                                 self.app.config.suppress_warnings):
            return
        docname = self._docname(getattr(record, "location", None))
        if docname:
            self.pages.add(docname)

    def _docname(self, location) -> str | None:
        env = self.app.env
        if env is None:
            return None
        if isinstance(location, tuple):
            location = location[0]
        if isinstance(location, nodes.Node):
            location = location.source or location.document and location.document.get("source")
        if not location:
            return env.temp_data.get("docname")
        location = re.sub(r":\d+$", "", str(location))  # 'path:line' or 'docname:line'
        return location if location in env.found_docs else env.path2doc(location)


def _watch_warnings(app) -> None:
    # only a strict build fails on a warning, and must fail again while it stands (Sphinx keeps `-W` as
    # `keep_going` when `--keep-going` is given too)
    if app.warningiserror or app.keep_going:
        app.shopfloor_warned_pages = _WarnedPages(app)
        std_logging.getLogger("sphinx").addHandler(app.shopfloor_warned_pages)


def _record_warned_pages(app, exception) -> None:
    """The pages that warned in this strict build, read again by the next one (see _outdated)."""
    watcher = getattr(app, "shopfloor_warned_pages", None)
    if watcher is None:
        return
    std_logging.getLogger("sphinx").removeHandler(watcher)
    record = Path(app.doctreedir) / WARNED_FILE
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(sorted(watcher.pages)), encoding="utf-8")


def _multitoc_reads_in_parallel(app) -> None:
    """sphinx-external-toc always loads sphinx_multitoc_numbering (chapters numbered on across the parts), which
    declares nothing about parallel reading, so Sphinx would read, and execute, one page at a time. It only
    replaces how the toctree collector numbers sections, work done in the main process once every page is read,
    so parallel reading is safe (shopfloor.build)."""
    multitoc = app.extensions.get("sphinx_multitoc_numbering")
    if multitoc is not None:
        multitoc.parallel_read_safe = True


class DropFigureCodeInPrint(SphinxPostTransform):
    """In the PDF, a figure's code (a cell tagged hide-input, a collapsed toggle on the web) is left out: print
    cannot fold it away, and the figure stands for it. The web book and the notebooks keep it."""

    default_priority = 190
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for cell in list(self.document.findall(nodes.container)):
            if "tag_hide-input" in cell.get("classes", []):
                for child in list(cell.children):
                    if isinstance(child, nodes.container) and child.get("nb_element") == "cell_code_source":
                        cell.remove(child)


CHART_IMAGES = "charts"  # the PNGs of the charts, in the LaTeX build's folder


class ChartImagesForPrint(SphinxPostTransform):
    """In the PDF, each chart is a PNG drawn (vl-convert, `charts.chart_png`) from the spec that its HTML output
    carries, added to the output's bundle as the `image/png` that MyST-NB then selects for LaTeX (its
    SelectMimeType runs next, at priority 4). A PNG is named by the digest of what it is drawn from, so a
    rebuild draws only new or changed charts; the build's end removes the PNGs no chart uses any more."""

    default_priority = 3
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from . import charts

        folder = Path(self.app.outdir) / CHART_IMAGES
        used = _chart_images_used(self.app.builder)
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            types = {child.get("mime_type"): child for child in bundle.children}
            if "image/png" in types or "text/html" not in types:
                continue
            specs = charts.specs_in_chart_html(types["text/html"].astext())
            if not specs:
                continue
            if len(specs) > 1:
                logger.warning(f"one output holds {len(specs)} charts; the PDF shows only the first",
                               location=bundle)
            spec = charts.static_spec(specs[0])
            key = json.dumps([spec, charts.VEGALITE_VERSION, charts.vl_convert.__version__], sort_keys=True)
            name = f"{CHART_IMAGES}/{hashlib.sha256(key.encode()).hexdigest()}.png"
            if not (folder.parent / name).exists():
                folder.mkdir(parents=True, exist_ok=True)
                (folder.parent / name).write_bytes(charts.chart_png(spec))
            used.add(name)
            # candidates "*": Sphinx takes the uri as it is; the PNG lies in the LaTeX folder, where xelatex runs
            image = nodes.container(mime_type="image/png")
            image += nodes.image(uri=name, candidates={"*": name})
            bundle += image


def _chart_images_used(builder) -> set[str]:
    if not hasattr(builder, "shopfloor_chart_images"):
        builder.shopfloor_chart_images = set()
    return builder.shopfloor_chart_images


def _remove_unused_chart_images(app, exception=None) -> None:
    if exception is not None or app.builder.format != "latex":
        return
    used = _chart_images_used(app.builder)
    for png in (Path(app.outdir) / CHART_IMAGES).glob("*.png"):
        if f"{CHART_IMAGES}/{png.name}" not in used:
            png.unlink()


def _no_launch_button_without_a_repository(app, config) -> None:
    """Without a public repository (`repository.url` in _config.yml) there is nothing to launch on Binder."""
    theme = config.html_theme_options
    if not theme.get("repository_url"):
        theme.pop("launch_buttons", None)


def setup(app):
    app.add_post_transform(DropFigureCodeInPrint)
    app.add_post_transform(ChartImagesForPrint)
    app.connect("config-inited", _no_launch_button_without_a_repository)
    app.connect("env-get-outdated", _outdated)
    app.connect("builder-inited", _watch_warnings)
    app.connect("build-finished", _record_warned_pages)
    app.connect("builder-inited", _multitoc_reads_in_parallel)
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _drop_scripts)
    app.connect("build-finished", _write_bundle)
    app.connect("build-finished", _rewrite_pages)
    app.connect("build-finished", _remove_unused_chart_images)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
