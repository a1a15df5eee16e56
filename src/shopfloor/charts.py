"""The book's chart policy: one Altair theme, one renderer, and figure helpers.

Importing this module activates both. The renderer gives every chart
- `text/html` with a div id derived from the spec (outputs do not change between runs, so strict
  output checks and diffs stay quiet) that draws with the Vega bundle the book serves from `_static`
  (no CDN), and
- `image/png` from vl-convert, only when the PDF edition is built (SHOPFLOOR_PNG=1).
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
from functools import lru_cache

import math

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from .citations import source_line

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
    (`_` among them) cannot clash with the page's other scripts."""
    return "(function () {\n" + vl_convert.javascript_bundle() + "\n})();\n"


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
    return (f'<div id="{div_id}" class="shopfloor-chart" role="img" aria-label="{label}"></div>\n'
            + _SCRIPT.format(div_id=div_id, spec=safe_spec, loader=loader))


def chart_png(spec: dict, scale: float = 2) -> bytes:
    return vl_convert.vegalite_to_png(spec, vl_version=VEGALITE_VERSION, scale=scale)


PNG_ENV = "SHOPFLOOR_PNG"  # "1" in the PDF build (set by shopfloor.sphinx_ext): only the PDF needs a static image


def renderer(spec: dict, **_metadata) -> dict:
    """Altair renderer: interactive HTML, plus a static PNG of the same chart when the PDF edition is built."""
    bundle = {"text/html": chart_html(spec, with_bundle=not in_book())}
    if os.environ.get(PNG_ENV) == "1":
        bundle["image/png"] = chart_png(spec)
    return bundle


def activate() -> None:
    """Register and enable the book's theme and renderer (done once, on import)."""
    alt.theme.register("shopfloor", enable=True)(theme)
    alt.renderers.register("shopfloor", renderer)
    alt.renderers.enable("shopfloor")


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
    None back into NaN, which is not JSON; here a blank reaches the chart as null, never NaN or 0."""
    if "inferred_words" in columns and "inferred_words" not in rows.columns:
        rows = rows.assign(inferred_words=inferred_words(rows))
    records = []
    for record in rows[columns].astype(object).to_dict("records"):
        records.append({k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
                        for k, v in record.items()})
    return alt.Data(values=records)


def qualifier_shape(present=None, title: str = "How the source words it") -> alt.Shape:
    """Shape by the source's wording; the legend lists only the wordings present, and there is none when
    every figure is exact (it would say nothing)."""
    domain = [q for q in QUALIFIER_SHAPES if present is None or q in set(present)]
    shape = alt.Shape("qualifier:N", title=title,
                      scale=alt.Scale(domain=domain, range=[QUALIFIER_SHAPES[q] for q in domain]))
    if present is not None and set(pd.Series(list(present)).dropna()) <= {"exact"}:
        shape = shape.legend(None)
    return shape


def period_label(frame: pd.DataFrame) -> pd.Series:
    """`1937–1938` or `1937` from period_start/period_end; blank where the source gives no period."""
    start, end = frame["period_start"].fillna(""), frame["period_end"].fillna("")
    return pd.Series([s if (not e or e == s) else f"{s}\u2013{e}" for s, e in zip(start, end)], index=frame.index)


GREY = "#777777"
LABEL_LIMIT = 300  # pixels for long category labels on the y axis


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
    ranges = base.transform_filter("!isValid(datum.value)").mark_bar(height=8, opacity=0.6).encode(
        x=alt.X("value_low:Q", title=x_title, scale=scale, axis=axis), x2="value_high:Q", tooltip=tip)
    layers = [*_rule_layers(rule_at, rule_label, scale), ranges, points]
    if labels:
        layers.append(base.mark_text(align="left", dx=9, fontSize=11, color="#333333").encode(
            x=alt.X("label_x:Q", scale=scale), text="shown:N", tooltip=tip).transform_calculate(
            label_x="isValid(datum.value) ? datum.value : datum.value_high"))
    return alt.layer(*layers).properties(width=width, height=max(height_per_row * frame[y].nunique(), 100))


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
              base.transform_filter("datum.value < 0").mark_text(align="right", dx=-4, fontSize=11, color="#333333")
              .encode(x=alt.X("value:Q", scale=scale), text="shown:N"),
              *_rule_layers(rule_at, rule_label, scale)]
    return alt.layer(*layers).properties(width=width, height=max(height_per_row * frame[y].nunique(), 90))


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


def timeline(events: pd.DataFrame, group: str, *, label: str = "title", groups: list[str] | None = None,
             colors: list[str] | None = None, domain: tuple[str, str] | None = None,
             tips=("title", "dated", "summary"), width: int = 300, row_height: int = 15,
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
    x = alt.X("start:T", title=None, scale=alt.Scale(domain=list(domain)) if domain else alt.Undefined,
              axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": tick_months}, labelAngle=0,
                            orient="top"))
    chart = alt.Chart(chart_data(frame, columns)).mark_bar(height=9, opacity=0.85).encode(
        x=x, x2="end:T",
        y=alt.Y(f"{label}:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT, labelFontSize=11)),
        color=alt.Color(f"{group}:N", title=None, scale=alt.Scale(domain=groups, range=colors)),
        tooltip=tooltip(*tips))
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
    for step in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta ** 2).sum(-1)) + np.eye(n)
        move = (delta / dist[..., None] ** 3 * 0.0025).sum(1) + (anchor - pos) * 0.03
        for a, b in edges:
            d = pos[b] - pos[a]
            length = math.sqrt(float((d ** 2).sum())) + 1e-9
            force = d / length * (length - 0.18) * 0.08
            move[a] += force
            move[b] -= force
        length = np.sqrt((move ** 2).sum(1, keepdims=True))
        cap = 0.04 * (1 - step / iterations) + 0.002
        pos += move / np.maximum(length / cap, 1)
    return np.round(pos, 4)


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

    if isinstance(figure, alt.TopLevelMixin):
        if not alt_text:
            raise ValueError("show: a chart needs alt_text, one or two sentences a screen reader can say")
        figure = figure.properties(description=alt_text)
    result = Figure(source_line(rows))
    display(figure)
    if not in_book():
        display(Markdown(f"*{result.source}*"))
    return result


activate()
