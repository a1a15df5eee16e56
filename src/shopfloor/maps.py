"""The book's maps: the USSR of 1937, its industrial regions, and city maps of Moscow and Leningrad.

The geometry comes from two small files in `maps/`, derived from Natural Earth by
`maps/build_basemap.py` (see `maps/README.md` for how far the 1937 outline is off and why):

- `ussr_1937.geojson`: the USSR as of 1 January 1937, one dissolved (multi)polygon;
- `regions.geojson`: industrial regions, each a dissolve of modern admin-1 units.

Both are stored with clockwise exterior rings, the orientation Vega's d3-geo needs (the counter-clockwise
rings geopandas writes would paint the whole globe except the shape). Longitudes east of 180 occur in the
outline (Chukotka is shifted by +360 so that there is no seam at the antimeridian).

Map helpers return Altair layer charts in the book's theme (`shopfloor.charts`); places are drawn from a
gazetteer-like DataFrame with `lat`, `lon`, `name` (as in the source), `name_modern`, `description`,
`reference` (the source locator) and `location_precision` (`site`, `district`, `city`, `region`,
`unknown`). A place known only roughly is drawn hollow; rows without coordinates are left out.
"""
from __future__ import annotations

import copy
import json
import math
from functools import lru_cache

import altair as alt
import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point, shape

from . import charts
from .paths import maps_dir

OUTLINE_FILE = "ussr_1937.geojson"
REGIONS_FILE = "regions.geojson"

# The projection for maps of the whole USSR: conic equal-area, centred on 95 E.
USSR_PROJECTION = {"type": "conicEqualArea", "rotate": [-95, 0], "parallels": [50, 70]}
USSR_HEIGHT = 320  # with charts.WIDTH: the projected USSR is about 1.5 times as wide as high

OUTLINE_FILL, OUTLINE_STROKE = "#eeeeee", "#b0b0b0"
REGION_FILL, REGION_STROKE = "#d2d2d2", "#ffffff"
LANDMARK_COLOR = "#6f6f6f"

# Bounding boxes (lon_min, lat_min, lon_max, lat_max) of the 1930s cities: Moscow roughly inside today's
# MKAD ring, Leningrad from the Kirov works and the port to the northern districts.
CITY_EXTENTS = {
    "moscow": (37.32, 55.57, 37.90, 55.92),
    "leningrad": (30.10, 59.80, 30.55, 60.10),
}
CITY_NAMES = {"moscow": "Moscow", "leningrad": "Leningrad"}

# Orientation landmarks: name, lat, lon (typed in, accurate to about 100 m), side of the label.
LANDMARKS = {
    "moscow": [
        ("Kremlin", 55.752, 37.617, "right"),
        ("Komsomolskaya Square", 55.776, 37.656, "right"),
        ("Belorussky Station", 55.776, 37.581, "left"),
        ("Paveletsky Station", 55.730, 37.639, "right"),
    ],
    "leningrad": [
        ("Winter Palace (Palace Square)", 59.939, 30.315, "right"),
        ("Peter and Paul Fortress", 59.950, 30.317, "left"),
        ("Smolny", 59.949, 30.396, "right"),
        ("Moscow Station", 59.930, 30.362, "right"),
        ("Narva Gate", 59.901, 30.275, "right"),
    ],
}

PRECISION_NOTE = ["Filled marks: the site itself; hollow marks: placed only approximately",
                  "(district, city or region)."]
REGIONS_NOTE = "Shaded: industrial regions, drawn with today's boundaries."
CITY_MAX_HEIGHT = 480
TOOLTIP_TITLES = {"name": "Name in the source", "name_modern": "Modern name", "description": "What",
                  "kind": "Kind", "industry": "Industry", "location_precision": "Position known to",
                  "reference": "Source"}


# ----------------------------------------------------------------------------------------- geometry

@lru_cache(maxsize=None)
def _features(filename: str) -> tuple[dict, ...]:
    with open(maps_dir() / filename, encoding="utf-8") as handle:
        return tuple(json.load(handle)["features"])


def features(filename: str) -> list[dict]:
    """The GeoJSON features of one of the map files, as stored (clockwise rings); a fresh copy."""
    return copy.deepcopy(list(_features(filename)))


DISPLAY_DECIMALS = 2  # about 1 km: finer than a line on a map of the whole USSR, and a lighter page


def _rounded_ring(ring: list, decimals: int) -> list:
    out = []
    for x, y in ring:
        point = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != point:
            out.append(point)
    return out if len(out) >= 4 else [[round(x, decimals), round(y, decimals)] for x, y in ring]


def display_features(filename: str, decimals: int = DISPLAY_DECIMALS) -> list[dict]:
    """The features with coordinates rounded for drawing (repeated points dropped); the stored files keep
    their full precision for analysis and tests."""
    shown = features(filename)
    for feature in shown:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        polygons = [[_rounded_ring(ring, decimals) for ring in polygon] for polygon in polygons]
        geometry["coordinates"] = polygons[0] if geometry["type"] == "Polygon" else polygons
    return shown


@lru_cache(maxsize=None)
def _read(filename: str) -> gpd.GeoDataFrame:
    return gpd.read_file(maps_dir() / filename)


def ussr_outline() -> gpd.GeoDataFrame:
    """The USSR as of 1 January 1937 (one row; EPSG:4326, longitudes up to about 191)."""
    return _read(OUTLINE_FILE).copy()


def regions() -> gpd.GeoDataFrame:
    """The industrial regions: region_id, name (1930s), modern_units, note, geometry."""
    return _read(REGIONS_FILE).copy()


@lru_cache(maxsize=None)
def _outline_geometry():
    geometry = shapely.union_all([shape(f["geometry"]) for f in _features(OUTLINE_FILE)])
    shapely.prepare(geometry)
    return geometry


def inside_ussr(lat: float, lon: float) -> bool:
    """Whether a point lies in the 1937 outline (on its edge counts as inside).

    Longitudes west of -100 are taken +360, as in the outline (Chukotka). The outline is simplified to
    about 4 km and its modern internal boundaries are approximate: near a border, check by hand."""
    if lat is None or lon is None or (isinstance(lat, float) and math.isnan(lat)) \
            or (isinstance(lon, float) and math.isnan(lon)):
        return False
    lon = float(lon) + 360.0 if float(lon) < -100.0 else float(lon)
    return bool(_outline_geometry().covers(Point(lon, float(lat))))


def in_city(city_id: str, lat: float, lon: float) -> bool:
    """Whether a point lies in a city's box of CITY_EXTENTS (moscow, leningrad)."""
    if city_id not in CITY_EXTENTS:
        raise KeyError(f"unknown city {city_id!r}; known: {', '.join(CITY_EXTENTS)}")
    if lat is None or lon is None or lat != lat or lon != lon:
        return False
    lon_min, lat_min, lon_max, lat_max = CITY_EXTENTS[city_id]
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


# ------------------------------------------------------------------------------------------- charts

def _located(places: pd.DataFrame) -> pd.DataFrame:
    """Rows with coordinates, with a `_site` flag (True only where location_precision is 'site')."""
    frame = places.dropna(subset=["lat", "lon"]).copy()
    precision = frame["location_precision"] if "location_precision" in frame else pd.Series(None, index=frame.index)
    frame["_site"] = precision.eq("site").fillna(False).astype(bool)
    return frame


def _tooltips(fields) -> list[alt.Tooltip]:
    fields = [f for f in fields if f != "reference"] + ["reference"]
    return [alt.Tooltip(f"{f}:N", title=TOOLTIP_TITLES.get(f, f.replace("_", " ").capitalize())) for f in fields]


def _columns(frame: pd.DataFrame, fields) -> list[str]:
    wanted = ["lat", "lon", "_site", *fields]
    for column in wanted:
        if column not in frame:
            frame[column] = None
    return list(dict.fromkeys(wanted))


def _points(frame: pd.DataFrame, color, size, tooltip_fields, default_size: int = 70) -> list[alt.Chart]:
    """Filled marks for sites, hollow marks for places known only roughly; same colour and size scales."""
    fields = [*tooltip_fields, *(f for f in (color, size) if f)]
    data = charts.chart_data(frame, _columns(frame, [*fields, "reference"]))
    encoding = {
        "longitude": alt.Longitude("lon:Q"),
        "latitude": alt.Latitude("lat:Q"),
        "color": alt.Color(f"{color}:N", title=TOOLTIP_TITLES.get(color, color.replace("_", " ").capitalize()))
        if color else alt.value(charts.PALETTE[0]),
        "size": alt.Size(f"{size}:Q", title=size.replace("_", " ").capitalize()) if size
        else alt.value(default_size),
        "tooltip": _tooltips(tooltip_fields),
    }
    base = alt.Chart(data).encode(**encoding)
    filled = base.transform_filter("datum._site === true").mark_point(filled=True, opacity=0.9)
    hollow = base.transform_filter("datum._site !== true").mark_point(filled=False, strokeWidth=1.8, opacity=0.95)
    return [hollow, filled]


def _title(title: str | None, note: list[str]) -> alt.TitleParams:
    """The chart's title with the note as subtitle; without a title the note stands in its place
    (Vega drops a title whose text is empty, subtitle and all)."""
    if title:
        return alt.TitleParams(text=title, subtitle=note, subtitleFontSize=11, subtitleColor="#555555")
    return alt.TitleParams(text=note, fontSize=11, fontWeight="normal", color="#555555")


@lru_cache(maxsize=None)
def _ussr_fit() -> dict:
    """A light stand-in for the outline to fit the projection to: the vertices of a coarse outline."""
    coarse = _outline_geometry().simplify(1.0, preserve_topology=False)
    points = sorted({(round(x, 1), round(y, 1)) for x, y in shapely.get_coordinates(coarse).tolist()})
    return {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": points}}


def ussr_map(places: pd.DataFrame, color: str | None = None, size: str | None = None,
             tooltip_fields=("name", "name_modern", "description"), title: str | None = None) -> alt.LayerChart:
    """Places on the USSR of 1937 with the industrial regions shaded.

    color/size: optional column names (nominal/quantitative); tooltips show `tooltip_fields` and always
    end with the source locator. Rows without lat/lon are left out."""
    frame = _located(places)
    outline = alt.Chart(alt.Data(values=display_features(OUTLINE_FILE))).mark_geoshape(
        fill=OUTLINE_FILL, stroke=OUTLINE_STROKE, strokeWidth=0.6)
    region_layer = alt.Chart(alt.Data(values=display_features(REGIONS_FILE))).mark_geoshape(
        fill=REGION_FILL, stroke=REGION_STROKE, strokeWidth=0.6).encode(
        tooltip=[alt.Tooltip("properties.name:N", title="Region"),
                 alt.Tooltip("properties.modern_units:N", title="Drawn from today's")])
    projection = alt.Projection(**USSR_PROJECTION, fit=_ussr_fit())
    return alt.layer(outline, region_layer, *_points(frame, color, size, tooltip_fields)).properties(
        width=charts.WIDTH, height=USSR_HEIGHT, projection=projection,
        title=_title(title, [*PRECISION_NOTE, REGIONS_NOTE]))


def _scale_bar(city_id: str, km: int = 5) -> list[alt.Chart]:
    """A bar of `km` kilometres in the box's lower left corner (length computed on the sphere)."""
    lon_min, lat_min, lon_max, lat_max = CITY_EXTENTS[city_id]
    lat = lat_min + 0.06 * (lat_max - lat_min)
    lon0 = lon_min + 0.04 * (lon_max - lon_min)
    lon1 = lon0 + km / (111.32 * math.cos(math.radians(lat)))
    bar = alt.Data(values=[{"lon": round(lon0, 5), "lat": round(lat, 5), "lon2": round(lon1, 5), "label": f"{km} km"}])
    base = alt.Chart(bar).encode(longitude="lon:Q", latitude="lat:Q")
    return [base.mark_rule(color="#444444", strokeWidth=2).encode(longitude2="lon2:Q", latitude2="lat:Q"),
            base.mark_text(align="left", baseline="bottom", dy=-4, fontSize=11, color="#444444").encode(
                text="label:N")]


def city_map_note(city_id: str) -> str:
    """Caption text stating how accurate the orientation layer and the places of a city map are."""
    city = CITY_NAMES[city_id]
    names = ", ".join(name for name, *_ in LANDMARKS[city_id])
    return (f"{city}: the grey landmarks ({names}) are placed from typed coordinates accurate to about "
            "100 m; the factories' positions are approximate where marked hollow. The shaded frame is a box "
            "around the 1930s city, not its boundary.")


def city_map(places: pd.DataFrame, city_id: str, label: bool = True, size: str | None = None,
             tooltip_fields=("name", "name_modern", "description"), title: str | None = None) -> alt.LayerChart:
    """Workplaces in Moscow or Leningrad as (labelled) points over a few landmarks for orientation.

    Only rows inside the city's box (CITY_EXTENTS) are drawn; the projection is Mercator fitted to the box.
    Pair the figure's caption with `city_map_note(city_id)`."""
    lon_min, lat_min, lon_max, lat_max = CITY_EXTENTS[city_id]
    frame = _located(places)
    frame = frame[[in_city(city_id, la, lo) for la, lo in zip(frame["lat"], frame["lon"])]]
    corners = [[lon_min, lat_min], [lon_min, lat_max], [lon_max, lat_max], [lon_max, lat_min]]
    box = {"type": "Feature", "properties": {"name": CITY_NAMES[city_id]},
           "geometry": {"type": "Polygon", "coordinates": [corners + [corners[0]]]}}  # clockwise
    fit = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": corners}}
    # Mercator: the box's height over width is its span in latitude stretched by 1/cos(latitude)
    mid = math.radians((lat_min + lat_max) / 2)
    ratio = (lat_max - lat_min) / math.cos(mid) / (lon_max - lon_min)
    width = min(charts.WIDTH, round(CITY_MAX_HEIGHT / ratio))
    height = round(width * ratio)

    frame_layer = alt.Chart(alt.Data(values=[box])).mark_geoshape(
        fill="#f4f4f4", stroke="#c8c8c8", strokeWidth=0.8)
    marks = alt.Data(values=[{"landmark": n, "lat": la, "lon": lo, "side": side}
                             for n, la, lo, side in LANDMARKS[city_id]])
    landmark_base = alt.Chart(marks).encode(longitude="lon:Q", latitude="lat:Q",
                                            tooltip=alt.Tooltip("landmark:N", title="Landmark"))
    label_style = dict(fontSize=11, fontStyle="italic", color=LANDMARK_COLOR)
    layers = [
        frame_layer,
        landmark_base.mark_square(size=45, color=LANDMARK_COLOR, opacity=0.8),
        landmark_base.transform_filter("datum.side === 'right'").mark_text(
            align="left", dx=7, **label_style).encode(text="landmark:N"),
        landmark_base.transform_filter("datum.side === 'left'").mark_text(
            align="right", dx=-7, **label_style).encode(text="landmark:N"),
        *_scale_bar(city_id),
        *_points(frame, None, size, tooltip_fields, default_size=80),
    ]
    if label and len(frame):
        data = charts.chart_data(frame, _columns(frame, ["name"]))
        layers.append(alt.Chart(data).mark_text(align="left", dx=8, dy=-8, fontSize=12, color="#222222").encode(
            longitude="lon:Q", latitude="lat:Q", text="name:N"))
    projection = alt.Projection(type="mercator", fit=fit)
    return alt.layer(*layers).properties(
        width=width, height=height, projection=projection,
        title=_title(title, PRECISION_NOTE))
