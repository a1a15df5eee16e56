"""The book's chart policy: one Altair theme, one renderer, and figure helpers.

Importing this module activates both. The renderer gives every chart
- `text/html` with a div id derived from the spec (outputs do not change between runs, so strict
  output checks and diffs stay quiet) that draws with the Vega bundle the book serves from `_static`
  (no CDN), and
- no image: the PDF edition draws each chart's PNG from the spec in that HTML when it writes the LaTeX
  (`chart_png`, called by shopfloor.sphinx_ext), so a page executed once serves the web book and the PDF.
Outside the book build (JupyterLab, Binder, tests) every chart also carries the Vega bundle, gzipped, which
the first chart a page draws unpacks: charts draw there without network too.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import os
import re
from collections import Counter
from functools import lru_cache, wraps

import math

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from . import paths
from .citations import source_line

BOOK_BUILD_ENV = "SHOPFLOOR_BOOK_BUILD"  # set by shopfloor.sphinx_ext for the kernels of a book build
VEGALITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

FONT = "Helvetica Neue, Helvetica, Arial, Liberation Sans, sans-serif"
# Hues after Okabe-Ito and Tol, darkened so that every mark stands at least 3:1 against the white page (WCAG 2.1,
# non-text contrast): blue, orange, green, red, wine, indigo, olive, black. Charts with more series than
# hues add shapes or group categories.
PALETTE = ["#0072B2", "#C36A00", "#009E73", "#CC3311", "#AA3377", "#5E4FA2", "#857A00", "#000000"]
TEXT = "#222222"  # titles and axis titles
LABEL_TEXT = "#333333"  # axis and legend labels, value labels beside marks
MARK_CONTRAST, TEXT_CONTRAST = 3.0, 4.5  # WCAG 2.1: non-text marks 3:1, text 4.5:1 against the background
BACKGROUND = "#ffffff"
WIDTH, HEIGHT = 480, 300  # default plot size; in the page a single-view chart takes its column's width
PNG_WIDTH = 640  # the whole chart's width in the PDF's static image, where there is no column to fit

# How a figure's wording in the source is drawn, one shape per wording across the whole book (maps too): an
# exact figure is a filled circle; "about" a diamond; "more than" a triangle pointing right (the true value lies
# further right) and "at least" the same triangle standing on a bar (the value itself included); "less than" a
# triangle pointing left and "up to" that triangle against a bar; "almost" a dart pointing left (just short).
# Shape, not colour alone, carries the meaning. The values are the shapes' names; `SHAPE_PATHS` draws the ones
# Vega has no name for.
QUALIFIER_SHAPES = {
    "exact": "circle",
    "about": "diamond",
    "more than": "triangle-right",
    "at least": "bar-triangle-right",
    "almost": "dart-left",
    "less than": "triangle-left",
    "up to": "bar-triangle-left",
}
SHAPE_PATHS = {  # SVG paths in Vega's unit square (-1..1)
    "bar-triangle-right": "M-0.35,-1L1,0L-0.35,1ZM-1,-1H-0.6V1H-1Z",
    "bar-triangle-left": "M0.35,-1L-1,0L0.35,1ZM1,-1H0.6V1H1Z",
    "dart-left": "M1,-1L-1,0L1,1L0.4,0Z",
}


def vega_shape(name: str) -> str:
    """The Vega symbol for one of the book's shape names."""
    return SHAPE_PATHS.get(name, name)


def _luminance(color: str) -> float:
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    channels = [int(text[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(color: str, background: str = BACKGROUND) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted([_luminance(color), _luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable(color: str, minimum: float) -> str:
    """`color`, darkened towards black just enough to reach `minimum` contrast on the page (unchanged if it does)."""
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    rgb = [int(text[i:i + 2], 16) for i in (0, 2, 4)]
    for step in range(101):
        shade = "#" + "".join(f"{round(c * (1 - step / 100)):02x}" for c in rgb)
        if contrast(shade) >= minimum:
            return shade
    return "#000000"


LABEL_GAP = 10  # px between two axis labels on one line, at least: less and "0 5 10" reads as one number


def theme() -> alt.theme.ThemeConfig:
    label, title = 13, 15
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": FONT,
            # The chart's box is one image for assistive technology (role img, labelled with the alt text, see
            # chart_html): Vega's per-mark ARIA roles would be unlabelled images inside it.
            "aria": False,
            "mark": {"aria": False},
            "title": {"fontSize": title, "font": FONT, "anchor": "start", "fontWeight": "bold", "color": TEXT,
                      "subtitleColor": LABEL_TEXT},
            # labelLimit 0: no label is cut short with "…"; long category labels wrap instead (see `fit_spec`)
            "axis": {"labelFontSize": label, "titleFontSize": label, "labelFont": FONT, "titleFont": FONT,
                     "labelColor": LABEL_TEXT, "titleColor": TEXT, "labelLimit": 0, "titleLimit": 0,
                     "gridColor": "#e6e6e6", "domainColor": "#888888", "tickColor": "#888888"},
            # numbers on a continuous axis never run into each other: a label closer than LABEL_GAP px to the
            # one before is dropped (a narrow plot keeps every other tick, 0 20 40 rather than 0 10 20 30 40)
            "axisQuantitative": {"labelOverlap": "greedy", "labelFlush": True, "labelSeparation": LABEL_GAP},
            "axisTemporal": {"labelOverlap": "greedy", "labelSeparation": LABEL_GAP},
            # legends below the plot, one entry a line, never truncated, symbols as solid as the marks
            "legend": {"labelFontSize": label, "titleFontSize": label, "labelFont": FONT, "titleFont": FONT,
                       "labelColor": LABEL_TEXT, "titleColor": TEXT, "orient": "bottom", "direction": "vertical",
                       "labelLimit": 0, "titleLimit": 0, "symbolOpacity": 1,
                       # two or more legends stack under each other, never side by side past the column
                       "layout": {"bottom": {"direction": "vertical", "anchor": "start"},
                                  "top": {"direction": "vertical", "anchor": "start"}}},
            "header": {"labelFontSize": label, "titleFontSize": label, "labelColor": TEXT, "titleColor": TEXT,
                       "labelLimit": 0},
            "range": {"category": PALETTE},
            "point": {"size": 90, "filled": True, "opacity": 1},  # solid: the colour keeps its contrast
            "bar": {"color": PALETTE[0]},
            "text": {"font": FONT, "fontSize": 12, "color": LABEL_TEXT},
        }
    }


# Long category labels (axes, legends, facet headers) wrap at word breaks: fewer characters a line on a phone.
WRAP_NARROW, WRAP_WIDE, NARROW = 20, 34, 520  # characters a line; container width (px) below which it is narrow


def wrap_expr(narrow: int = WRAP_NARROW, wide: int = WRAP_WIDE, field: str = "(datum.label + '')") -> str:
    """A Vega expression that breaks `field` into lines of at most `narrow` characters when the chart's
    container is narrower than NARROW px, else `wide` (a word longer than that stays whole)."""
    width = f"((containerSize()[0] > 0 && containerSize()[0] < {NARROW}) ? {narrow} : {wide})"
    # in the expression's string literals: \\s (a regular-expression class) and \n (a line break)
    return (f"split(trim(replace({field}, regexp('(.{{1,' + {width} + '}})(\\\\s+|$)', 'g'), '$1\\n')), "
            f"'\\n')")


_LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "strokeDash", "size", "opacity")
_CONCAT = ("vconcat", "hconcat", "concat")


def _views(spec: dict):
    """Every view of a spec: itself and its layers, concatenated parts and facet body, recursively."""
    if not isinstance(spec, dict):
        return
    yield spec
    for key in ("layer", *_CONCAT):
        for part in spec.get(key) or []:
            yield from _views(part)
    if isinstance(spec.get("spec"), dict):
        yield from _views(spec["spec"])


def _mark_type(view: dict) -> str:
    mark = view.get("mark")
    return mark.get("type", "") if isinstance(mark, dict) else (mark or "")


def _is_colour(value) -> bool:
    return isinstance(value, str) and value.startswith("#") and len(value.lstrip("#")) in (3, 6)


TITLE_LINE = 34  # characters a line of an axis or chart title (bold): fits a phone's column
LEGEND_TITLE_LINE = 18  # a legend title, which starts where the plot starts


def wrap_title(title, limit: int = TITLE_LINE):
    """A long title as a list of lines (Vega-Lite draws a list as lines); anything else unchanged."""
    if not isinstance(title, str) or len(title) <= limit:
        return title
    lines, line = [], ""
    for word in title.split():
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _fix_view(view: dict) -> None:
    encoding = view.get("encoding") or {}
    for channel, enc in encoding.items():
        if isinstance(enc, dict) and "title" in enc:
            enc["title"] = wrap_title(enc["title"])
        for part in ("axis", "legend", "header"):
            if isinstance(enc, dict) and isinstance(enc.get(part), dict) and "title" in enc[part]:
                enc[part]["title"] = wrap_title(enc[part]["title"], LEGEND_TITLE_LINE if part == "legend" else
                                                TITLE_LINE)
        if channel in _LEGEND_CHANNELS and isinstance(enc, dict) and "title" in enc:
            enc["title"] = wrap_title(enc["title"], LEGEND_TITLE_LINE)  # a legend's title sits beside the axis
    if isinstance(view.get("title"), str):
        view["title"] = wrap_title(view["title"], 30)
    elif isinstance(view.get("title"), dict):
        view["title"]["text"] = wrap_title(view["title"].get("text"), 30)
    for channel in ("x", "y"):
        enc = encoding.get(channel)
        if isinstance(enc, dict) and enc.get("type") in ("nominal", "ordinal") and enc.get("axis", {}) is not None:
            axis = dict(enc.get("axis") or {})
            # a slanted label stays on one line: wrapped, its lines reach across to the next label's
            if axis.get("labels") is not False and not axis.get("labelAngle"):
                axis["labelLimit"] = 0
                axis.setdefault("labelExpr", wrap_expr())
                enc["axis"] = axis
    for channel in _LEGEND_CHANNELS:
        enc = encoding.get(channel)
        if isinstance(enc, dict) and enc.get("field") and enc.get("legend", {}) is not None:
            legend = dict(enc.get("legend") or {})
            legend["labelLimit"] = 0
            legend.setdefault("labelExpr", wrap_expr(20, 44))
            enc["legend"] = legend
    facet = view.get("facet") if isinstance(view.get("facet"), dict) else {}
    facets = {**{k: facet[k] for k in ("row", "column") if k in facet},
              **({"facet": facet} if facet.get("field") else {}),
              **{k: encoding[k] for k in ("row", "column", "facet") if k in encoding}}
    for channel, enc in facets.items():
        if isinstance(enc, dict) and enc.get("header", {}) is not None:
            header = dict(enc.get("header") or {})
            header.setdefault("labelExpr", wrap_expr())
            enc["header"] = header
    mark = view.get("mark")
    is_text = _mark_type(view) == "text"
    minimum = TEXT_CONTRAST if is_text else MARK_CONTRAST
    if isinstance(mark, dict) and _mark_type(view) != "rect":  # a literal-coloured rect is a background band
        for key in ("color", "fill", "stroke"):
            if _is_colour(mark.get(key)):
                mark[key] = readable(mark[key], minimum)
    for channel in ("color", "fill", "stroke"):
        enc = encoding.get(channel)
        if not isinstance(enc, dict):
            continue
        if is_text and enc.get("field"):  # a value label is text: dark, whatever the colour of its series
            encoding[channel] = {"value": LABEL_TEXT}
        elif _is_colour(enc.get("value")):
            enc["value"] = readable(enc["value"], minimum)
        elif isinstance((enc.get("scale") or {}).get("range"), list):
            enc["scale"]["range"] = [readable(c, minimum) if _is_colour(c) else c for c in enc["scale"]["range"]]


def _facet_columns(spec: dict) -> int:
    """How many cells a facet lays side by side (1 if it stacks them)."""
    facet = spec.get("facet") or {}
    encoding = spec.get("encoding") or {}
    column = facet.get("column") or encoding.get("column") or (facet if facet.get("field") else None)
    if not column:
        return 1
    values = (spec.get("data") or {}).get("values") or []
    count = len({row.get(column.get("field")) for row in values if isinstance(row, dict)}) or 1
    wrap = spec.get("columns") or encoding.get("facet", {}).get("columns")
    return min(count, wrap) if wrap and column is facet else count


def fit_spec(spec: dict) -> dict:
    """The book's last word on a chart spec before it is drawn (a copy; `spec` is left alone):
    - a single view (one mark or a layer) takes its column's width: `width: "container"`, autosize fit-x;
    - a concatenated or faceted chart, which Vega-Lite cannot size to a container, is marked for the renderer's
      script, which draws it, measures it and narrows (or widens) its parts until it fits the column;
    - no category label is truncated: axis, legend and header labels wrap at word breaks;
    - every mark colour reaches 3:1 and every text colour 4.5:1 against the page; value labels are dark.
    Maps (specs with a projection) are left to shopfloor.maps, which sizes, wraps and colours them itself
    (land and sea are areas, not marks to darken)."""
    text = json.dumps(spec)
    spec = json.loads(text)
    if '"projection"' in text:
        return spec
    for view in _views(spec):
        _fix_view(view)
    encoding = spec.get("encoding") or {}
    composite = any(k in spec for k in (*_CONCAT, "facet", "repeat")) or any(
        k in encoding for k in ("row", "column", "facet"))
    if composite:
        spec.setdefault("usermeta", {})["shopfloorFit"] = {"columns": _facet_columns(spec)}
        return spec
    for view in list(_views(spec))[1:]:
        view.pop("width", None)
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


_chart_counts: Counter[str] = Counter()

_SCRIPT = """<script type="text/javascript">
(function () {{
  var el = document.getElementById("{div_id}");
  var spec = {spec};
  var options = {{actions: false, renderer: "svg"}};
  function fail(err) {{
    el.textContent = "This chart could not be drawn: " + err;
    console.error(err);
  }}
  // Vega-Lite sizes a single view to its container ("container" width, autosize fit-x), but leaves out what
  // lies beyond the plot (a value label right of its mark, a legend below): the script draws the chart,
  // measures everything drawn and adds that much padding (a single view) or narrows or widens the parts
  // (a concatenated or faceted chart, which Vega-Lite cannot size to a container) until it fits its column.
  var fit = spec.usermeta && spec.usermeta.shopfloorFit;
  var isMap = JSON.stringify(spec).indexOf('"projection"') >= 0;
  function widen(part, delta) {{
    if (!part || typeof part !== "object") return;
    if (part.vconcat) {{ part.vconcat.forEach(function (p) {{ widen(p, delta); }}); return; }}
    var row = part.hconcat || part.concat;
    if (row) {{
      var n = part.concat && part.columns ? Math.min(part.columns, row.length) : row.length;
      row.forEach(function (p) {{ widen(p, delta / n); }});
      return;
    }}
    if (part.spec && part.facet) {{ widen(part.spec, delta / fit.columns); return; }}
    if (typeof part.width === "number") {{
      var cells = part.encoding && (part.encoding.column || part.encoding.facet) ? fit.columns : 1;
      part.width = Math.max(40, Math.round(part.width + delta / cells));
    }}
  }}
  // Fits run one after another (a width that changes while a chart is being fitted waits for that fit to end),
  // and a fit a newer width has overtaken stops: an older drawing never lands over a newer one. When the chart
  // stands fitted to its column, its box says so (data-fitted, the width it was fitted to).
  var drawn = null, drawnAt = -1, watcher = null, queue = Promise.resolve(), generation = 0;
  function draw() {{
    if (!watcher && window.ResizeObserver) {{  // a new column width (rotation, window, a panel opened): fit again
      watcher = new ResizeObserver(function () {{ clearTimeout(watcher.timer); watcher.timer = setTimeout(draw, 200); }});
      watcher.observe(el);
    }}
    var mine = ++generation;
    el.removeAttribute("data-fitted");
    queue = queue.then(function () {{ return fitTo(mine); }}).catch(fail);
  }}
  function fitTo(mine) {{
    if (mine !== generation) return;
    var room = el.getBoundingClientRect().width;
    if (!room) return;
    if (Math.abs(room - drawnAt) < 8) {{ el.setAttribute("data-fitted", Math.round(drawnAt)); return; }}
    var sized = JSON.parse(JSON.stringify(spec));
    var pad = {{left: 5, right: 5, top: 5, bottom: 5}};
    function pass(k) {{
      if (drawn) drawn.finalize();
      sized.padding = pad;
      return vegaEmbed(el, sized, options).then(function (result) {{
        drawn = result;
        if (mine !== generation) return;  // a newer width is waiting: its fit draws next
        var svg = el.querySelector("svg");
        // the chart's box (role img, labelled with the alt text) speaks for it: its SVG's parts (brushes too) are
        // not a second, unlabelled description for assistive technology
        if (svg) svg.setAttribute("aria-hidden", "true");
        if (!svg || k >= 6 || isMap) {{ done(); return; }}  // a map is drawn to its column by shopfloor.maps
        var box = svg.getBBox(), width = svg.getBoundingClientRect().width;
        var left = Math.max(0, -box.x), right = Math.max(0, box.x + box.width - width);
        var again = false;
        if (left + right >= 1) {{  // something drawn past the edge: pad by as much
          pad.left += Math.ceil(left) + 1; pad.right += Math.ceil(right) + 1;
          again = true;
        }}
        var delta = room - (width + left + right);
        if (fit && delta < -1) {{ widen(sized, delta - 2); again = true; }}  // narrower only: as drawn where it fits
        if (again) return pass(k + 1);
        done();
      }});
    }}
    function done() {{  // drawnAt: the width of the last fit that ran to its end
      if (mine !== generation) return;
      drawnAt = room;
      el.setAttribute("data-fitted", Math.round(room));
    }}
    return pass(0);
  }}
  {loader}
}})();
</script>"""

# In the book the page loads _static/vega-bundle.js before any chart.
_BOOK_LOADER = """if (typeof window.vegaEmbed === "function") {{ draw(); }}
  else {{ el.textContent = "This chart needs the Vega library, which the book serves from _static/vega-bundle.js."; }}"""

# Elsewhere (JupyterLab, Binder) every chart carries the bundle, gzipped, and the first chart drawn in a page
# unpacks it once for all: a chart drawn at any time draws, even after the page was reloaded.
_NOTEBOOK_LOADER = """if (!window.shopfloorVega) {{
    window.shopfloorVega = (typeof window.vegaEmbed === "function") ? Promise.resolve() :
      new Response(new Blob([Uint8Array.from(atob("{bundle}"), function (c) {{ return c.charCodeAt(0); }})])
        .stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function (code) {{
          var script = document.createElement("script");
          script.textContent = code;
          document.head.appendChild(script);
        }});
  }}
  window.shopfloorVega.then(draw).catch(function (err) {{ el.textContent = "The Vega library did not load: " + err; }});"""


def _div_id(spec_json: str) -> str:
    """Same spec, same id; a repeated identical chart in one kernel gets a numbered suffix."""
    digest = hashlib.sha1(spec_json.encode("utf-8")).hexdigest()[:12]
    _chart_counts[digest] += 1
    n = _chart_counts[digest]
    return f"sf-chart-{digest}" + (f"-{n}" if n > 1 else "")


def vega_bundle() -> str:
    """vl-convert's Vega + Vega-Lite + Vega-Embed bundle as a classic script that defines only
    window.vega, window.vegaLite and window.vegaEmbed: wrapped in a function, its top-level names
    (`_` among them) cannot clash with the page's other scripts.

    vl-convert assembles the bundle anew in every process (2.5 s here), which each notebook kernel that draws a
    chart and each book build would wait for. It depends only on vl-convert's version, so it is kept in the
    user's private temporary folder (paths.private_cache: the script is served to the browser) under that
    version, and read from there afterwards (written whole or not at all)."""
    folder = paths.private_cache()
    kept = folder / f"vega-bundle-{vl_convert.__version__}.js" if folder is not None else None
    if kept is not None and kept.is_file():
        return kept.read_text(encoding="utf-8")
    bundle = "(function () {\n" + vl_convert.javascript_bundle() + "\n})();\n"
    if kept is not None:
        partial = kept.with_name(f"{kept.name}.{os.getpid()}.partial")
        partial.write_text(bundle, encoding="utf-8")
        os.replace(partial, kept)
    return bundle


@lru_cache(maxsize=1)
def _bundle_gzip_base64() -> str:
    # mtime=0: the same bytes on every run, so notebook outputs stay deterministic
    return base64.b64encode(gzip.compress(vega_bundle().encode("utf-8"), compresslevel=9, mtime=0)).decode()


def in_book() -> bool:
    return os.environ.get(BOOK_BUILD_ENV) == "1"


def chart_html(spec: dict, with_bundle: bool = False) -> str:
    # allow_nan=False: a NaN would be invalid JSON; missing values must reach the chart as null
    spec_json = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    div_id = _div_id(spec_json)
    title = spec.get("title")
    title = title.get("text", "") if isinstance(title, dict) else title
    label = html.escape(str(spec.get("description") or title or "Chart"), quote=True)
    loader = _NOTEBOOK_LOADER.format(bundle=_bundle_gzip_base64()) if with_bundle else _BOOK_LOADER.format()
    # `</` inside JSON strings would end the script element early
    safe_spec = spec_json.replace("</", "<\\/")
    # the div takes its column's width (in the book and in JupyterLab's output area alike): the chart is sized to it
    # tabindex 0: a chart too wide for a phone scrolls inside its box, which keyboard users must reach
    return (f'<div id="{div_id}" class="shopfloor-chart" role="img" aria-label="{label}" tabindex="0" '
            f'style="width: 100%; max-width: 100%;"></div>\n'
            + _SCRIPT.format(div_id=div_id, spec=safe_spec, loader=loader))


def static_spec(spec: dict, width: int = PNG_WIDTH) -> dict:
    """The spec for a static image, where there is no container: a container width becomes `width` px."""
    spec = json.loads(json.dumps(spec))
    if spec.get("width") == "container":
        spec["width"] = width
    return spec


def chart_png(spec: dict, scale: float = 2) -> bytes:
    return vl_convert.vegalite_to_png(static_spec(spec), vl_version=VEGALITE_VERSION, scale=scale)


_SPEC_IN_HTML = re.compile(r'<div id="(sf-chart-[0-9a-f]{12}(?:-\d+)?)" class="shopfloor-chart".*?\n  var spec = (.*?);\n'
                           r'  var options = ', re.S)


def specs_in_chart_html(page_html: str) -> list[dict]:
    """The specs of the charts that `chart_html` wrote into this HTML, in order: what the PDF edition draws as
    images. The inverse of `chart_html` (its `<\\/` escape is JSON's own escape of `/`)."""
    return [json.loads(spec) for _, spec in _SPEC_IN_HTML.findall(page_html)]


def renderer(spec: dict, **_metadata) -> dict:
    """Altair renderer: the interactive HTML of the spec as `fit_spec` settles it (column width, wrapped labels,
    contrast). The PDF's image of the chart is drawn later from that same spec (`specs_in_chart_html`)."""
    return {"text/html": chart_html(fit_spec(spec), with_bundle=not in_book())}


def _cache_altair_class_lookup() -> None:
    """Altair turns every encoding given as a shorthand ("year:Q") or a dict (alt.value) into its class by a
    table of all of its ~600 schema classes, and builds that table again, hashing each schema as JSON, at every
    such call (about 6 ms; a map makes dozens). The table depends only on the set of classes, so it is kept
    and reused here: the same lookup, the same classes found. Altair's own pull request vega/altair#3547
    (open) would do the same."""
    from altair.utils import schemapi

    if getattr(schemapi._FromDict.__init__, "shopfloor_cached", False):
        return
    build = schemapi._FromDict.__init__
    tables: dict[frozenset, dict] = {}

    def __init__(self, wrapper_classes, /) -> None:
        classes = tuple(wrapper_classes)
        key = frozenset(classes)
        if key not in tables:
            build(self, classes)
            tables[key] = self.class_dict
        self.class_dict = tables[key]

    __init__.shopfloor_cached = True
    schemapi._FromDict.__init__ = __init__


def _copy_charts_without_rebuilding() -> None:
    """Altair copies a chart deeply at nearly every method call (`properties`, `to_dict`, layering), and builds
    each copy by calling the class again on copied arguments. For a layered chart that call copies every
    layer twice more (to merge the layers' data and parameters, which the original has already merged), and a
    layer inside it again: copying a chart of many layers cost a fifth to a third of drawing a theme chapter.
    Here a deep copy makes the same objects, holding copies of the same arguments, without calling the class:
    what it skips only rearranges a chart that is already arranged. Every chart of the book gave the same
    Vega-Lite spec both ways when this was written; tests/test_charts.py checks it for the reference charts
    (layers within layers, selections, the USSR map)."""
    from altair.utils import schemapi

    if getattr(schemapi._deep_copy, "shopfloor_fast", False):
        return

    def _deep_copy(obj, by_ref: set[str]):
        if isinstance(obj, schemapi.SchemaBase):
            if getattr(obj, "__deepcopy__", None) is not None:  # none of Altair's classes has one today
                with schemapi.debug_mode(False):
                    return obj.__deepcopy__(obj)
            copy = object.__new__(type(obj))
            object.__setattr__(copy, "_args", tuple(_deep_copy(arg, by_ref) for arg in obj._args))
            object.__setattr__(copy, "_kwds", {k: (v if k in by_ref else _deep_copy(v, by_ref))
                                               for k, v in obj._kwds.items()})
            return copy
        if isinstance(obj, list):
            return [_deep_copy(v, by_ref) for v in obj]
        if isinstance(obj, dict):
            return {k: (v if k in by_ref else _deep_copy(v, by_ref)) for k, v in obj.items()}
        return obj

    _deep_copy.shopfloor_fast = True
    _deep_copy.altair_original = schemapi._deep_copy  # for the test that compares the two
    schemapi._deep_copy = _deep_copy


_PLAIN_JSON = frozenset({str, int, float, bool, type(None)})


def _write_plain_values_as_they_are() -> None:
    """Altair writes a chart out by passing every value through a chain of type checks (array, number, date,
    schema object, a protocol checked by reflection...), down to each value of each row of inline data and
    each vertex of a map: for a string or a Python number every check fails and the value is written as it
    is. Here such a value is written as it is at once (its exact type: a NumPy number, a subclass of float,
    still takes Altair's way, which turns it into a float); the spec is the same (tests/test_charts.py)."""
    from altair.utils import schemapi

    if getattr(schemapi._todict, "shopfloor_fast", False):
        return
    original = schemapi._todict

    def _todict(obj, context, np_opt, pd_opt):
        if type(obj) in _PLAIN_JSON:
            return obj
        return original(obj, context, np_opt, pd_opt)  # which calls this again for what it holds

    _todict.shopfloor_fast = True
    _todict.altair_original = original
    schemapi._todict = _todict


def activate() -> None:
    """Register and enable the book's theme and renderer (done once, on import)."""
    _cache_altair_class_lookup()
    _copy_charts_without_rebuilding()
    _write_plain_values_as_they_are()
    alt.theme.register("shopfloor", enable=True)(theme)
    alt.renderers.register("shopfloor", renderer)
    alt.renderers.enable("shopfloor")


def validated_when_drawn(build):
    """For a function that builds a chart: Altair's debug mode validates every object as it is created (every
    encoding, every data object), which for a map of hundreds of objects costs more than drawing it. The
    chart is validated once, whole, against the Vega-Lite schema when it is drawn (`to_dict`), which
    finds the same errors; only the traceback points at the drawing instead of the line."""
    @wraps(build)
    def wrapper(*args, **kwargs):
        with alt.utils.schemapi.debug_mode(False):
            return build(*args, **kwargs)
    return wrapper


def tooltip(*fields: str) -> list[alt.Tooltip]:
    """Tooltips that always end with the source locator (and, where a value was worked out rather than printed,
    what it rests on), so every mark can be traced."""
    titles = {"description": "What", "as_printed": "As printed", "qualifier": "Wording", "period": "Period",
              "reference": "Source", "breakdown": "Group", "inferred_words": "Not printed"}
    fields = (*fields, "inferred_words", "reference")
    return [alt.Tooltip(f"{f}:N", title=titles.get(f, f.replace("_", " ").capitalize()))
            for f in dict.fromkeys(fields)]


def inferred_words(frame: pd.DataFrame) -> pd.Series:
    """What in each row was inferred rather than printed, in words ('period: from context'); blank if nothing."""
    if "inferred" not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype="string")
    notes = frame["inferred_note"] if "inferred_note" in frame.columns else pd.Series("", index=frame.index)
    out = []
    for flag, note in zip(frame["inferred"].fillna(""), notes.fillna("")):
        parts = [p.strip().replace(":", ": ").replace("_", " ") for p in str(flag).split(";") if p.strip()]
        text = "; ".join(parts)
        out.append(f"{text} ({note})" if text and note else text)
    return pd.Series(out, index=frame.index, dtype="string")


def chart_data(rows: pd.DataFrame, columns: list[str]) -> alt.Data:
    """The columns a chart needs as inline records, every missing value as None. Altair would turn
    None back into NaN, which is not JSON; here a blank reaches the chart as null, never NaN or 0.
    The records are a tuple: Altair deep-copies lists at every method call on a chart (`encode`, `mark_*`,
    `properties`, layering), a tuple it passes on as it is, and it writes either as a JSON array."""
    if "inferred_words" in columns and "inferred_words" not in rows.columns:
        rows = rows.assign(inferred_words=inferred_words(rows))
    records = []
    for record in rows[columns].astype(object).to_dict("records"):
        records.append({k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
                        for k, v in record.items()})
    return alt.Data(values=tuple(records))


def qualifier_shape(present=None, title: str = "How the source words it") -> alt.Shape:
    """Shape by the source's wording; the legend lists only the wordings present, and there is none when
    every figure is exact (it would say nothing)."""
    unknown = sorted({str(q) for q in pd.Series(list(present if present is not None else [])).dropna()}
                     - set(QUALIFIER_SHAPES))
    if unknown:
        raise ValueError(f"qualifier_shape: no shape for the qualifier(s) {unknown}; "
                         f"expected one of {list(QUALIFIER_SHAPES)} (column 'qualifier')")
    domain = [q for q in QUALIFIER_SHAPES if present is None or q in set(present)]
    shape = alt.Shape("qualifier:N", title=title,
                      scale=alt.Scale(domain=domain, range=[vega_shape(QUALIFIER_SHAPES[q]) for q in domain]))
    if present is not None and set(pd.Series(list(present)).dropna()) <= {"exact"}:
        shape = shape.legend(None)
    return shape


def period_label(frame: pd.DataFrame) -> pd.Series:
    """`1937–1938` or `1937` from period_start/period_end; blank where the source gives no period."""
    start, end = frame["period_start"].fillna(""), frame["period_end"].fillna("")
    return pd.Series([s if (not e or e == s) else f"{s}\u2013{e}" for s, e in zip(start, end)], index=frame.index)


GREY = "#666666"  # rules and their notes: 5.7:1 on white, readable as text
LABEL_LIMIT = 300  # pixels for long category labels on the y axis


def row_height(labels, minimum: int, line: int = 15, wrap: int = WRAP_NARROW) -> int:
    """Pixels a row needs so that its label, wrapped for a phone's column (see `fit_spec`), does not run into
    the next row's: `minimum` or more."""
    lines = max([len(wrap_title(str(label), wrap)) if len(str(label)) > wrap else 1
                 for label in labels] or [1])
    return max(minimum, line * lines + 6)


def _shown(frame: pd.DataFrame) -> pd.Series:
    from .numbers import say

    return pd.Series([say(r, unit_word=False) for r in frame.to_dict("records")], index=frame.index)


def _rule_layers(rule_at, rule_label, scale, above=True) -> list:
    if rule_at is None:
        return []
    rule = alt.Chart(alt.Data(values=[{"x": rule_at, "label": rule_label}]))
    layers = [rule.mark_rule(color=GREY, strokeDash=[4, 3]).encode(x=alt.X("x:Q", scale=scale))]
    if rule_label:
        layers.append(rule.mark_text(align="left", dx=4, dy=-6, fontSize=11, color=GREY, baseline="bottom")
                      .encode(x=alt.X("x:Q", scale=scale), y=alt.value(0), text="label:N"))
    return layers


OFFSET_BAND = 15  # px: a line of an 11 px value label, the least height of a colour's band within a dot row


@validated_when_drawn
def dots(rows: pd.DataFrame, y: str, color: str | None = None, x_title: str = "", *, log: bool = False,
         x_domain: list[float] | None = None, color_sort: list[str] | None = None, color_title: str | None = None,
         labels: bool = True, tips=("description", "as_printed", "qualifier", "period"),
         rule_at: float | None = None, rule_label: str = "", x_format: str = "~s", width: int = 300,
         height_per_row: int = 40) -> alt.LayerChart:
    """The book's dot-and-range plot: each figure a point shaped by the source's wording ("about" a diamond,
    "more than" a triangle pointing right...), each range a bar from its low to its high end (never its
    midpoint), one row per value of `y`, coloured by `color`, labelled with the figure as the prose says it.

    `rows` are observations as `data.query` returns them (value or value_low/value_high, qualifier,
    reference); add columns to lay them out by (e.g. `rows.assign(year=...)`)."""
    frame = rows.assign(period=period_label(rows))
    if "shown" not in frame:
        frame["shown"] = _shown(frame)
    # a range's label on two lines ("between 7,000,000" / "and 20,000,000"): it leaves the plot room on a phone
    frame["shown"] = frame["shown"].astype(str).str.replace(r"^between (\S+) and ", "between \\1\nand ", regex=True)
    color = color or y
    columns = [y, color, "value", "value_low", "value_high", "qualifier", *tips, "shown", "inferred_words",
               "reference"]
    scale_args = {"type": "log"} if log else {"zero": True}
    if x_domain:
        scale_args["domain"] = x_domain
    scale = alt.Scale(**scale_args)
    axis = alt.Axis(format=x_format, tickCount=5)
    base = alt.Chart(chart_data(frame, list(dict.fromkeys(columns)))).encode(
        y=alt.Y(f"{y}:N", title=None, sort=list(dict.fromkeys(frame[y])), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        color=alt.Color(f"{color}:N", title=color_title, sort=color_sort,
                        scale=alt.Scale(domain=color_sort) if color_sort else alt.Undefined,
                        legend=None if color == y else alt.Undefined))
    if color != y:
        base = base.encode(yOffset=alt.YOffset(f"{color}:N", sort=color_sort))
    tip = tooltip(*tips)
    points = base.transform_filter("isValid(datum.value)").mark_point(size=110, filled=True, opacity=1).encode(
        x=alt.X("value:Q", title=x_title, scale=scale, axis=axis),
        shape=qualifier_shape(frame["qualifier"]), tooltip=tip)
    ranges = base.transform_filter("!isValid(datum.value)").mark_bar(height=8, opacity=1).encode(
        x=alt.X("value_low:Q", title=x_title, scale=scale, axis=axis), x2="value_high:Q", tooltip=tip)
    layers = [*_rule_layers(rule_at, rule_label, scale), ranges, points]
    if labels:
        layers.append(base.mark_text(align="left", dx=9, fontSize=11, color=LABEL_TEXT, lineBreak="\n").encode(
            x=alt.X("label_x:Q", scale=scale), text="shown:N", tooltip=tip).transform_calculate(
            label_x="isValid(datum.value) ? datum.value : datum.value_high"))
    per_row = row_height(frame[y].dropna().unique(), height_per_row)
    if color != y:  # points side by side within a row (yOffset): room for each one's label, two lines for a range
        per_row = max(per_row, int(frame.groupby(y)[color].nunique().max() or 1) * 26)
        # the offset splits every row into one band per colour of the whole chart, used or not: each band must
        # hold a line of label, or two points' labels in one row run into each other
        per_row = max(per_row, int(frame[color].nunique()) * OFFSET_BAND)
    return alt.layer(*layers).properties(width=width, height=max(per_row * frame[y].nunique(), 100))


@validated_when_drawn
def bars(rows: pd.DataFrame, y: str, x_title: str = "", *, color: str | None = None,
         color_sort: list[str] | None = None, x_domain: list[float] | None = None, rule_at: float | None = None,
         rule_label: str = "", tips=("description", "as_printed", "period"), x_format: str = "~s",
         width: int = 300, height_per_row: int = 30) -> alt.LayerChart:
    """Horizontal bars for separate figures (not a series), each labelled with its value as the prose says
    it; negative values run left of zero."""
    frame = rows.assign(period=period_label(rows))
    if "shown" not in frame:
        frame["shown"] = _shown(frame)
    columns = [y, "value", "qualifier", *tips, "shown", "inferred_words", "reference"] + ([color] if color else [])
    scale = alt.Scale(zero=True, domain=x_domain) if x_domain else alt.Scale(zero=True)
    base = alt.Chart(chart_data(frame, list(dict.fromkeys(columns)))).encode(
        y=alt.Y(f"{y}:N", title=None, sort=list(dict.fromkeys(frame[y])), axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    encoding = {"x": alt.X("value:Q", title=x_title, scale=scale, axis=alt.Axis(format=x_format, tickCount=5)),
                "tooltip": tooltip(*tips)}
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None, sort=color_sort,
                                      scale=alt.Scale(domain=color_sort) if color_sort else alt.Undefined)
    layers = [base.mark_bar(height=16).encode(**encoding),
              base.transform_filter("datum.value >= 0").mark_text(align="left", dx=4, fontSize=11, color="#333333")
              .encode(x=alt.X("value:Q", scale=scale), text="shown:N"),
              # a negative bar's label starts right of zero: left of the bar it would run into the row's name
              base.transform_filter("datum.value < 0").transform_calculate(zero="0")
              .mark_text(align="left", dx=4, fontSize=11, color="#333333")
              .encode(x=alt.X("zero:Q", scale=scale), text="shown:N"),
              *_rule_layers(rule_at, rule_label, scale)]
    per_row = row_height(frame[y].dropna().unique(), height_per_row)
    return alt.layer(*layers).properties(width=width, height=max(per_row * frame[y].nunique(), 90))


def event_span(start, end=None) -> tuple[str, str]:
    """An event's dates as an ISO interval at the precision the source gives: a year spans the year, a month
    the month, a day the day. Nothing is drawn more precisely than its source dates it."""
    end = end if isinstance(end, str) and end else start

    def lower(text: str) -> str:
        parts = text.split("-")
        return "-".join(parts + ["01"] * (3 - len(parts)))

    def upper(text: str) -> str:
        parts = text.split("-")
        if len(parts) == 1:
            return f"{int(parts[0]) + 1}-01-01"
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            return f"{year + (month == 12)}-{(month % 12) + 1:02d}-01"
        return (pd.Timestamp(text) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")

    return lower(str(start)), upper(str(end))


@validated_when_drawn
def timeline(events: pd.DataFrame, group: str, *, label: str = "title", groups: list[str] | None = None,
             colors: list[str] | None = None, domain: tuple[str, str] | None = None,
             tips=("title", "dated", "summary"), width: int = 300, row_height: int | None = None,
             tick_months: int = 6) -> alt.Chart:
    """Events as bars on a time axis, one row each, coloured by `group`; each bar spans the period the
    source dates the event to (see `event_span`). `events` are rows of the events table plus the `group`
    column; a `dated` column ("March 1937", "c. 1937") is added for the tooltip."""
    from .numbers import span_words

    spans = [event_span(s, e) for s, e in zip(events["date_start"], events["date_end"].fillna(""))]
    frame = events.assign(start=[a for a, _ in spans], end=[b for _, b in spans],
                          dated=[span_words(s, e if isinstance(e, str) else None, p) for s, e, p in
                                 zip(events["date_start"], events["date_end"], events["date_precision"])])
    groups = groups or list(dict.fromkeys(frame[group]))
    colors = colors or PALETTE[:len(groups)]
    columns = list(dict.fromkeys(["start", "end", label, group, *tips, "inferred_words", "reference"]))
    # yearly ticks are all Januaries: the year alone ("1931", not "Jan 1931") leaves a narrow plot room for more
    x = alt.X("start:T", title=None, scale=alt.Scale(domain=list(domain)) if domain else alt.Undefined,
              axis=alt.Axis(format="%Y" if tick_months % 12 == 0 else "%b %Y", tickCount={"interval": "month", "step": tick_months}, labelAngle=0,
                            orient="top", labelOverlap="greedy", labelSeparation=LABEL_GAP))
    chart = alt.Chart(chart_data(frame, columns)).mark_bar(height=9, opacity=0.85).encode(
        x=x, x2="end:T",
        y=alt.Y(f"{label}:N", title=None, sort=None,
                axis=alt.Axis(labelLimit=0, labelFontSize=11, labelExpr=wrap_expr(26, 60))),  # two lines at most
        color=alt.Color(f"{group}:N", title=None, scale=alt.Scale(domain=groups, range=colors)),
        tooltip=tooltip(*tips))
    if row_height is None:  # room for each label as it wraps on a phone (see `fit_spec`)
        row_height = globals()["row_height"](frame[label].astype(str), 16, line=13, wrap=26)
    return chart.properties(width=width, height=row_height * len(frame))


def network_layout(groups: list[str], centres: dict[str, tuple[float, float]], edges: list[tuple[int, int]],
                   iterations: int = 300) -> np.ndarray:
    """A deterministic spring layout: each node starts on a small circle around its group's centre, then a
    few hundred steps (attraction along edges, repulsion between all pairs, a pull back to the centre)
    untangle them. No randomness: the same data give the same picture."""
    n = len(groups)
    anchor = np.array([centres[g] for g in groups], dtype=float)
    pos = anchor.copy()
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        radius = 0.1 + 0.03 * len(members)
        for k, i in enumerate(members):
            angle = 2 * math.pi * k / max(len(members), 1)
            pos[i] = anchor[i] + radius * np.array([math.cos(angle), math.sin(angle)])
    ends = np.array(edges, dtype=int).reshape(-1, 2)
    order = ends.reshape(-1)  # a0, b0, a1, b1, ...
    for step in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta ** 2).sum(-1)) + np.eye(n)
        move = (delta / dist[..., None] ** 3 * 0.0025).sum(1) + (anchor - pos) * 0.03
        if len(edges):  # springs along the edges, added node by node in edge order (np.add.at keeps that order)
            d = pos[ends[:, 1]] - pos[ends[:, 0]]
            length = np.sqrt((d ** 2).sum(1, keepdims=True)) + 1e-9
            force = d / length * (length - 0.18) * 0.08
            np.add.at(move, order, np.stack([force, -force], axis=1).reshape(-1, 2))
        length = np.sqrt((move ** 2).sum(1, keepdims=True))
        cap = 0.04 * (1 - step / iterations) + 0.002
        pos += move / np.maximum(length / cap, 1)
    return np.round(pos, 4)


@validated_when_drawn
def network(nodes: pd.DataFrame, edges: pd.DataFrame, *, node_color: str, node_shape: str, edge_color: str,
            label: str = "label", node_tips=("name",), edge_tips=("description",), color_sort=None,
            shape_sort=None, edge_sort=None, width: int = 360, height: int = 400) -> alt.LayerChart:
    """A network drawn from positioned nodes (columns x, y) and edges (x, y, x2, y2): lines coloured and
    dashed by `edge_color`, points filled by `node_color` and shaped by `node_shape`, text from `label`
    where it is not blank. Lay the nodes out with `network_layout`."""
    hidden = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)
    xs = alt.Scale(domain=[float(nodes["x"].min()) - 0.1, float(nodes["x"].max()) + 0.3])
    ys = alt.Scale(domain=[float(nodes["y"].min()) - 0.12, float(nodes["y"].max()) + 0.12])
    dashes = [[1, 0], [5, 3], [2, 2], [8, 2], [1, 3]]
    edge_values = edge_sort or list(dict.fromkeys(edges[edge_color]))
    lines = alt.Chart(chart_data(edges, list(dict.fromkeys(["x", "y", "x2", "y2", edge_color, *edge_tips,
                                                            "reference"])))).mark_rule(
        strokeWidth=2.2, opacity=0.7).encode(
        x=alt.X("x:Q", scale=xs, axis=hidden), y=alt.Y("y:Q", scale=ys, axis=hidden), x2="x2:Q", y2="y2:Q",
        color=alt.Color(f"{edge_color}:N", title=edge_color.capitalize(), sort=edge_values,
                        scale=alt.Scale(domain=edge_values)),
        strokeDash=alt.StrokeDash(f"{edge_color}:N", title=edge_color.capitalize(), sort=edge_values,
                                  scale=alt.Scale(domain=edge_values,
                                                  range=[dashes[i % len(dashes)] for i in range(len(edge_values))])),
        tooltip=tooltip(*edge_tips))
    shapes = shape_sort or list(dict.fromkeys(nodes[node_shape]))
    shape_range = ["circle", "cross", "triangle-down", "square", "diamond", "triangle-up", "wedge"]
    points = alt.Chart(chart_data(nodes, list(dict.fromkeys(["x", "y", node_color, node_shape, *node_tips,
                                                             "reference"])))).mark_point(
        size=85, filled=True, opacity=1, stroke="#ffffff", strokeWidth=0.6).encode(
        x=alt.X("x:Q", scale=xs, axis=hidden), y=alt.Y("y:Q", scale=ys, axis=hidden),
        shape=alt.Shape(f"{node_shape}:N", sort=shapes,
                        scale=alt.Scale(domain=shapes, range=shape_range[:len(shapes)])),
        fill=alt.Fill(f"{node_color}:N", sort=color_sort,
                      scale=alt.Scale(domain=color_sort) if color_sort else alt.Undefined),
        tooltip=tooltip(*node_tips))
    named = nodes[nodes[label].fillna("") != ""]
    texts = alt.Chart(chart_data(named, ["x", "y", label, "reference"])).mark_text(
        align="left", dx=7, dy=-6, fontSize=10, color="#222222").encode(
        x=alt.X("x:Q", scale=xs, axis=hidden), y=alt.Y("y:Q", scale=ys, axis=hidden), text=f"{label}:N")
    return alt.layer(lines, points, texts).properties(width=width, height=height)


class DualTable:
    """A table with two forms: HTML in the web book and JupyterLab, and a Markdown table in the PDF edition,
    where myst-nb's LaTeX output takes text/markdown and never text/html. `numeric` names the static
    columns that are right-aligned in the Markdown form too."""

    def __init__(self, html: str, static: pd.DataFrame, numeric: list[str] | tuple = ()):
        self.html, self.static, self.numeric = html, static, tuple(numeric)

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # the plain-text form, the same on every run (no memory address)
        return self.static.to_string(index=False)

    def _repr_markdown_(self) -> str:
        def cell(value) -> str:
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(cell(c) for c in self.static.columns) + " |",
                 "|" + "".join("---:|" if c in self.numeric else "---|" for c in self.static.columns)]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.static.itertuples(index=False)]
        return "\n".join(lines) + "\n"


MINUS = "\u2212"
_HYPHEN_MINUS = re.compile(r"(?<![\w.\u2013-])[-\u2013](?=\d)")  # '-15', '\u201315' -> '\u221215'; not '1928-1941'
LONG_TABLE, PREVIEW_ROWS = 25, 12  # a table longer than LONG_TABLE rows shows PREVIEW_ROWS, the rest behind a click


def _is_year_column(values: pd.Series) -> bool:
    numbers_only = pd.to_numeric(values.dropna(), errors="coerce")
    return (len(numbers_only) > 0 and numbers_only.notna().all() and (numbers_only % 1 == 0).all()
            and numbers_only.between(1800, 2100).all())


def table_cell(value, numeric: bool = False, year: bool = False) -> str:
    """A cell's text in the book's table design: blank for missing; in a number column thousands separated
    and a true minus sign (U+2212) for a negative value, whether the value is a number or a text."""
    from .numbers import _blank, number

    if _blank(value):
        return ""
    if numeric and isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return (str(int(value)) if year else number(value)).replace("-", MINUS)
    text = str(value)
    return _HYPHEN_MINUS.sub(MINUS, text) if numeric else text


def table(frame: pd.DataFrame, numeric: list[str] | tuple = (), caption: str | None = None,
          preview_rows: int | None = None) -> DualTable:
    """A figure table in the book's one design: text columns left-aligned, number columns (the `numeric`
    ones, and every column of a numeric dtype) right-aligned with true minus signs, headers aligned like
    their column, light horizontal rules. The table scrolls sideways inside its own box on a narrow screen,
    never the page. A table longer than LONG_TABLE rows shows its first `preview_rows` rows (default
    PREVIEW_ROWS) and the rest in a continuation behind a <details> click: still in the page, found by the
    browser's search, and printed in full in the PDF. `caption` (optional) heads the table; a figure's
    caption stays in its cell metadata."""
    missing = [c for c in numeric if c not in frame.columns]
    if missing:
        raise ValueError(f"charts.table: numeric columns {missing} are not in the table ({list(frame.columns)})")
    numeric = [c for c in frame.columns if c in set(numeric) or (pd.api.types.is_numeric_dtype(frame[c])
                                                                  and not pd.api.types.is_bool_dtype(frame[c]))]
    years = {c for c in numeric if _is_year_column(frame[c])}
    shown = pd.DataFrame({c: [table_cell(v, c in numeric, c in years) for v in frame[c]] for c in frame.columns},
                         columns=list(frame.columns))

    def num(column) -> str:
        return ' class="num"' if column in numeric else ""

    def head() -> str:
        cells = "".join(f'<th scope="col"{num(c)}>{html.escape(str(c))}</th>' for c in shown.columns)
        return f"<thead><tr>{cells}</tr></thead>"

    def body(rows: pd.DataFrame) -> str:
        out = []
        for row in rows.itertuples(index=False):
            out.append("<tr>" + "".join(f"<td{num(c)}>{html.escape(v)}</td>" for c, v in zip(shown.columns, row))
                       + "</tr>")
        return "<tbody>" + "".join(out) + "</tbody>"

    label = html.escape(caption or "Table")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    preview = PREVIEW_ROWS if preview_rows is None else preview_rows
    first, rest = (shown, shown.iloc[0:0]) if len(shown) <= LONG_TABLE else (shown.iloc[:preview], shown.iloc[preview:])
    parts = [f'<div class="sf-table-wrap" role="region" tabindex="0" aria-label="{label}">'
             f'<table class="table shopfloor-table">{cap}{head()}{body(first)}</table></div>']
    if len(rest):
        parts.append(f'<details class="sf-table-more"><summary>Show the other {len(rest)} rows '
                     f'(of {len(shown)})</summary><div class="sf-table-wrap" role="region" tabindex="0" '
                     f'aria-label="{label}, continued"><table class="table shopfloor-table">{head()}{body(rest)}'
                     "</table></div></details>")
    return DualTable("".join(parts), shown, numeric=numeric)


def short_locator(row) -> str:
    """'Goldman, ch. 1, n. 48' for a table cell (the full locator is in the source line below the table)."""
    def text(value) -> str:
        return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)

    author = text(row.get("source_name")).split(" ")[0]
    chapter = text(row.get("chapter"))
    part = f"ch. {chapter}" if chapter.isdigit() else (chapter if chapter in ("intro", "conclusion")
                                                       else f"sec. {chapter}")
    note = text(row.get("note"))
    return ", ".join(x for x in (author, part, f"n. {note}" if note else "") if x)


class Figure:
    """What `show` returns: the figure's generated source line, for the `{eval}` role in its caption."""

    def __init__(self, source: str):
        from .numbers import Prose

        self.source = Prose(source)

    def __repr__(self) -> str:
        return self.source


def show(figure, rows: pd.DataFrame, alt_text: str = "") -> Figure:
    """Display a chart (or a `table`) in the page and return its source line, generated from the provenance
    of `rows`, the data rows it draws.

    In the book the figure's caption comes from the cell's `mystnb: figure:` metadata and ends with
    {eval}`fig.source`; in JupyterLab the source line is printed under the figure. A chart's `alt_text` (one
    or two sentences) becomes the ARIA label of the drawn SVG."""
    from IPython.display import Markdown, display

    result = Figure(source_line(rows))
    if isinstance(figure, alt.TopLevelMixin):
        if not alt_text:
            raise ValueError("show: a chart needs alt_text, one or two sentences a screen reader can say")
        # Validated against the Vega-Lite schema wherever a notebook runs (JupyterLab, Binder, and every page in
        # the tests: the Binder rehearsal, nbval), and a wrong chart stops the cell here (Altair's own display
        # would print the error and draw nothing). The book's build, which runs the same code on the same data,
        # skips it: a third of the time of drawing a page.
        spec = figure.to_dict(validate=not in_book(), context={"pre_transform": False})
        spec["description"] = alt_text  # set on the spec: `figure.properties` would copy the whole chart
        display(alt.renderers.get()(spec), raw=True)  # the active renderer, as Altair's own display uses
    else:
        display(figure)
    if not in_book():
        display(Markdown(f"*{result.source}*"))
    return result


activate()
