"""Reference pages written from the data package: glossary, timeline, people, places, organisations,
source criticism, the notes on method and maps, and the citation.

Every list a reference page shows is generated here from `shopfloor.data`, so the pages cannot drift from the
data. Functions return Markdown (MyST, for `IPython.display.Markdown`), HTML (for `IPython.display.HTML`),
DataFrames or Altair charts; the pages call them from short code cells.
"""
from __future__ import annotations

import ast
import calendar
import hashlib
import html
import json
import math
import operator
import re
from collections import defaultdict
from datetime import date
from functools import lru_cache

import altair as alt
import pandas as pd

from . import charts, data, paths

# ------------------------------------------------------------------------------------------ basics

CHAPTER_ORDER = ["intro", "1", "2", "3", "4", "5", "6", "conclusion", "I", "II", "III", "IV", "V", "VI"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PRECISION_WORDS = {"day": "exact day", "month": "month only", "year": "year only", "approx": "approximate"}
THEME_LABELS = {"industrial_crisis": "Industrial crisis", "factory_politics": "Factory politics",
                "union_purge": "Union purge", "national_terror": "National terror"}
ORG_KIND_LABELS = {"union": "Trade unions", "union_body": "Union bodies", "party_body": "Party bodies",
                   "state_body": "State bodies", "police": "Police organs", "enterprise": "Enterprises",
                   "other": "Other organisations"}
DISCREPANCY_KIND_LABELS = {"figure": "Figures", "total": "Totals", "date": "Dates", "spelling": "Names and spellings"}
ID_PATTERN = re.compile(r"\b[a-z][a-z0-9]*-\d{4}\b")


def _text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def split_ids(value) -> list[str]:
    """`a;b;c` -> ['a', 'b', 'c']; blank -> []."""
    return [part.strip() for part in _text(value).split(";") if part.strip()]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~{}#])")


def md(value) -> str:
    """Text made safe for a Markdown paragraph or table cell (no markup, roles or math), typeset."""
    return _MD_SPECIAL.sub(r"\\\1", typeset(value)).replace("\n", " ")


_RANGE = re.compile(r"(?<![\w\-./\u2013])(\d{1,4})-(\d{1,4})(?![\w\-])")
_MINUS = re.compile(r"(?<![\w\-\u2013.,/])-(?=\d)")


def typeset(value) -> str:
    """The data's plain text as the book prints it: an en dash in a range of years, pages or notes
    ('1929\u20131932', 'pp. 139\u201364', 'nn. 61\u201362'), a true minus sign before a negative number ('\u221215').
    An ISO month ('1935-07') is left alone (it is not a range)."""
    def dash(match) -> str:
        first, second = match.group(1), match.group(2)
        if len(first) == 4 and len(second) == 2 and int(second) <= 12:
            return match.group(0)
        return f"{first}\u2013{second}"

    return _MINUS.sub("\u2212", _RANGE.sub(dash, _text(value)))


def sentence(value) -> str:
    """Text ending in a full stop (descriptions in the data sometimes lack one)."""
    text = _text(value).strip()
    return text if not text or text[-1] in ".!?)\u201d\"'" else text + "."


def esc(value) -> str:
    return html.escape(_text(value), quote=True)


def number(value) -> str:
    """1575000 -> '1,575,000'; 68.75 -> '68.75'."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------------------------------ dates

def _parts(iso: str) -> list[int]:
    return [int(p) for p in _text(iso).split("-") if p]


def first_day(iso: str) -> date:
    parts = _parts(iso)
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(iso: str) -> date:
    parts = _parts(iso)
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 12, 31)


def date_text(iso, precision=None) -> str:
    """'1934-12-01' -> '1 December 1934'; '1934-12' -> 'December 1934'; approx -> 'about ...'."""
    parts = _parts(iso)
    if not parts:
        return ""
    if len(parts) == 3:
        text = f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    elif len(parts) == 2:
        text = f"{MONTHS[parts[1] - 1]} {parts[0]}"
    else:
        text = str(parts[0])
    return f"about {text}" if precision == "approx" else text


def span_text(start, end, precision=None) -> str:
    """An event's date as prose, a range with an en dash: '15\u201316 January 1935', 'about July 1937'."""
    text = range_text(start, end) if _text(end) else date_text(start)
    return f"about {text}" if precision == "approx" else text


def _jitter(key: str) -> float:
    """A stable pseudo-random number in [0, 1) for a row id (same id, same position in every build)."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) / 16 ** 8


# ------------------------------------------------------------------------------------------ tables

@lru_cache(maxsize=None)
def _table(name: str) -> pd.DataFrame:
    return data.load(name)


def table(name: str) -> pd.DataFrame:
    """A table of the data package (loaded once per kernel; a copy)."""
    return _table(name).copy()


def place_names() -> dict[str, str]:
    """place_id -> 'Leningrad (today Saint Petersburg)'."""
    places = table("places")
    out = {}
    for row in places.itertuples():
        modern = _text(row.name_modern)
        out[row.place_id] = row.name + (f" (today {modern})" if modern and modern != row.name else "")
    return out


def chapter_key(chapter: str) -> int:
    return CHAPTER_ORDER.index(chapter) if chapter in CHAPTER_ORDER else len(CHAPTER_ORDER)


def chapters_text(pairs) -> str:
    """{('Goldman 2007', '5'), ('Goldman 2007', 'intro'), ('Kokosalakis 2021', 'IV')} ->
    'Goldman 2007: intro, ch. 5; Kokosalakis 2021: sec. IV'."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for source, chapter in pairs:
        if _text(source) and _text(chapter):
            by_source[source].add(chapter)
    parts = []
    for source in sorted(by_source):
        chapters = sorted(by_source[source], key=chapter_key)
        labels = [c if c in ("intro", "conclusion") else (f"ch. {c}" if c.isdigit() else f"sec. {c}")
                  for c in chapters]
        parts.append(f"{source}: {', '.join(labels)}")
    return "; ".join(parts)


@lru_cache(maxsize=None)
def _mentions() -> dict[str, dict[str, frozenset]]:
    """For people, places and organisations: id -> the (source, chapter) pairs of every row naming it."""
    found = {"person": defaultdict(set), "place": defaultdict(set), "org": defaultdict(set)}

    def add(kind, ids, row):
        for i in ids:
            found[kind][i].add((row["source_name"], row["chapter"]))

    for row in table("people").to_dict("records"):
        add("person", [row["person_id"]], row)
    for row in table("positions").to_dict("records"):
        add("person", [row["person_id"]], row)
        add("org", split_ids(row["org_id"]), row)
        add("place", split_ids(row["place_id"]), row)
    for row in table("relations").to_dict("records"):
        add("person", [row["person_id"], row["other_person_id"]], row)
    for row in table("events").to_dict("records"):
        add("person", split_ids(row["person_ids"]), row)
        add("org", split_ids(row["org_ids"]), row)
        add("place", split_ids(row["place_id"]), row)
    for row in table("observations").to_dict("records"):
        add("place", split_ids(row["place_id"]), row)
        add("org", split_ids(row["org_id"]), row)
    for row in table("organizations").to_dict("records"):
        add("org", [row["org_id"]], row)
        add("place", split_ids(row["place_id"]), row)
    for row in table("places").to_dict("records"):
        add("place", [row["place_id"]], row)
    return {kind: {k: frozenset(v) for k, v in ids.items()} for kind, ids in found.items()}


def mentions(kind: str, entity_id: str) -> str:
    """The chapters of the sources whose rows name a person, place or organisation (kind: person, place, org)."""
    return chapters_text(_mentions()[kind].get(entity_id, ()))


# ------------------------------------------------------------------------------------------ glossary

def glossary_markdown() -> str:
    """A MyST `glossary` directive with every term of the glossary table, so chapters can link terms
    with {term}. Each entry: the term, its Cyrillic and plural, the meaning, and where the sources use it."""
    terms = data.load("glossary").sort_values("term", key=lambda s: s.str.lower())
    lines = ["```{glossary}"]
    for row in terms.itertuples():
        lines.append(row.term)
        extra = [f"Russian: {row.term_ru}" if pd.notna(row.term_ru) else "",
                 f"plural: *{row.plural}*" if pd.notna(row.plural) else ""]
        extra = "; ".join(e for e in extra if e)
        meaning = row.meaning + (f" ({extra}.)" if extra else "")
        lines.append(f"  {meaning} Source: {row.locator}.")
        lines.append("")
    lines.append("```")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ interactive tables

TABLE_CSS = """<style>
.sf-table {margin: 0.5em 0 1.5em 0; font-size: 0.84em; line-height: 1.35;}
.sf-table-controls {display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; align-items: center; margin-bottom: 0.5em;}
.sf-table-controls label {display: inline-flex; gap: 0.4em; align-items: center; margin: 0;}
.sf-table-controls input, .sf-table-controls select {font: inherit; padding: 0.15em 0.35em; border: 1px solid #999;
  border-radius: 3px; background: #fff; color: #222;}
.sf-table-controls input[type=search] {min-width: 16em;}
.sf-table-count {color: #555;}
.sf-table-scroll {max-height: 80vh; overflow: auto; border: 1px solid #ddd;}
.sf-table table {border-collapse: collapse; width: 100%; margin: 0;}
.sf-table th, .sf-table td {border-bottom: 1px solid #e3e3e3; padding: 0.3em 0.45em; vertical-align: top;
  text-align: left;}
.sf-table thead th {position: sticky; top: 0; background: var(--pst-color-background, #fff); z-index: 1;
  border-bottom: 1px solid #999; vertical-align: bottom;}
.sf-table thead th.num {text-align: right;}
.sf-table thead th button {all: unset; cursor: pointer; font-weight: bold;}
.sf-table thead th button:focus-visible {outline: 2px solid #0072B2;}
.sf-table thead th[aria-sort=ascending] button::after {content: " \\25B2";}
.sf-table thead th[aria-sort=descending] button::after {content: " \\25BC";}
.sf-table thead th[aria-sort=none] button::after {content: " \\2195"; color: #999;}
.sf-table td.num {text-align: right; font-variant-numeric: tabular-nums;}
.sf-table td:first-child {min-width: 16em;}
.sf-table td:last-child {min-width: 14em;}
.sf-table .sf-sub {color: #555; font-size: 0.93em;}
.sf-table ul {margin: 0; padding-left: 1.1em;}
</style>"""

TABLE_SCRIPT = """<script type="text/javascript">
(function () {
  var root = document.getElementById("%s");
  if (!root) { return; }
  var table = root.querySelector("table");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var search = root.querySelector("input[type=search]");
  var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-col]"));
  var count = root.querySelector(".sf-table-count");
  function norm(s) {
    return (s || "").toLowerCase().normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").replace(/[\\u2018\\u2019]/g, "'");
  }
  rows.forEach(function (r) { r.sfText = norm(r.textContent); });
  function apply() {
    var words = norm(search.value).trim().split(/\\s+/).filter(function (w) { return w.length > 0; });
    var shown = 0;
    rows.forEach(function (r) {
      var ok = words.every(function (w) { return r.sfText.indexOf(w) >= 0; });
      selects.forEach(function (s) {
        if (ok && s.value) {
          var cell = r.cells[Number(s.getAttribute("data-col"))];
          var values = (cell.getAttribute("data-filter") || cell.textContent.trim()).split("|");
          ok = values.indexOf(s.value) >= 0;
        }
      });
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " rows shown";
  }
  search.addEventListener("input", apply);
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      heads.forEach(function (other) { if (other.hasAttribute("aria-sort")) { other.setAttribute("aria-sort", "none"); } });
      th.setAttribute("aria-sort", dir);
      var numeric = th.getAttribute("data-type") === "number";
      var keyed = rows.map(function (r, i) {
        var cell = r.cells[col];
        var key = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
        return {key: key, index: i, row: r};
      });
      keyed.sort(function (a, b) {
        if (a.key === "" || b.key === "") {
          if (a.key === b.key) { return a.index - b.index; }
          return a.key === "" ? 1 : -1;
        }
        var c = numeric ? Number(a.key) - Number(b.key)
                        : a.key.localeCompare(b.key, "en", {sensitivity: "base", numeric: true});
        if (c === 0) { return a.index - b.index; }
        return dir === "ascending" ? c : -c;
      });
      keyed.forEach(function (k) { tbody.appendChild(k.row); });
    });
  });
  apply();
})();
</script>"""


class Cell:
    """A table cell: its HTML, and optionally a sort key and the values a filter matches ('a|b')."""

    def __init__(self, content: str, sort=None, filter=None, numeric: bool = False, raw: bool = False):
        self.content = content if raw else esc(typeset(content))
        self.sort = sort
        self.filter = filter
        self.numeric = numeric


def interactive_table(rows: list[dict], columns: list[tuple[str, str, str]], table_id: str, caption: str,
                      filters: dict[str, str] | None = None, row_ids: list[str] | None = None) -> str:
    """A sortable, searchable HTML table with its own small script (no library, no network).

    columns: (key, heading, type) with type 'text' or 'number'; rows: dicts of key -> str or Cell;
    filters: key -> label of a drop-down that filters on that column's values (a cell's `filter`).
    Sorting puts blank keys last in either direction; the search matches every word typed, ignoring case
    and accents."""
    filters = filters or {}
    keys = [c[0] for c in columns]
    out = [TABLE_CSS, f'<div class="sf-table" id="{table_id}">', '<div class="sf-table-controls">',
           f'<label>Search <input type="search" placeholder="any word" aria-controls="{table_id}-table"></label>']
    for key, label in filters.items():
        col = keys.index(key)
        values = set()
        for row in rows:
            cell = row.get(key)
            if isinstance(cell, Cell):
                values.update(v for v in _text(cell.filter).split("|") if v)
            elif _text(cell):
                values.add(_text(cell))
        options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in sorted(values, key=str.lower))
        out.append(f'<label>{esc(label)} <select data-col="{col}" aria-controls="{table_id}-table">'
                   f'<option value="">all</option>{options}</select></label>')
    out.append(f'<span class="sf-table-count" aria-live="polite">{len(rows)} rows</span></div>')
    out.append(f'<div class="sf-table-scroll"><table id="{table_id}-table"><caption class="sr-only">'
               f'{esc(caption)}</caption><thead><tr>')
    for key, heading, kind in columns:
        align = ' class="num"' if kind == "number" else ""
        out.append(f'<th scope="col" aria-sort="none" data-type="{kind}"{align}><button type="button">'
                   f'{esc(heading)}</button></th>')
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        row_id = f' id="{esc(row_ids[i])}"' if row_ids else ""
        cells = []
        for key, _heading, kind in columns:
            cell = row.get(key)
            if not isinstance(cell, Cell):
                cell = Cell(_text(cell))
            attrs = ""
            if cell.sort is not None:
                attrs += f' data-sort="{esc(cell.sort)}"'
            if cell.filter is not None:
                attrs += f' data-filter="{esc(cell.filter)}"'
            if kind == "number":
                attrs += ' class="num"'
            cells.append(f"<td{attrs}>{cell.content}</td>")
        out.append(f"<tr{row_id}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div></div>")
    out.append(TABLE_SCRIPT % table_id)
    return "\n".join(out)


# ------------------------------------------------------------------------------------------ timeline

def timeline_events() -> pd.DataFrame:
    """Every event with what the timeline needs: the span (first and last day the date allows), the
    middle of the start date (where its mark stands), the date as words, the place and theme labels."""
    events = table("events")
    names = place_names()
    events["start"] = [first_day(s).isoformat() for s in events["date_start"]]
    events["end"] = [last_day(e if _text(e) else s).isoformat()
                     for s, e in zip(events["date_start"], events["date_end"])]
    mids = []
    for s in events["date_start"]:
        a, b = first_day(s), last_day(s)
        mids.append(date.fromordinal((a.toordinal() + b.toordinal()) // 2).isoformat())
    events["mid"] = mids
    events["date_label"] = [f"{span_text(s, e, p)} ({PRECISION_WORDS[p]})" for s, e, p in
                            zip(events["date_start"], events["date_end"], events["date_precision"])]
    events["precision"] = events["date_precision"].map(PRECISION_WORDS)
    events["theme_label"] = events["theme"].map(THEME_LABELS)
    events["place"] = [names.get(p, "") for p in events["place_id"].fillna("")]
    events["kind_label"] = events["kind"].str.replace("_", " ")
    events["year"] = events["date_start"].str[:4]
    events["jitter"] = [round(0.08 + 0.84 * _jitter(i), 4) for i in events["event_id"]]
    return events.sort_values(["date_start", "title"]).reset_index(drop=True)


PRECISION_SHAPES = {"exact day": "circle", "month only": "square", "year only": "triangle-up",
                    "approximate": "diamond"}


def timeline_chart(events: pd.DataFrame | None = None, width: int = 440) -> alt.VConcatChart:
    """Every event on a time axis, one band per theme, shaped by how precisely it is dated.

    Two drop-downs (theme, kind) filter the events; dragging across the overview strip below zooms the
    main panel to that period (double-click resets). A line runs over the span a date allows: from the
    first to the last day of an event that lasted, or across the month or year of one dated only that far."""
    events = timeline_events() if events is None else events
    themes = list(THEME_LABELS.values())
    kinds = sorted(events["kind_label"].unique())
    frame = events.assign(row=[themes.index(t) + j for t, j in zip(events["theme_label"], events["jitter"])])
    columns = ["event_id", "start", "end", "mid", "row", "theme_label", "kind_label", "precision", "date_label",
               "title", "summary", "place", "reference"]
    source = charts.chart_data(frame, columns)
    theme_pick = alt.selection_point(name="theme_pick", fields=["theme_label"], bind=alt.binding_select(
        options=[None, *themes], labels=["all themes", *themes], name="Theme "))
    kind_pick = alt.selection_point(name="kind_pick", fields=["kind_label"], bind=alt.binding_select(
        options=[None, *kinds], labels=["all kinds", *kinds], name="Kind of event "))
    period = alt.selection_interval(name="period", encodings=["x"])
    # legends one entry a line (as the book's theme has them): in two columns they outgrow a phone's column
    colour = alt.Color("theme_label:N", title="Theme", scale=alt.Scale(domain=themes, range=charts.PALETTE[:4]),
                       legend=alt.Legend(orient="bottom", direction="vertical", symbolOpacity=1))
    y = alt.Y("row:Q", title=None, scale=alt.Scale(domain=[0, len(themes)], nice=False),
              axis=alt.Axis(values=[i + 0.5 for i in range(len(themes))], grid=False, ticks=False, domain=False,
                            labelExpr="[" + ",".join(json.dumps(t) for t in themes)
                                      + "][floor(datum.value)]", labelFontWeight="bold", labelPadding=6))
    tips = [alt.Tooltip("date_label:N", title="Date"), alt.Tooltip("title:N", title="Event"),
            alt.Tooltip("summary:N", title="What happened"), alt.Tooltip("place:N", title="Place"),
            alt.Tooltip("kind_label:N", title="Kind"), alt.Tooltip("theme_label:N", title="Theme"),
            alt.Tooltip("reference:N", title="Source")]
    x_main = alt.X("mid:T", title=None, scale=alt.Scale(domain=period, padding=8),
                   axis=alt.Axis(labelOverlap=True, labelSeparation=10, grid=True))
    base = alt.Chart(source).transform_filter(theme_pick).transform_filter(kind_pick)
    spans = base.transform_filter("datum.start !== datum.end").mark_rule(
        strokeWidth=1.5, opacity=0.35, clip=True).encode(
        x=alt.X("start:T", scale=alt.Scale(domain=period, padding=8), title=None), x2="end:T", y=y, color=colour,
        tooltip=tips)
    points = base.mark_point(filled=True, size=50, opacity=0.8, clip=True).encode(
        x=x_main, y=y, color=colour,
        shape=alt.Shape("precision:N", title="Dated to",
                        scale=alt.Scale(domain=list(PRECISION_SHAPES), range=list(PRECISION_SHAPES.values())),
                        legend=alt.Legend(orient="bottom", direction="vertical", symbolOpacity=1)),
        tooltip=tips)
    main = alt.layer(spans, points).properties(width=width, height=360)
    overview = alt.Chart(source).mark_tick(thickness=1, size=14).encode(
        x=alt.X("mid:T", title="Drag across this strip to zoom; double-click to reset",
                scale=alt.Scale(padding=8), axis=alt.Axis(format="%Y", labelOverlap=True, labelSeparation=10)),
        y=alt.Y("theme_label:N", title=None, sort=themes[::-1], axis=None),
        color=alt.condition(theme_pick & kind_pick, colour, alt.value("#dddddd")),
    ).add_params(period, theme_pick, kind_pick).properties(width=width, height=70)
    return alt.vconcat(main, overview, spacing=12).resolve_scale(color="shared", shape="shared")


def timeline_by_year_markdown(events: pd.DataFrame | None = None) -> str:
    """Every event in a table per year (date with its precision, title and summary, place, locator), each
    year's table folded in a dropdown whose title gives the year and its count of events: the page stays
    short, the text stays in the page (the browser's search opens a fold) and in the PDF, where the dropdowns
    print open."""
    events = timeline_events() if events is None else events
    years = sorted(events["year"].unique())
    lines = ["Jump to a year: " + " \u00b7 ".join(f"[{y}](#timeline-{y})" for y in years), ""]
    for year in years:
        rows = events[events["year"] == year]
        lines.append(f"(timeline-{year})=")
        if len(rows) <= LONG_YEAR:
            groups = [(str(year), rows)]
        else:  # a crowded year in quarters, the events dated to the year alone first
            month = rows["date_start"].str[5:7]
            groups = [(f"{year}, dated to the year only", rows[month == ""])]
            for first in (1, 4, 7, 10):
                inside = rows[month.isin([f"{m:02d}" for m in range(first, first + 3)])]
                groups.append((f"{year}, {MONTHS[first - 1]}\u2013{MONTHS[first + 1]}", inside))
        for title, group in groups:
            if not len(group):
                continue
            count = f"{len(group)} event" + ("s" if len(group) != 1 else "")
            lines += [f"::::{{dropdown}} {title}: {count}", ":class-container: sf-year", "",
                      "| Date | Event | Place | Source |", "|---|---|---|---|"]
            for row in group.itertuples():
                when = f"{md(span_text(row.date_start, row.date_end, row.date_precision))} ({row.precision})"
                what = f"**{md(row.title)}.** {md(row.summary)}"
                lines.append(f"| {when} | {what} | {md(row.place)} | {md(row.locator)} |")
            lines += ["::::", ""]
    return "\n".join(lines)


LONG_YEAR = 40  # a year with more events than this is folded by quarter


# ------------------------------------------------------------------------------------------ people

def _period_text(start, end) -> str:
    start, end = _text(start), _text(end)
    if start and end:
        return range_text(start, end)
    if start:
        return f"from {date_text(start)}"
    if end:
        return f"until {date_text(end)}"
    return ""


def positions_of(person_id: str | None = None, org_id: str | None = None) -> pd.DataFrame:
    """Posts (positions table) with the organisation's and person's names joined on."""
    positions = table("positions")
    orgs = table("organizations").set_index("org_id")["name"]
    people = table("people").set_index("person_id")["name"]
    positions["org_name"] = positions["org_id"].map(orgs)
    positions["person_name"] = positions["person_id"].map(people)
    positions["when"] = [_period_text(a, b) for a, b in zip(positions["date_from"], positions["date_to"])]
    if person_id is not None:
        positions = positions[positions["person_id"] == person_id]
    if org_id is not None:
        positions = positions[positions["org_id"] == org_id]
    return positions.sort_values(["date_from", "position_id"], na_position="first")


def people_directory() -> pd.DataFrame:
    """One row per person: names, posts, fate and its date, the chapters that mention them, the source."""
    people = table("people")
    names = place_names()
    positions = positions_of()
    posts = defaultdict(list)
    for row in positions.itertuples():
        parts = [_text(row.role)]
        if _text(row.org_name):
            parts.append(_text(row.org_name))
        elif _text(row.place_id) and names.get(row.place_id):
            parts.append(names[row.place_id])
        text = ", ".join(p for p in parts if p)
        if row.when:
            text += f" ({row.when})"
        posts[row.person_id].append(text)
    people["posts"] = people["person_id"].map(lambda p: posts.get(p, []))
    people["fate_text"] = [date_text(d, p) for d, p in zip(people["fate_date"], people["fate_precision"])]
    people["mentioned_in"] = [mentions("person", p) for p in people["person_id"]]
    people["works"] = [sorted({s for s, _ in _mentions()["person"].get(p, ())}) for p in people["person_id"]]
    return people.sort_values("person_id").reset_index(drop=True)


def people_table_html(people: pd.DataFrame | None = None) -> str:
    """The directory of people as a sortable, searchable table (filters: fate, source work)."""
    people = people_directory() if people is None else people
    rows = []
    for row in people.itertuples():
        name = f"<strong>{esc(row.name)}</strong>"
        if _text(row.name_variants):
            name += f'<br><span class="sf-sub">also: {esc("; ".join(split_ids(row.name_variants)))}</span>'
        if _text(row.name_ru):
            name += f'<br><span class="sf-sub" lang="ru">{esc(row.name_ru)}</span>'
        name += f'<br><span class="sf-sub">{esc(sentence(row.description))}</span>'
        posts = ("<ul>" + "".join(f"<li>{esc(p)}</li>" for p in row.posts) + "</ul>") if row.posts else ""
        rows.append({
            "name": Cell(name, sort=row.person_id, raw=True),
            "posts": Cell(posts, sort=str(len(row.posts)).zfill(3) if row.posts else "", raw=True),
            "fate": Cell(row.fate.replace("_", " "), filter=row.fate.replace("_", " ")),
            "when": Cell(row.fate_text, sort=_text(row.fate_date)),
            "mentions": Cell(row.mentioned_in, filter="|".join(row.works)),
            "source": row.reference,
        })
    columns = [("name", "Name as in the source", "text"), ("posts", "Posts held", "text"),
               ("fate", "Fate", "text"), ("when", "Date of fate", "text"),
               ("mentions", "Mentioned in", "text"), ("source", "Source", "text")]
    return interactive_table(rows, columns, "sf-people", "Every person named in the data package",
                             filters={"fate": "Fate", "mentions": "Work"},
                             row_ids=[f"person-{p}" for p in people["person_id"]])


def fates_by_kind(people: pd.DataFrame | None = None) -> pd.DataFrame:
    """People with a stated fate, one row per person and kind of organisation they held a post in
    ('no post recorded' where none), with the year of the fate ('no date' where the source gives none)."""
    people = people_directory() if people is None else people
    orgs = table("organizations").set_index("org_id")["kind"]
    positions = table("positions")
    kinds = positions.assign(kind=positions["org_id"].map(orgs)).groupby("person_id")["kind"].agg(
        lambda s: sorted(set(s.dropna())))
    known = people[people["fate"] != "unknown"].copy()
    known["org_kind"] = [kinds.get(p) or ["none"] for p in known["person_id"]]
    known = known.explode("org_kind")
    known["org_kind_label"] = known["org_kind"].map({**ORG_KIND_LABELS, "none": "No post recorded"})
    known["fate_year"] = known["fate_date"].str[:4].fillna("no date")
    known["fate_label"] = known["fate"].str.replace("_", " ")
    return known.reset_index(drop=True)


# Eleven fates are too many hues to tell apart: the chart colours six groups of them (the tooltip names each
# person's own fate), every colour at 3:1 or more against the page.
FATE_GROUPS = {"shot": "Killed or died", "murdered": "Killed or died", "suicide": "Killed or died",
               "died in custody": "Killed or died", "arrested": "Arrested or sentenced",
               "sentenced": "Arrested or sentenced", "expelled": "Expelled", "removed": "Removed",
               "reinstated": "Reinstated or survived", "survived": "Reinstated or survived", "other": "Other"}
FATE_COLOURS = {"Killed or died": "#000000", "Arrested or sentenced": charts.PALETTE[3],
                "Expelled": charts.PALETTE[1], "Removed": charts.PALETTE[0],
                "Reinstated or survived": charts.PALETTE[2], "Other": "#767676"}


def fates_chart(rows: pd.DataFrame | None = None) -> alt.Chart:
    """Stacked bars: people by the year of their fate, one panel per kind of organisation, colour by group of fates."""
    rows = fates_by_kind() if rows is None else rows
    rows = rows.assign(fate_group=rows["fate_label"].map(lambda f: FATE_GROUPS.get(f, "Other")),
                       who=[f"{n} ({f})" for n, f in zip(rows["name"], rows["fate_label"])])
    keys = ["org_kind_label", "fate_year", "fate_group"]
    counts = rows.groupby(keys).size().rename("people").reset_index()
    names = rows.groupby(keys)["who"].agg(lambda s: "; ".join(sorted(s))).rename("names").reset_index()
    counts = counts.merge(names, on=keys)
    dated = sorted(int(y) for y in counts["fate_year"].unique() if y != "no date")
    years = [str(y) for y in range(dated[0], dated[-1] + 1)] + (
        ["no date"] if "no date" in set(counts["fate_year"]) else [])
    fates = [f for f in FATE_COLOURS if f in set(counts["fate_group"])]
    kind_order = [ORG_KIND_LABELS[k] for k in ORG_KIND_LABELS] + ["No post recorded"]
    kind_order = [k for k in kind_order if k in set(counts["org_kind_label"])]
    counts["kind_order"] = counts["org_kind_label"].map({k: i for i, k in enumerate(kind_order)})
    return alt.Chart(charts.chart_data(counts, list(counts.columns))).mark_bar().encode(
        x=alt.X("fate_year:O", title="Year of the fate", sort=years, scale=alt.Scale(domain=years),
                axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("sum(people):Q", title="People", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("fate_group:N", title="Fate", sort=fates,
                        scale=alt.Scale(domain=fates, range=[FATE_COLOURS[f] for f in fates]),
                        legend=alt.Legend(orient="bottom", direction="vertical", columns=2)),
        order=alt.Order("fate_group:N"),
        tooltip=[alt.Tooltip("org_kind_label:N", title="Posts in"), alt.Tooltip("fate_year:N", title="Year"),
                 alt.Tooltip("fate_group:N", title="Fate"), alt.Tooltip("people:Q", title="People"),
                 alt.Tooltip("names:N", title="Who")],
    ).properties(width=420, height=70).facet(
        row=alt.Row("kind_order:O", title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top", labelFontWeight="bold",
                                      labelPadding=4, labelExpr=json.dumps(kind_order) + "[datum.value]")),
        spacing=16)


# ------------------------------------------------------------------------------------------ places

def gazetteer() -> pd.DataFrame:
    """Every place with its counts of events and observations and the chapters that mention it."""
    places = table("places")
    events = table("events")
    obs = table("observations")
    places["events"] = places["place_id"].map(events["place_id"].value_counts()).fillna(0).astype(int)
    places["observations"] = places["place_id"].map(obs["place_id"].value_counts()).fillna(0).astype(int)
    places["mentioned_in"] = [mentions("place", p) for p in places["place_id"]]
    places["kind_label"] = places["kind"].str.replace("_", " ")
    names = dict(zip(places["place_id"], places["name"]))
    places["parent"] = places["parent_place_id"].map(names)
    places["what_happened"] = [
        f"{e} event{'s' if e != 1 else ''}, {o} figure{'s' if o != 1 else ''}"
        for e, o in zip(places["events"], places["observations"])]
    return places.sort_values(["name", "place_id"]).reset_index(drop=True)


def _coordinates(lat, lon) -> str:
    if pd.isna(lat) or pd.isna(lon):
        return ""
    return f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}"


def gazetteer_table_html(places: pd.DataFrame | None = None) -> str:
    places = gazetteer() if places is None else places
    rows = []
    for row in places.itertuples():
        name = f"<strong>{esc(row.name)}</strong>"
        if _text(row.name_ru):
            name += f'<br><span class="sf-sub" lang="ru">{esc(row.name_ru)}</span>'
        if _text(row.parent) and row.parent_place_id != "ussr":
            name += f'<br><span class="sf-sub">in {esc(row.parent)}</span>'
        what = sentence(row.description) + (f" Industry: {row.industry}." if _text(row.industry) else "")
        name += f'<br><span class="sf-sub">{esc(what)}</span>'
        where = esc(row.location_precision)
        coords = _coordinates(row.lat, row.lon)
        if coords:
            where += f'<br><span class="sf-sub">{esc(coords)}</span>'
        if bool(row.outside_ussr_1937):
            where += '<br><span class="sf-sub">outside the USSR of 1937</span>'
        rows.append({
            "name": Cell(name, sort=row.name, raw=True),
            "modern": row.name_modern,
            "kind": Cell(row.kind_label, filter=row.kind_label),
            "precision": Cell(where, sort=row.location_precision, filter=row.location_precision, raw=True),
            "events": Cell(str(row.events), sort=row.events),
            "observations": Cell(str(row.observations), sort=row.observations),
            "mentions": row.mentioned_in,
            "source": row.reference,
        })
    columns = [("name", "Name as in the source", "text"), ("modern", "Modern name", "text"),
               ("kind", "Kind", "text"), ("precision", "Located to", "text"), ("events", "Events", "number"),
               ("observations", "Figures", "number"), ("mentions", "Mentioned in", "text"),
               ("source", "Source", "text")]
    return interactive_table(rows, columns, "sf-places", "Every place named in the data package",
                             filters={"kind": "Kind", "precision": "Located to"},
                             row_ids=[f"place-{p}" for p in places["place_id"]])


PLACE_KIND_COLOURS = {"factory": "#D55E00", "mine": "#000000", "construction site": "#CC79A7",
                      "city": "#0072B2", "town": "#56B4E9", "district": "#009E73", "region": "#E69F00",
                      "republic": "#882255", "country": "#999999", "other": "#44AA99"}


def gazetteer_map(places: pd.DataFrame | None = None) -> alt.LayerChart:
    """Every place with coordinates inside the USSR of 1937 on the base map, coloured by kind; clicking a
    kind in the legend shows only that kind (shift-click adds kinds; click on empty ground to reset)."""
    from . import maps

    places = gazetteer() if places is None else places
    shown = places[places["lat"].notna() & ~places["outside_ussr_1937"].fillna(False).astype(bool)].copy()
    shown["kind"] = shown["kind_label"]
    chart = maps.ussr_map(shown, color="kind",
                          tooltip_fields=("name", "name_modern", "kind", "description", "what_happened"))
    kinds = [k for k in PLACE_KIND_COLOURS if k in set(shown["kind"])]
    pick = alt.selection_point(name="kind_pick", fields=["kind"], bind="legend")
    colour = alt.Color("kind:N", title="Kind (click to filter)",
                       scale=alt.Scale(domain=kinds, range=[PLACE_KIND_COLOURS[k] for k in kinds]),
                       legend=alt.Legend(orient="bottom", direction="horizontal", symbolStrokeWidth=2,
                                         columns=maps.legend_columns(kinds)))
    layers = list(chart.layer)
    hollow, filled = layers[-2], layers[-1]
    opacity = alt.condition(pick, alt.value(0.95), alt.value(0.06))
    layers[-2] = hollow.encode(color=colour, opacity=opacity).add_params(pick)
    layers[-1] = filled.encode(color=colour, opacity=opacity)
    chart.layer = layers
    return chart


# ------------------------------------------------------------------------------------------ organisations

def organisations_markdown(kind: str) -> str:
    """Every organisation of one kind, as a definition list: what it was, where, what it belonged to, the
    people who held posts in it (from positions), the events naming it, and the source."""
    orgs = table("organizations")
    names = dict(zip(orgs["org_id"], orgs["name"]))
    places = place_names()
    events = table("events")
    event_rows = defaultdict(list)
    for row in events.sort_values(["date_start", "title"]).itertuples():
        for org in split_ids(row.org_ids):
            event_rows[org].append(row)
    children = defaultdict(list)
    for row in orgs.itertuples():
        if _text(row.parent_id):
            children[row.parent_id].append(row.org_id)
    positions = positions_of()
    lines = []
    for row in orgs[orgs["kind"] == kind].sort_values(["name", "org_id"]).itertuples():
        held = positions[positions["org_id"] == row.org_id]
        linked = event_rows.get(row.org_id, [])
        counts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((len(held), "post"), (len(linked), "event"))
                  if n]
        title = md(row.name) + (f" ({md(row.name_ru)})" if _text(row.name_ru) else "")
        lines += [f"(org-{row.org_id})=", f"::::{{dropdown}} {title}" + (f" \u00b7 {', '.join(counts)}" if counts
                                                                        else ""),
                  ":class-container: sf-org", ""]
        about = md(sentence(row.description))
        if _text(row.place_id):
            about += f" *Based in:* {md(places.get(row.place_id, row.place_id))}."
        if _text(row.parent_id):
            about += f" *Part of:* [{md(names.get(row.parent_id, row.parent_id))}](#org-{row.parent_id})."
        if children.get(row.org_id):
            subs = sorted(children[row.org_id], key=lambda o: names.get(o, o).lower())
            about += " *Its bodies:* " + "; ".join(f"[{md(names[o])}](#org-{o})" for o in subs) + "."
        lines += [about, ""]
        if len(held):
            people = []
            for post in held.itertuples():
                extra = ", ".join(x for x in (_text(post.role), post.when) if x)
                people.append(f"{md(post.person_name)}" + (f" ({md(extra)})" if extra else ""))
            lines += [f"*People ({len(held)} post{'s' if len(held) != 1 else ''}):* " + "; ".join(people) + ".", ""]
        if linked:
            if len(linked) <= 6:
                items = [f"{md(span_text(e.date_start, e.date_end, e.date_precision))}: {md(e.title)}" for e in linked]
                lines += [f"*Events ({len(linked)}):* " + "; ".join(items) + ".", ""]
            else:  # a long list of events, grouped by year
                lines += [f"*Events ({len(linked)}), by year:*", ""]
                by_year = defaultdict(list)
                for e in linked:
                    by_year[_text(e.date_start)[:4]].append(e)
                for year, group in by_year.items():
                    items = [f"{md(_day_in_year(e))}: {md(e.title)}" for e in group]
                    lines.append(f"- **{year}** ({len(group)}): " + "; ".join(items) + ".")
                lines.append("")
        lines += [f"*Source:* {md(row.reference)}.", "::::", ""]
    return "\n".join(lines)


def _day_in_year(event) -> str:
    """An event's date without its year (the year heads the group): '19\u201324 August', 'about July'."""
    text = span_text(event.date_start, event.date_end, event.date_precision)
    year = _text(event.date_start)[:4]
    if len(_text(event.date_start)) == 4 or _text(event.date_end)[:4] not in ("", year):
        return text  # a year alone stays as it is: '1936', 'about 1936'
    return text.replace(f" {year}", "")


def organisation_counts() -> pd.DataFrame:
    """Organisations per kind, with how many posts and events the data links to them."""
    orgs = table("organizations")
    positions = table("positions")
    events = table("events")
    linked = events["org_ids"].map(split_ids).explode().dropna()
    rows = []
    for kind, label in ORG_KIND_LABELS.items():
        ids = set(orgs.loc[orgs["kind"] == kind, "org_id"])
        rows.append({"kind": kind, "Kind": label, "Organisations": len(ids),
                     "Posts": int(positions["org_id"].isin(ids).sum()),
                     "Event links": int(linked.isin(ids).sum())})
    return pd.DataFrame(rows)


def organisation_counts_markdown() -> str:
    lines = ["| Kind | Organisations | Posts held in them | Links from events |", "|---|---:|---:|---:|"]
    for row in organisation_counts().to_dict("records"):
        lines.append(f"| [{row['Kind']}](#orgs-{row['kind'].replace('_', '-')}) | {row['Organisations']} | "
                     f"{row['Posts']} | {row['Event links']} |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ source criticism

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _arithmetic(expression: str) -> float:
    """Evaluate + - * / and parentheses over numbers only (no names, no calls)."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        raise ValueError(f"not plain arithmetic: {expression!r}")
    return walk(ast.parse(expression, mode="eval"))


def recompute(obs_id: str) -> float | None:
    """Recompute a derived observation from its formula and the current values of the rows it names.
    'count of named officials: A; B' counts the names. None where the formula is not arithmetic."""
    obs = table("observations").set_index("obs_id")
    formula = _text(obs.loc[obs_id, "derived"])
    if not formula:
        return None
    if formula.startswith("count of") and ":" in formula:
        return float(len(split_ids(formula.split(":", 1)[1])))
    formula = re.sub(r"\([^()]*[a-z]{3,}[^()]*\)\s*$", "", formula).strip()  # a trailing comment in brackets

    def value(match):
        v = obs.loc[match.group(0), "value"]
        if pd.isna(v):
            raise ValueError(f"{match.group(0)} has no single value")
        return repr(float(v))
    try:
        return _arithmetic(ID_PATTERN.sub(value, formula))
    except (ValueError, KeyError, SyntaxError, ZeroDivisionError):
        return None


def figure_text(row) -> str:
    """An observation's stored value as words: 'about 1,230,000 persons', 'between 7,000,000 and 20,000,000'."""
    unit = _text(row["unit"]).replace("_", " ")
    if pd.notna(row["value"]):
        text = number(row["value"])
    elif pd.notna(row["value_low"]):
        text = f"between {number(row['value_low'])} and {number(row['value_high'])}"
    else:
        text = "no value"
    text = f"{text} {unit}" if unit else text
    qualifier = _text(row["qualifier"])
    return text if qualifier in ("", "exact") else f"{qualifier} {text}"


def _period(row) -> str:
    """An observation's period in words: 'July to December 1935', '1935 to September 1936'."""
    start, end = _text(row["period_start"]), _text(row["period_end"])
    if start and end and start != end:
        return range_text(start, end)
    return date_text(start or end)


def range_text(start, end) -> str:
    """Two ISO dates as a range in words, with an en dash: 'July–December 1935', '1935–September 1936',
    '19–24 August 1936'; one date if both are the same."""
    a, b = _parts(start), _parts(end)
    if not b or a == b:
        return date_text(start)
    if len(a) == len(b) and a[0] == b[0]:
        if len(a) == 2:
            return f"{MONTHS[a[1] - 1]}–{MONTHS[b[1] - 1]} {a[0]}"
        if len(a) == 3 and a[1] == b[1]:
            return f"{a[2]}–{b[2]} {MONTHS[a[1] - 1]} {a[0]}"
        if len(a) == 3:
            return f"{a[2]} {MONTHS[a[1] - 1]} – {b[2]} {MONTHS[b[1] - 1]} {a[0]}"
    return f"{date_text(start)} – {date_text(end)}" if len(a) > 1 or len(b) > 1 else f"{a[0]}–{b[0]}"


_ID_REMARK = re.compile(r"\s*\((?:(?:place|org|person) )?id [a-z0-9-]+\)|\s+and (?:place|org|person) id [a-z0-9-]+"
                        r"|;?\s*id uses [a-z0-9-]+")


def without_ids(text) -> str:
    """A sentence of the data with its remarks on row ids left out ('(place id krasnoe-sormovo)'): the ids
    are for the Data appendix, not the reader."""
    return _ID_REMARK.sub("", _text(text))


def lookup(row_id: str) -> dict:
    """A row of any fact table by its id, described for the side-by-side view of a discrepancy."""
    obs = table("observations").set_index("obs_id")
    if row_id in obs.index:
        row = obs.loc[row_id]
        if _text(row["derived"]):
            again = recompute(row_id)
            printed = f"computed by the project: {formula_text(row['derived'])}"
            stored = figure_text(row) + (f"; recomputed now: {number(round(again, 2))}" if again is not None else "")
        else:
            printed = f"\u201c{_text(row['as_printed'])}\u201d"
            stored = figure_text(row) + (" (an estimate)" if row["estimate"] is True else "")
        what = _text(row["description"])
        if _text(row["breakdown"]):
            what += f" [{_text(row['breakdown'])}]"
        period = _period(row)
        return {"id": row_id, "table": "observations", "what": what, "printed": printed,
                "stored": stored + (f"; {period}" if period else ""), "source": _text(row["locator"])}
    events = table("events").set_index("event_id")
    if row_id in events.index:
        row = events.loc[row_id]
        return {"id": row_id, "table": "events", "what": f"{row['title']}: {row['summary']}",
                "printed": span_text(row["date_start"], row["date_end"], row["date_precision"]),
                "stored": range_text(row["date_start"], row["date_end"])
                          + f" ({PRECISION_WORDS[row['date_precision']]})",
                "source": _text(row["locator"])}
    people = table("people").set_index("person_id")
    if row_id in people.index:
        row = people.loc[row_id]
        variants = "; ".join(split_ids(row["name_variants"]))
        return {"id": row_id, "table": "people", "what": f"{row['name']}: {row['description']}",
                "printed": f"{row['name']}" + (f" (also {variants})" if variants else ""),
                "stored": f"fate: {row['fate']}" + (f", {date_text(row['fate_date'], row['fate_precision'])}"
                                                   if _text(row["fate_date"]) else ""),
                "source": _text(row["locator"])}
    for name, key in (("places", "place_id"), ("organizations", "org_id")):
        frame = table(name).set_index(key)
        if row_id in frame.index:
            row = frame.loc[row_id]
            return {"id": row_id, "table": name, "what": f"{row['name']}: {row['description']}",
                    "printed": row["name"], "stored": "", "source": _text(row["locator"])}
    return {"id": row_id, "table": "not found", "what": "no row of the data package has this id",
            "printed": "", "stored": "", "source": ""}


def discrepancy_rows(discrepancy_id: str) -> list[dict]:
    frame = table("discrepancies").set_index("discrepancy_id")
    return [lookup(i) for i in split_ids(frame.loc[discrepancy_id, "rows"])]


def register_table_html(frame: pd.DataFrame | None = None) -> str:
    """The whole register of discrepancies as ONE sortable, searchable table (filters: kind, work): what
    disagrees and where, the rows concerned as the source gives them and as the data codes them, and the
    book's reading. Each row carries the entry's id as its HTML anchor."""
    frame = table("discrepancies") if frame is None else frame
    frame = frame.sort_values("discrepancy_id")
    rows = []
    for row in frame.itertuples():
        where = chapters_text([(row.source_name, row.chapter)])
        compared = []
        for r in discrepancy_rows(row.discrepancy_id):
            compared.append(f'<li title="row {esc(r["id"])} of the {esc(r["table"])} table">'
                            f"{esc(typeset(r['what']))}: <em>as printed</em> {esc(typeset(r['printed']))}"
                            + (f"; <em>as coded</em> {esc(typeset(r['stored']))}" if r["stored"] else "") + "</li>")
        rows.append({
            "entry": Cell(f'<span title="register entry {esc(row.discrepancy_id)}">{esc(typeset(sentence(row.what)))}'
                          f'</span><br><span class="sf-sub">{esc(typeset(row.locator))}</span>', sort=row.discrepancy_id,
                          raw=True),
            "kind": Cell(DISCREPANCY_KIND_LABELS.get(row.kind, row.kind),
                         filter=DISCREPANCY_KIND_LABELS.get(row.kind, row.kind)),
            "work": Cell(where, filter=_text(row.source_name)),
            "rows": Cell("<ul>" + "".join(compared) + "</ul>" if compared else
                         '<span class="sf-sub">no data row: wording or references only</span>',
                         sort=str(len(compared)).zfill(3), raw=True),
            "reading": sentence(without_ids(row.treatment)),
        })
    columns = [("entry", "Entry: what disagrees", "text"), ("kind", "Kind", "text"), ("work", "Where", "text"),
               ("rows", "The rows concerned", "text"), ("reading", "The book's reading", "text")]
    return interactive_table(rows, columns, "sf-register", "The register of discrepancies",
                             filters={"kind": "Kind", "work": "Work"}, row_ids=list(frame["discrepancy_id"]))


def register_table(frame: pd.DataFrame | None = None) -> "InteractiveTable":
    """The register as a DualTable: the interactive table in HTML, a plain table in the PDF edition."""
    frame = table("discrepancies") if frame is None else frame
    frame = frame.sort_values("discrepancy_id")
    static = pd.DataFrame({"What disagrees": frame["what"],
                           "Kind": frame["kind"].map(DISCREPANCY_KIND_LABELS), "Where": frame["locator"],
                           "The book's reading": frame["treatment"].map(without_ids)})
    return charts.DualTable(register_table_html(frame), static)


def _value(obs_id: str) -> float:
    return float(table("observations").set_index("obs_id").loc[obs_id, "value"])


def _printed(obs_id: str) -> str:
    row = table("observations").set_index("obs_id").loc[obs_id]
    return _text(row["as_printed"]) or f"(computed: {_text(row['derived'])})"


def formula_text(expression: str) -> str:
    """A formula over row ids written with the rows' values, as a reader checks it: 'g3-0070 + g3-0071' ->
    '4,000 + 2,000'; operators with their typographic signs (−, ×, ÷)."""
    obs = table("observations").set_index("obs_id")

    def value(match) -> str:
        if match.group(0) not in obs.index:
            return match.group(0)
        row = obs.loc[match.group(0)]
        return number(row["value"]) if pd.notna(row["value"]) else f"[{figure_text(row)}]"

    text = ID_PATTERN.sub(value, _text(expression))
    return text.replace(" - ", " − ").replace(" * ", " × ").replace(" / ", " ÷ ")


def minus(text: str) -> str:
    """A number's text with a true minus sign (U+2212) in place of a leading hyphen."""
    return "−" + text[1:] if text.startswith("-") else text


def recomputation(checks: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    """A table of checks: (what, formula over obs_ids, the recomputed value, the obs_id of the stated figure).
    The formula is shown with the values of its rows; the ids stay in the data (see the Data appendix)."""
    rows = []
    for what, formula, value, stated in checks:
        rows.append({"check": what, "from the printed parts": formula_text(formula),
                     "recomputed": number(round(value, 2)), "stated": _printed(stated),
                     "difference": minus(number(round(value - _value(stated), 2)))})
    return pd.DataFrame(rows)


def union_officials_check() -> pd.DataFrame:
    """The elected union officials by level, summed, against the stated national total (disc-038, -039).
    The levels are the rows that the data's own sum row (g4-0071) names; their printed values are added
    here afresh."""
    obs = table("observations").set_index("obs_id")
    parts = ID_PATTERN.findall(_text(obs.loc["g4-0071", "derived"]))
    total = sum(_value(p) for p in parts)
    share = _value("g4-0064") / _value("g4-0066") * 100
    return recomputation([
        ("sum of the elected officials of the four levels", " + ".join(parts), total, "g4-0064"),
        ("stated total as a share of union members (percent)", "g4-0064 / g4-0066 * 100", share, "g4-0065"),
    ])


def stalin_count_check() -> pd.DataFrame:
    """Stalin's count of oppositionists (disc-033): his 1927 parts, his ceiling, his total, and those left
    at large in 1937."""
    v = _value
    return recomputation([
        ("Trotskyist voters plus abstainers, 1927", "g3-0070 + g3-0071", v("g3-0070") + v("g3-0071"), "g3-0072"),
        ("those plus the members who did not vote", "g3-0072 + g3-0073", v("g3-0072") + v("g3-0073"), "g3-0074"),
        ("the ceiling plus Zinoviev's supporters, whisperers and rightists", "g3-0074 + g3-0075 + g3-0076",
         v("g3-0074") + v("g3-0075") + v("g3-0076"), "g3-0077"),
        ("former oppositionists, 1937, less those already arrested", "g3-0065 - g3-0066",
         v("g3-0065") - v("g3-0066"), "g3-0067"),
    ])


def dinamo_check() -> pd.DataFrame:
    """The Dinamo party organisation's arrests, April 1937 to April 1938 (disc-069)."""
    return recomputation([
        ("arrested after exclusion plus arrested before exclusion", "g6-0075 + g6-0077",
         _value("g6-0075") + _value("g6-0077"), "g6-0078"),
        ("excluded as enemies who were then arrested (percent)", "g6-0075 / g6-0074 * 100",
         _value("g6-0075") / _value("g6-0074") * 100, "g6-0084"),
        ("all arrested as a share of April 1937 members (percent)", "g6-0078 / g6-0068 * 100",
         _value("g6-0078") / _value("g6-0068") * 100, "g6-0079"),
    ])


def _agrees(recomputed: float, stored: float) -> str:
    """Stored derived values are rounded (to two decimals at most): agreement within that rounding."""
    return "yes" if abs(recomputed - stored) <= 0.05 + 0.005 * abs(stored) else "no"


def derived_checks() -> pd.DataFrame:
    """Every computed observation that a discrepancy names, recomputed now from its formula."""
    obs = table("observations").set_index("obs_id")
    named = []
    for row in table("discrepancies").itertuples():
        for i in split_ids(row.rows):
            if i in obs.index and _text(obs.loc[i, "derived"]) and i not in [n[1] for n in named]:
                named.append((row.discrepancy_id, i))
    rows = []
    for disc, i in named:
        again = recompute(i)
        rows.append({"figure": sentence(obs.loc[i, "description"]).rstrip("."),
                     "formula": formula_text(obs.loc[i, "derived"]),
                     "stored": number(obs.loc[i, "value"]),
                     "recomputed": "" if again is None else number(round(again, 2)),
                     "agrees": "" if again is None else _agrees(again, float(obs.loc[i, "value"]))})
    return pd.DataFrame(rows)


_NUMBER_CELL = re.compile(r"^[\u2212-]?[\d,]*\.?\d+%?$")


def frame_markdown(frame: pd.DataFrame) -> str:
    """A small DataFrame as a Markdown table in the book's table design, every cell escaped: a column whose
    cells are all numbers (or blank) is right-aligned, its negative values with a true minus sign."""
    numeric = [c for c in frame.columns
               if frame[c].map(lambda v: _NUMBER_CELL.match(_text(v)) is not None or _text(v) == "").all()
               and frame[c].map(_text).ne("").any()]

    def cell(column, value) -> str:
        text = _text(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and text:
            text = number(value)
        return md(minus(text) if column in numeric else text)

    lines = ["| " + " | ".join(md(c) for c in frame.columns) + " |",
             "|" + "".join("---:|" if c in numeric else "---|" for c in frame.columns)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(c, v) for c, v in zip(frame.columns, row)) + " |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ sources and method

def rows_by_source() -> pd.DataFrame:
    """Rows of each fact table per source work."""
    names = ["observations", "events", "people", "positions", "organizations", "places", "relations",
             "glossary", "discrepancies"]
    rows = []
    for name in names:
        frame = table(name)
        counts = frame["source_name"].value_counts()
        rows.append({"table": name, **{k: int(v) for k, v in counts.items()}, "all": len(frame)})
    return pd.DataFrame(rows).fillna(0)


def archives_by_source() -> pd.DataFrame:
    """Which archives the footnotes behind the observations and events cite, per source work."""
    frames = [table(n)[["source_name", "archival_ref"]] for n in ("observations", "events", "people", "positions")]
    refs = pd.concat(frames).dropna(subset=["archival_ref"])
    archive = refs["archival_ref"].str.extract(r"^(GARF|TsAODM|TsAOPIM|TsGAIPD SPb|RGASPI|RGAE|[A-Za-z]+)")[0]
    return pd.crosstab(archive.rename("archive"), refs["source_name"])


def field_table_markdown(table_name: str, fields: list[str]) -> str:
    """The named columns of a table with their meaning and allowed values, from datapackage.json."""
    resource = data.resource(table_name)
    spec = {f["name"]: f for f in resource["schema"]["fields"]}
    lines = ["| column | meaning |", "|---|---|"]
    for name in fields:
        field = spec[name]
        meaning = field["description"]
        enum = field.get("constraints", {}).get("enum")
        values = ""
        if enum and len(enum) <= 12:
            values = " Values: " + ", ".join(f"`{v}`" for v in enum) + "."
        lines.append(f"| `{table_name}.{name}` | {md_with_values(meaning)}{values} |")
    return "\n".join(lines) + "\n"


# In a column's description, what a reader would type: a quoted example ('work_id, locator'), a work_id
# (goldman2007) or a snake_case name (source_sections); printed as inline code, never as prose.
_VALUE = re.compile(r"(?<![\w'])'([^'\n]+?)'(?![\w'])|\b([a-z]+\d{4}[a-z]?|[a-z]+(?:_[a-z]+)+)\b")


def md_with_values(text) -> str:
    """md() of a description, with its example values and ids (see _VALUE) as inline code."""
    out, start = [], 0
    text = _text(text)
    for match in _VALUE.finditer(text):
        value = match.group(1) if match.group(1) is not None else match.group(2)
        out.append(md(text[start:match.start()]))
        out.append("`" + value.replace("|", "\\|") + "`")
        start = match.end()
    out.append(md(text[start:]))
    return "".join(out)


def coding_counts() -> dict[str, int]:
    """How often each kind of uncertainty occurs, for the prose of the method page."""
    obs = table("observations")
    events = table("events")
    people = table("people")
    places = table("places")
    return {
        "obs-total": len(obs),
        "obs-hedged": int((obs["qualifier"] != "exact").sum()),
        "obs-ranges": int(obs["value"].isna().sum()),
        "obs-estimates": int(obs["estimate"].fillna(False).sum()),
        "obs-derived": int(obs["derived"].notna().sum()),
        "obs-no-note": int(obs["note"].isna().sum()),
        "events-total": len(events),
        "events-approx": int((events["date_precision"] == "approx").sum()),
        "people-total": len(people),
        "people-unknown-fate": int((people["fate"] == "unknown").sum()),
        "places-total": len(places),
        "places-no-coordinates": int(places["lat"].isna().sum()),
    }


def qualifier_counts_markdown() -> str:
    obs = table("observations")
    counts = obs["qualifier"].value_counts()
    order = list(charts.QUALIFIER_SHAPES)
    lines = ["| wording in the source | observations | drawn as |", "|---|---:|---|"]
    for q in order:
        if q in counts.index:
            lines.append(f"| {q} | {int(counts[q])} | {charts.QUALIFIER_SHAPES[q].replace('-', ' ')} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ maps

def outline_properties() -> dict:
    """The properties stored with the 1937 outline (area, units, simplification, source)."""
    with open(paths.maps_dir() / "ussr_1937.geojson", encoding="utf-8") as handle:
        return json.load(handle)["features"][0]["properties"]


def measured_area_km2() -> float:
    """The outline's area computed afresh in an Albers equal-area projection centred on 95 E."""
    from . import maps

    outline = maps.ussr_outline()
    albers = "+proj=aea +lat_1=50 +lat_2=70 +lat_0=56 +lon_0=95 +datum=WGS84 +units=m +no_defs"
    return float(outline.to_crs(albers).area.sum() / 1e6)


def regions_markdown() -> str:
    from . import maps

    regions = maps.regions()
    lines = ["| region (1930s name) | drawn from today's units | how it differs |", "|---|---|---|"]
    for row in regions.sort_values("name").itertuples():
        lines.append(f"| {md(row.name)} | {md(row.modern_units)} | {md(row.note)} |")
    return "\n".join(lines) + "\n"


def citation_metadata() -> dict:
    import yaml

    with open(paths.root() / "CITATION.cff", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def citation_markdown() -> str:
    """How to cite the book (from CITATION.cff): a reference in prose form and a BibTeX entry."""
    cff = citation_metadata()
    authors = "; ".join(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}"
                        for a in cff["authors"])
    year = str(cff.get("date-released", ""))[:4]
    licence = cff.get("license", "")
    text = (f"{md(authors)} ({year}). *{md(cff['title'])}*. Version {md(cff['version'])}, released "
            f"{date_text(str(cff.get('date-released', '')))}. Licence: {md(licence)}.")
    key = "shopfloor" + year
    bib = ["@misc{" + key + ",", f"  author = {{{{{authors}}}}},", f"  title = {{{cff['title']}}},",
           f"  year = {{{year}}},", f"  version = {{{cff['version']}}},", f"  note = {{Licence: {licence}}}", "}"]
    lines = [text, "", "```bibtex", *bib, "```", ""]
    works = cff.get("references", [])
    if works:
        lines += ["The works it is built from, as `CITATION.cff` lists them:", ""]
        for work in works:
            names = ", ".join(f"{a.get('given-names', '')} {a.get('family-names', '')}".strip()
                              for a in work.get("authors", []))
            where = work.get("journal") or (work.get("publisher") or {}).get("name", "")
            extra = ""
            if work.get("volume"):
                extra += f" {work['volume']}"
            if work.get("issue"):
                extra += f", no. {work['issue']}"
            doi = f" doi:{work['doi']}" if work.get("doi") else ""
            lines.append(f"- {md(names)}, *{md(work['title'])}*, {md(where)}{md(extra)} ({work.get('year', '')})."
                         f"{md(doi)}")
    return "\n".join(lines) + "\n"


def licences_markdown() -> str:
    """Which licence covers what, read from LICENSE, LICENSE-CONTENT.md and maps/NOTICE."""
    root = paths.root()
    code = [l.strip() for l in (root / "LICENSE").read_text(encoding="utf-8").splitlines() if l.strip()]
    content = (root / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    content_name = re.search(r"\*\*(.+?)\*\*", content)
    content_url = re.search(r"<(https?://[^>]+)>", content)
    notice = (root / "maps" / "NOTICE").read_text(encoding="utf-8").splitlines()[0].strip()
    copyright_line = next((l for l in code if l.lower().startswith("copyright")), "")
    content_text = md(content_name.group(1) if content_name else "")
    if content_url:
        content_text = f"[{content_text}]({content_url.group(1)})"
    lines = ["| what | licence | file |", "|---|---|---|",
             f"| the text, figures and data | {content_text} | `LICENSE-CONTENT.md` |",
             f"| the code | {md(code[0])}; {md(copyright_line)} | `LICENSE` |",
             f"| the base maps | {md(notice)} | `maps/NOTICE` |"]
    return "\n".join(lines) + "\n"


# The people and places directories: interactive in HTML, a plain table in the PDF.
InteractiveTable = charts.DualTable


def people_table(people: pd.DataFrame) -> InteractiveTable:
    static = pd.DataFrame({
        "Name": people["name"],
        "Fate": [" ".join(t for t in (_text(f).replace("_", " "), _text(d)) if t)
                 for f, d in zip(people["fate"], people["fate_text"])],
        "Posts": ["; ".join(p) if isinstance(p, (list, tuple)) else _text(p) for p in people["posts"]],
        "Source": people["locator"]})
    return InteractiveTable(people_table_html(people), static)


def gazetteer_table(places: pd.DataFrame) -> InteractiveTable:
    static = places[["name", "name_modern", "kind_label", "location_precision", "what_happened"]].rename(
        columns={"name": "Name in the sources", "name_modern": "Modern name", "kind_label": "Kind",
                 "location_precision": "Located to", "what_happened": "What happened there"})
    return InteractiveTable(gazetteer_table_html(places), static)
