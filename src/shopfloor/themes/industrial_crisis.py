"""Figures and key numbers of the theme chapter "The industrial crisis, 1928-1936".

Two pages use this module: `chapters/industrial-crisis/wages-and-workforce.md` (workforce, wages,
prices, the wage fund, turnover, the pay ladder) and `chapters/industrial-crisis/hunger-danger-protest.md`
(rationing and supply, the Petrovskii works, accidents, protest, the unions).

Every builder returns `(chart_or_table, rows)`: `rows` are exactly the data rows (observations, events or
places, as loaded by `shopfloor.data`) that the figure draws, so that the page can pass them to
`charts.figure` and the source line under the figure is generated from their provenance. Values the
module computes (a ratio of two printed prices, an index point from a printed change) are labelled as
computed in the figure and in its tooltip.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, data, numbers
from ..citations import source_line

# The palette order used for recurring groups in this chapter.
COLOR_A, COLOR_B, COLOR_C, COLOR_D, COLOR_E, COLOR_F = charts.PALETTE[:6]
GREY = "#777777"
LABEL_LIMIT = 310  # pixels for long category labels on the y axis (keeps a figure within the text column)


# --------------------------------------------------------------------------------------------- helpers

def table(name: str) -> pd.DataFrame:
    """`data.load(name)` (cached there per state of the data files)."""
    return data.load(name)


def obs(*obs_ids: str) -> pd.DataFrame:
    """The observations with these ids, in the order given (each with its measure label)."""
    rows_all = table("observations")
    missing = [i for i in obs_ids if i not in set(rows_all["obs_id"])]
    if missing:
        raise KeyError(f"observations not in the data package: {', '.join(missing)}")
    measures = table("measures").set_index("measure_id")["label"]
    rows = rows_all.set_index("obs_id").loc[list(obs_ids)].reset_index()
    rows["label"] = rows["measure_id"].map(measures).astype("string")
    return rows


def events(*event_ids: str) -> pd.DataFrame:
    """The events with these ids, in the order given."""
    table_ = table("events")
    missing = [i for i in event_ids if i not in set(table_["event_id"])]
    if missing:
        raise KeyError(f"events not in the data package: {', '.join(missing)}")
    return table_.set_index("event_id").loc[list(event_ids)].reset_index()


def _text(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def glue_text(name: str, text: str) -> None:
    from shopfloor.glue import glue

    glue(name, text, display=False)


def say_change(row) -> str:
    """A percent_change or index observation in prose: 'about 50 percent' (the sign is the prose's job)."""
    if pd.notna(row["value"]):
        text = f"{numbers.number(abs(float(row['value'])))} percent"
    else:
        text = (f"between {numbers.number(abs(float(row['value_low'])))} and "
                f"{numbers.number(abs(float(row['value_high'])))} percent")
    return text if row["qualifier"] == "exact" else f"{row['qualifier']} {text}"


def say_times(row) -> str:
    """A ratio observation in prose: '16 times'."""
    text = f"{numbers.number(float(row['value']))} times"
    return text if row["qualifier"] == "exact" else f"{row['qualifier']} {text}"


def _glue_rows(spec: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Glue each (name, obs_id, style) and return the key-number table. Styles: 'plain' (numbers.say),
    'bare' (numbers.say without the unit word), 'change' (say_change), 'times' (say_times), 'printed' (the
    source's own wording, for fractions such as 'more than two-thirds')."""
    out = []
    rows = obs(*[obs_id for _, obs_id, _ in spec]).set_index("obs_id", drop=False)
    for name, obs_id, style in spec:
        row = rows.loc[obs_id]
        if style == "change":
            text = say_change(row)
        elif style == "printed":
            text = str(row["as_printed"])
        elif style == "times":
            text = say_times(row)
        else:
            text = numbers.say(row, unit_word=(style == "plain"))
        glue_text(name, text)
        computed = " (computed)" if _text(row.get("derived")) else ""
        out.append({"name": name, "obs_id": obs_id, "figure": text + computed, "source": row["locator"]})
    return pd.DataFrame(out)


def _computed(name: str, text: str, how: str, kind: str = "computed") -> dict:
    """Glue a value this module computes (or a list it assembles) and return its key-number row."""
    glue_text(name, text)
    return {"name": name, "obs_id": "", "figure": f"{text} ({kind}: {how})", "source": ""}


def _period(frame: pd.DataFrame) -> pd.Series:
    return charts.period_label(frame)


def _dots(frame: pd.DataFrame, y: str, color: str, x_title: str, color_sort: list[str] | None = None,
          color_title: str | None = None, log: bool = False, x_domain: list[float] | None = None,
          labels: bool = True, height_per_row: int = 46, rule_at: float | None = None,
          rule_label: str = "", x_format: str = "~s", legend: bool = True,
          width: int = 270) -> alt.LayerChart:
    """The book's dot plot (charts.dot_range) with control over the colour order, long y labels, value
    labels and an optional reference rule: points shaped by their wording, ranges as bars."""
    frame = frame.assign(period=_period(frame))
    if "shown" not in frame:
        frame["shown"] = [numbers.say(r, unit_word=False) for r in frame.to_dict("records")]
    columns = [y, color, "value", "value_low", "value_high", "qualifier", "description", "as_printed",
               "period", "reference", "shown"]
    scale_args = {"type": "log"} if log else {"zero": True}
    if x_domain:
        scale_args["domain"] = x_domain
    scale = alt.Scale(**scale_args)
    axis = alt.Axis(format=x_format, tickCount=6)
    base = alt.Chart(charts.chart_data(frame, list(dict.fromkeys(columns)))).encode(
        y=alt.Y(f"{y}:N", title=None, sort=list(dict.fromkeys(frame[y])), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        yOffset=alt.YOffset(f"{color}:N", sort=color_sort),
        color=alt.Color(f"{color}:N", title=color_title, sort=color_sort,
                        scale=alt.Scale(domain=color_sort) if color_sort else alt.Undefined,
                        legend=alt.Undefined if legend else None),
    )
    tips = charts.tooltip("description", "as_printed", "qualifier", "period")
    points = base.transform_filter("isValid(datum.value)").mark_point(size=110, filled=True, opacity=1).encode(
        x=alt.X("value:Q", title=x_title, scale=scale, axis=axis),
        shape=charts.qualifier_shape(frame["qualifier"]), tooltip=tips)
    ranges = base.transform_filter("!isValid(datum.value)").mark_bar(height=8, opacity=0.6).encode(
        x=alt.X("value_low:Q", title=x_title, scale=scale, axis=axis), x2="value_high:Q", tooltip=tips)
    layers = [ranges, points]
    if labels:
        layers.append(base.transform_filter("isValid(datum.value)").mark_text(
            align="left", dx=9, fontSize=11, color="#333333").encode(
            x=alt.X("value:Q", scale=scale), text="shown:N"))
        layers.append(base.transform_filter("!isValid(datum.value)").mark_text(
            align="left", dx=5, fontSize=11, color="#333333").encode(
            x=alt.X("value_high:Q", scale=scale), text="shown:N"))
    if rule_at is not None:
        rule = alt.Chart(alt.Data(values=[{"x": rule_at, "label": rule_label}]))
        layers.insert(0, rule.mark_rule(color=GREY, strokeDash=[4, 3]).encode(x=alt.X("x:Q", scale=scale)))
        if rule_label:
            layers.insert(1, rule.mark_text(align="left", dx=4, dy=-6, fontSize=11, color=GREY, baseline="bottom")
                          .encode(x=alt.X("x:Q", scale=scale), y=alt.value(0), text="label:N"))
    n_rows = frame[y].nunique()
    return alt.layer(*layers).properties(width=width, height=max(height_per_row * n_rows, 110))


def _bars(frame: pd.DataFrame, y: str, x_title: str, color: str | None = None, color_sort=None,
          x_domain=None, rule_at: float | None = None, rule_label: str = "", height_per_row: int = 30,
          tip_fields=("description", "as_printed", "period"), x_format: str = "~s") -> alt.LayerChart:
    """Horizontal bars for separate figures (not a series), each labelled with its value as shown."""
    frame = frame.assign(period=_period(frame))
    if "shown" not in frame:
        frame["shown"] = [numbers.say(r, unit_word=False) for r in frame.to_dict("records")]
    columns = [y, "value", "qualifier", "description", "as_printed", "period", "reference", "shown"]
    if color:
        columns.append(color)
    scale = alt.Scale(zero=True, domain=x_domain) if x_domain else alt.Scale(zero=True)
    base = alt.Chart(charts.chart_data(frame, list(dict.fromkeys(columns)))).encode(
        y=alt.Y(f"{y}:N", title=None, sort=list(dict.fromkeys(frame[y])), axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    encoding = {"x": alt.X("value:Q", title=x_title, scale=scale, axis=alt.Axis(format=x_format, tickCount=6)),
                "tooltip": charts.tooltip(*tip_fields)}
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None, sort=color_sort,
                                      scale=alt.Scale(domain=color_sort) if color_sort else alt.Undefined)
    bars = base.mark_bar(height=16).encode(**encoding)
    text = base.transform_filter("datum.value >= 0").mark_text(
        align="left", dx=4, fontSize=11, color="#333333").encode(x=alt.X("value:Q", scale=scale), text="shown:N")
    negative = base.transform_filter("datum.value < 0").mark_text(
        align="right", dx=-4, fontSize=11, color="#333333").encode(x=alt.X("value:Q", scale=scale), text="shown:N")
    layers = [bars, text, negative]
    if rule_at is not None:
        rule = alt.Chart(alt.Data(values=[{"x": rule_at, "label": rule_label}]))
        layers.append(rule.mark_rule(color=GREY, strokeDash=[4, 3]).encode(x=alt.X("x:Q", scale=scale)))
        if rule_label:
            layers.append(rule.mark_text(align="right", dx=-4, dy=-4, fontSize=11, color=GREY, baseline="bottom")
                          .encode(x=alt.X("x:Q", scale=scale), y=alt.value(0), text="label:N"))
    n_rows = frame[y].nunique()
    return alt.layer(*layers).properties(width=270, height=max(height_per_row * n_rows, 90))


def _table(rows: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """A small table for a {glue:figure}: what, the figure as the source words it, where it stands."""
    out = []
    for r in rows.to_dict("records"):
        shown = numbers.say(r)
        if r["unit"] == "percent_change":
            shown = ("a rise of " if float(r["value"]) > 0 else "a fall of ") + say_change(r)
        if _text(r.get("derived")):
            shown += " (computed)"
        out.append({"What": labels[r["obs_id"]], "Figure": shown, "Where": _short_locator(r)})
    return pd.DataFrame(out)


def _short_locator(row) -> str:
    """'Goldman, ch. 1, n. 48' for a table cell (the full locator is in the source line below it)."""
    author = _text(row.get("source_name")).split(" ")[0]
    chapter = _text(row.get("chapter"))
    part = f"ch. {chapter}" if chapter.isdigit() else (chapter if chapter in ("intro", "conclusion")
                                                       else f"sec. {chapter}")
    note = _text(row.get("note"))
    return ", ".join(x for x in (author, part, f"n. {note}" if note else "") if x)


def table_figure(name: str, frame: pd.DataFrame, rows: pd.DataFrame) -> None:
    """Glue a small table (as HTML, without the index) and its generated source line for a {glue:figure}."""
    from shopfloor.glue import glue

    html = frame.to_html(index=False, border=0, classes=["table", "shopfloor-table"], escape=True)
    glue(name, charts.DualTable(html, frame), display=False)
    glue(f"{name}-source", source_line(rows), display=False)


def _interval(start: str, end: str | None, precision: str) -> tuple[str, str]:
    """An event's dates as an ISO interval at the precision the source gives (a year, a month, a day)."""
    end = end if _text(end) else start

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
        stamp = pd.Timestamp(text) + pd.Timedelta(days=1)
        return stamp.strftime("%Y-%m-%d")

    return lower(start), upper(end)


def _dated(start: str, end: str | None, precision: str) -> str:
    end = end if _text(end) else ""
    text = start if not end or end == start else f"{start} to {end}"
    return text + (" (approximate)" if precision == "approx" else "")


# ------------------------------------------------------------------------------------- key numbers

def key_numbers_workforce() -> pd.DataFrame:
    """Glue the numbers quoted on the page 'workforce, wages and prices'; return the table to print."""
    key = _glue_rows([
        ("wage-earners-1929", "g1a-0027", "plain"),
        ("wage-earners-1933", "g1a-0028", "plain"),
        ("wage-earners-multiple", "g1a-0029", "plain"),
        ("ln-new-workers-1930", "k-0009", "plain"),
        ("ln-metal-electrical", "k-0010", "plain"),
        ("ln-machine-1928", "k-0011", "plain"),
        ("ln-machine-1932", "k-0012", "plain"),
        ("ln-peasant-1930", "k-0016", "plain"),
        ("ln-peasant-1931", "k-0015", "plain"),
        ("ln-women-1928", "k-0017", "plain"),
        ("ln-women-1932", "k-0018", "plain"),
        ("ln-women-metal-1928", "k-0019", "plain"),
        ("ln-women-metal-1932", "k-0020", "plain"),
        ("kp-workforce-1930", "k-0053", "plain"),
        ("kp-workforce-1931", "k-0014", "plain"),
        ("ln-unions", "k-0021", "plain"),
        ("ln-wage-rates", "k-0022", "plain"),
        ("real-wage-fall", "g1a-0041", "change"),
        ("real-wage-1937", "g1a-0042", "change"),
        ("purchasing-power", "g1a-0030", "change"),
        ("price-free-market", "g1a-0043", "times"),
        ("price-state", "g1a-0044", "times"),
        ("retail-rise", "g1a-0031", "change"),
        ("overspend-1932", "g1a-0034", "plain"),
        ("overspend-1936", "g1a-0040", "plain"),
        ("overspend-leningrad", "k-0025", "plain"),
        ("plan-productivity", "g1a-0035", "change"),
        ("plan-wages", "g1a-0036", "change"),
        ("plan-prices", "g1a-0037", "change"),
        ("norm-savings", "g1a-0038", "plain"),
        ("growth-productivity-g", "g1a-0039", "plain"),
        ("growth-productivity-k", "k-0066", "plain"),
        ("turnover-1930", "g1a-0032", "plain"),
        ("turnover-1936", "g1a-0033", "plain"),
        ("sites-recruited", "k-0023", "plain"),
        ("sites-quit", "k-0024", "plain"),
        ("pay-candy", "g1b-0010", "plain"),
        ("pay-kauchuk", "g1a-0116", "plain"),
        ("pay-base", "g1a-0125", "plain"),
        ("pay-lowest-ch4", "g4-0113", "plain"),
        ("pay-top-ch4", "g4-0114", "plain"),
        ("pay-partorg", "g1a-0025", "plain"),
        ("pay-union-chairs", "g1a-0128", "plain"),
        ("pay-union-heads", "g1a-0127", "plain"),
        ("pay-vtssps", "g1a-0126", "plain"),
        ("pay-ratio", "g1a-0129", "bare"),
        ("idle-pay", "k-0072", "plain"),
    ])
    recruited, quit_ = obs("k-0023", "k-0024")["value"]
    extra = [
        _computed("sites-quit-share", f"{float(quit_) / float(recruited) * 100:.0f} percent",
                  "k-0024 / k-0023 * 100"),
        _computed("real-wage-1932-index", f"about {100 + float(obs('g1a-0041')['value'][0]):.0f}",
                  "100 + g1a-0041, with 1928 = 100"),
    ]
    return pd.concat([key, pd.DataFrame(extra)], ignore_index=True)


def key_numbers_hunger() -> pd.DataFrame:
    """Glue the numbers quoted on the page 'hunger, danger and protest'; return the table to print."""
    key = _glue_rows([
        ("ivanovo-goods", "g1a-0046", "plain"),
        ("milk-contracted", "g1a-0047", "plain"),
        ("milk-delivered", "g1a-0048", "plain"),
        ("milk-share", "g1a-0049", "plain"),
        ("kuz-flour", "g1a-0056", "plain"),
        ("kuz-groats", "g1a-0057", "plain"),
        ("kuz-fish", "g1a-0059", "plain"),
        ("zlatoustroi-months", "g1a-0055", "bare"),
        ("tulskii-days", "g1a-0060", "bare"),
        ("bread-berdiansk-before", "g1a-0061", "plain"),
        ("bread-berdiansk-after", "g1a-0062", "plain"),
        ("bread-cut", "g1a-0063", "change"),
        ("bread-kombin-wife", "g1a-0122", "plain"),
        ("bread-garment-wife", "g1a-0123", "plain"),
        ("bread-ratio", "g1a-0124", "bare"),
        ("bread-washerwoman", "g1b-0011", "plain"),
        ("petr-workforce", "g1a-0074", "plain"),
        ("petr-short-tenure", "g1a-0075", "plain"),
        ("petr-short-tenure-n", "g1a-0076", "plain"),
        ("petr-settlement", "g1a-0077", "plain"),
        ("petr-canteen-capacity", "g1a-0078", "plain"),
        ("petr-canteen-users", "g1a-0079", "plain"),
        ("petr-overload", "g1a-0080", "bare"),
        ("petr-queue", "g1a-0082", "plain"),
        ("petr-deaths", "g1a-0083", "plain"),
        ("petr-malnourished", "g1a-0084", "plain"),
        ("petr-untraced", "g1a-0085", "plain"),
        ("injury-hazardous-ch1", "g1a-0089", "plain"),
        ("injury-hazardous-ch4", "g4-0140", "plain"),
        ("injury-majority-ch1", "g1a-0092", "plain"),
        ("injury-majority-ch4", "g4-0141", "plain"),
        ("injury-safest", "g1a-0091", "plain"),
        ("injury-rising-ch1", "g1a-0093", "plain"),
        ("injury-rising-ch4", "g4-0142", "plain"),
        ("injury-rising-computed", "g1a-0100", "plain"),
        ("injury-falling-ch1", "g1a-0094", "plain"),
        ("injury-falling-computed", "g1a-0101", "plain"),
        ("unions-reporting", "g1a-0095", "bare"),
        ("coal-miners", "g1a-0102", "plain"),
        ("coal-deaths", "g1a-0103", "plain"),
        ("coal-death-rate", "g1a-0104", "bare"),
        ("coal-deaths-rise", "g1a-0105", "change"),
        ("all-deaths-rise", "g1a-0106", "change"),
        ("kemerovo-killed", "g3-0014", "plain"),
        ("kemerovo-injured", "g3-0015", "plain"),
        ("trust-workers", "g1a-0107", "plain"),
        ("trust-accidents", "g1a-0108", "plain"),
        ("trust-serious", "g1a-0109", "plain"),
        ("ivanovo-strikers", "g1b-0043", "plain"),
        ("izhorskii-strikers", "g1b-0045", "plain"),
        ("loan-revenue-share", "g1b-0001", "plain"),
        ("loan-voters", "g1b-0004", "plain"),
        ("loan-meeting", "g1b-0005", "plain"),
        ("loan-share", "g1b-0006", "plain"),
        ("union-count-1934", "g1b-0017", "plain"),
        ("union-count-1935", "g1b-0018", "plain"),
        ("union-members-1935", "g1b-0019", "plain"),
        ("union-coverage", "g1b-0020", "plain"),
        ("union-members-1937", "g4-0004", "plain"),
        ("union-staff-1936", "g1b-0024", "plain"),
        ("union-staff-1937", "g1b-0027", "plain"),
        ("union-staff-1939", "g1b-0032", "plain"),
        ("union-staff-1940", "g1b-0033", "plain"),
        ("union-dues-admin", "g1b-0025", "plain"),
        ("union-admin-1936", "g1b-0026", "plain"),
        ("union-admin-1937", "g1b-0030", "plain"),
        ("union-admin-cut-stated", "g1b-0029", "change"),
        ("union-admin-cut-computed", "g1b-0031", "change"),
        ("kp-party-members", "k-0044", "plain"),
        ("kp-expelled", "k-0045", "plain"),
        ("kp-expelled-share", "k-0046", "plain"),
        ("kp-stoppages", "k-0059", "plain"),
        ("kp-shock-workers", "k-0052", "plain"),
        ("kp-shock-share", "k-0054", "plain"),
        ("kp-rolling-deaths", "k-0043", "bare"),
        ("union-purged-share", "g1b-0012", "printed"),
        ("unions-industrial", "g1b-0021", "bare"),
        ("unions-industrial-share", "g1b-0022", "plain"),
        ("union-staff-cut-stated", "g1b-0028", "printed"),
        ("union-staff-ratio-stated", "g1b-0034", "printed"),
        ("union-staff-ratio-computed", "g1b-0035", "bare"),
        ("union-alloc-1940", "g1b-0036", "plain"),
        ("unions-reclassifying", "g4-0157", "printed"),
    ])
    staff_1936, staff_1937 = obs("g1b-0024", "g1b-0027")["value"]
    unmapped = table("places").set_index("place_id").loc[unmapped_places(), "name"]
    extra = [
        _computed("union-staff-cut-computed",
                  f"{(float(staff_1936) - float(staff_1937)) / float(staff_1936) * 100:.0f} percent",
                  "(g1b-0024 - g1b-0027) / g1b-0024 * 100"),
        _computed("map-unmapped", "; ".join(unmapped), "places on the map's list without coordinates", "listed"),
    ]
    return pd.concat([key, pd.DataFrame(extra)], ignore_index=True)


# ------------------------------------------------------------------------ page 1: workforce, wages

def wage_earners() -> tuple[alt.LayerChart, pd.DataFrame]:
    """People working for wages in 1929 and 1933: two printed figures, drawn as two bars."""
    rows = obs("g1a-0027", "g1a-0028")
    frame = rows.assign(year=rows["period_start"], period=_period(rows),
                        shown=[numbers.say(r, unit_word=False) for r in rows.to_dict("records")])
    base = alt.Chart(charts.chart_data(frame, ["year", "value", "shown", "description", "as_printed", "period",
                                               "reference"])).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(size=70).encode(
        y=alt.Y("value:Q", title="People working for wages", axis=alt.Axis(format="~s")),
        tooltip=charts.tooltip("description", "as_printed", "period"))
    text = base.mark_text(dy=-8, fontSize=12).encode(y="value:Q", text="shown:N")
    return alt.layer(bars, text).properties(width=300, height=240), rows


LENINGRAD_SERIES = {
    "k-0017": "Women, share of all workers", "k-0018": "Women, share of all workers",
    "k-0019": "Women, share of metal workers", "k-0020": "Women, share of metal workers",
    "k-0011": "Machine-builders, share of all workers", "k-0012": "Machine-builders, share of all workers",
    "k-0010": "Metal-electrical sector, share of all workers",
    "k-0016": "Union members of peasant origin", "k-0015": "Union members of peasant origin",
}


def leningrad_workforce() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Who entered Leningrad industry, 1928-1932: shares at the dates the source gives, as points."""
    rows = obs(*LENINGRAD_SERIES)
    frame = rows.assign(series=rows["obs_id"].map(LENINGRAD_SERIES), when=_period(rows))
    frame["shown"] = [f"{numbers.say(r, unit_word=False)}% ({w})" for r, w in
                      zip(frame.to_dict("records"), frame["when"])]
    order = ["1928", "1930", "1931", "1932", "1928-1932"]
    chart = _dots(frame, y="series", color="when", x_title="Percent", color_sort=order,
                  color_title="Year", x_domain=[0, 70])
    return chart, rows


def real_wages() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Real wages against 1928: the two anchor points the source gives, never joined by a line."""
    rows = obs("g1a-0041", "g1a-0042")
    fall, level = rows.iloc[0], rows.iloc[1]
    points = pd.DataFrame([
        {"year": 1932, "value": 100 + float(fall["value"]), "qualifier": fall["qualifier"],
         "shown": f"about {100 + float(fall['value']):.0f} (computed)",
         "description": "Computed index point: 1928 = 100 less the stated fall of about 50 percent over "
                        "1929-1932 (the source: " + fall["description"].rstrip(".") + ").",
         "as_printed": fall["as_printed"], "period": "1929-1932", "reference": fall["reference"]},
        {"year": 1937, "value": float(level["value"]), "qualifier": level["qualifier"],
         "shown": f"{numbers.number(float(level['value']))}", "description": level["description"],
         "as_printed": level["as_printed"], "period": "1937", "reference": level["reference"]},
    ])
    y_scale = alt.Scale(domain=[0, 115])
    band = alt.Chart(alt.Data(values=[{"start": 1928.6, "end": 1932.4,
                                       "label": "First five-year plan, 1929-1932 (as the source dates it)"}])
                     ).mark_rect(color="#e8eef5").encode(
        x=alt.X("start:Q", title=None, scale=alt.Scale(domain=[1927.5, 1938.5], nice=False),
                axis=alt.Axis(format="d", values=list(range(1928, 1939)), labelAngle=0)),
        x2="end:Q", tooltip=alt.Tooltip("label:N", title="Band"))
    base_rule = alt.Chart(alt.Data(values=[{"y": 100, "label": "1928 level = 100"}]))
    rule = base_rule.mark_rule(color=GREY, strokeDash=[4, 3]).encode(y=alt.Y("y:Q", scale=y_scale))
    rule_text = base_rule.mark_text(align="left", x=4, dy=-7, fontSize=11, color=GREY).encode(
        y=alt.Y("y:Q", scale=y_scale), text="label:N")
    note = alt.Chart(alt.Data(values=[{"year": 1934, "y": 30,
                                       "label": "still falling until 1934, then a slow recovery (no figures given)"}])
                     ).mark_text(fontSize=11, fontStyle="italic", color="#555555", align="center").encode(
        x=alt.X("year:Q"), y=alt.Y("y:Q", scale=y_scale), text="label:N")
    data_points = alt.Chart(charts.chart_data(points, list(points.columns)))
    marks = data_points.mark_point(size=130, filled=True, opacity=1, color=COLOR_A).encode(
        x=alt.X("year:Q"), y=alt.Y("value:Q", title="Real wages of industrial workers (1928 = 100)",
                                   scale=y_scale),
        shape=charts.qualifier_shape(points["qualifier"]),
        tooltip=charts.tooltip("description", "as_printed", "qualifier", "period"))
    labels = data_points.mark_text(dy=-14, fontSize=12).encode(x="year:Q", y=alt.Y("value:Q", scale=y_scale),
                                                               text="shown:N")
    chart = alt.layer(band, rule, rule_text, note, marks, labels).properties(width=charts.WIDTH, height=260)
    return chart, rows


def prices() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Price rises as multiples: the national anchor points and prices individual workers quoted."""
    rows = obs("g1a-0043", "g1a-0044", "g1a-0031", "g1b-0007", "g1b-0008", "g1b-0041", "g1b-0042", "g1a-0115")
    r = rows.set_index("obs_id")

    def item(label, scope, value, shown, description, printed, period, refs, qualifier="exact"):
        return {"item": label, "scope": scope, "value": value, "shown": shown, "description": description,
                "as_printed": printed, "period": period, "qualifier": qualifier,
                "reference": "; ".join(dict.fromkeys(refs))}

    nat, loc = "All prices, USSR", "One item, as a worker quoted it"
    milk = float(r.loc["g1b-0008", "value"]) / float(r.loc["g1b-0007", "value"])
    tea = float(r.loc["g1b-0042", "value"]) / float(r.loc["g1b-0041", "value"])
    retail = 1 + float(r.loc["g1a-0031", "value"]) / 100
    items = [
        item("Free market, 1928 to end-1932", nat, float(r.loc["g1a-0043", "value"]),
             f"×{numbers.number(float(r.loc['g1a-0043', 'value']))}", r.loc["g1a-0043", "description"],
             r.loc["g1a-0043", "as_printed"], "1928-1932", [r.loc["g1a-0043", "reference"]]),
        item("State stores, 1928 to end-1932", nat, float(r.loc["g1a-0044", "value"]),
             f"×{numbers.number(float(r.loc['g1a-0044', 'value']))}", r.loc["g1a-0044", "description"],
             r.loc["g1a-0044", "as_printed"], "1928-1932", [r.loc["g1a-0044", "reference"]]),
        item("State stores, Dec. 1931 to spring 1932", nat, retail,
             f"×{retail:.1f} (computed)", "Computed multiple from the printed rise of "
             f"{numbers.number(float(r.loc['g1a-0031', 'value']))} percent: " + r.loc["g1a-0031", "description"],
             r.loc["g1a-0031", "as_printed"], "1931-12 to 1932", [r.loc["g1a-0031", "reference"]]),
        item("Milk, Minsk (to 1932)", loc, round(milk, 2), f"×{milk:.2f} (computed)",
             "Computed: 45 kopecks over 27 kopecks, the prices a Voroshilov works worker quoted.",
             f"{r.loc['g1b-0007', 'as_printed']} -> {r.loc['g1b-0008', 'as_printed']}", "1932",
             [r.loc["g1b-0007", "reference"], r.loc["g1b-0008", "reference"]]),
        item("Tea, Pravda plant canteen, 1932", loc, round(tea, 2), f"×{tea:.1f} (computed)",
             "Computed: 5 kopecks over 2 kopecks, the canteen price before and after the 1932 rise.",
             f"{r.loc['g1b-0041', 'as_printed']} -> {r.loc['g1b-0042', 'as_printed']}", "1932",
             [r.loc["g1b-0041", "reference"], r.loc["g1b-0042", "reference"]]),
        item("Tea, Shcherbakova mill (year not given)", loc, float(r.loc["g1a-0115", "value"]),
             f"×{numbers.number(float(r.loc['g1a-0115', 'value']))}", r.loc["g1a-0115", "description"],
             r.loc["g1a-0115", "as_printed"], "not stated", [r.loc["g1a-0115", "reference"]]),
    ]
    frame = pd.DataFrame(items)
    scale = alt.Scale(type="log", domain=[1, 20])
    base = alt.Chart(charts.chart_data(frame, list(frame.columns))).encode(
        y=alt.Y("item:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    marks = base.mark_point(size=120, filled=True, opacity=1).encode(
        x=alt.X("value:Q", title="Price as a multiple of the earlier price (log scale)", scale=scale,
                axis=alt.Axis(values=[1, 2, 3, 5, 10, 16, 20], format="~g")),
        color=alt.Color("scope:N", title=None, sort=[nat, loc]),
        shape=charts.qualifier_shape(frame["qualifier"]),
        tooltip=charts.tooltip("description", "as_printed", "period"))
    text = base.mark_text(align="left", dx=9, fontSize=11).encode(x=alt.X("value:Q", scale=scale), text="shown:N")
    chart = alt.layer(marks, text).properties(width=260, height=230)
    return chart, rows


SEESAW_EVENTS = ["1931-wage-scale-reform", "1931-12-politburo-price-rise", "1932-12-secret-wage-commission",
                 "1933-higher-norms", "1933-progressive-pay-retreat", "1933-price-increases",
                 "1935-04-norm-revision", "1936-norm-increase"]


def seesaw() -> tuple[alt.VConcatChart, pd.DataFrame]:
    """Wage-fund overspending (bars over the period each figure covers) above the state's responses."""
    money = obs("g1a-0034", "k-0025", "g1a-0040")
    evts = events(*SEESAW_EVENTS)
    spans = [_interval(s, e, p) for s, e, p in zip(money["period_start"], money["period_end"],
                                                    ["year"] * len(money))]
    mframe = money.assign(start=[s for s, _ in spans], end=[e for _, e in spans], period=_period(money),
                          millions=money["value"].astype(float) / 1e6,
                          scope=["USSR, whole year", "Leningrad, fourth quarter", "USSR, whole year"],
                          shown=[f"{numbers.number(float(v) / 1e6)} million" for v in money["value"]])
    x_scale = alt.Scale(domain=["1931-01-01", "1937-01-01"])
    x = alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(format="%Y", tickCount=6, labelAngle=0))
    mbase = alt.Chart(charts.chart_data(mframe, ["start", "end", "millions", "scope", "shown", "description",
                                                 "as_printed", "period", "reference"]))
    bars = mbase.mark_rect(opacity=0.85).encode(
        x=x, x2="end:T", y=alt.Y("millions:Q", title="Overspent (million rubles)"), y2=alt.datum(0),
        color=alt.Color("scope:N", title=None, sort=["USSR, whole year", "Leningrad, fourth quarter"]),
        tooltip=charts.tooltip("description", "as_printed", "period"))
    btext = mbase.mark_text(dy=-7, fontSize=11, align="left").encode(x="start:T", y="millions:Q", text="shown:N")
    top = alt.layer(bars, btext).properties(width=340, height=170)

    spans = [_interval(s, e, p) for s, e, p in zip(evts["date_start"], evts["date_end"], evts["date_precision"])]
    eframe = evts.assign(start=[s for s, _ in spans], end=[e for _, e in spans],
                         dated=[_dated(s, e, p) for s, e, p in zip(evts["date_start"], evts["date_end"],
                                                                   evts["date_precision"])],
                         lever=["Prices" if "price" in t.lower() else "Norms and pay" for t in evts["title"]])
    ebase = alt.Chart(charts.chart_data(eframe, ["start", "end", "title", "summary", "dated", "lever",
                                                 "reference"]))
    ebars = ebase.mark_bar(height=12, opacity=0.8).encode(
        x=alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(format="%Y", tickCount=6, labelAngle=0)),
        x2="end:T", y=alt.Y("title:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        color=alt.Color("lever:N", title="State response", sort=["Norms and pay", "Prices"],
                        scale=alt.Scale(range=[COLOR_C, COLOR_D])),
        tooltip=[alt.Tooltip("title:N", title="What"), alt.Tooltip("summary:N", title="Summary"),
                 alt.Tooltip("dated:N", title="Dated"), alt.Tooltip("reference:N", title="Source")])
    bottom = ebars.properties(width=340, height=22 * len(eframe))
    chart = alt.vconcat(top, bottom, spacing=14).resolve_scale(color="independent")
    rows = pd.concat([money, evts], ignore_index=True)
    return chart, rows


def plan_1933() -> tuple[alt.VConcatChart, pd.DataFrame]:
    """The secret commission's planned balance for 1933, and the two texts' share of growth from productivity."""
    plan = obs("g1a-0035", "g1a-0036", "g1a-0037")
    labels = {"g1a-0035": "Labour productivity", "g1a-0036": "Wages", "g1a-0037": "Prices"}
    pframe = plan.assign(item=plan["obs_id"].map(labels),
                         shown=[f"{float(v):+g}%" for v in plan["value"]])
    top = _bars(pframe, y="item", x_title="Planned change in 1933 (percent)", x_domain=[-10, 18],
                rule_at=0, height_per_row=34, x_format="d")
    share = obs("g1a-0039", "k-0066")
    sframe = share.assign(text=["Goldman (ch. 1): the 1936 plan", "Kokosalakis (sec. IV): 1932-1937"],
                          item="Planned growth from productivity")
    bottom = _dots(sframe, y="item", color="text", x_title="Percent of planned industrial growth",
                   color_sort=list(sframe["text"]), x_domain=[0, 60], height_per_row=70, x_format="d")
    rows = pd.concat([plan, share], ignore_index=True)
    return alt.vconcat(top, bottom, spacing=18).resolve_scale(color="independent", shape="independent"), rows


def turnover() -> tuple[alt.VConcatChart, pd.DataFrame]:
    """Labour turnover in 1930 and 1936 (the only two years the sources give), and one summer of 1930."""
    rate = obs("g1a-0032", "g1a-0033")
    rframe = rate.assign(year=rate["period_start"], what="Departures in the year as a share of the workforce")
    top = _dots(rframe, y="year", color="what", x_title="Labour turnover: departures in the year (percent of jobs)",
                x_domain=[0, 130], rule_at=100, rule_label="as many departures as jobs", height_per_row=42,
                x_format="d", legend=False)
    flows = obs("k-0023", "k-0024")
    fframe = flows.assign(item=["Workers hired", "Workers who quit"])
    bottom = _bars(fframe, y="item", x_title="Twenty leading construction sites, May-August 1930 (workers)",
                   height_per_row=34)
    rows = pd.concat([rate, flows], ignore_index=True)
    return alt.vconcat(top, bottom, spacing=18).resolve_scale(color="independent"), rows


PAY_LADDER = {
    "g1b-0010": ("Candy factory worker (year not given)", "Workers' pay"),
    "g1a-0116": ("Veteran rubber worker, Kauchuk, 1934", "Workers' pay"),
    "g4-0113": ("Bottom of the scale, 1937-38 (ch. 4)", "Workers' pay"),
    "g1a-0125": ("Workers' base pay (ch. 1)", "Workers' pay"),
    "g4-0114": ("Top skilled workers, 1937-38 (ch. 4)", "Workers' pay"),
    "g1a-0025": ("Mine party organiser, 1937 (a miner's claim)", "Officials' pay"),
    "g1a-0128": ("Chairs of regional union committees, 1936", "Officials' pay"),
    "g1a-0127": ("Heads of the unions, 1936", "Officials' pay"),
    "g1a-0126": ("Secretaries of the VTsSPS, 1936", "Officials' pay"),
}


def pay_ladder() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Monthly pay from the lowest-paid worker to the secretaries of the union council."""
    rows = obs(*PAY_LADDER)
    frame = rows.assign(rung=rows["obs_id"].map(lambda i: PAY_LADDER[i][0]),
                        who=rows["obs_id"].map(lambda i: PAY_LADDER[i][1]))
    chart = _dots(frame, y="rung", color="who", x_title="Rubles a month", color_sort=["Workers' pay", "Officials' pay"],
                  x_domain=[0, 1300], height_per_row=30, x_format="d")
    return chart, rows


# ---------------------------------------------------------------- page 2: hunger, danger and protest

SUPPLY = {
    "g1a-0046": ("Ivanovo: consumer goods", "Ivanovo cooperatives, late spring 1932"),
    "g1a-0049": ("Ivanovo: milk from farms (computed)", "Ivanovo cooperatives, late spring 1932"),
    "g1a-0056": ("Kuznetsstroi: flour", "Kuznetsstroi cooperatives, spring 1932"),
    "g1a-0057": ("Kuznetsstroi: groats", "Kuznetsstroi cooperatives, spring 1932"),
    "g1a-0058": ("Kuznetsstroi: meat", "Kuznetsstroi cooperatives, spring 1932"),
    "g1a-0059": ("Kuznetsstroi: fish", "Kuznetsstroi cooperatives, spring 1932"),
}


def supply() -> tuple[alt.LayerChart, pd.DataFrame]:
    """What cooperative stores received against what the plan allotted them, spring 1932."""
    rows = obs(*SUPPLY)
    frame = rows.assign(item=rows["obs_id"].map(lambda i: SUPPLY[i][0]),
                        where=rows["obs_id"].map(lambda i: SUPPLY[i][1]))
    frame["shown"] = [f"{numbers.say(r, unit_word=False)}%" for r in frame.to_dict("records")]
    chart = _bars(frame, y="item", x_title="Share of the allotment actually received (percent)", color="where",
                  color_sort=list(dict.fromkeys(frame["where"])), x_domain=[0, 105], rule_at=100,
                  rule_label="full allotment", x_format="d")
    return chart, rows


BREAD = {
    "g1a-0061": ("Berdiansk works: workers, before the cut", "Workers"),
    "g1a-0062": ("Berdiansk works: workers, after the cut", "Workers"),
    "g1b-0011": ("Washerwoman in a paper factory", "Workers"),
    "g1a-0122": ("Saratov: Kombin worker's wife (heavy industry)", "Dependants"),
    "g1a-0123": ("Saratov: garment worker's wife (light industry)", "Dependants"),
}


def bread() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Daily bread rations as workers reported them: a cut, and the gap between dependants."""
    rows = obs(*BREAD)
    frame = rows.assign(item=rows["obs_id"].map(lambda i: BREAD[i][0]),
                        group=rows["obs_id"].map(lambda i: BREAD[i][1]))
    frame["shown"] = [f"{numbers.say(r, unit_word=False)} g" for r in frame.to_dict("records")]
    chart = _bars(frame, y="item", x_title="Bread ration (grams a day)", color="group",
                  color_sort=["Workers", "Dependants"], x_domain=[0, 800], x_format="d")
    return chart, rows


PETROVSKII = {
    "g1a-0074": "Workers employed",
    "g1a-0075": "Share employed there for under a year",
    "g1a-0076": "Workers with under a year at the plant",
    "g1a-0077": "People in one nearby workers' settlement",
    "g1a-0078": "Diners one settlement canteen was built for",
    "g1a-0079": "Diners that canteen routinely served",
    "g1a-0080": "Diners per place in that canteen",
    "g1a-0081": "Delay of meals (hours)",
    "g1a-0082": "Length of the canteen queues (people)",
    "g1a-0083": "Dead of starvation and exposure in the plant hospital",
    "g1a-0084": "Further people suffering from malnutrition",
    "g1a-0085": "Malnourished workers the welfare commission could not trace",
    "g1a-0086": "Time at the plant of the starving newcomers (months)",
}


def petrovskii() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Petrovskii works in 1933, as Abolin's report gives it: a table of the printed figures."""
    rows = obs(*PETROVSKII)
    return _table(rows, PETROVSKII), rows


INJURY_GROUPS = {
    "g1a-0089": ("Most hazardous industries", "Ch. 1: lost-time work injuries"),
    "g4-0140": ("Most hazardous industries", "Ch. 4: work and home injuries"),
    "g1a-0092": ("Majority of industries", "Ch. 1: lost-time work injuries"),
    "g4-0141": ("Majority of industries", "Ch. 4: work and home injuries"),
    "g1a-0091": ("Safest industries (printing, textiles...)", "Ch. 1: lost-time work injuries"),
}


def injury_rates() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Injuries per 100 workers in 1934 as Goldman's chapters 1 and 4 give them, side by side."""
    rows = obs(*INJURY_GROUPS)
    frame = rows.assign(group=rows["obs_id"].map(lambda i: INJURY_GROUPS[i][0]),
                        text=rows["obs_id"].map(lambda i: INJURY_GROUPS[i][1]))
    frame["shown"] = [f"{numbers.say(r, unit_word=False)}%" for r in frame.to_dict("records")]
    chart = _dots(frame, y="group", color="text", x_title="Injured in 1934 (per 100 workers)",
                  color_sort=["Ch. 1: lost-time work injuries", "Ch. 4: work and home injuries"],
                  x_domain=[0, 40], height_per_row=56, x_format="d")
    return chart, rows


INJURY_TREND = {
    "g1a-0093": ("Injury rates rose, 1934 to 1936", "Ch. 1 text (industries)"),
    "g1a-0100": ("Injury rates rose, 1934 to 1936", "Ch. 1 footnote counts (unions; computed)"),
    "g4-0142": ("Injury rates rose, 1934 to 1936", "Ch. 4 text (industries)"),
    "g1a-0094": ("Injury rates fell, 1937 against 1936", "Ch. 1 text (unions)"),
    "g1a-0101": ("Injury rates fell, 1937 against 1936", "Ch. 1 footnote counts (unions; computed)"),
    "g4-0143": ("Injury rates fell, 1937 against 1936", "Ch. 4 text (industries)"),
}


def injury_trend() -> tuple[alt.LayerChart, pd.DataFrame]:
    """The turn of 1937: shares of industries or unions with rising, then falling, injury rates."""
    rows = obs(*INJURY_TREND)
    frame = rows.assign(turn=rows["obs_id"].map(lambda i: INJURY_TREND[i][0]),
                        text=rows["obs_id"].map(lambda i: INJURY_TREND[i][1]))
    frame["shown"] = [f"{numbers.say(r, unit_word=False)}%" for r in frame.to_dict("records")]
    order = ["Ch. 1 text (industries)", "Ch. 1 text (unions)", "Ch. 1 footnote counts (unions; computed)",
             "Ch. 4 text (industries)"]
    chart = _dots(frame, y="turn", color="text", x_title="Share reporting the change (percent)",
                  color_sort=order, x_domain=[0, 100], height_per_row=80, x_format="d")
    return chart, rows


FATALITIES = {
    "g1a-0102": "Coal miners in the USSR, 1936",
    "g1a-0103": "Coal miners killed at work, 1936 (the table behind it covers nine months)",
    "g1a-0104": "Coal miners killed per 1,000 miners",
    "g1a-0105": "Change in fatal accidents, coal mining, 1935 to 1936",
    "g1a-0106": "Change in fatal accidents, all industries, 1935 to 1936",
    "g3-0018": "Killed in the Kemerovo mine explosion of December 1935",
    "g3-0014": "Killed in the Kemerovo mine explosion of 23 September 1936",
    "g3-0015": "Badly injured in the same explosion",
    "g1a-0023": "Miners killed at Shadabudinov's copper mine (told to the 1937 plenum)",
    "g1a-0107": "Workers of the Moscow construction trust",
    "g1a-0108": "Accidents among them",
    "g1a-0109": "Accidents with serious injuries",
    "g1a-0110": "Deaths that followed",
}


def fatalities() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deaths at work: the few counts the sources print, as a table."""
    rows = obs(*FATALITIES)
    return _table(rows, FATALITIES), rows


# --- the map and the timeline of protest

PROTEST_EVENTS = [
    "1932-04-ivanovo-strike-wave", "1932-04-teikovo-strike", "1932-teikovo-food-fights",
    "1932-01-moscow-building-materials-strike-call", "1932-01-donbas-anti-soviet-leaflets",
    "1932-krasnyi-putilovets-walkout", "1932-malenkov-factory-strike-call", "1932-nikopol-strike",
    "1932-krasnyi-fakel-strike", "1932-krasnyi-putilovets-strike", "1932-donbas-mine-strikes",
    "1932-leningrad-dock-strike", "1932-arkhangelsk-dock-strike", "1932-odessa-dock-strike",
    "1932-sormovo-shipyard-strike", "1932-vishkhimzavod-walkout", "1933-izhorskii-stoppage",
    "1933-provskaia-slowdown", "1933-ivanovo-glass-ultimatum", "1932-liudinovo-strike-call",
    "1932-lezhnevskii-child-ration-protest",
]
LOAN_EVENTS = [
    "1932-kommunar-minsk-loan-refusal", "1932-voroshilov-minsk-loan-protest",
    "1932-belorussia-lumber-loan-refusal", "1932-western-province-glass-loan-refusal",
    "1932-nogin-ivanovo-loan-meeting", "1932-moscow-shoe-factory-loan-refusal",
]
DISASTER_EVENTS = ["1935-12-kemerovo-earlier-explosion", "1936-09-23-kemerovo-explosion",
                   "1936-cheliabinsk-roof-collapse"]
HUNGER_OBS = ["g1a-0046", "g1a-0056", "g1a-0055", "g1a-0060", "g1a-0062", "g1a-0083", "g1b-0059", "g1a-0119",
              "g1a-0045", "g1a-0123"]
STATE_EVENTS = ["1931-12-politburo-price-rise", "1932-01-food-price-increase", "1932-spring-bread-ration-cut",
                "1932-brak-pay-rules", "1932-ration-cuts", "1932-11-labour-discipline-law",
                "1932-child-ration-cut", "1933-price-increases"]

KINDS = ["Strike or walkout", "Protest or call to strike", "Refusal of the state loan",
         "Hunger and supply breakdown", "Mine disaster", "Big construction site"]
KIND_SHAPES = ["triangle-up", "diamond", "square", "circle", "cross", "triangle-down"]


def _protest_kind(kind: str) -> str:
    return "Strike or walkout" if kind == "strike" else "Protest or call to strike"


def protest_places() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One row per place and kind of trouble (for the map), the data rows behind them, and the items
    whose place has no coordinates (left off the map)."""
    places = table("places").set_index("place_id")
    protest = events(*PROTEST_EVENTS)
    loans = events(*LOAN_EVENTS)
    disasters = events(*DISASTER_EVENTS)
    hunger = obs(*HUNGER_OBS)
    sites = table("places")
    sites = sites[sites["kind"] == "construction_site"]
    items = []
    for r in protest.to_dict("records"):
        items.append((r["place_id"], _protest_kind(r["kind"]), r["title"], r["reference"]))
    for r in loans.to_dict("records"):
        items.append((r["place_id"], "Refusal of the state loan", r["title"], r["reference"]))
    for r in disasters.to_dict("records"):
        items.append((r["place_id"], "Mine disaster", r["title"], r["reference"]))
    for r in hunger.to_dict("records"):
        items.append((r["place_id"], "Hunger and supply breakdown", r["description"], r["reference"]))
    for r in sites.to_dict("records"):
        items.append((r["place_id"], "Big construction site", r["description"], r["reference"]))
    frame = pd.DataFrame(items, columns=["place_id", "kind", "what", "reference"])
    frame = frame.join(places[["name", "name_modern", "lat", "lon", "location_precision"]], on="place_id")
    located = frame.dropna(subset=["lat", "lon"])
    grouped = []
    for (lat, lon, kind), g in located.groupby(["lat", "lon", "kind"], sort=False):
        names = list(dict.fromkeys(g["name"]))
        modern = [m for m in dict.fromkeys(g["name_modern"].dropna()) if m]
        grouped.append({
            "lat": float(lat), "lon": float(lon), "kind": kind, "count": len(g),
            "name": "; ".join(names), "name_modern": "; ".join(modern) or "",
            "description": " | ".join(dict.fromkeys(g["what"])),
            "location_precision": "site" if (g["location_precision"] == "site").all() else
            g["location_precision"].iloc[0],
            "reference": "; ".join(dict.fromkeys(g["reference"])),
        })
    mapped = pd.DataFrame(grouped)
    rows = pd.concat([protest, loans, disasters, hunger, sites], ignore_index=True)
    unmapped = frame[frame["lat"].isna()]
    return mapped, rows, unmapped


def protest_map() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Where the crisis broke out: strikes, protests, loan refusals, hunger, mine disasters, building sites."""
    from .. import maps  # imported here: geopandas is slow to load and only the map needs it

    mapped, rows, _ = protest_places()
    mapped = mapped.assign(kind=pd.Categorical(mapped["kind"], KINDS)).sort_values("kind")
    mapped["kind"] = mapped["kind"].astype(str)
    chart = maps.ussr_map(mapped, color="kind", size="count",
                          tooltip_fields=("name", "name_modern", "kind", "description", "location_precision"),
                          title="Trouble spots of the industrial crisis, 1932-1936")
    shape = alt.Shape("kind:N", title="Kind", scale=alt.Scale(domain=KINDS, range=KIND_SHAPES))
    color = alt.Color("kind:N", title="Kind", scale=alt.Scale(domain=KINDS, range=charts.PALETTE[:6]))
    size = alt.Size("count:Q", title="Reports at the place", scale=alt.Scale(range=[60, 420]),
                    legend=alt.Legend(values=[1, 3, 6], format="d"))
    chart.layer = [layer.encode(shape=shape, color=color, size=size) if i >= 2 else layer
                   for i, layer in enumerate(chart.layer)]
    return chart, rows


def unmapped_places() -> list[str]:
    """Names of the places on the map's list that have no coordinates (left off the map)."""
    _, _, unmapped = protest_places()
    return sorted(dict.fromkeys(unmapped["place_id"]))


def timeline() -> tuple[alt.LayerChart, pd.DataFrame]:
    """Strikes, protests and loan refusals of 1932-1933 against the state measures that set them off.

    Each bar spans the period the source dates an event to: a day, a month, a year, or 1932-1933 where
    the text gives only 'these years'. Nothing is placed more precisely than its source."""
    evts = events(*STATE_EVENTS, *PROTEST_EVENTS, *LOAN_EVENTS)
    places = table("places").set_index("place_id")["name"]
    group = []
    for r in evts.to_dict("records"):
        if r["event_id"] in STATE_EVENTS:
            group.append("State measure")
        elif r["event_id"] in LOAN_EVENTS:
            group.append("Refusal of the state loan")
        else:
            group.append(_protest_kind(r["kind"]))
    spans = [_interval(s, e, p) for s, e, p in zip(evts["date_start"], evts["date_end"], evts["date_precision"])]
    frame = evts.assign(
        group=group, start=[s for s, _ in spans], end=[e for _, e in spans],
        dated=[_dated(s, e, p) for s, e, p in zip(evts["date_start"], evts["date_end"], evts["date_precision"])],
        where=[places.get(p, "") if _text(p) else "" for p in evts["place_id"]],
        order=[f"{s}|{e}" for s, e in spans])
    frame = frame.sort_values(["group", "order"], key=lambda s: s.map(
        {g: i for i, g in enumerate(["State measure", *KINDS])}) if s.name == "group" else s)
    frame["label"] = [t if len(t) <= 50 else t[:48] + "..." for t in frame["title"]]
    groups = ["State measure", "Strike or walkout", "Protest or call to strike", "Refusal of the state loan"]
    colors = [GREY, charts.PALETTE[0], charts.PALETTE[1], charts.PALETTE[2]]
    base = alt.Chart(charts.chart_data(frame, ["start", "end", "label", "title", "summary", "dated", "where",
                                               "group", "reference"])).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT, labelFontSize=11)),
        color=alt.Color("group:N", title=None, scale=alt.Scale(domain=groups, range=colors)),
        tooltip=[alt.Tooltip("title:N", title="What"), alt.Tooltip("where:N", title="Where"),
                 alt.Tooltip("dated:N", title="Dated"), alt.Tooltip("summary:N", title="Summary"),
                 alt.Tooltip("reference:N", title="Source")])
    x = alt.X("start:T", title=None, scale=alt.Scale(domain=["1931-11-01", "1935-01-01"]),
              axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 6}, labelAngle=0,
                            orient="top"))
    bars = base.mark_bar(height=9, opacity=0.8).encode(x=x, x2="end:T")
    chart = bars.properties(width=charts.WIDTH - 170, height=15 * len(frame))
    return chart, evts


def unions() -> tuple[alt.VConcatChart, pd.DataFrame]:
    """Number of unions, members and paid staff, each at the dates the source gives."""
    count = obs("g1b-0017", "g1b-0018")
    members = obs("g1b-0019", "g4-0004")
    staff = obs("g1b-0024", "g1b-0027", "g1b-0032", "g1b-0033")

    def panel(rows, title, years, height=120, fmt="~s"):
        frame = rows.assign(year=rows["period_start"], period=_period(rows),
                            shown=[numbers.say(r, unit_word=False) for r in rows.to_dict("records")])
        base = alt.Chart(charts.chart_data(frame, ["year", "value", "shown", "description", "as_printed",
                                                   "period", "reference"])).encode(
            x=alt.X("year:O", title=None, scale=alt.Scale(domain=years), axis=alt.Axis(labelAngle=0)))
        bars = base.mark_bar(size=34).encode(y=alt.Y("value:Q", title=None, axis=alt.Axis(format=fmt, tickCount=3)),
                                             tooltip=charts.tooltip("description", "as_printed", "period"))
        text = base.mark_text(dy=-7, fontSize=11).encode(y="value:Q", text="shown:N")
        return alt.layer(bars, text).properties(width=charts.WIDTH - 200, height=height, title=title)

    chart = alt.vconcat(
        panel(count, "Number of unions", ["1934", "1935"]),
        panel(members, "Union members", ["1935", "1936", "1937"]),
        panel(staff, "Paid union staff (no figure for 1938)", ["1936", "1937", "1938", "1939", "1940"]),
        spacing=16)
    return chart, pd.concat([count, members, staff], ignore_index=True)
