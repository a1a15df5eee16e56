"""Figures and computed figures of the theme chapter "The union purge, 1935-1938".

Two pages call this module: `chapters/union-purge/union-democracy.md` (the national frame and the 1937
campaign for union democracy) and `chapters/union-purge/repression-of-union-officials.md` (the repression
of union officials, union by union). Every builder returns the chart (or table) and exactly the data rows it
draws, so that the page can pass both to `charts.figure` and the source line is generated from them.

Values we compute (a sum, a difference, a share) are glued by `glue_computed` and labelled as computed in
the prose; figures the sources print are glued through `numbers.glue_figures`.
"""
from __future__ import annotations

import calendar

import altair as alt
import pandas as pd

from .. import charts, data, maps, numbers, paths

REPRESSION_FATES = ["removed", "expelled", "arrested", "shot"]
FATE_LABELS = {"removed": "Removed from post", "expelled": "Expelled from the party",
               "arrested": "Arrested", "shot": "Shot"}


# ------------------------------------------------------------------------------------------------ helpers

_TABLES: dict[tuple, pd.DataFrame] = {}


def table(name: str) -> pd.DataFrame:
    """`data.load(name)`, loaded once per state of the data folder (loading re-reads and re-annotates the
    CSV each time, which a page with a hundred figures cannot afford). Returns a copy."""
    folder = paths.datapackage().parent
    stamp = (name,) + tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.csv")))
    if stamp not in _TABLES:
        _TABLES[stamp] = data.load(name)
    return _TABLES[stamp].copy()


def observations(*obs_ids: str) -> pd.DataFrame:
    """The observations with these ids, in the order given (a missing id raises)."""
    obs = table("observations").set_index("obs_id", drop=False)
    missing = [i for i in obs_ids if i not in obs.index]
    if missing:
        raise KeyError(f"not in observations.csv: {', '.join(missing)}")
    return obs.loc[list(obs_ids)].reset_index(drop=True)


def observation(obs_id: str) -> pd.Series:
    return observations(obs_id).iloc[0]


def events(*event_ids: str) -> pd.DataFrame:
    ev = table("events").set_index("event_id", drop=False)
    missing = [i for i in event_ids if i not in ev.index]
    if missing:
        raise KeyError(f"not in events.csv: {', '.join(missing)}")
    return ev.loc[list(event_ids)].reset_index(drop=True)


def value(obs_id: str) -> float:
    return float(observation(obs_id)["value"])


def glue_figures(names: dict[str, str], unit_word: bool = True) -> pd.DataFrame:
    """`numbers.glue_figures` with the observations loaded once: glue each observation under its name
    (as `numbers.say` words it) and return the table of key numbers (name, obs_id, figure, source)."""
    from shopfloor.glue import glue

    rows = []
    for name, obs_id in names.items():
        row = observation(obs_id)
        text = numbers.say(row, unit_word=unit_word)
        glue(name, text, display=False)
        rows.append({"name": name, "obs_id": obs_id, "figure": text, "source": row["locator"]})
    return pd.DataFrame(rows)


def glue_computed(name: str, text: str) -> str:
    """Glue a figure we computed (the prose says so) and return it."""
    from shopfloor.glue import glue

    glue(name, text, display=False)
    return text


def _say(row) -> str:
    return numbers.say(row, unit_word=False)


def _provenance(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the provenance columns: rows of several tables can then be stacked for one source line."""
    cols = ["source_name", "source_id", "chapter", "section", "note", "archival_ref", "literature_ref",
            "locator", "reference"]
    return frame[cols].copy()


def rows_of(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([_provenance(f) for f in frames], ignore_index=True)


def _month_bounds(date: str, end: bool = False) -> str:
    """'1937-08' -> '1937-08-01' (or '1937-08-31' with end); a full date stays; a year -> Jan 1 / Dec 31."""
    parts = str(date).split("-")
    if len(parts) == 3:
        return str(date)
    if len(parts) == 2:
        year, month = int(parts[0]), int(parts[1])
        day = calendar.monthrange(year, month)[1] if end else 1
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{parts[0]}-12-31" if end else f"{parts[0]}-01-01"


def _dots(frame: pd.DataFrame, y: str, color: str, x_title: str, *, log: bool = False, label: str | None = None,
          y_sort=None, x_domain=None, color_title=None, tips=("description", "as_printed", "qualifier", "period"),
          height_per_row: int = 34, label_limit: int = 260, offset: bool = False,
          width: int = 300) -> alt.LayerChart:
    """Points shaped by the source's wording (never a midpoint for a range), with an optional text label."""
    frame = frame.assign(period=charts.period_label(frame))
    cols = list(dict.fromkeys([y, color, "value", "value_low", "value_high", "qualifier", *tips, "reference"]
                              + ([label] if label else [])))
    scale_args = {"type": "log"} if log else {"zero": True}
    if x_domain:
        scale_args["domain"] = x_domain
    scale = alt.Scale(**scale_args)
    base = alt.Chart(charts.chart_data(frame, cols)).encode(
        y=alt.Y(f"{y}:N", title=None, sort=y_sort if y_sort is not None else None,
                axis=alt.Axis(labelLimit=label_limit)),
        color=alt.Color(f"{color}:N", title=color_title,
                        legend=alt.Legend(orient="bottom", direction="vertical")),
    )
    if offset:
        base = base.encode(yOffset=alt.YOffset(f"{color}:N"))
    tooltip = charts.tooltip(*tips)
    x_axis = alt.Axis(format="~s" if log else "~r", tickCount=6)
    points = base.transform_filter("isValid(datum.value)").mark_point(size=120, filled=True, opacity=1).encode(
        x=alt.X("value:Q", title=x_title, scale=scale, axis=x_axis),
        shape=_shape(frame["qualifier"]), tooltip=tooltip)
    ranges = base.transform_filter("!isValid(datum.value)").mark_bar(height=10, opacity=0.6).encode(
        x=alt.X("value_low:Q", title=x_title, scale=scale, axis=x_axis), x2="value_high:Q", tooltip=tooltip)
    layers = [ranges, points]
    if label:
        layers.append(base.mark_text(align="left", dx=10, fontSize=11, color="#333333").encode(
            x=alt.X("label_x:Q", scale=scale), text=f"{label}:N", tooltip=tooltip).transform_calculate(
            label_x="isValid(datum.value) ? datum.value : datum.value_high"))
    return alt.layer(*layers).properties(width=width, height=max(height_per_row * frame[y].nunique(), 100))


def _shape(qualifiers) -> alt.Shape:
    """The book's qualifier shapes; without a legend when every figure is exact (it would say nothing)."""
    shape = charts.qualifier_shape(qualifiers)
    if set(pd.Series(qualifiers).dropna()) <= {"exact"}:
        shape = shape.legend(None)
    return shape


# --------------------------------------------------------------------------------- page 1: national frame

VERIFICATION_IDS = ("g2-0017", "g2-0018", "g2-0020", "g2-0022", "g2-0027", "g2-0029", "g3-0079")


def verification_chart():
    """The 1935 verification as a funnel of counts on a log scale, with the later counts beside it."""
    rows = observations(*VERIFICATION_IDS)
    stage = {"g2-0017": "Party members, July 1935", "g2-0018": "Expelled", "g2-0027": "Expelled",
             "g3-0079": "Expelled", "g2-0020": "Expelled for Trotskyism or Zinovievism",
             "g2-0029": "Expelled for Trotskyism or Zinovievism", "g2-0022": "Expelled and then arrested"}
    count = {"g2-0017": "Verification, 1935", "g2-0018": "Verification, 1935",
             "g2-0020": "Verification, 1935", "g2-0022": "Verification, 1935",
             "g2-0027": "Count of February 1937",
             "g2-0029": "Count of February 1937",
             "g3-0079": "Stalin's claim, March 1937"}
    frame = rows.assign(stage=rows["obs_id"].map(stage), count=rows["obs_id"].map(count),
                        label=[_say(r) for _, r in rows.iterrows()])
    order = ["Party members, July 1935", "Expelled", "Expelled for Trotskyism or Zinovievism",
             "Expelled and then arrested"]
    chart = _dots(frame, "stage", "count", "People (log scale)", log=True, label="label", y_sort=order,
                  x_domain=[1000, 10_000_000], height_per_row=62, offset=True, width=320)
    return chart, rows


TRIALS = [
    # (label, [(obs_id, outcome, detail)...], context obs ids)
    ("Leningrad center, Dec. 1934", [("g2-0004", "Shot", "Nikolaev and thirteen others")], []),
    ("Moscow center, Jan. 1935", [("g2-0005", "Sentenced; outcome not counted in the data",
                                      "Zinoviev, Kamenev, Evdokimov, Bakaev and fifteen others")], []),
    ("United Center, Aug. 1936", [("g2-0056", "Shot", "all sixteen")], ["g2-0054"]),
    ("Kemerovo (in Novosibirsk), Nov. 1936", [("g3-0026", "Shot", "the nine defendants")], ["g3-0021"]),
    ("Parallel Center, Jan. 1937", [("g3-0037", "Shot", "thirteen of seventeen (computed)"),
                                                 ("g3-0033", "Prison term", "Sokolnikov: ten years"),
                                                 ("g3-0034", "Prison term", "Radek: ten years"),
                                                 ("g3-0035", "Prison term", "Arnol'd: ten years"),
                                                 ("g3-0036", "Prison term", "Stroilov: eight years")],
     ["g3-0032"]),
    ("Rightists and Trotskyists, Mar. 1938", [("g1b-0064", "Sentenced; outcome not counted in the data",
                                                        "Bukharin, Rykov and nineteen others")], ["g1b-0063"]),
]
TRIAL_OUTCOMES = ["Shot", "Prison term", "Sentenced; outcome not counted in the data"]


def trials_chart():
    """One square per defendant of the political trials of 1934-1938, coloured by what the data say of
    the sentence."""
    used, units = [], []
    for trial, parts, context in TRIALS:
        used += [p[0] for p in parts] + context
        position = 0
        for obs_id, outcome, detail in parts:
            row = observation(obs_id)
            n = 1 if outcome == "Prison term" else int(row["value"])
            for _ in range(n):
                position += 1
                units.append({"trial": trial, "unit": position, "outcome": outcome, "detail": detail,
                              "reference": row["reference"]})
    rows = observations(*used)
    frame = pd.DataFrame(units)
    order = [t[0] for t in TRIALS]
    chart = alt.Chart(charts.chart_data(frame, ["trial", "unit", "outcome", "detail", "reference"])).mark_square(
        size=110, opacity=0.95).encode(
        x=alt.X("unit:O", title="Defendants (one square each)", axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("trial:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
        color=alt.Color("outcome:N", title="Sentence", sort=TRIAL_OUTCOMES,
                        scale=alt.Scale(domain=TRIAL_OUTCOMES, range=[charts.PALETTE[3], charts.PALETTE[0],
                                                                      "#bbbbbb"])),
        tooltip=[alt.Tooltip("trial:N", title="Trial"), alt.Tooltip("outcome:N", title="Sentence"),
                 alt.Tooltip("detail:N", title="Who"), alt.Tooltip("reference:N", title="Source")],
    ).properties(width=360, height=32 * len(order))
    return chart, rows


FUNNEL_IDS = ("g1a-0001", "g1a-0003", "g1a-0004", "g1a-0013", "g1a-0014", "g1a-0018", "g1a-0017", "g1a-0020",
              "g1a-0019")


def funnel_chart():
    """1937-1938 as a funnel: arrests, convictions and executions drawn as centred bars whose width is the
    count, with the mass operations inside; the marker at the right end of each bar shows the wording."""
    rows = observations(*FUNNEL_IDS)
    stages = {"g1a-0001": ("1 Arrested", "All NKVD arrests"), "g1a-0003": ("2 Convicted", "All NKVD arrests"),
              "g1a-0004": ("3 Executed", "All NKVD arrests"), "g1a-0013": ("1 Arrested", "Mass operations"),
              "g1a-0014": ("3 Executed", "Mass operations")}
    share = {"g1a-0001": "", "g1a-0003": f"{numbers.number(value('g1a-0018'))}% of arrests (computed)",
             "g1a-0004": f"{numbers.number(value('g1a-0017'))}% of arrests (computed)",
             "g1a-0013": "",
             "g1a-0014": f"{numbers.number(value('g1a-0020'))}% of all executions and "
                         f"{numbers.number(value('g1a-0019'))}% of the mass operations' arrests (computed)"}
    bars = rows[rows["obs_id"].isin(stages)].copy()
    bars["stage"] = bars["obs_id"].map(lambda i: stages[i][0][2:])
    bars["scope"] = bars["obs_id"].map(lambda i: stages[i][1])
    bars["left"] = -bars["value"].astype(float) / 2
    bars["right"] = bars["value"].astype(float) / 2
    bars["label"] = [_say(r) for _, r in bars.iterrows()]
    bars["share"] = bars["obs_id"].map(share)
    bars = bars.assign(period=charts.period_label(bars))
    cols = ["stage", "scope", "left", "right", "label", "share", "qualifier", "description", "period", "reference"]
    order = ["Arrested", "Convicted", "Executed"]
    scopes = ["All NKVD arrests", "Mass operations"]
    tips = charts.tooltip("description", "label", "qualifier", "share", "period")
    base = alt.Chart(charts.chart_data(bars, cols)).encode(
        y=alt.Y("stage:N", sort=order, title=None, axis=alt.Axis(labelFontWeight="bold")))
    xs = alt.Scale(domain=[-820_000, 1_650_000])
    color = alt.Color("scope:N", title=None, sort=scopes,
                      scale=alt.Scale(domain=scopes, range=["#9ecae1", charts.PALETTE[0]]))
    outer = base.transform_filter("datum.scope == 'All NKVD arrests'").mark_bar(height=46).encode(
        x=alt.X("left:Q", scale=xs, axis=None), x2="right:Q", color=color, tooltip=tips)
    inner = base.transform_filter("datum.scope == 'Mass operations'").mark_bar(height=24).encode(
        x=alt.X("left:Q", scale=xs), x2="right:Q", color=color, tooltip=tips)
    ends = base.transform_filter("datum.scope == 'All NKVD arrests'").mark_point(
        size=130, filled=True, color="#222222").encode(
        x=alt.X("right:Q", scale=xs), shape=charts.qualifier_shape(bars["qualifier"]), tooltip=tips)
    text_all = base.transform_filter("datum.scope == 'All NKVD arrests'").mark_text(
        align="left", dx=12, dy=-7, fontSize=12).encode(x=alt.X("right:Q", scale=xs), text="label:N")
    text_share = base.transform_filter("datum.scope == 'All NKVD arrests'").mark_text(
        align="left", dx=12, dy=8, fontSize=11, color="#555555").encode(x=alt.X("right:Q", scale=xs),
                                                                          text="share:N")
    text_mass = base.transform_filter("datum.scope == 'Mass operations'").transform_calculate(
        zero="0").mark_text(align="center", fontSize=11, color="white", fontWeight="bold").encode(
        x=alt.X("zero:Q", scale=xs), text="label:N", tooltip=tips)
    chart = alt.layer(outer, inner, ends, text_all, text_share, text_mass).properties(
        width=charts.WIDTH, height=230)
    return chart, rows


# ------------------------------------------------------------------------------ page 1: the campaign

CALENDAR = [
    # event id, lane
    ("1937-02-feb-march-plenum", "Party centre"),
    ("1937-05-party-elections", "Party centre"),
    ("1937-04-vtssps-6th-plenum", "VTsSPS"),
    ("1937-06-01-factory-elections", "Calendar set by the 6th plenum"),
    ("1937-07-15-higher-union-elections", "Calendar set by the 6th plenum"),
    ("1937-10-01-vtssps-congress-planned", "Calendar set by the 6th plenum"),
    ("1937-06-kauchuk-election-meeting", "What the unions did"),
    ("1937-06-chicherin-factory-election", "What the unions did"),
    ("1937-08-woolen-workers-congress", "What the unions did"),
    ("1937-09-cotton-textile-congress", "What the unions did"),
    ("1937-09-union-congresses", "What the unions did"),
    ("1937-09-bregman-nonparty-letter", "VTsSPS"),
]
LANES = ["Party centre", "VTsSPS", "Calendar set by the 6th plenum", "What the unions did"]


def _timeline_frame(pairs) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = events(*[p[0] for p in pairs])
    lane = dict(pairs)
    frame = rows.copy()
    frame["lane"] = frame["event_id"].map(lane)
    frame["start"] = [_month_bounds(d) for d in frame["date_start"]]
    frame["end"] = [_month_bounds(e if pd.notna(e) else s, end=True)
                    for s, e in zip(frame["date_start"], frame["date_end"])]
    frame["single_day"] = [(p == "day" and pd.isna(e)) for p, e in zip(frame["date_precision"], frame["date_end"])]
    frame["when"] = [(s if pd.isna(e) else f"{s} to {e}") + ("" if p == "day" else f" ({p})")
                     for s, e, p in zip(frame["date_start"], frame["date_end"], frame["date_precision"])]
    return frame, rows


def calendar_chart():
    """The election calendar of April 1937 against what was held: bars span a period or the whole month
    where the source dates an event to the month only; a dated day is a point."""
    frame, rows = _timeline_frame(CALENDAR)
    frame["order"] = range(len(frame))
    cols = ["title", "lane", "start", "end", "single_day", "when", "summary", "order", "reference"]
    tips = [alt.Tooltip("title:N", title="Event"), alt.Tooltip("when:N", title="When"),
            alt.Tooltip("summary:N", title="What"), alt.Tooltip("reference:N", title="Source")]
    base = alt.Chart(charts.chart_data(frame, cols)).encode(
        y=alt.Y("title:N", title=None, sort=alt.EncodingSortField("order"),
                axis=alt.Axis(labelLimit=360, labelFontSize=11)),
        color=alt.Color("lane:N", title=None, sort=LANES, scale=alt.Scale(domain=LANES)),
        tooltip=tips)
    x = alt.X("start:T", title=None, scale=alt.Scale(domain=["1937-02-01", "1938-01-01"]),
              axis=alt.Axis(format="%b %Y", tickCount=6, labelAngle=0))
    spans = base.transform_filter("!datum.single_day").mark_bar(height=12, opacity=0.8).encode(x=x, x2="end:T")
    days = base.transform_filter("datum.single_day").mark_point(size=130, filled=True, shape="diamond").encode(x=x)
    chart = alt.layer(spans, days).properties(width=300, height=22 * len(frame))
    return chart, rows


LEVELS = [
    ("group organisations (profgrupy)", "Union groups (profgrupy)"),
    ("shop committee", "Shop committees"),
    ("factory committee members", "Factory committees"),
    ("factory committee chairmen", "Factory committee chairmen"),
    ("factory committee", "Factory committees"),
    ("regional committee plenum members", "Regional committees"),
    ("regional committee presidium", "Regional committee presidiums"),
    ("regional committee", "Regional committees"),
    ("central committee plenum members", "Central committees"),
    ("central committee presidium members", "Central committee presidiums"),
    ("central committee presidium", "Central committee presidiums"),
    ("central committee secretaries", "Central committee secretaries"),
    ("central committee chairmen", "Central committee chairmen"),
    ("central committee", "Central committees"),
]
LEVEL_ORDER = ["Union groups (profgrupy)", "Shop committees", "Factory committees", "Factory committee chairmen",
               "Regional committees", "Regional committee presidiums", "Central committees",
               "Central committee presidiums", "Central committee secretaries", "Central committee chairmen"]
RENEWAL_MEASURES = {"share_replaced_in_elections": "Incumbents replaced",
                    "share_non_party": "Newly elected not in the party",
                    "share_stakhanovites_shock_workers": "Newly elected Stakhanovites or shock workers"}
RENEWAL_IDS = ("g4-0080", "g4-0081", "g4-0082", "g4-0083",
               "g4-0092", "g4-0093", "g4-0094", "g4-0095", "g4-0096", "g4-0097", "g4-0098", "g4-0099",
               "g4-0075", "g4-0076", "g4-0078", "g4-0086", "g4-0088", "g4-0089", "g4-0090")


def level_of(breakdown: str) -> str:
    text = str(breakdown).removeprefix("union level: ")
    for key, label in LEVELS:
        if text == key:
            return label
    raise ValueError(f"unknown union level {breakdown!r}")


def renewal_rows() -> pd.DataFrame:
    """The 1937 returns by level of the union hierarchy, one row per printed share, with its level and measure."""
    rows = observations(*RENEWAL_IDS)
    return rows.assign(level=rows["breakdown"].map(level_of), measure=rows["measure_id"].map(RENEWAL_MEASURES),
                       level_rank=rows["breakdown"].map(level_of).map(LEVEL_ORDER.index))


def renewal_chart():
    """Three shares across ten levels, base on the left and apex on the right, one panel per share."""
    rows = renewal_rows()
    frame = rows.assign(period=charts.period_label(rows),
                        label=[(">" if q == "more than" else "") + f"{numbers.number(v)}%"
                               for v, q in zip(rows["value"], rows["qualifier"])])
    cols = ["level", "measure", "value", "qualifier", "label", "description", "as_printed", "period", "reference"]
    measures = list(RENEWAL_MEASURES.values())
    tips = charts.tooltip("level", "description", "as_printed", "qualifier")
    base = alt.Chart().encode(
        x=alt.X("level:N", sort=LEVEL_ORDER, title="Level of the union hierarchy, from the base to the apex",
                scale=alt.Scale(domain=LEVEL_ORDER), axis=alt.Axis(labelAngle=-35, labelLimit=200)),
        y=alt.Y("value:Q", title="Percent", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(tickCount=5)),
    )
    points = base.mark_point(size=110, filled=True, opacity=1).encode(
        color=alt.Color("measure:N", sort=measures, legend=None),
        shape=charts.qualifier_shape(rows["qualifier"]), tooltip=tips)
    labels = base.mark_text(dy=-13, fontSize=11, color="#333333").encode(text="label:N")
    chart = alt.layer(points, labels, data=charts.chart_data(frame, cols)).properties(
        width=charts.WIDTH, height=120).facet(
        row=alt.Row("measure:N", sort=measures, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                                      labelFontWeight="bold")),
        spacing=8)
    return chart, rows


ELECTED_IDS = ("g4-0070", "g4-0069", "g4-0068", "g4-0067", "g4-0071", "g4-0064")


def elected_chart():
    """The people elected in 1937 by level, stacked, against the printed national total."""
    rows = observations(*ELECTED_IDS)
    level_name = {"g4-0070": "Union groups (profgrupy)", "g4-0069": "Shop committees",
                  "g4-0068": "Factory committees", "g4-0067": "Regional and republic committees"}
    parts = rows[rows["obs_id"].isin(level_name)].copy()
    parts["level"] = parts["obs_id"].map(level_name)
    parts["bar"] = "Sum of the four levels (computed)"
    parts["order"] = parts["obs_id"].map({"g4-0070": 1, "g4-0069": 2, "g4-0068": 3, "g4-0067": 4})
    parts = parts.assign(period=charts.period_label(parts), label=[_say(r) for _, r in parts.iterrows()])
    total = rows[rows["obs_id"].isin(["g4-0064", "g4-0071"])].copy()
    total["bar"] = total["obs_id"].map({"g4-0064": "Total as printed",
                                        "g4-0071": "Sum of the four levels (computed)"})
    shortfall = value("g4-0064") - value("g4-0071")
    total = total.assign(period=charts.period_label(total), label_x=value("g4-0064"),
                         label=[_say(r) if r["obs_id"] == "g4-0064" else
                                f"{_say(r)}: {numbers.number(shortfall)} short (computed)"
                                for _, r in total.iterrows()])
    bars_order = ["Total as printed", "Sum of the four levels (computed)"]
    levels = ["Union groups (profgrupy)", "Shop committees", "Factory committees", "Regional and republic committees"]
    pcols = ["bar", "level", "value", "order", "label", "description", "as_printed", "period", "reference"]
    tips = charts.tooltip("level", "description", "label", "period")
    axis = alt.Axis(labelExpr="datum.value == 0 ? '0' : format(datum.value / 1000000, '.1f') + ' million'",
                    tickCount=7)
    stack = alt.Chart(charts.chart_data(parts, pcols)).mark_bar(height=30).encode(
        y=alt.Y("bar:N", sort=bars_order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("value:Q", stack="zero", title="People elected to union posts in 1937",
                scale=alt.Scale(domain=[0, 1_400_000]), axis=axis),
        color=alt.Color("level:N", sort=levels, title=None, scale=alt.Scale(domain=levels,
                        range=[charts.PALETTE[5], charts.PALETTE[0], charts.PALETTE[2], charts.PALETTE[1]])),
        order=alt.Order("order:Q"), tooltip=tips)
    tcols = ["bar", "value", "label_x", "qualifier", "label", "description", "as_printed", "period", "reference"]
    ttips = charts.tooltip("description", "label", "qualifier", "period")
    tbase = alt.Chart(charts.chart_data(total, tcols)).encode(
        y=alt.Y("bar:N", sort=bars_order, title=None), x=alt.X("value:Q"), tooltip=ttips)
    rule = tbase.transform_filter("datum.bar == 'Total as printed'").mark_bar(height=4, color="#555555").encode(
        x=alt.X("value:Q"), x2=alt.datum(0))
    marks = tbase.transform_filter("datum.bar == 'Total as printed'").mark_point(
        size=160, filled=True, color="#222222").encode(shape=charts.qualifier_shape(total["qualifier"]))
    text = tbase.mark_text(align="left", dx=12, fontSize=12, lineBreak="\n").encode(
        x=alt.X("label_x:Q"), text="label:N")
    gap = pd.DataFrame([{"bar": "Sum of the four levels (computed)", "x": value("g4-0071"),
                         "x2": value("g4-0064")}])
    gap_rule = alt.Chart(alt.Data(values=gap.to_dict("records"))).mark_rule(
        strokeDash=[4, 3], color=charts.PALETTE[3], strokeWidth=2).encode(
        y=alt.Y("bar:N", sort=bars_order), x="x:Q", x2="x2:Q")
    chart = alt.layer(stack, rule, marks, gap_rule, text).properties(width=250, height=120)
    return chart, rows


CONGRESS_IDS = ("g4-0059", "g4-0061", "g4-0100", "g4-0098", "g4-0051")


def congress_chart():
    rows = observations(*CONGRESS_IDS)
    item = {"g4-0059": "Workers among delegates",
            "g4-0061": "Party members among delegates",
            "g4-0100": "Non-party delegates demanded",
            "g4-0098": "Non-party, new central committees",
            "g4-0051": "Party, new woolen factory committees"}
    group = {"g4-0059": "Union congresses, 1937", "g4-0061": "Union congresses, 1937",
             "g4-0100": "Bregman, September 1937",
             "g4-0098": "Central committees, 1937", "g4-0051": "Woolen union, 1937"}
    words = {66.7: "two-thirds", 33.3: "one-third", 25.0: "one-quarter"}

    def label(r):
        if pd.isna(r["value"]):
            return f"{r['qualifier']} {numbers.number(r['value_low'])}-{numbers.number(r['value_high'])}%"
        if r["qualifier"] == "about" and float(r["value"]) in words:
            return f"about {words[float(r['value'])]}"
        return f"{numbers.number(r['value'])}%"

    frame = rows.assign(item=rows["obs_id"].map(item), group=rows["obs_id"].map(group),
                        label=[label(r) for _, r in rows.iterrows()])
    order = [item[i] for i in CONGRESS_IDS]
    chart = _dots(frame, "item", "group", "Percent", label="label", y_sort=order, x_domain=[0, 100],
                  height_per_row=36, label_limit=300, width=300)
    return chart, rows


WOOLEN_IDS = ("g4-0042", "g4-0041", "g4-0043", "g4-0044", "g4-0045", "g4-0051", "g4-0052", "g4-0046", "g4-0047",
              "g4-0048", "g4-0049", "g4-0050", "g4-0053", "g4-0055", "g4-0056", "g4-0054")


def woolen_table():
    """The woolen workers' union in 1937 as a table: what the figure counts, as the source words it, and where."""
    rows = observations(*WOOLEN_IDS)
    table = pd.DataFrame({
        "What": rows["description"].str.rstrip("."),
        "Figure": [numbers.say(r) for _, r in rows.iterrows()],
        "Wording in the source": rows["as_printed"].fillna(""),
        "Source": [_short_locator(r) for _, r in rows.iterrows()],
    })
    return _styled(table), rows


def _styled(frame: pd.DataFrame):
    """A compact, left-aligned table without the index, for a `{glue:figure}`."""
    cell = [("text-align", "left"), ("font-size", "0.85em"), ("padding", "2px 8px"), ("vertical-align", "top")]
    return frame.style.hide(axis="index").set_table_styles(
        [{"selector": "th", "props": cell + [("font-weight", "bold")]}, {"selector": "td", "props": cell}])


def _short_locator(row) -> str:
    """'ch. 5, n. 36' for Goldman's monograph (the book's main source), 'Kokosalakis 2021, sec. IV, n. 96'
    for another work; the section heading is in the source line under the table."""
    chapter = str(row["chapter"])
    where = f"ch. {chapter}" if chapter.isdigit() else (chapter if chapter in ("intro", "conclusion")
                                                          else f"sec. {chapter}")
    note = "" if pd.isna(row["note"]) else f", n. {row['note']}"
    work = "" if row["source_id"] == "goldman2007" else f"{row['source_name']}, "
    return f"{work}{where}{note}"


SALARY_IDS = ("g4-0108", "g4-0106", "g4-0109", "g4-0110", "g4-0111", "g4-0112", "g4-0113", "g4-0114")


def leapfrog_chart():
    """Monthly pay of three newly elected union chairmen before and after election, beside workers' wages."""
    rows = observations(*SALARY_IDS)
    who = {"g4-0108": "Chairman: oil refinery workers", "g4-0106": "Chairman: oil refinery workers",
           "g4-0109": "Chairman: coal miners (East)", "g4-0110": "Chairman: coal miners (East)",
           "g4-0111": "Chairman: construction (Far East)",
           "g4-0112": "Chairman: construction (Far East)",
           "g4-0113": "Lowest-paid workers", "g4-0114": "Skilled heavy-industry workers"}
    when = {"g4-0108": "Previous post (computed)", "g4-0106": "Union chairman", "g4-0109": "Previous post",
            "g4-0110": "Union chairman", "g4-0111": "Previous post", "g4-0112": "Union chairman",
            "g4-0113": "Worker's wage", "g4-0114": "Worker's wage"}
    frame = rows.assign(who=rows["obs_id"].map(who), when=rows["obs_id"].map(when),
                        label=[_say(r) for _, r in rows.iterrows()], period=charts.period_label(rows))
    order = list(dict.fromkeys(who[i] for i in SALARY_IDS))
    cols = ["who", "when", "value", "qualifier", "label", "description", "as_printed", "period", "reference"]
    tips = charts.tooltip("who", "when", "description", "label", "qualifier")
    base = alt.Chart(charts.chart_data(frame, cols)).encode(
        y=alt.Y("who:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)))
    x = alt.X("value:Q", title="Rubles a month", scale=alt.Scale(domain=[0, 1700]))
    rule = base.transform_filter("datum.who != null && indexof(datum.who, 'Chairman') == 0").mark_rule(
        color="#999999", strokeWidth=2).encode(x=alt.X("min(value):Q"), x2="max(value):Q")
    kinds = ["Previous post", "Previous post (computed)", "Union chairman", "Worker's wage"]
    points = base.mark_point(size=150, filled=True, opacity=1).encode(
        x=x, color=alt.Color("when:N", title=None, sort=kinds, scale=alt.Scale(
            domain=kinds, range=["#888888", "#bbbbbb", charts.PALETTE[0], charts.PALETTE[1]])),
        shape=_shape(rows["qualifier"]), tooltip=tips)
    right = base.transform_filter("datum.when != 'Union chairman'").mark_text(
        align="left", dx=12, fontSize=11, color="#333333").encode(x=x, text="label:N")
    left = base.transform_filter("datum.when == 'Union chairman'").mark_text(
        align="right", dx=-12, fontSize=11, color="#333333").encode(x=x, text="label:N")
    chart = alt.layer(rule, points, right, left).properties(width=330, height=5 * 40)
    return chart, rows


# ------------------------------------------------------------------------- page 2: repression in the unions

SCALE_IDS = ("g5-0079", "g5-0080", "g5-0081", "g5-0076", "g5-0077", "g4-0115", "g4-0116", "g5-0021",
             "g5-0123", "g5-0120", "g5-0119")


def scale_chart():
    """Counts of repressed union officials and staff as the sources word them, 1937 and 1938, log scale."""
    rows = observations(*SCALE_IDS)
    item = {"g5-0079": "Chairmen and secretaries dismissed",
            "g5-0080": "Other leaders dismissed",
            "g5-0081": "All dismissals confirmed (computed)",
            "g5-0076": "Heads already shot when dismissed",
            "g5-0077": "Heads already arrested when dismissed",
            "g4-0115": "New central committee members arrested",
            "g4-0116": "New railroad union officials arrested",
            "g5-0021": "Labour protection institute staff fired (computed)",
            "g5-0123": "Union press staff with a suspect past",
            "g5-0120": "Union heads arrested, off the VTsSPS plenum",
            "g5-0119": "Officials purged, East and Far East railroad union"}
    frame = rows.assign(item=rows["obs_id"].map(item), year=charts.period_label(rows).str[:4],
                        label=[_say(r) for _, r in rows.iterrows()])
    frame["year"] = frame["year"].map({"1937": "1937", "1938": "1938"}).fillna(frame["year"])
    order = [item[i] for i in SCALE_IDS]
    chart = _dots(frame, "item", "year", "People (log scale)", log=True, label="label", y_sort=order,
                  x_domain=[1, 1000], color_title="Year", height_per_row=30, label_limit=330, width=290)
    return chart, rows


PATH_IDS = ("g5-0001", "g5-0002", "g5-0004", "g5-0025", "g5-0026", "g5-0027", "g5-0031", "g5-0033", "g5-0036",
            "g5-0037", "g5-0038", "g5-0039", "g5-0040", "g5-0041", "g5-0042", "g5-0043", "g5-0044", "g5-0045",
            "g5-0046", "g5-0047", "g5-0048", "g5-0049", "g5-0050", "g5-0051", "g5-0052", "g5-0053", "g5-0054",
            "g5-0055", "g5-0056", "g5-0057", "g5-0058", "g5-0059", "g5-0060", "g5-0061", "g5-0062", "g5-0063",
            "g5-0064", "g5-0065", "g5-0066", "g5-0067", "g5-0068", "g5-0069", "g5-0070", "g5-0071", "g5-0072",
            "g5-0090", "g5-0093", "g5-0094", "g5-0095", "g5-0110", "g5-0111", "g5-0129")
# fate as printed in the breakdown -> (path, which body acted first)
PATHS = {
    "shot, then dismissed": ("Shot by the NKVD, then dismissed", "NKVD"),
    "arrested then dismissed": ("Arrested, then dismissed", "NKVD"),
    "arrested": ("Arrested (order of other steps not stated)", "NKVD"),
    "arrested (implied)": ("Arrested (order of other steps not stated)", "NKVD"),
    "expelled, then arrested": ("Expelled from the party, then arrested", "Party"),
    "expelled then dismissed": ("Expelled from the party, then dismissed", "Party"),
    "expelled from party and dismissed": ("Expelled and dismissed (order not stated)", "Party or VTsSPS"),
    "expelled and dismissed": ("Expelled and dismissed (order not stated)", "Party or VTsSPS"),
    "expelled": ("Expelled from the party", "Party"),
    "dismissed then expelled": ("Dismissed by the VTsSPS, then expelled", "VTsSPS or union"),
    "removed and arrested": ("Removed by the VTsSPS, then arrested", "VTsSPS or union"),
    "removed": ("Removed or dismissed", "VTsSPS or union"),
    "dismissed": ("Removed or dismissed", "VTsSPS or union"),
}
PATH_ORDER = ["Removed or dismissed", "Removed by the VTsSPS, then arrested", "Dismissed by the VTsSPS, then expelled",
              "Expelled from the party", "Expelled and dismissed (order not stated)",
              "Expelled from the party, then dismissed", "Expelled from the party, then arrested",
              "Arrested (order of other steps not stated)", "Arrested, then dismissed",
              "Shot by the NKVD, then dismissed"]
ACTORS = ["VTsSPS or union", "Party or VTsSPS", "Party", "NKVD"]


def path_rows() -> pd.DataFrame:
    """The union-by-union rows of named officials with the steps of their fall, as the breakdown prints them.
    The Rostov postal leaders (g5-0001) were expelled and fired; the text gives no breakdown column."""
    rows = observations(*PATH_IDS)
    fate = rows["breakdown"].fillna("fate: expelled and dismissed").str.removeprefix("fate: ").str.split(";").str[0]
    unions = table("organizations").set_index("org_id")["name"]
    names = rows["derived"].fillna("count of named officials: Kukuevskii; Ivanov; Baburkin").str.split(": ").str[1]
    return rows.assign(path=fate.map(lambda f: PATHS[f][0]), actor=fate.map(lambda f: PATHS[f][1]),
                       union=rows["org_id"].map(unions), names=names)


def paths_chart():
    """How union leaders fell, union by union: one block per union (and episode), stacked by the order in
    which party, VTsSPS and NKVD acted, as far as the text states it."""
    rows = path_rows()
    frame = rows.assign(period=charts.period_label(rows))
    cols = ["path", "actor", "union", "names", "value", "description", "period", "reference"]
    tips = [alt.Tooltip("union:N", title="Union"), alt.Tooltip("names:N", title="Named"),
            alt.Tooltip("path:N", title="Steps"), alt.Tooltip("description:N", title="What"),
            alt.Tooltip("period:N", title="Period"), alt.Tooltip("reference:N", title="Source")]
    chart = alt.Chart(charts.chart_data(frame, cols)).mark_bar(height=18, stroke="white", strokeWidth=1).encode(
        y=alt.Y("path:N", sort=PATH_ORDER, title=None, axis=alt.Axis(labelLimit=300)),
        x=alt.X("value:Q", stack="zero", title="Named officials (one block per union and episode)",
                axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("actor:N", title="First to act", sort=ACTORS,
                        scale=alt.Scale(domain=ACTORS, range=[charts.PALETTE[2], charts.PALETTE[5],
                                                              charts.PALETTE[1], charts.PALETTE[3]])),
        order=alt.Order("union:N"), tooltip=tips,
    ).properties(width=300, height=26 * len(PATH_ORDER))
    return chart, rows


def register() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Named union and VTsSPS officials removed, expelled, arrested or shot, one row per person.

    A person's post is their post in a union or union body (kind union or union_body) as positions.csv
    records it; where they held several, the one the source ties to their fall (the latest) is kept. Returns
    the register and the data rows (positions and people) it is built from.
    """
    orgs = table("organizations")
    unions = orgs[orgs["kind"].isin(["union", "union_body"])]
    people = table("people")
    positions = table("positions")
    pos = positions[positions["org_id"].isin(unions["org_id"])]
    merged = pos.merge(people[["person_id", "name", "fate", "fate_date", "fate_precision"]], on="person_id")
    merged = merged[merged["fate"].isin(REPRESSION_FATES)].copy()
    merged["_rank"] = merged["date_to"].fillna("0000") + merged["position_id"]
    merged = merged.sort_values("_rank").drop_duplicates("person_id", keep="last")
    org_name = orgs.set_index("org_id")["name"]
    merged["union"] = merged["org_id"].map(org_name)
    merged["fate_label"] = merged["fate"].map(FATE_LABELS)
    merged["when"] = [("" if pd.isna(d) else (f"c. {d}" if p == "approx" else str(d)))
                      for d, p in zip(merged["fate_date"], merged["fate_precision"])]
    merged = merged.sort_values(["fate", "union", "name"], key=lambda s: s.map(
        {f: i for i, f in enumerate(REPRESSION_FATES)}) if s.name == "fate" else s)
    used_people = people[people["person_id"].isin(merged["person_id"])]
    used_positions = positions[positions["position_id"].isin(merged["position_id"])]
    return merged.reset_index(drop=True), rows_of(used_positions, used_people)


def register_chart():
    """One square per named official, in columns by fate; hover for name, post and union."""
    reg, rows = register()
    frame = reg.copy()
    counts = frame["fate"].value_counts()
    short = {"removed": "Removed", "expelled": "Expelled", "arrested": "Arrested", "shot": "Shot"}
    frame["fate_label"] = frame["fate"].map(lambda f: f"{short[f]}: {counts[f]}")
    frame["fate_long"] = frame["fate"].map(FATE_LABELS)
    frame["slot"] = frame.groupby("fate").cumcount()
    frame["col"] = frame["slot"] % 6
    frame["row"] = frame["slot"] // 6
    cols = ["fate_label", "fate_long", "col", "row", "name", "role", "union", "when", "reference"]
    fates = [f"{short[f]}: {counts[f]}" for f in REPRESSION_FATES]
    chart = alt.Chart(charts.chart_data(frame, cols)).mark_square(size=230, opacity=0.95).encode(
        x=alt.X("col:O", title=None, axis=None),
        y=alt.Y("row:O", title=None, axis=None, sort="descending"),
        color=alt.Color("fate_label:N", title=None, sort=fates, legend=None,
                        scale=alt.Scale(domain=fates, range=[charts.PALETTE[2], charts.PALETTE[1],
                                                             charts.PALETTE[0], charts.PALETTE[3]])),
        column=alt.Column("fate_label:N", sort=fates, title=None,
                          header=alt.Header(labelFontWeight="bold", labelFontSize=12)),
        tooltip=[alt.Tooltip("name:N", title="Name"), alt.Tooltip("role:N", title="Post"),
                 alt.Tooltip("union:N", title="Union or body"), alt.Tooltip("fate_long:N", title="Fate"),
                 alt.Tooltip("when:N", title="When"), alt.Tooltip("reference:N", title="Source")],
    ).properties(width=108, height=frame["row"].max() * 20 + 24).configure_facet(spacing=10)
    return chart, rows


def register_table():
    reg, rows = register()
    table = pd.DataFrame({
        "Name": reg["name"], "Post": reg["role"], "Union or body": reg["union"], "Fate": reg["fate_label"],
        "When": reg["when"].str.replace(" ", "\u00a0").str.replace("-", "\u2011"),
        "Source": [_short_locator(r) for _, r in reg.iterrows()]})
    return _styled(table), rows


def _named_obs_place(reg: pd.DataFrame) -> pd.Series:
    """The place an observation of named officials gives for a person: the row must be about the same union
    and name the person (by surname) in its `derived` list."""
    obs = table("observations")
    named = obs[(obs["measure_id"] == "named_union_leaders_repressed") & obs["place_id"].notna()
                & obs["org_id"].notna()]
    found = {}
    for _, person in reg.iterrows():
        surname = str(person["name"]).split()[-1]
        hits = named[(named["org_id"] == person["org_id"]) & named["derived"].fillna("").str.contains(surname)]
        if len(hits):
            found[person["person_id"]] = hits.iloc[0]["obs_id"]
    return pd.Series(found, dtype="object")


def map_rows():
    """Places of the register (the post's place, else the place an observation naming the person gives) and
    the seats of unions that the organisations table places. Returns (places frame for the map, data rows,
    counts dict)."""
    reg, _ = register()
    places = table("places").set_index("place_id")
    obs = table("observations").set_index("obs_id", drop=False)
    obs_for = _named_obs_place(reg)
    reg = reg.copy()
    reg["obs_id"] = reg["person_id"].map(obs_for)
    reg["where"] = reg["place_id"].fillna(reg["obs_id"].map(obs["place_id"]) if len(obs_for) else None)
    located = reg[reg["where"].notna()]
    marks = []
    for place_id, group in located.groupby("where"):
        p = places.loc[place_id]
        names = "; ".join(f"{n} ({f.lower()})" for n, f in zip(group["name"], group["fate_label"]))
        refs = "; ".join(dict.fromkeys(group["locator"]))
        marks.append({"name": p["name"], "name_modern": p["name_modern"] if pd.notna(p["name_modern"]) else p["name"],
                      "lat": p["lat"], "lon": p["lon"], "location_precision": p["location_precision"],
                      "kind": "Where named officials fell",
                      "description": f"{len(group)} named official(s): {names}", "reference": refs})
    orgs = table("organizations")
    seats = orgs[(orgs["kind"] == "union") & orgs["place_id"].notna()]
    for _, org in seats.iterrows():
        p = places.loc[org["place_id"]]
        marks.append({"name": p["name"], "name_modern": p["name_modern"] if pd.notna(p["name_modern"]) else p["name"],
                      "lat": p["lat"], "lon": p["lon"], "location_precision": p["location_precision"],
                      "kind": "Seat of a union", "description": f"{org['name']}: {org['description']}",
                      "reference": org["locator"]})
    frame = pd.DataFrame(marks)
    used_obs = obs.loc[[i for i in located["obs_id"].dropna()]] if located["obs_id"].notna().any() else obs.iloc[:0]
    positions = table("positions")
    used_pos = positions[positions["position_id"].isin(located[located["place_id"].notna()]["position_id"])]
    rows = rows_of(used_pos, used_obs, seats)
    counts = {"register": len(reg), "located": len(located), "places": located["where"].nunique(),
              "seats": len(seats)}
    return frame, rows, counts


def union_map():
    """The register's places and the unions' seats on the USSR of 1937; the number beside a yellow ring is
    how many named officials the data place there."""
    frame, rows, counts = map_rows()
    chart = maps.ussr_map(frame, color="kind", tooltip_fields=("name", "name_modern", "description"))
    fell = frame[frame["kind"] == "Where named officials fell"].copy()
    fell["count"] = fell["description"].str.split(" ").str[0]
    text = alt.Chart(charts.chart_data(fell, ["lat", "lon", "count", "name", "description", "reference"])).mark_text(
        align="left", dx=7, dy=-7, fontSize=11, fontWeight="bold", color="#7a4f00").encode(
        longitude="lon:Q", latitude="lat:Q", text="count:N",
        tooltip=[alt.Tooltip("name:N", title="Name in the source"), alt.Tooltip("description:N", title="What"),
                 alt.Tooltip("reference:N", title="Source")])
    chart = alt.layer(*chart.layer, text).properties(width=chart.width, height=chart.height,
                                                       projection=chart.projection, title=chart.title)
    return chart, rows, counts


TIMELINE = [
    ("1936-07-29-closed-letter-terror-bloc", "Centre"),
    ("1936-08-19-united-center-trial", "Centre"),
    ("1936-08-rostov-postal-union-expulsions", "Unions"),
    ("1936-10-dorokhov-dismissal", "Unions"),
    ("1936-09-25-stalin-telegram-iagoda", "Centre"),
    ("1936-11-union-leader-dismissals", "Unions"),
    ("1937-01-23-parallel-center-trial", "Centre"),
    ("1937-02-feb-march-plenum", "Centre"),
    ("1937-04-vtssps-6th-plenum", "Unions"),
    ("1937-06-01-factory-elections", "Unions"),
    ("1937-06-political-education-union-investigation", "Unions"),
    ("1937-07-order-00447", "Centre"),
    ("1937-07-ukraine-crimea-coop-arrests", "Unions"),
    ("1937-07-15-higher-union-elections", "Unions"),
    ("1937-08-mamardashvili-expelled", "Unions"),
    ("1937-09-union-congresses", "Unions"),
    ("1937-09-moscow-regional-conference", "Unions"),
    ("1937-10-kotliar-removed", "Unions"),
    ("1937-10-30-polonskii-shot", "Centre"),
    ("1937-11-pantsulaia-arrest", "Unions"),
    ("1938-01-central-committee-plenum", "Centre"),
    ("1938-01-vtssps-plenum", "Unions"),
    ("1938-01-04-union-press-purge", "Unions"),
    ("1938-01-union-leader-arrests", "Unions"),
    ("1938-03-bukharin-rykov-trial", "Centre"),
    ("1938-11-mass-operations-ended", "Centre"),
]
TIMELINE_LANES = {"Centre": "Party leadership, NKVD and courts", "Unions": "VTsSPS and the unions"}


def timeline_chart():
    """1936-1938, one row per event in date order; the colour says whether the centre or the unions acted.
    A dated day is a point, a month or a period is a bar over its whole span."""
    frame, rows = _timeline_frame(TIMELINE)
    frame["lane"] = frame["lane"].map(TIMELINE_LANES)
    frame = frame.sort_values(["start", "end"]).reset_index(drop=True)
    frame["order"] = range(len(frame))
    lanes = list(TIMELINE_LANES.values())
    cols = ["title", "lane", "start", "end", "single_day", "when", "summary", "order", "reference"]
    tips = [alt.Tooltip("title:N", title="Event"), alt.Tooltip("when:N", title="When"),
            alt.Tooltip("summary:N", title="What"), alt.Tooltip("reference:N", title="Source")]
    base = alt.Chart(charts.chart_data(frame, cols)).encode(
        y=alt.Y("title:N", title=None, sort=alt.EncodingSortField("order"),
                axis=alt.Axis(labelLimit=360, labelFontSize=11)),
        color=alt.Color("lane:N", title=None, sort=lanes,
                        scale=alt.Scale(domain=lanes, range=[charts.PALETTE[3], charts.PALETTE[0]])),
        tooltip=tips)
    x = alt.X("start:T", title=None, scale=alt.Scale(domain=["1936-07-01", "1938-12-31"]),
              axis=alt.Axis(format="%b %Y", tickCount=8, labelAngle=-30))
    spans = base.transform_filter("!datum.single_day").mark_bar(height=10, opacity=0.85).encode(x=x, x2="end:T")
    days = base.transform_filter("datum.single_day").mark_point(size=110, filled=True, shape="diamond").encode(x=x)
    chart = alt.layer(spans, days).properties(width=300, height=19 * len(frame))
    return chart, rows


# ------------------------------------------------------------------------------------------ glue helpers

def table_figure(name: str, table, rows: pd.DataFrame) -> None:
    """Glue a table (DataFrame or Styler) and its generated source line for a `{glue:figure}`."""
    from shopfloor.glue import glue

    from ..citations import source_line

    glue(name, table, display=False)
    glue(f"{name}-source", source_line(rows), display=False)


def glue_range(name: str, obs_id: str, unit: str = "percent") -> str:
    """A printed range as prose, '35 to 40 percent', from the row's low and high values."""
    row = observation(obs_id)
    text = f"{numbers.number(row['value_low'])} to {numbers.number(row['value_high'])} {unit}".strip()
    return glue_computed(name, text)


def glue_magnitude(name: str, obs_id: str, unit: str = "") -> str:
    """The size of a printed change without its sign ('100 rubles' for a cut of -100)."""
    text = f"{numbers.number(abs(value(obs_id)))} {unit}".strip()
    return glue_computed(name, text)


def page1_computed() -> pd.DataFrame:
    """Glue the figures page 1 computes and return them as a small table (name, figure, how)."""
    rows = []

    def add(name, text, how):
        glue_computed(name, text)
        rows.append({"name": name, "figure": text, "how": how})

    opposition_share = value("g2-0020") / value("g2-0022") * 100
    add("opposition-to-arrests", f"about {opposition_share:.0f} percent",
        "g2-0020 / g2-0022 * 100: expelled for opposition over expelled and arrested, 1935")
    add("elected-shortfall", numbers.number(value("g4-0064") - value("g4-0071")),
        "g4-0064 - g4-0071: printed total less the sum of the four levels")
    drop = value("g4-0080") - value("g4-0083")
    add("worker-share-drop", f"{numbers.number(drop)} percentage points",
        "g4-0080 - g4-0083: Stakhanovite and shock-worker share, union groups less regional committees")
    add("relative-drop", f"about {drop / value('g4-0080') * 100:.0f} percent",
        "(g4-0080 - g4-0083) / g4-0080 * 100")
    add("coal-cut", f"{numbers.number(value('g4-0109') - value('g4-0110'))} rubles",
        "g4-0109 - g4-0110: pay before less pay after, Coal Miners of the East")
    add("fareast-cut", f"{numbers.number(value('g4-0111') - value('g4-0112'))} rubles",
        "g4-0111 - g4-0112: pay before less pay after, Far East construction union")
    add("woolen-new-cc", numbers.number(value("g4-0055") - value("g4-0056")),
        "g4-0055 - g4-0056: new central committee members who had not served before")
    return pd.DataFrame(rows)


def page2_computed() -> pd.DataFrame:
    """Glue the register's counts and the map's coverage (computed) and return them as a table."""
    reg, _ = register()
    _, _, counts = map_rows()
    rows = []

    def add(name, text, how):
        glue_computed(name, text)
        rows.append({"name": name, "figure": text, "how": how})

    add("register-people", str(len(reg)), "people in positions.csv (union or union body) with a repression fate")
    add("register-unions", str(reg["org_id"].nunique()), "distinct unions and union bodies in the register")
    for fate in REPRESSION_FATES:
        add(f"register-{fate}", str(int((reg["fate"] == fate).sum())), f"register rows with fate {fate}")
    add("map-located", str(counts["located"]), "register rows the data place (post or naming observation)")
    add("map-unlocated", str(counts["register"] - counts["located"]), "register rows without a place")
    add("map-places", str(counts["places"]), "distinct places of the located rows")
    add("map-seats", str(counts["seats"]), "unions with a seat in organizations.csv")
    paths = path_rows()
    first = paths.groupby("actor")["value"].sum()
    for actor, key in [("NKVD", "paths-nkvd"), ("Party", "paths-party"), ("Party or VTsSPS", "paths-party-vtssps"),
                       ("VTsSPS or union", "paths-vtssps")]:
        add(key, numbers.number(first.get(actor, 0)), f"named officials whose first step was taken by: {actor}")
    add("paths-total", numbers.number(paths["value"].sum()), "named officials in the union-by-union rows")
    return pd.DataFrame(rows)
