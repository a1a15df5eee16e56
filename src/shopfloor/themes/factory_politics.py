"""Figures and computed figures of the theme chapter "Factory politics, 1926-1941".

Two pages call this module: chapters/factory-politics/kirov-works.md (Kokosalakis's Leningrad Kirov works,
1926-1941) and chapters/factory-politics/moscow-factories.md (Goldman's five Moscow factories, 1937-1939).
Every figure function returns `(chart_or_table, rows)`, where `rows` are exactly the data rows drawn, so
that the page can hand both to `charts.figure` (or glue the table) and the source line is generated from
their provenance. Values the chapter computes are glued by the `glue_*` functions with the word
"computed" in their name, and the prose says so.

Two things here are the chapter's own work and are labelled as such wherever they are shown:
- CHARGES: which of Goldman's kinds of charge each named person of the Moscow factories faced, coded by
  this chapter from the events and people of the data package (Goldman sorts the cases into kinds in prose
  but does not tabulate them);
- the layout of the network of "family circles": a deterministic layout computed below.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from .. import charts, data, numbers

KIROV = "krasnyi-putilovets"
MOSCOW_FACTORIES = ["dinamo", "serp-i-molot", "trekhgornaia-manufaktura", "likernovodochnyi",
                    "krasnyi-proletarii"]
FACTORY_NAMES = {"dinamo": "Dinamo", "serp-i-molot": "Serp i Molot",
                 "trekhgornaia-manufaktura": "Trekhgornaia Manufaktura",
                 "likernovodochnyi": "Likernovodochnyi", "krasnyi-proletarii": "Krasnyi Proletarii",
                 "outside": "Elsewhere, or no post recorded"}

# Ties of Goldman's chapter 6 that are not ties inside the factories, left out of the network (by the pair of
# people, which stays stable when the relations table is renumbered).
EXCLUDED_TIES = {("stalin-iosif", "trotsky-leon")}  # the 1924 debate on socialism in one country


# --------------------------------------------------------------------------------------------- helpers

def _text(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def when(value, precision=None) -> pd.Timestamp | None:
    """A partial ISO date as a point on a time axis: a date known to the year is placed in the middle of
    the year (1 July), one known to the month in the middle of the month (the 15th)."""
    text = _text(value)
    if not text:
        return None
    parts = text.split("-")
    if len(parts) == 1:
        return pd.Timestamp(int(parts[0]), 7, 1)
    if len(parts) == 2:
        return pd.Timestamp(int(parts[0]), int(parts[1]), 15)
    return pd.Timestamp(text)


def _iso(stamp) -> str | None:
    return None if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).strftime("%Y-%m-%d")


def date_words(value) -> str:
    """'1937-03-04' -> '4 March 1937'; '1937-03' -> 'March 1937'; '1937' -> '1937'."""
    text = _text(value)
    if not text:
        return ""
    parts = text.split("-")
    if len(parts) == 1:
        return text
    month = pd.Timestamp(int(parts[0]), int(parts[1]), 1).strftime("%B")
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


_TABLES: dict[tuple, pd.DataFrame] = {}


def table(name: str) -> pd.DataFrame:
    """`data.load(name)`, read once per state of the file within a kernel (the figures of a page read the
    same tables many times); a copy, so callers may modify it."""
    from .. import paths

    stamp = (paths.datapackage().parent / f"{name}.csv").stat().st_mtime_ns
    key = (name, stamp)
    if key not in _TABLES:
        _TABLES[key] = data.load(name)
    return _TABLES[key].copy()


def _obs(ids: list[str]) -> pd.DataFrame:
    obs = table("observations")
    rows = obs[obs["obs_id"].isin(ids)].copy()
    order = {obs_id: i for i, obs_id in enumerate(ids)}
    return rows.sort_values("obs_id", key=lambda s: s.map(order)).reset_index(drop=True)


def _said(row) -> str:
    return numbers.say(row)


def glue_key_figures(names: dict[str, str], unit_word: bool = True) -> pd.DataFrame:
    """`numbers.glue_figures` for many observations at once: the same text (numbers.say), the same glue
    names and the same table, but the observations table is read once instead of once per figure, which
    keeps the pages within their execution budget."""
    from shopfloor.glue import glue

    obs = table("observations").set_index("obs_id")
    missing = [i for i in names.values() if i not in obs.index]
    if missing:
        raise KeyError(f"No observation {missing!r} in observations.csv")
    rows = []
    for name, obs_id in names.items():
        row = obs.loc[obs_id]
        text = numbers.say(row, unit_word=unit_word)
        glue(name, text, display=False)
        rows.append({"name": name, "obs_id": obs_id, "figure": text, "source": row["locator"]})
    return pd.DataFrame(rows)


PROVENANCE = ["source_id", "source_name", "chapter", "section", "note", "archival_ref", "literature_ref",
              "locator", "reference"]


def provenance(*frames: pd.DataFrame) -> pd.DataFrame:
    """The provenance columns of several tables' rows in one frame, for the generated source line."""
    return pd.concat([f[PROVENANCE] for f in frames if len(f)], ignore_index=True)


# ============================================================================ page 1: the Kirov works

KIROV_LANES = {
    "meeting": "Party meetings and conferences", "conference": "Party meetings and conferences",
    "election": "Party meetings and conferences", "speech": "Party meetings and conferences",
    "campaign": "Party meetings and conferences",
    "strike": "Unrest and repression", "protest": "Unrest and repression",
    "purge": "Unrest and repression", "arrest": "Unrest and repression",
    "removal": "Unrest and repression", "accident": "Unrest and repression",
    "other": "Unrest and repression",
}
# Posts drawn as tenure bars: (position_id, lane label).
KIROV_POSTS = [
    ("pos-0407", "Director: Grachev"),
    ("pos-0410", "Technical director: Sablin"),
    ("pos-0411", "Director: Ots"),
    ("pos-0409", "Director: Ter-Asaturov"),
    ("pos-0426", "Director: L'vov"),
    ("pos-0397", "Director: Zal'tsman"),
    ("pos-0406", "Party secretary: Gaza"),
    ("pos-0412", "Party organiser: Alekseev"),
    ("pos-0425", "Acting secretary: Es'kov"),
    ("pos-0399", "Partkom secretary: Kapustin"),
    ("pos-0430", "Partkom secretary: Efremov"),
]
# How the Kirov works' officials' stories end in the sources, in words (from the people, positions and
# events rows of each person; the people table's fate column alone says 'other' or 'unknown' for most).
KIROV_ENDINGS = {
    "grachev": ("Removed", "removed, not charged (September 1930)"),
    "sablin": ("Arrested or shot", "arrested for sabotage (June 1930)"),
    "ots-karl": ("Not given", "fate not given"),
    "ter-asaturov-mikhail": ("Arrested or shot", "purged as an enemy, later shot"),
    "lvov-viktor": ("Promoted", "made People's Commissar of Machine Building (1938)"),
    "zaltsman-isaac": ("Still in post in 1941", "still director (May 1941)"),
    "gaza-ivan": ("Not given", "fate not given"),
    "alekseev-1930": ("Not given", "fate not given"),
    "eskov-nikolai": ("Not given", "fate not given"),
    "kapustin-iakov": ("Promoted", "promoted: district secretary (1940), city secretary (1941)"),
    "efremov-vladimir": ("Not given", "fate not given"),
}
ENDING_ORDER = ["Arrested or shot", "Removed", "Promoted", "Still in post in 1941", "Not given"]
ENDING_STYLE = {"Arrested or shot": ("cross", charts.PALETTE[3]), "Removed": ("square", charts.PALETTE[7]),
                "Promoted": ("triangle-up", charts.PALETTE[0]),
                "Still in post in 1941": ("circle", charts.PALETTE[2]), "Not given": ("circle", "#b0b0b0")}
FATE_WORDS = {"arrested": "arrested", "shot": "shot", "expelled": "expelled", "removed": "removed from post",
              "survived": "survived", "sentenced": "sentenced", "other": "other outcome", "unknown": "not known",
              "murdered": "murdered", "suicide": "suicide"}


def kirov_events() -> pd.DataFrame:
    events = table("events")
    rows = events[(events["place_id"] == KIROV) & events["kind"].isin(list(KIROV_LANES))].copy()
    rows = rows[~rows["event_id"].isin(["1928-first-five-year-plan-launched", "1932-children-milk-ration-ended"])]
    rows["lane"] = rows["kind"].map(KIROV_LANES)
    rows["at"] = [when(d) for d in rows["date_start"]]
    rows["date"] = [date_words(s) + (f" to {date_words(e)}" if _text(e) else "")
                    for s, e in zip(rows["date_start"], rows["date_end"])]
    return rows.sort_values("at").reset_index(drop=True)


def kirov_posts() -> pd.DataFrame:
    positions = table("positions")
    people = table("people").set_index("person_id")
    lanes = dict(KIROV_POSTS)
    rows = positions[positions["position_id"].isin(list(lanes))].copy()
    rows["lane"] = rows["position_id"].map(lanes)
    rows["name"] = [people.loc[p, "name"] for p in rows["person_id"]]
    rows["fate"] = [KIROV_ENDINGS[p][1] for p in rows["person_id"]]
    rows["ending"] = [KIROV_ENDINGS[p][0] for p in rows["person_id"]]
    rows["start"] = [when(d) for d in rows["date_from"]]
    rows["end"] = [when(d) for d in rows["date_to"]]
    rows["attested"] = [f"{date_words(a) or '?'} to {date_words(b) or '?'}"
                        for a, b in zip(rows["date_from"], rows["date_to"])]
    order = {pid: i for i, (pid, _) in enumerate(KIROV_POSTS)}
    return rows.sort_values("position_id", key=lambda s: s.map(order)).reset_index(drop=True)


def kirov_timeline():
    """Fifteen years of the Kirov works on one time axis: the party organisation's meetings and
    conferences, unrest, purges and arrests, and the attested tenures of directors and party secretaries."""
    events = kirov_events()
    posts = kirov_posts()
    lanes = ["Party meetings and conferences", "Unrest and repression"] + [lane for _, lane in KIROV_POSTS]
    ev = events.assign(at=[_iso(t) for t in events["at"]])
    po = posts.assign(start=[_iso(t) for t in posts["start"]], end=[_iso(t) for t in posts["end"]])
    # a post attested at one date only is drawn as a tick at that date
    po["end"] = [e or s for s, e in zip(po["start"], po["end"])]
    po["start"] = [s or e for s, e in zip(po["start"], po["end"])]
    y = alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=200, labelFontSize=12))
    x_scale = alt.Scale(domain=["1925-07-01", "1941-12-31"])
    x_axis = alt.Axis(format="%Y", values=[f"{y}-01-01" for y in range(1926, 1942, 2)], title=None,
                      labelAngle=0)
    points = alt.Chart(charts.chart_data(ev, ["lane", "at", "date", "title", "summary", "kind", "reference"])
                       ).mark_point(filled=True, size=70, opacity=0.8).encode(
        x=alt.X("at:T", scale=x_scale, axis=x_axis), y=y,
        shape=alt.Shape("lane:N", legend=None, scale=alt.Scale(range=["circle", "triangle-down"])),
        color=alt.Color("lane:N", legend=None, scale=alt.Scale(range=[charts.PALETTE[0], charts.PALETTE[3]])),
        tooltip=charts.tooltip("date", "title", "summary"))
    bars = alt.Chart(charts.chart_data(po, ["lane", "start", "end", "name", "role", "attested", "fate",
                                            "reference"])).mark_bar(height=9, color=charts.PALETTE[2],
                                                                     opacity=0.85).encode(
        x=alt.X("start:T", scale=x_scale, axis=x_axis), x2="end:T", y=y,
        tooltip=charts.tooltip("name", "role", "attested", "fate"))
    ticks = alt.Chart(charts.chart_data(po, ["lane", "start", "end", "name", "role", "attested", "fate",
                                             "reference"])).mark_tick(thickness=3, size=14,
                                                                      color=charts.PALETTE[2]).encode(
        x=alt.X("end:T", scale=x_scale, axis=x_axis), y=y,
        tooltip=charts.tooltip("name", "role", "attested", "fate"))
    present = [k for k in ENDING_ORDER if k in set(po["ending"])]
    fates = alt.Chart(charts.chart_data(po, ["lane", "end", "ending", "name", "fate", "reference"])
                      ).mark_point(size=95, filled=True, opacity=1, xOffset=9).encode(
        x=alt.X("end:T", scale=x_scale, axis=x_axis), y=y,
        shape=alt.Shape("ending:N", title="Fate in the sources", sort=present, scale=alt.Scale(
            domain=present, range=[ENDING_STYLE[k][0] for k in present])),
        color=alt.Color("ending:N", title="Fate in the sources", sort=present, scale=alt.Scale(
            domain=present, range=[ENDING_STYLE[k][1] for k in present])),
        tooltip=charts.tooltip("name", "fate"))
    chart = alt.layer(bars, ticks, points, fates).properties(width=360, height=24 * len(lanes)).resolve_scale(
        color="independent", shape="independent")
    rows = provenance(events, posts, table("people")[lambda p: p["person_id"].isin(posts["person_id"])])
    return chart, rows


KIROV_SCALE = {
    "k-0004": "Party group (members)",
    "k-0005": "At the party's general assembly",
    "k-0044": "Party organisation (members)",
    "k-0053": "Workforce",
    "k-0052": "Shock workers (udarniki)",
    "k-0014": "Workforce",
    "k-0001": "At the party conference",
}


def kirov_scale():
    """The few counts the article gives for the works' people: anchor points, not a series."""
    rows = _obs(list(KIROV_SCALE))
    frame = rows.assign(what=rows["obs_id"].map(KIROV_SCALE), at=[_iso(when(d)) for d in rows["period_start"]],
                        date=[date_words(d) for d in rows["period_start"]],
                        wording=[_said(r) for _, r in rows.iterrows()],
                        estimate=rows["estimate"].map({True: "yes (approximate)", False: "no"}).astype(str))
    columns = ["at", "date", "value", "what", "qualifier", "wording", "description", "as_printed", "estimate",
               "reference"]
    present = list(dict.fromkeys(frame["qualifier"]))
    colours = ["Party group (members)", "Party organisation (members)", "At the party's general assembly",
               "At the party conference", "Workforce", "Shock workers (udarniki)"]
    base = alt.Chart(charts.chart_data(frame, columns)).encode(
        x=alt.X("at:T", title=None, scale=alt.Scale(domain=["1925-07-01", "1942-06-30"]),
                axis=alt.Axis(format="%Y", values=[f"{y}-01-01" for y in range(1926, 1943, 2)], labelAngle=0)),
        y=alt.Y("value:Q", title="People (logarithmic scale)", scale=alt.Scale(type="log", domain=[300, 30000]),
                axis=alt.Axis(format=",", values=[300, 1000, 3000, 10000, 30000])),
        color=alt.Color("what:N", title=None, sort=colours, scale=alt.Scale(domain=colours, range=[
            charts.PALETTE[0], charts.PALETTE[5], charts.PALETTE[4], charts.PALETTE[7], charts.PALETTE[1],
            charts.PALETTE[2]])),
        tooltip=charts.tooltip("what", "date", "wording", "as_printed", "estimate", "description"))
    pts = base.mark_point(size=140, filled=True, opacity=1).encode(shape=charts.qualifier_shape(present))
    labels = base.mark_text(align="left", dx=10, fontSize=11).encode(text="wording:N")
    chart = alt.layer(pts, labels).properties(width=charts.WIDTH, height=300)
    return chart, rows


PURGE_1929 = ["k-0047", "k-0048", "k-0049", "k-0050"]
PURGE_LABELS = {"k-0047": "Automatic: missed meetings or unpaid dues", "k-0048": "Drunkenness",
                "k-0049": "Concealed class background", "k-0050": "Reason not stated"}


def purge_1929():
    """The 1929 purge of the works' party organisation by reason of expulsion."""
    rows = _obs(PURGE_1929)
    frame = rows.assign(reason=rows["obs_id"].map(PURGE_LABELS), wording=[_said(r) for _, r in rows.iterrows()])
    order = [PURGE_LABELS[i] for i in PURGE_1929]
    columns = ["reason", "value", "qualifier", "wording", "description", "as_printed", "reference"]
    base = alt.Chart(charts.chart_data(frame, columns)).encode(
        y=alt.Y("reason:N", title=None, sort=order, axis=alt.Axis(labelLimit=250)),
        tooltip=charts.tooltip("wording", "as_printed", "qualifier", "description"))
    bars = base.mark_bar(height=22, color=charts.PALETTE[0], opacity=0.75).encode(
        x=alt.X("value:Q", title="Members expelled in 1929", scale=alt.Scale(domain=[0, 80])))
    pts = base.mark_point(size=120, filled=True, color="#000000").encode(
        x="value:Q", shape=charts.qualifier_shape(frame["qualifier"]))
    text = base.mark_text(align="left", dx=10, fontSize=12).encode(x="value:Q", text="wording:N")
    chart = alt.layer(bars, pts, text).properties(width=280, height=180)
    context = _obs(["k-0044", "k-0045", "k-0046", "k-0051", "k-0055"])
    return chart, pd.concat([rows, context], ignore_index=True)


COUNTER_PLAN = [
    # panel, obs_id, whose figure, how it is drawn
    ("Plan fulfilled so far in 1930 (percent)", "k-0028", "Party organiser Alekseev"),
    ("Plan fulfilled so far in 1930 (percent)", "k-0029", "Director Ots"),
    ("Gross output, 1930-31 (million roubles)", "k-0033", "Administration"),
    ("Gross output, 1930-31 (million roubles)", "k-0032", "Counter-plan"),
    ("Rise in labour productivity, 1930-31 (percent)", "k-0035", "Administration"),
    ("Rise in labour productivity, 1930-31 (percent)", "k-0034", "Counter-plan"),
    ("Tractors, fourth quarter of 1930", "k-0036", "Counter-plan"),
    ("Tractors, fourth quarter of 1930", "k-0037", "Marmel', from the floor"),
    ("Wagons from the old forge shop", "k-0038", "Administration"),
    ("Wagons from the old forge shop", "k-0039", "Marmel', from the floor"),
    ("Cars, 1930-31, at AMO-ZiS in Moscow", "k-0042", "Administration"),
    ("Cars, 1930-31, at AMO-ZiS in Moscow", "k-0041", "Counter-plan"),
]
WHOSE = ["Director Ots", "Administration", "Party organiser Alekseev", "Counter-plan", "Marmel', from the floor"]


def counter_plan_1930():
    """The administration's plan against the counter-plan and the claims from the floor, October 1930."""
    ids = [obs_id for _, obs_id, _ in COUNTER_PLAN]
    rows = _obs(ids)
    frame = rows.set_index("obs_id").loc[ids].reset_index()
    frame["panel"] = [p for p, _, _ in COUNTER_PLAN]
    frame["whose"] = [w for _, _, w in COUNTER_PLAN]
    frame["wording"] = [_said(r) for _, r in frame.iterrows()]
    frame["shown"] = frame["value"].astype(float)
    roubles = frame["unit"] == "rubles"
    frame.loc[roubles, "shown"] = frame.loc[roubles, "shown"] / 1e6  # the panel counts million roubles
    frame["note_on_value"] = ""
    claim = frame["obs_id"] == "k-0037"
    # Marmel' spoke of a monthly rate; the panel compares quarters, so his rate is shown times three.
    frame.loc[claim, "shown"] = frame.loc[claim, "value"].astype(float) * 3
    frame.loc[claim, "note_on_value"] = "computed: his monthly rate times three months"
    frame.loc[claim, "wording"] = frame.loc[claim, "wording"] + " a month"
    panels = list(dict.fromkeys(frame["panel"]))
    columns = ["panel", "whose", "shown", "qualifier", "wording", "note_on_value", "description", "as_printed",
               "reference"]
    charts_ = []
    for panel in panels:
        part = frame[frame["panel"] == panel]
        top = float(part["shown"].max()) * 1.25
        base = alt.Chart(charts.chart_data(part, columns)).encode(
            y=alt.Y("whose:N", title=None, sort=WHOSE, axis=alt.Axis(labelLimit=200)),
            x=alt.X("shown:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False),
                    axis=alt.Axis(format=",.0f", tickCount=4)),
            tooltip=charts.tooltip("whose", "wording", "as_printed", "note_on_value", "description"))
        rule = base.mark_bar(height=3, color="#bbbbbb")
        pts = base.mark_point(size=130, filled=True, opacity=1).encode(
            shape=charts.qualifier_shape(frame["qualifier"]),
            color=alt.Color("whose:N", title="Whose figure", sort=WHOSE,
                            scale=alt.Scale(domain=WHOSE, range=[charts.PALETTE[3], charts.PALETTE[3],
                                                                 charts.PALETTE[0], charts.PALETTE[2],
                                                                 charts.PALETTE[4]])))
        text = base.mark_text(align="left", dx=9, fontSize=11).encode(text="wording:N")
        charts_.append(alt.layer(rule, pts, text).properties(
            width=280, height=26 * len(part) + 10, title=alt.TitleParams(panel, fontSize=13)))
    chart = alt.vconcat(*charts_, spacing=14).resolve_scale(x="independent", color="shared", shape="shared")
    return chart, rows


def glue_kirov_computed() -> pd.DataFrame:
    """Figures the chapter computes on the Kirov page, glued for the prose."""
    from shopfloor.glue import glue

    obs = table("observations").set_index("obs_id")
    v = lambda i: float(obs.loc[i, "value"])  # noqa: E731
    out = {
        "kp-computed-output-excess": f"{(v('k-0032') / v('k-0033') - 1) * 100:.1f} percent",
        "kp-computed-productivity-gap": f"{v('k-0034') - v('k-0035'):.0f} percentage points",
        "kp-computed-marmel-quarter": f"{numbers.number(v('k-0037') * 3)}",
        "kp-computed-marmel-excess": f"{(v('k-0037') * 3 / v('k-0036') - 1) * 100:.0f} percent",
        "kp-computed-fulfilment-gap": f"{v('k-0028') - v('k-0029'):.1f} percentage points",
        "kp-computed-unstated-share": f"{v('k-0050') / v('k-0044') * 100:.1f} percent",
        "kp-computed-automatic-share": f"{v('k-0047') / v('k-0045') * 100:.0f} percent",
    }
    for name, text in out.items():
        glue(name, text, display=False)
    return pd.DataFrame({"name": list(out), "figure": list(out.values())})


# ====================================================================== page 2: five Moscow factories

# The party organisation's size as the source words it, per factory (obs ids); Likernovodochnyi is the sum
# of its members and candidates (computed), Krasnyi Proletarii has no figure.
PARTY_SIZE = {"dinamo": ["g6-0005"], "serp-i-molot": ["g6-0001"], "trekhgornaia-manufaktura": ["g6-0006"],
              "likernovodochnyi": ["g6-0017", "g6-0018"], "krasnyi-proletarii": []}
WORKFORCE = {"dinamo": ["g6-0003"]}


def _party_size(place_id: str, obs: pd.DataFrame) -> tuple[float | None, str]:
    ids = PARTY_SIZE.get(place_id, [])
    if not ids:
        return None, "no figure in the sources"
    rows = obs.set_index("obs_id").loc[ids]
    if len(ids) == 1:
        row = rows.iloc[0]
        what = {"party_members": "members", "party_members_and_candidates": "members and candidates"}[
            row["measure_id"]]
        return float(row["value"]), f"{numbers.say(row)} {what} ({row['period_start']})"
    total = float(rows["value"].sum())
    parts = " + ".join(numbers.number(float(x)) for x in rows["value"])
    return total, f"{numbers.number(total)} members and candidates ({rows.iloc[0]['period_start']}; computed: {parts})"


def five_factories() -> pd.DataFrame:
    """The five Moscow factories: place, industry, workforce and party organisation as the sources word them."""
    places = table("places").set_index("place_id").loc[MOSCOW_FACTORIES].reset_index()
    obs = table("observations")
    sizes = [_party_size(p, obs) for p in places["place_id"]]
    places["party_size"] = [s for s, _ in sizes]
    places["party_words"] = [w for _, w in sizes]
    work = obs.set_index("obs_id")
    places["workforce_words"] = [
        "; ".join(f"{numbers.say(work.loc[i])} ({work.loc[i, 'period_start']})" for i in WORKFORCE.get(p, []))
        or "no figure in the sources" for p in places["place_id"]]
    places["name"] = places["place_id"].map(FACTORY_NAMES)
    return places


def _factory_obs_ids() -> list[str]:
    return [i for p in MOSCOW_FACTORIES for i in PARTY_SIZE[p] + WORKFORCE.get(p, [])]


def moscow_map():
    """The five factories on the Moscow map, sized by their party organisation where the sources give it."""
    from .. import maps  # imported here: it loads geopandas, which only the map needs

    places = five_factories()
    places = places[places["location_precision"].isin(["site", "district"])].copy()
    places["Party organisation"] = places["party_size"]
    places["description"] = [f"{(ind or '').capitalize()} works. Party: {pw}. Workforce: {wf}."
                             for ind, pw, wf in zip(places["industry"].fillna(""), places["party_words"],
                                                    places["workforce_words"])]
    places["reference"] = "places: the project's own coordinates; figures: " + pd.Series(
        [_factory_ref(p) for p in places["place_id"]], index=places.index)
    chart = maps.city_map(places, "moscow", size="Party organisation", label=False,
                          tooltip_fields=("name", "name_modern", "description", "location_precision"))
    # labels placed one by one so that the two neighbours east of the Kremlin do not overprint each other
    for place_id, (align, dx, dy) in MAP_LABELS.items():
        one = places[places["place_id"] == place_id]
        if len(one):
            chart.layer = [*chart.layer, alt.Chart(charts.chart_data(one, ["lat", "lon", "name", "reference"])
                                                   ).mark_text(align=align, dx=dx, dy=dy, fontSize=12,
                                                               color="#222222").encode(
                longitude="lon:Q", latitude="lat:Q", text="name:N",
                tooltip=[alt.Tooltip("name:N", title="Name in the source"),
                         alt.Tooltip("reference:N", title="Source")])]
    # A factory without a figure would be dropped by the size scale: draw it as a fixed open square.
    unknown = places[places["party_size"].isna()]
    if len(unknown):
        extra = alt.Chart(charts.chart_data(unknown, ["lat", "lon", "name", "name_modern", "description",
                                                      "location_precision", "reference"])).mark_square(
            size=90, filled=False, strokeWidth=2, color=charts.PALETTE[0]).encode(
            longitude="lon:Q", latitude="lat:Q",
            tooltip=[alt.Tooltip("name:N", title="Name in the source"),
                     alt.Tooltip("name_modern:N", title="Modern name"),
                     alt.Tooltip("description:N", title="What"),
                     alt.Tooltip("location_precision:N", title="Position known to"),
                     alt.Tooltip("reference:N", title="Source")])
        chart.layer = [*chart.layer, extra]
    chart = chart.configure_legend(orient="bottom", direction="horizontal")
    return chart, _obs(_factory_obs_ids())


MAP_LABELS = {"dinamo": ("left", -14, 14), "serp-i-molot": ("left", 14, 12),
              "trekhgornaia-manufaktura": ("right", -12, -10), "likernovodochnyi": ("left", 8, -12),
              "krasnyi-proletarii": ("right", -10, 0)}


def _factory_ref(place_id: str) -> str:
    obs = table("observations").set_index("obs_id")
    ids = PARTY_SIZE.get(place_id, []) + WORKFORCE.get(place_id, [])
    refs = list(dict.fromkeys(obs.loc[i, "locator"] for i in ids))
    return "; ".join(refs) if refs else "none"


def factories_table():
    """The five factories as a small table: industry, workforce, party organisation, and how much of their
    story the data package holds (named people with a post there, events 1937-1939)."""
    places = five_factories()
    positions = table("positions")
    events = table("events")
    people = positions[positions["place_id"].isin(MOSCOW_FACTORIES)].groupby("place_id")["person_id"].nunique()
    late = events[(events["date_start"].str[:4] >= "1937") & (events["date_start"].str[:4] <= "1939")]
    counts = late[late["place_id"].isin(MOSCOW_FACTORIES)].groupby("place_id")["event_id"].nunique()
    frame = pd.DataFrame({
        "Factory": places["name"],
        "Industry": places["industry"].fillna("").str.replace("-", " "),
        "Workforce": places["workforce_words"],
        "Party organisation": places["party_words"],
        "Named people with a post there": [int(people.get(p, 0)) for p in places["place_id"]],
        "Events dated 1937-1939": [int(counts.get(p, 0)) for p in places["place_id"]],
    })
    return frame, _obs(_factory_obs_ids())


DINAMO = [
    # obs_id, label, group
    ("g6-0068", "Members, April 1937", "Membership"),
    ("g6-0071", "... of whom workers", "Membership"),
    ("g6-0069", "Candidates, April 1937", "Membership"),
    ("g6-0074", "Excluded as enemies", "Losses and returns, April 1937 to April 1938"),
    ("g6-0075", "... of whom arrested", "Losses and returns, April 1937 to April 1938"),
    ("g6-0076", "... of whom restored by a higher body", "Losses and returns, April 1937 to April 1938"),
    ("g6-0077", "Arrested first, excluded afterwards", "Losses and returns, April 1937 to April 1938"),
    ("g6-0078", "Members arrested in all", "Losses and returns, April 1937 to April 1938"),
    ("g6-0072", "Members, April 1938", "Membership"),
    ("g6-0073", "Candidates, April 1938", "Membership"),
    ("g6-0091", "Net change in members (computed)", "Net change (computed)"),
    ("g6-0092", "Net change in candidates (computed)", "Net change (computed)"),
]


def dinamo_balance():
    """Dinamo's party organisation from April 1937 to April 1938 as a balance."""
    ids = [i for i, _, _ in DINAMO]
    rows = _obs(ids)
    frame = rows.set_index("obs_id").loc[ids].reset_index()
    frame["item"] = [label for _, label, _ in DINAMO]
    frame["group"] = [group for _, _, group in DINAMO]
    frame["wording"] = [(("+" if float(v) > 0 and g.startswith("Net") else "") + numbers.say(r, unit_word=False))
                        for (_, r), v, g in zip(frame.iterrows(), frame["value"], frame["group"])]
    frame["how"] = ["computed: " + _text(d) if _text(d) else "printed" for d in frame["derived"]]
    order = list(frame["item"])
    groups = ["Membership", "Losses and returns, April 1937 to April 1938", "Net change (computed)"]
    columns = ["item", "group", "value", "wording", "how", "description", "as_printed", "reference"]
    base = alt.Chart(charts.chart_data(frame, columns)).encode(
        y=alt.Y("item:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
        tooltip=charts.tooltip("item", "wording", "how", "as_printed", "description"))
    bars = base.mark_bar(height=16).encode(
        x=alt.X("value:Q", title="Party members and candidates", scale=alt.Scale(domain=[-100, 650])),
        color=alt.Color("group:N", title=None, sort=groups, scale=alt.Scale(
            domain=groups, range=[charts.PALETTE[0], charts.PALETTE[3], "#8c8c8c"])))
    text = base.mark_text(align="left", dx=5, fontSize=11).encode(
        x=alt.X("label_at:Q"), text="wording:N").transform_calculate(label_at="max(datum.value, 0)")
    chart = alt.layer(bars, text).properties(width=300, height=22 * len(frame))
    return chart, rows


def glue_moscow_computed() -> pd.DataFrame:
    """Figures the chapter computes on the Moscow page, glued for the prose."""
    from shopfloor.glue import glue

    obs = table("observations").set_index("obs_id")
    v = lambda i: float(obs.loc[i, "value"])  # noqa: E731
    excluded, arrested_after, restored, arrested_first = v("g6-0074"), v("g6-0075"), v("g6-0076"), v("g6-0077")
    members_37, members_38 = v("g6-0068"), v("g6-0072")
    left = excluded + arrested_first - restored
    out = {
        "mf-computed-unaccounted": numbers.number(excluded - arrested_after - restored),
        "mf-computed-excluded-share": f"{excluded / members_37 * 100:.1f} percent",
        "mf-computed-members-left": numbers.number(left),
        "mf-computed-members-joined": numbers.number(members_38 - (members_37 - left)),
        "mf-computed-members-fall": numbers.number(members_37 - members_38),
        "mf-computed-liker-party": numbers.number(v("g6-0017") + v("g6-0018")),
        "mf-computed-mironov-margin": numbers.number(v("g6-0063") - v("g6-0064")),
        "mf-computed-steel-growth": f"{(v('g6-0048') / v('g6-0047') - 1) * 100:.0f} percent",
        "mf-computed-dinamo-density-1937": f"{(v('g6-0068') + v('g6-0069')) / v('g6-0070') * 100:.1f} percent",
    }
    for name, text in out.items():
        glue(name, text, display=False)
    return pd.DataFrame({"name": list(out), "figure": list(out.values())})


# ---- kinds of charge -----------------------------------------------------------------------------------

CATEGORIES = ["Origin or past politics", "Ties to the arrested", "Ideological mistake",
              "Accident or production problem", "Conflict at work", "Grounds not stated"]
# person_id: categories of the charges the person faced, coded by this chapter from the data package's
# events and people rows (Goldman, ch. 6). 'Conflict at work' covers counter-denunciations between bosses
# and subordinates, which Goldman discusses under "Managers and Workers".
CHARGES = {
    # Dinamo
    "fomin": ["Origin or past politics", "Ties to the arrested"],
    "bystritskii": ["Origin or past politics", "Ties to the arrested"],
    "prokhorov": ["Origin or past politics", "Accident or production problem"],
    "kreitsberg": ["Origin or past politics", "Accident or production problem"],
    "tolchinskii": ["Origin or past politics", "Accident or production problem"],
    "zhailov": ["Origin or past politics", "Accident or production problem"],
    "khvedchen": ["Ties to the arrested"],
    "korneev": ["Ties to the arrested"],
    "korneeva": ["Ties to the arrested"],
    "menis": ["Ideological mistake"],
    "katyshev": ["Ideological mistake"],
    "margolin-dinamo": ["Ideological mistake"],
    "zhukov": ["Ties to the arrested"],
    "sheinin": ["Accident or production problem"],
    "kliupov": ["Accident or production problem"],
    "romanov-dinamo": ["Accident or production problem"],
    "agureev": ["Ties to the arrested"],
    "marek": ["Ties to the arrested"],
    "iasvoin": ["Accident or production problem", "Conflict at work"],
    # Serp i Molot
    "sagaidak": ["Ideological mistake", "Accident or production problem"],
    "sokol": ["Origin or past politics", "Ties to the arrested"],
    "larkin": ["Ties to the arrested"],
    "stepanov": ["Origin or past politics", "Ties to the arrested"],
    "schetchikova": ["Origin or past politics"],
    "zaitsev": ["Grounds not stated"],
    "marmorshstein": ["Grounds not stated"],
    "somov-aleksandr": ["Ties to the arrested"],
    "zhidkova": ["Ties to the arrested"],
    "mironov": ["Ties to the arrested"],
    "filatov": ["Origin or past politics"],
    # Trekhgornaia Manufaktura
    "polozkov": ["Grounds not stated"],
    "severianova": ["Ties to the arrested"],
    "iarkin": ["Ties to the arrested"],
    "pavlov": ["Origin or past politics", "Ties to the arrested"],
    "margolina": ["Ties to the arrested"],
    "sharova": ["Ties to the arrested"],
    # Likernovodochnyi
    "gulbis": ["Origin or past politics"],
    "geche": ["Ties to the arrested"],
    "kulikova": ["Origin or past politics"],
    "borisova": ["Origin or past politics", "Ties to the arrested"],
    "vikulov": ["Ties to the arrested", "Conflict at work"],
    "korostelin": ["Accident or production problem", "Conflict at work"],
    "tynkov": ["Conflict at work"],
    "mongert": ["Conflict at work"],
    # Krasnyi Proletarii
    "gringauz": ["Ties to the arrested"],
    "denisov-krasnyi-proletarii": ["Grounds not stated"],
}
FATE_GROUPS = {"arrested": "Arrested or shot", "shot": "Arrested or shot", "sentenced": "Convicted in court",
               "expelled": "Expelled", "removed": "Removed from post", "survived": "Kept party card and post",
               "other": "Reprimanded or other outcome", "unknown": "Outcome not recorded"}
FATE_ORDER = ["Arrested or shot", "Convicted in court", "Expelled", "Removed from post",
              "Reprimanded or other outcome", "Kept party card and post", "Outcome not recorded"]


def factory_people() -> pd.DataFrame:
    """The named people of the five factories with the chapter's coding: factory, posts, fate, charges."""
    people = table("people").set_index("person_id")
    positions = table("positions")
    posts = positions[positions["place_id"].isin(MOSCOW_FACTORIES)]
    rows = []
    for person_id, kinds in CHARGES.items():
        mine = posts[posts["person_id"] == person_id]
        factory = mine["place_id"].mode().iloc[0] if len(mine) else "outside"
        person = people.loc[person_id]
        fate = _text(person["fate"])
        rows.append({
            "person_id": person_id, "name": person["name"], "factory": FACTORY_NAMES[factory],
            "post": "; ".join(dict.fromkeys(mine["role"])) or "not recorded",
            "fate": FATE_GROUPS.get(fate, fate),
            "fate_words": FATE_WORDS.get(fate, fate) + (f" ({date_words(person['fate_date'])})"
                                                        if _text(person["fate_date"]) else ""),
            "charges": kinds,
            **{c: person[c] for c in PROVENANCE},
        })
    return pd.DataFrame(rows)


def charges_matrix():
    """Who faced which kind of charge, and how it ended: one row per named person, grouped by factory."""
    people = factory_people()
    long = people.explode("charges").rename(columns={"charges": "charge"})
    long["charge_short"] = long["charge"].map({
        "Origin or past politics": "Origin, past politics", "Ties to the arrested": "Ties to arrested",
        "Ideological mistake": "Ideological slip", "Accident or production problem": "Accident, production",
        "Conflict at work": "Conflict at work", "Grounds not stated": "Not stated"})
    short = ["Origin, past politics", "Ties to arrested", "Ideological slip", "Accident, production",
             "Conflict at work", "Not stated"]
    columns = ["name", "factory", "post", "fate", "fate_words", "charge", "charge_short", "reference"]
    factories = [FACTORY_NAMES[p] for p in MOSCOW_FACTORIES]
    shapes = ["cross", "triangle-down", "square", "diamond", "circle", "triangle-up", "circle"]
    colours = [charts.PALETTE[3], charts.PALETTE[1], charts.PALETTE[4], charts.PALETTE[7], charts.PALETTE[5],
               charts.PALETTE[2], "#999999"]
    present = [f for f in FATE_ORDER if f in set(long["fate"])]
    index = [FATE_ORDER.index(f) for f in present]
    panels = []
    for factory in factories:
        part = long[long["factory"] == factory]
        names = list(dict.fromkeys(people[people["factory"] == factory]["name"]))
        panels.append(alt.Chart(charts.chart_data(part, columns)).mark_point(size=110, filled=True,
                                                                             opacity=1).encode(
            x=alt.X("charge_short:N", title=None, sort=short, scale=alt.Scale(domain=short),
                    axis=alt.Axis(labelAngle=-35, orient="top") if factory == factories[0] else
                    alt.Axis(labels=False, ticks=False, domain=False)),
            y=alt.Y("name:N", title=None, sort=names, axis=alt.Axis(labelLimit=160)),
            color=alt.Color("fate:N", title="How it ended", sort=present,
                            scale=alt.Scale(domain=present, range=[colours[i] for i in index])),
            shape=alt.Shape("fate:N", title="How it ended", sort=present,
                            scale=alt.Scale(domain=present, range=[shapes[i] for i in index])),
            tooltip=charts.tooltip("name", "factory", "post", "charge", "fate_words"),
        ).properties(width=300, height=16 * len(names), title=alt.TitleParams(factory, fontSize=13)))
    chart = alt.vconcat(*panels, spacing=8).resolve_scale(x="shared", color="shared", shape="shared")
    return chart, people


def glue_charge_counts() -> pd.DataFrame:
    """Counts from the chapter's coding of charges, glued for the prose (all computed)."""
    from shopfloor.glue import glue

    people = factory_people()
    long = people.explode("charges")
    counts = long.groupby("charges")["person_id"].nunique()
    out = {"ch-computed-people": str(len(people)),
           "ch-computed-ties": str(int(counts.get("Ties to the arrested", 0))),
           "ch-computed-origin": str(int(counts.get("Origin or past politics", 0))),
           "ch-computed-ideology": str(int(counts.get("Ideological mistake", 0))),
           "ch-computed-production": str(int(counts.get("Accident or production problem", 0))),
           "ch-computed-arrested": str(int((people["fate"] == "Arrested or shot").sum()))}
    for name, text in out.items():
        glue(name, text, display=False)
    return pd.DataFrame({"name": list(out), "figure": list(out.values())})


# ---- family circles: the network -----------------------------------------------------------------------

TIE_GROUPS = {"denounced": "Hostile: denounced or testified against",
              "testified_against": "Hostile: denounced or testified against",
              "named_in_confession": "Hostile: denounced or testified against",
              "patron": "Patronage or protection", "protected": "Patronage or protection",
              "client": "Patronage or protection",
              "colleague": "Work: colleagues", "friend": "Private: friends and kin",
              "relative": "Private: friends and kin", "spouse": "Private: friends and kin"}
TIE_ORDER = ["Hostile: denounced or testified against", "Patronage or protection", "Work: colleagues",
             "Private: friends and kin"]


def circle_relations() -> pd.DataFrame:
    relations = table("relations")
    rows = relations[(relations["source_id"] == "goldman2007") & (relations["chapter"] == "6")]
    pairs = list(zip(rows["person_id"], rows["other_person_id"]))
    rows = rows[[pair not in EXCLUDED_TIES for pair in pairs]]
    return rows.reset_index(drop=True)


# Where each factory's people start: the two large circles side by side, the small ones below them.
CLUSTER_CENTRES = {"Dinamo": (-0.95, 0.2), "Serp i Molot": (0.85, 0.2), "Trekhgornaia Manufaktura": (-1.35, -1.15),
                   "Likernovodochnyi": (-0.25, -1.2), "Krasnyi Proletarii": (0.8, -1.2),
                   "Elsewhere, or no post recorded": (0.1, -0.35)}


def _layout(nodes: pd.DataFrame, edges: list[tuple[int, int]], iterations: int = 300) -> np.ndarray:
    """Deterministic layout: each factory's people start on a circle around their factory's centre
    (CLUSTER_CENTRES); a few hundred steps of a spring layout (attraction along ties, repulsion between all
    pairs, a pull back to the factory's centre, a weak one for people without a factory post) then untangle
    them. No randomness: the same data give the same picture."""
    n = len(nodes)
    anchor = np.array([CLUSTER_CENTRES[f] for f in nodes["factory"]], dtype=float)
    pull_strength = np.array([0.004 if f.startswith("Elsewhere") else 0.03 for f in nodes["factory"]])[:, None]
    pos = anchor.copy()
    for group in dict.fromkeys(nodes["factory"]):
        members = [i for i, f in enumerate(nodes["factory"]) if f == group]
        radius = 0.1 + 0.03 * len(members)
        for k, i in enumerate(members):
            angle = 2 * math.pi * k / max(len(members), 1)
            pos[i] = anchor[i] + radius * np.array([math.cos(angle), math.sin(angle)])
    for step in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta ** 2).sum(-1)) + np.eye(n)
        repulse = (delta / dist[..., None] ** 3 * 0.0025).sum(1)
        attract = np.zeros_like(pos)
        for a, b in edges:
            d = pos[b] - pos[a]
            length = math.sqrt(float((d ** 2).sum())) + 1e-9
            force = d / length * (length - 0.18) * 0.08
            attract[a] += force
            attract[b] -= force
        move = repulse + attract + (anchor - pos) * pull_strength
        length = np.sqrt((move ** 2).sum(1, keepdims=True))
        cap = 0.04 * (1 - step / iterations) + 0.002
        pos += move / np.maximum(length / cap, 1)
    return np.round(pos, 4)


def family_circles():
    """The ties through which one arrest pulled in others in the Moscow factories, as a network."""
    rel = circle_relations()
    people = table("people").set_index("person_id")
    positions = table("positions")
    posts = positions[positions["place_id"].isin(MOSCOW_FACTORIES)]
    ids = sorted(set(rel["person_id"]) | set(rel["other_person_id"]))
    factory_of = {}
    for pid in ids:
        mine = posts[posts["person_id"] == pid]
        factory_of[pid] = mine["place_id"].mode().iloc[0] if len(mine) else "outside"
    order = MOSCOW_FACTORIES + ["outside"]
    ids.sort(key=lambda p: (order.index(factory_of[p]), p))
    nodes = pd.DataFrame({"person_id": ids})
    nodes["factory"] = [FACTORY_NAMES[factory_of[p]] for p in ids]
    nodes["name"] = [people.loc[p, "name"] for p in ids]
    nodes["post"] = ["; ".join(dict.fromkeys(posts[posts["person_id"] == p]["role"])) or "outside the factories"
                     for p in ids]
    nodes["fate"] = [FATE_GROUPS.get(_text(people.loc[p, "fate"]), "Outcome not recorded") for p in ids]
    nodes["reference"] = [people.loc[p, "reference"] for p in ids]
    index = {p: i for i, p in enumerate(ids)}
    edges = [(index[a], index[b]) for a, b in zip(rel["person_id"], rel["other_person_id"])]
    xy = _layout(nodes, edges)
    nodes["x"], nodes["y"] = xy[:, 0], xy[:, 1]
    nodes["ties"] = [sum(1 for a, b in edges if i in (a, b)) for i in range(len(ids))]
    nodes["label"] = [n if t >= 5 else "" for n, t in zip(nodes["name"], nodes["ties"])]
    e = rel.copy()
    e["x"] = [nodes.loc[index[p], "x"] for p in e["person_id"]]
    e["y"] = [nodes.loc[index[p], "y"] for p in e["person_id"]]
    e["x2"] = [nodes.loc[index[p], "x"] for p in e["other_person_id"]]
    e["y2"] = [nodes.loc[index[p], "y"] for p in e["other_person_id"]]
    e["tie"] = e["kind"].map(TIE_GROUPS)
    e["between"] = [f"{people.loc[a, 'name']} and {people.loc[b, 'name']}"
                    for a, b in zip(e["person_id"], e["other_person_id"])]
    e["kind_words"] = e["kind"].str.replace("_", " ")
    e["date_words"] = [date_words(d) for d in e["date"]]
    hidden = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)
    xs = alt.Scale(domain=[float(nodes["x"].min()) - 0.1, float(nodes["x"].max()) + 0.3])
    ys = alt.Scale(domain=[float(nodes["y"].min()) - 0.12, float(nodes["y"].max()) + 0.12])
    lines = alt.Chart(charts.chart_data(e, ["x", "y", "x2", "y2", "tie", "between", "kind_words", "description",
                                            "date_words", "reference"])).mark_rule(strokeWidth=2.2,
                                                                                    opacity=0.7).encode(
        x=alt.X("x:Q", scale=xs, axis=hidden), y=alt.Y("y:Q", scale=ys, axis=hidden), x2="x2:Q", y2="y2:Q",
        color=alt.Color("tie:N", title="Tie", sort=TIE_ORDER, scale=alt.Scale(
            domain=TIE_ORDER, range=[charts.PALETTE[3], charts.PALETTE[0], "#999999", charts.PALETTE[2]])),
        strokeDash=alt.StrokeDash("tie:N", title="Tie", sort=TIE_ORDER, scale=alt.Scale(
            domain=TIE_ORDER, range=[[5, 3], [1, 0], [2, 2], [1, 0]])),
        tooltip=charts.tooltip("between", "kind_words", "description", "date_words"))
    fates = [f for f in FATE_ORDER if f in set(nodes["fate"])]
    shape_of = dict(zip(FATE_ORDER, ["cross", "triangle-down", "square", "diamond", "circle", "triangle-up",
                                     "circle"]))
    dots = alt.Chart(charts.chart_data(nodes, ["x", "y", "name", "factory", "post", "fate", "ties", "reference"])
                     ).mark_point(size=85, filled=True, opacity=1, stroke="#ffffff", strokeWidth=0.6).encode(
        x=alt.X("x:Q", scale=xs, axis=hidden), y=alt.Y("y:Q", scale=ys, axis=hidden),
        shape=alt.Shape("fate:N", title="How it ended", sort=fates,
                        scale=alt.Scale(domain=fates, range=[shape_of[f] for f in fates])),
        fill=alt.Fill("factory:N", title="Factory", sort=[FACTORY_NAMES[o] for o in order],
                      scale=alt.Scale(domain=[FACTORY_NAMES[o] for o in order],
                                      range=[charts.PALETTE[0], charts.PALETTE[3], charts.PALETTE[4],
                                             charts.PALETTE[1], charts.PALETTE[2], "#777777"])),
        tooltip=charts.tooltip("name", "factory", "post", "fate", "ties"))
    labels = alt.Chart(charts.chart_data(nodes[nodes["label"] != ""], ["x", "y", "label", "name", "reference"])
                       ).mark_text(align="left", dx=7, dy=-6, fontSize=10, color="#222222").encode(
        x=alt.X("x:Q", scale=xs, axis=hidden), y=alt.Y("y:Q", scale=ys, axis=hidden), text="label:N",
        tooltip=charts.tooltip("name"))
    chart = alt.layer(lines, dots, labels).properties(width=360, height=400).configure_legend(
        orient="right", direction="vertical", labelFontSize=11, titleFontSize=12, labelLimit=200)
    return chart, provenance(rel, people.reset_index()[lambda p: p["person_id"].isin(ids)])


def circle_stats() -> pd.DataFrame:
    """Ties per person in the network (for the prose and the exercise)."""
    rel = circle_relations()
    both = pd.concat([rel["person_id"], rel["other_person_id"]])
    return both.value_counts().rename_axis("person_id").reset_index(name="ties")


def glue_circle_computed() -> pd.DataFrame:
    from shopfloor.glue import glue

    rel = circle_relations()
    stats = circle_stats()
    people = table("people").set_index("person_id")
    top = stats.iloc[0]
    hostile = rel["kind"].map(TIE_GROUPS).eq(TIE_ORDER[0]).sum()
    out = {"fc-computed-ties": str(len(rel)),
           "fc-computed-people": str(len(stats)),
           "fc-computed-hub": people.loc[top["person_id"], "name"],
           "fc-computed-hub-ties": str(int(top["ties"])),
           "fc-computed-hostile": str(int(hostile))}
    for name, text in out.items():
        glue(name, text, display=False)
    return pd.DataFrame({"name": list(out), "figure": list(out.values())})


# ---- the Sagaidak case ---------------------------------------------------------------------------------

SAGAIDAK_EVENTS = {
    "1936-sagaidak-study-circle": ("A slip in the study circle", "The mill and its head"),
    "1937-02-02-martenovka-sagaidak-errors": ("Martenovka prints his 'errors'", "Factory newspaper"),
    "1937-02-27-martenovka-rolling-accidents": ("Anonymous article on accidents", "Factory newspaper"),
    "1937-02-28-martenovka-hand-of-enemy": ("'The hand of an enemy?'", "Factory newspaper"),
    "1937-03-01-martenovka-levashev": ("Levashev on waste passed as steel", "Factory newspaper"),
    "1937-03-03-rolling-mill-expels-sagaidak": ("Mill party organisation expels him", "Party bodies"),
    "1937-03-04-serp-partkom-expels-sagaidak": ("Partkom expels him; Stepanov concurs", "Party bodies"),
    "1937-03-05-marmorshstein-article": ("Head engineer's article against him", "Factory newspaper"),
    "1937-03-sagaidak-arrest": ("Sagaidak arrested", "Arrests and expulsions"),
    "1937-07-22-stepanov-interrogation": ("Partkom grills Stepanov over him", "Party bodies"),
    "1937-somov-girlfriend-arrest": ("Somov's companion arrested", "Arrests and expulsions"),
    "1938-somov-expelled": ("Secretary Somov expelled", "Arrests and expulsions"),
    "1938-zhidkova-expelled": ("Zhidkova, his first accuser, expelled", "Arrests and expulsions"),
}
SAGAIDAK_OBS = {  # career steps taken from observations: (label, lane, date)
    "g6-0041": ("Starts work at Serp i Molot", "The mill and its head", "1929"),
    "g6-0040": ("Sent to Germany to train", "The mill and its head", "1931"),
    "g6-0047": ("Mill rolls {} of stainless steel", "The mill and its head", "1936"),
    "g6-0048": ("Mill rolls {} of stainless steel", "The mill and its head", "1937"),
}
SAGAIDAK_POST = "pos-0357"  # head of the cold rolling mill from 1933
SAGAIDAK_LANES = ["The mill and its head", "Factory newspaper", "Party bodies", "Arrests and expulsions"]


def sagaidak_case():
    """The Sagaidak case at Serp i Molot step by step: the whole story and its decisive five weeks."""
    events = table("events")
    ev = events[events["event_id"].isin(list(SAGAIDAK_EVENTS))].copy()
    ev["step"] = ev["event_id"].map(lambda i: SAGAIDAK_EVENTS[i][0])
    ev["lane"] = ev["event_id"].map(lambda i: SAGAIDAK_EVENTS[i][1])
    ev["date"] = [date_words(d) for d in ev["date_start"]]
    ev["at"] = [when(d) for d in ev["date_start"]]
    ev["detail"] = ev["summary"]
    ob = _obs(list(SAGAIDAK_OBS))
    ob["step"] = [SAGAIDAK_OBS[i][0].format(f"{numbers.number(float(v))} tons") for i, v in
                  zip(ob["obs_id"], ob["value"])]
    ob["lane"] = ob["obs_id"].map(lambda i: SAGAIDAK_OBS[i][1])
    ob["date"] = ob["obs_id"].map(lambda i: SAGAIDAK_OBS[i][2])
    ob["date"] = [("by " if i == "g6-0040" else "") + d for i, d in zip(ob["obs_id"], ob["date"])]
    ob["at"] = [when(SAGAIDAK_OBS[i][2]) for i in ob["obs_id"]]
    ob["detail"] = ob["description"]
    positions = table("positions")
    po = positions[positions["position_id"] == SAGAIDAK_POST].copy()
    po["step"] = "Heads the new cold rolling mill"
    po["lane"] = "The mill and its head"
    po["date"] = [date_words(d) for d in po["date_from"]]
    po["at"] = [when(d) for d in po["date_from"]]
    po["detail"] = "Post: " + po["role"] + ", " + po["date_from"] + " to " + po["date_to"]
    steps = pd.concat([ob[["step", "lane", "date", "at", "detail", "reference"]],
                       po[["step", "lane", "date", "at", "detail", "reference"]],
                       ev[["step", "lane", "date", "at", "detail", "reference"]]], ignore_index=True)
    steps = steps.sort_values(["at", "step"]).reset_index(drop=True)
    steps["at"] = [_iso(t) for t in steps["at"]]
    steps["label"] = [f"{d}: {s}" for d, s in zip(steps["date"], steps["step"])]
    close = steps["at"].between("1937-02-01", "1937-03-10")
    columns = ["label", "lane", "date", "at", "step", "detail", "reference"]

    def panel(frame, domain, fmt, title, ticks):
        order = list(frame["label"])
        return alt.Chart(charts.chart_data(frame, columns)).mark_point(size=110, filled=True, opacity=1).encode(
            x=alt.X("at:T", title=None, scale=alt.Scale(domain=domain),
                    axis=alt.Axis(format=fmt, tickCount=ticks, labelAngle=0)),
            y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=310, labelFontSize=12)),
            color=alt.Color("lane:N", title=None, sort=SAGAIDAK_LANES, scale=alt.Scale(
                domain=SAGAIDAK_LANES, range=[charts.PALETTE[2], charts.PALETTE[1], charts.PALETTE[0],
                                              charts.PALETTE[3]])),
            shape=alt.Shape("lane:N", title=None, sort=SAGAIDAK_LANES, scale=alt.Scale(
                domain=SAGAIDAK_LANES, range=["circle", "square", "diamond", "cross"])),
            tooltip=charts.tooltip("date", "step", "detail"),
        ).properties(width=170, height=20 * len(frame), title=alt.TitleParams(title, fontSize=13))

    whole = panel(steps[~close], ["1928-07-01", "1938-12-31"], "%Y", "The case, 1929-1938 (apart from five weeks)", 5)
    zoom = panel(steps[close], ["1937-01-30", "1937-03-08"], "%d %b", "Five weeks in February and March 1937", 5)
    chart = alt.vconcat(whole, zoom, spacing=16).resolve_scale(color="shared", shape="shared")
    return chart, provenance(ob, po, ev)


# ---- the labour laws -----------------------------------------------------------------------------------

LABOUR_LAWS = [
    ("November 1932", "Unexcused absence after which a manager may dismiss a worker", "k-0058", " day"),
    ("December 1938", "Unexcused absences in one month that bring dismissal and eviction", "g1b-0066", ""),
    ("December 1938", "Unexcused lateness that brings dismissal and eviction", "g1b-0065", " minutes"),
    ("June 1940", "Prison for leaving a job without the director's leave", "g1b-0073", ""),
    ("June 1940", "Corrective labour at the workplace for absence or lateness", "g1b-0074", ""),
    ("June 1940", "Pay deducted during corrective labour", "g1b-0075", ""),
    ("June 1940", "Working day lengthened, pay unchanged, by", "g1b-0076", ""),
    ("June 1940 onward", "Convictions under the June 1940 decree", "g1b-0077", ""),
    ("1940-1952", "People convicted under the labour-discipline laws", "g1b-0084", ""),
    ("1940-1952", "Of whom sentenced to detention", "g1b-0085", ""),
]
_UNIT = {"months": " months", "hours": " hours", "persons": " people"}


def labour_laws_table():
    """The labour laws of 1932-1940 and their reach, as the sources give them."""
    ids = [i for _, _, i, _ in LABOUR_LAWS]
    rows = _obs(ids)
    by = rows.set_index("obs_id")
    figures = []
    for _, _, obs_id, suffix in LABOUR_LAWS:
        row = by.loc[obs_id]
        text = numbers.say(row)
        text += suffix or _UNIT.get(_text(row["unit"]), "")
        figures.append(text)
    frame = pd.DataFrame({
        "When": [w for w, _, _, _ in LABOUR_LAWS],
        "Provision or result": [p for _, p, _, _ in LABOUR_LAWS],
        "Figure": figures,
        "Source": [by.loc[i, "locator"] for i in ids],
    })
    return frame, rows
