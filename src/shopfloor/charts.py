"""The book's chart policy: one Altair theme, one renderer, and figure helpers.

Importing this module activates both. The renderer gives every chart
- `text/html` with a div id derived from the spec (outputs do not change between runs, so strict
  output checks and diffs stay quiet) that draws with the Vega bundle the book serves from `_static`
  (no CDN), and
- `image/png` from vl-convert, which the PDF edition uses.
Outside the book build (JupyterLab, Binder, tests) the first chart of a kernel also carries the Vega
bundle inline, so charts draw there without network too.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
from collections import Counter

import altair as alt
import pandas as pd
import vl_convert

from .citations import source_line
from .glue import glue

BOOK_BUILD_ENV = "SHOPFLOOR_BOOK_BUILD"  # set by shopfloor.sphinx_ext for the kernels of a book build
VEGALITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

FONT = "Helvetica Neue, Helvetica, Arial, Liberation Sans, sans-serif"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies; black last.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
WIDTH, HEIGHT = 480, 300  # fits the book's text column with a legend below

# How a figure's wording in the source is drawn: an exact figure is a filled circle; "about" a diamond;
# "more than"/"at least" a triangle pointing right (the true value lies further right); "almost"/"less
# than"/"up to" one pointing left. Shape, not colour alone, carries the meaning.
QUALIFIER_SHAPES = {
    "exact": "circle",
    "about": "diamond",
    "more than": "triangle-right",
    "at least": "triangle-right",
    "almost": "triangle-left",
    "less than": "triangle-left",
    "up to": "triangle-left",
}


def theme() -> alt.theme.ThemeConfig:
    label, title = 13, 15
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": FONT,
            "title": {"fontSize": title, "font": FONT, "anchor": "start", "fontWeight": "bold"},
            "axis": {"labelFontSize": label, "titleFontSize": label, "labelFont": FONT, "titleFont": FONT,
                     "gridColor": "#e6e6e6", "domainColor": "#888888", "tickColor": "#888888"},
            "legend": {"labelFontSize": label, "titleFontSize": label, "labelFont": FONT, "titleFont": FONT,
                       "orient": "bottom", "direction": "vertical", "labelLimit": 320},
            "header": {"labelFontSize": label, "titleFontSize": label},
            "range": {"category": PALETTE},
            "point": {"size": 90, "filled": True},
            "bar": {"color": PALETTE[0]},
            "text": {"font": FONT, "fontSize": 12},
        }
    }


_chart_counts: Counter[str] = Counter()
_bundle_sent = False

_SCRIPT = """<script type="text/javascript">
(function () {{
  var el = document.getElementById("{div_id}");
  var spec = {spec};
  function draw() {{
    vegaEmbed(el, spec, {{actions: false, renderer: "svg"}}).catch(function (err) {{
      el.textContent = "This chart could not be drawn: " + err;
      console.error(err);
    }});
  }}
  if (typeof window.vegaEmbed === "function") {{ draw(); }}
  else {{ el.textContent = "This chart needs the Vega library, which the book serves from _static/vega-bundle.js."; }}
}})();
</script>"""


def _div_id(spec_json: str) -> str:
    """Same spec, same id; a repeated identical chart in one kernel gets a numbered suffix."""
    digest = hashlib.sha1(spec_json.encode("utf-8")).hexdigest()[:12]
    _chart_counts[digest] += 1
    n = _chart_counts[digest]
    return f"sf-chart-{digest}" + (f"-{n}" if n > 1 else "")


def vega_bundle() -> str:
    """vl-convert's Vega + Vega-Lite + Vega-Embed bundle as a classic script that defines only
    window.vega, window.vegaLite and window.vegaEmbed: wrapped in a function, its top-level names
    (`_` among them) cannot clash with the page's other scripts."""
    return "(function () {\n" + vl_convert.javascript_bundle() + "\n})();\n"


def chart_html(spec: dict, with_bundle: bool = False) -> str:
    # allow_nan=False: a NaN would be invalid JSON; missing values must reach the chart as null
    spec_json = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    div_id = _div_id(spec_json)
    title = spec.get("title")
    title = title.get("text", "") if isinstance(title, dict) else title
    label = html.escape(str(spec.get("description") or title or "Chart"), quote=True)
    bundle = ""
    if with_bundle:
        bundle = '<script type="text/javascript">' + vega_bundle() + "</script>\n"
    # `</` inside JSON strings would end the script element early
    safe_spec = spec_json.replace("</", "<\\/")
    return (f'{bundle}<div id="{div_id}" class="shopfloor-chart" role="img" aria-label="{label}"></div>\n'
            + _SCRIPT.format(div_id=div_id, spec=safe_spec))


def chart_png(spec: dict, scale: float = 2) -> bytes:
    return vl_convert.vegalite_to_png(spec, vl_version=VEGALITE_VERSION, scale=scale)


def renderer(spec: dict, **_metadata) -> dict:
    """Altair renderer: interactive HTML plus a static PNG of the same chart."""
    global _bundle_sent
    in_book = os.environ.get(BOOK_BUILD_ENV) == "1"
    with_bundle = not in_book and not _bundle_sent
    _bundle_sent = _bundle_sent or with_bundle
    return {"text/html": chart_html(spec, with_bundle=with_bundle), "image/png": chart_png(spec)}


def activate() -> None:
    """Register and enable the book's theme and renderer (done once, on import)."""
    alt.theme.register("shopfloor", enable=True)(theme)
    alt.renderers.register("shopfloor", renderer)
    alt.renderers.enable("shopfloor")


def tooltip(*fields: str) -> list[alt.Tooltip]:
    """Tooltips that always end with the source locator, so every mark can be traced."""
    titles = {"description": "What", "as_printed": "As printed", "qualifier": "Wording", "period": "Period",
              "reference": "Source", "breakdown": "Group"}
    return [alt.Tooltip(f"{f}:N", title=titles.get(f, f.replace("_", " ").capitalize())) for f in (*fields, "reference")]


def chart_data(rows: pd.DataFrame, columns: list[str]) -> alt.Data:
    """The columns a chart needs as inline records, every missing value as None. Altair would turn
    None back into NaN, which is not JSON; here a blank reaches the chart as null, never NaN or 0."""
    records = []
    for record in rows[columns].astype(object).to_dict("records"):
        records.append({k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
                        for k, v in record.items()})
    return alt.Data(values=records)


def qualifier_shape(present=None, title: str = "How the source words it") -> alt.Shape:
    """Shape by the source's wording; the legend lists only the wordings present."""
    domain = [q for q in QUALIFIER_SHAPES if present is None or q in set(present)]
    return alt.Shape("qualifier:N", title=title,
                     scale=alt.Scale(domain=domain, range=[QUALIFIER_SHAPES[q] for q in domain]))


def period_label(frame: pd.DataFrame) -> pd.Series:
    """`1937-1938` or `1937` from period_start/period_end; blank where the source gives no period."""
    start, end = frame["period_start"].fillna(""), frame["period_end"].fillna("")
    return pd.Series([s if (not e or e == s) else f"{s}-{e}" for s, e in zip(start, end)], index=frame.index)


def dot_range(rows: pd.DataFrame, y: str, color: str, x_title: str, y_title: str = "",
              log: bool = False) -> alt.LayerChart:
    """Figures as points shaped by their wording and ranges as bars: the book's way to show uncertainty.

    `rows` are observations (value or value_low/value_high, qualifier, reference); `y` and `color` name
    columns to lay them out by. A range is drawn as a bar from its low to its high end, never as its midpoint.
    """
    columns = [y, color, "value", "value_low", "value_high", "qualifier", "description", "as_printed",
               "period", "reference"]
    frame = rows.assign(period=period_label(rows))
    scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    axis = alt.Axis(format="~s", tickCount=5)
    base = alt.Chart(chart_data(frame, list(dict.fromkeys(columns)))).encode(
        y=alt.Y(f"{y}:N", title=y_title or None, sort=None),
        yOffset=alt.YOffset(f"{color}:N"),
        color=alt.Color(f"{color}:N", title=None),
    )
    tips = tooltip("description", "as_printed", "qualifier", "period")
    points = base.transform_filter("isValid(datum.value)").mark_point(size=110, filled=True, opacity=1).encode(
        x=alt.X("value:Q", title=x_title, scale=scale, axis=axis), shape=qualifier_shape(frame["qualifier"]),
        tooltip=tips)
    ranges = base.transform_filter("!isValid(datum.value)").mark_bar(height=8, opacity=0.55).encode(
        x=alt.X("value_low:Q", title=x_title, scale=scale, axis=axis), x2="value_high:Q", tooltip=tips)
    return alt.layer(ranges, points).properties(width=WIDTH, height=max(60 * frame[y].nunique(), 120))


class DualTable:
    """A table with two forms: HTML (interactive or styled) in the web book, and a Markdown table in the PDF
    edition, where myst-nb's LaTeX output takes text/markdown and never text/html."""

    def __init__(self, html: str, static: pd.DataFrame):
        self.html, self.static = html, static

    def _repr_html_(self) -> str:
        return self.html

    def _repr_markdown_(self) -> str:
        def cell(value) -> str:
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(cell(c) for c in self.static.columns) + " |",
                 "|" + "---|" * len(self.static.columns)]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.static.itertuples(index=False)]
        return "\n".join(lines) + "\n"


def figure(name: str, chart: alt.TopLevelMixin, rows: pd.DataFrame, alt_text: str) -> None:
    """Glue a chart and its generated source line for a `{glue:figure}` in the page.

    `name` is the figure's label (fig-<page>-<slug>); the source line is glued as `<name>-source`,
    the text alternative becomes the chart's description (the ARIA label of the drawn SVG).
    """
    chart = chart.properties(description=alt_text)
    glue(name, chart)
    glue(f"{name}-source", source_line(rows))


activate()
