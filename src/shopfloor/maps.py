"""The book's maps: the USSR of 1937, its industrial regions, and city maps of Moscow and Leningrad.

The geometry comes from small files in `maps/`, derived by `maps/build_basemap.py` (see `maps/README.md`
for how far the 1937 outline is off and why, and `maps/NOTICE` for the licences):

- `ussr_1937.geojson`: the USSR as of 1 January 1937, one dissolved (multi)polygon;
- `regions.geojson`: industrial regions, each a dissolve of modern admin-1 units;
- `neighbours.geojson`: the land around it that was not Soviet in 1937; `cities.geojson`: the land inside
  the city maps' boxes (both Natural Earth, public domain);
- `water.geojson`: six large lakes (OpenStreetMap, ODbL; every USSR map credits it in its corner).

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

OUTLINE_FILL, OUTLINE_STROKE = "#f7f5ef", "#7d7d7d"
REGION_FILL, REGION_STROKE = "#e3d6b8", "#ffffff"
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
        ("Kursky Station", 55.757, 37.661, "right"),
        ("Kievsky Station", 55.743, 37.566, "left"),
        ("Savyolovsky Station", 55.794, 37.588, "left"),
    ],
    "leningrad": [
        ("Winter Palace (Palace Square)", 59.939, 30.315, "right"),
        ("Peter and Paul Fortress", 59.950, 30.317, "left"),
        ("Smolny", 59.949, 30.396, "right"),
        ("Moscow Station", 59.930, 30.362, "right"),
        ("Narva Gate", 59.901, 30.275, "right"),
        ("Finland Station", 59.956, 30.356, "right"),
    ],
}

PRECISION_NOTE = ["Filled mark: the site itself. Hollow mark: placed", "only roughly (district, city or region)."]
REGIONS_NOTE = "Tan: industrial regions, with today's boundaries."
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
#
# Every map is drawn on a fixed design canvas (DESIGN px, projected here in Python) with Vega's identity
# projection, scaled at run time by k = min(view width / design width, view height / design height): the
# view's width follows its column ("container"), its height is fixed, and the drawing is centred. Fonts and
# marks keep their pixel size, so the labels are placed here for each of K_BUCKETS (the k the view has
# rounded down to a tenth) and the view shows the set for its k: a label that does not fit is left off at
# that size (the mark keeps its tooltip). `label_boxes` returns the boxes the placement used, for the tests.

NEIGHBOURS_FILE, WATER_FILE, CITIES_FILE = "neighbours.geojson", "water.geojson", "cities.geojson"

USSR_WIDTH = 640  # design size of the USSR maps; drawn at k times this, k from 0.5 (phone) to 1
USSR_HEIGHT = 420
CITY_WIDTH = 480
K_BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
K_STEP = 0.1
MARGIN = 200  # design px of geography kept around the canvas (shown when the view is wider or taller)

SEA_COLOR = "#d3e4f1"
LAND_COLOR = "#f7f5ef"
NEIGHBOUR_FILL, NEIGHBOUR_STROKE = "#d9d9d9", "#c4c4c4"
SEA_TEXT, COUNTRY_TEXT, REGION_TEXT, PLACE_TEXT = "#2c5a7f", "#4a4a4a", "#6b4f1d", "#1a1a1a"
LABEL_FONT_SIZE = 11

# Orientation labels of the USSR maps, typed in (general knowledge): (text, lat, lon, kind).
# The neighbours are those of 1937.
GEO_LABELS = [
    ("Barents Sea", 72.5, 40.0, "sea"), ("Kara Sea", 75.0, 70.0, "sea"), ("Laptev Sea", 76.0, 125.0, "sea"),
    ("Arctic Ocean", 81.0, 100.0, "sea"), ("Sea of Okhotsk", 55.5, 148.0, "sea"),
    ("Pacific Ocean", 47.0, 165.0, "sea"), ("Black Sea", 43.3, 34.3, "sea"), ("Caspian Sea", 42.2, 50.8, "sea"),
    ("Baltic Sea", 57.5, 19.5, "sea"), ("Sea of Japan", 40.5, 134.5, "sea"),
    ("Finland", 63.5, 26.5, "country"), ("Poland", 52.3, 20.0, "country"), ("Romania", 45.8, 24.8, "country"),
    ("Turkey", 39.0, 35.0, "country"), ("Iran", 33.5, 54.0, "country"), ("Afghanistan", 34.0, 65.5, "country"),
    ("Mongolia", 46.5, 103.0, "country"), ("China", 36.0, 105.0, "country"), ("Japan", 36.5, 138.5, "country"),
    ("Latvia", 56.9, 25.6, "country"), ("Estonia", 58.7, 25.8, "country"), ("Lithuania", 55.4, 23.9, "country"),
    ("Manchukuo", 45.5, 125.5, "country"),
]
# The area enlarged in the inset of the USSR maps: lon_min, lat_min, lon_max, lat_max.
INSET_EXTENT = (29.0, 53.4, 45.5, 60.6)
INSET_NAME = "Enlarged"
INSET_WIDTH = 250  # design px
INSET_MIN_MARKS = 3  # inset="auto" draws the inset when at least this many places lie in its area
REGION_SHORT = {"dnieper": "Dnieper", "western-siberia": "Novosibirsk"}

# Helvetica's advance widths (1/1000 em) for estimating the width of a label; other characters 0.56 em.
_WIDTHS = dict(zip(" abcdefghijklmnopqrstuvwxyz", [278, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
                                                    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
                                                    500, 500, 500]))
_WIDTHS.update(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
                                                   722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]))
_WIDTHS.update({c: 556 for c in "0123456789"})
_WIDTHS.update({".": 278, ",": 278, "-": 333, "(": 333, ")": 333, "'": 191, "’": 222, ":": 278, "–": 556})


# The labels are placed for the widest font a reader may get: where neither Helvetica nor Arial is installed the
# browser falls back to a wider sans (DejaVu Sans, about 12 percent wider). A label keeps a quarter em clear at
# each end (two labels on one line read as one when closer than half an em).
FONT_SLACK = 1.15
LABEL_PAD_EM = 0.25


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """Estimated width in px of `text` in Helvetica/Arial (bold about 8 percent wider)."""
    width = sum(_WIDTHS.get(c, 560) for c in text) / 1000 * font_size
    return width * (1.08 if bold else 1.0)


def _conic(lon, lat):
    """d3's conicEqualArea (parallels 50 and 70 N, rotated to 95 E), unscaled, y up."""
    import numpy as np

    phi0, phi1 = math.radians(50), math.radians(70)
    sy0 = math.sin(phi0)
    n = (sy0 + math.sin(phi1)) / 2
    c = 1 + sy0 * (2 * n - sy0)
    r0 = math.sqrt(c) / n
    lam = np.radians(np.asarray(lon, dtype=float) - 95.0)
    r = np.sqrt(c - 2 * n * np.sin(np.radians(np.asarray(lat, dtype=float)))) / n
    return r * np.sin(lam * n), r0 - r * np.cos(lam * n)


class _Canvas:
    """A projection onto a design canvas of width x height px (y down), by scale s and translation."""

    def __init__(self, raw, lonlat_points, box_px: tuple[float, float, float, float]):
        import numpy as np

        self.raw = raw
        x, y = raw(*np.asarray(lonlat_points, dtype=float).T)
        x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
        left, top, right, bottom = box_px
        self.s = min((right - left) / (x1 - x0), (bottom - top) / (y1 - y0))
        self.tx = (left + right) / 2 - self.s * (x0 + x1) / 2
        self.ty = (top + bottom) / 2 + self.s * (y0 + y1) / 2

    def xy(self, lon, lat):
        x, y = self.raw(lon, lat)
        return self.s * x + self.tx, self.ty - self.s * y

    def geometry(self, geom, clip, tolerance: float = 0.3):
        import numpy as np

        def project(coords):
            x, y = self.xy(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        projected = shapely.transform(geom, project)
        projected = shapely.make_valid(projected).intersection(clip)
        return projected.simplify(tolerance, preserve_topology=True)


def _px_round(coords):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), 1) for c in coords]
    return [_px_round(c) for c in coords]


def _px_features(geoms_props) -> list[dict]:
    out = []
    for geom, props in geoms_props:
        if geom is None or geom.is_empty:
            continue
        polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polys:
            continue
        geom = shapely.MultiPolygon([p for g in polys for p in getattr(g, "geoms", [g])])
        mapped = shapely.geometry.mapping(geom)
        out.append({"type": "Feature", "properties": props,
                    "geometry": {"type": mapped["type"], "coordinates": _px_round(mapped["coordinates"])}})
    return out


def _box_ring(lon_min, lat_min, lon_max, lat_max, steps: int = 24):
    """A lon/lat box as a densified polygon (its sides curve under a conic projection)."""
    ring = ([(lon_min + (lon_max - lon_min) * i / steps, lat_min) for i in range(steps)]
            + [(lon_max, lat_min + (lat_max - lat_min) * i / steps) for i in range(steps)]
            + [(lon_max - (lon_max - lon_min) * i / steps, lat_max) for i in range(steps)]
            + [(lon_min, lat_max - (lat_max - lat_min) * i / steps) for i in range(steps)])
    return shapely.Polygon(ring)


# --------------------------------------------------------------------------------------- placement

class Label:
    """A label to place: text, anchor (design px), the radius (px) of the mark it names, and its style."""

    def __init__(self, text: str, x: float, y: float, *, radius: float = 0.0, kind: str = "place",
                 font_size: float = LABEL_FONT_SIZE, bold: bool = False, italic: bool = False,
                 area: tuple[float, float, float, float] | None = None, key: str = ""):
        self.text, self.x, self.y, self.radius, self.kind = text, float(x), float(y), float(radius), kind
        self.font_size, self.bold, self.italic = font_size, bold, italic
        self.area = area  # the design box the label must stay in
        self.key = key or text
        self.w = text_width(text, font_size, bold) * FONT_SLACK + 2.0
        self.h = font_size * 1.2
        self.pad = LABEL_PAD_EM * font_size  # px kept clear at each end

    def offsets(self) -> list[tuple[float, float]]:
        """Candidate offsets (px) of the label's centre from its anchor, in order of preference."""
        if self.kind != "place":
            return [(0.0, 0.0), (0.0, -self.h), (0.0, self.h), (self.w / 3, 0.0), (-self.w / 3, 0.0)]
        gap = self.radius + 3.0
        half_w, half_h = self.w / 2, self.h / 2
        out = []
        for extra in (0.0, 6.0):
            g = gap + extra
            out += [(g + half_w, 0.0), (-(g + half_w), 0.0), (0.0, -(g + half_h)), (0.0, g + half_h),
                    (g * 0.7 + half_w, -(g * 0.7 + half_h)), (-(g * 0.7 + half_w), -(g * 0.7 + half_h)),
                    (g * 0.7 + half_w, g * 0.7 + half_h), (-(g * 0.7 + half_w), g * 0.7 + half_h)]
        return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box, area) -> bool:
    return box[0] >= area[0] and box[1] >= area[1] and box[2] <= area[2] and box[3] <= area[3]


def _samples(bucket: int) -> list[float]:
    k = K_BUCKETS[bucket]
    return [k] if bucket == len(K_BUCKETS) - 1 else [k, k + K_STEP / 2, k + K_STEP * 0.999]


def place_labels(labels: list[Label], marks: list[tuple[float, float, float]], blocked=(),
                 bucket: int = len(K_BUCKETS) - 1, fixed=()) -> list[tuple[Label, float, float]]:
    """Greedy placement, in the order given: for each label the first candidate offset whose box, at every k
    of the bucket, stays inside its area and clear of the marks (x, y, radius in design px / px), the boxes
    in `blocked` (design px), the labels in `fixed` (label, dx, dy: placed by an earlier call) and the labels
    placed before; a label with no such offset is left off. Labels keep their `pad` clear at each end.
    Returns (label, dx, dy) with the offsets in px (not those in `fixed`)."""
    placed: list[tuple[Label, float, float]] = list(fixed)
    gap = 0.75  # px kept clear around a label (the stored positions are rounded to 0.1 px)
    for label in labels:
        for dx, dy in label.offsets():
            fits = True
            for k in _samples(bucket):
                box = (k * label.x + dx - label.w / 2 - gap, k * label.y + dy - label.h / 2 - gap,
                       k * label.x + dx + label.w / 2 + gap, k * label.y + dy + label.h / 2 + gap)
                inner_box = (box[0] + gap, box[1] + gap, box[2] - gap, box[3] - gap)
                padded = (box[0] - label.pad, box[1], box[2] + label.pad, box[3])
                if label.area and not _inside(inner_box, tuple(k * v for v in label.area)):
                    fits = False
                elif any(_overlap(box, (k * x - r, k * y - r, k * x + r, k * y + r)) for x, y, r in marks):
                    fits = False
                elif any(_overlap(box, tuple(k * v for v in b)) for b in blocked):
                    fits = False
                elif any(_overlap(padded, _box_at(other, odx, ody, k, other.pad)) for other, odx, ody in placed):
                    fits = False
                if not fits:
                    break
            if fits:
                placed.append((label, dx, dy))
                break
    return placed[len(fixed):]


def _box_at(label: Label, dx: float, dy: float, k: float, pad: float = 0.0) -> tuple[float, float, float, float]:
    return (k * label.x + dx - label.w / 2 - pad, k * label.y + dy - label.h / 2,
            k * label.x + dx + label.w / 2 + pad, k * label.y + dy + label.h / 2)


def label_boxes(chart, k: float) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The boxes (px, relative to the drawing's corner) of the labels a map shows at scale k: read back
    from the chart's label layers, computed as the placement did (anchor times k plus offset, estimated
    text width). For the tests."""
    bucket = _bucket(k)
    out = []
    spec = chart.to_dict()
    for layer in spec["layer"]:
        if layer.get("mark", {}).get("type") != "text" or not layer.get("name", "").endswith("_text"):
            continue
        data = layer.get("data", {})
        for row in data["values"] if "values" in data else spec.get("datasets", {}).get(data.get("name"), []):
            if "b" not in row or row["b"] != bucket:
                continue
            w = text_width(row["text"], row["fs"], row.get("bold", False)) * FONT_SLACK + 2.0
            h = row["fs"] * 1.2
            cx, cy = k * row["px"] + row["ox"], k * row["py"] + row["oy"]
            out.append((row["text"], (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
    return out


def _bucket(k: float) -> int:
    return max(0, min(len(K_BUCKETS) - 1, math.floor((k - K_BUCKETS[0]) / K_STEP + 1e-6)))


# ------------------------------------------------------------------------------------ chart layers

def _k_params(width: int, height: int) -> list:
    k = f"clamp(min(width / {width}, height / {height}), 0.25, 4)"
    return [alt.param(name="sf_k", expr=k),
            alt.param(name="sf_b", expr=f"clamp(floor((sf_k - {K_BUCKETS[0]}) / {K_STEP} + 0.000001), 0, "
                                        f"{len(K_BUCKETS) - 1})")]


def _identity(width: int, height: int) -> alt.Projection:
    return alt.Projection(type="identity", scale=alt.ExprRef("sf_k"),
                          translate=alt.ExprRef(f"[width / 2 - sf_k * {width / 2}, height / 2 - sf_k * {height / 2}]"))


def _shapes(features, fill, stroke="none", stroke_width=0.0, tooltip=None, opacity=1.0) -> alt.Chart:
    """A layer of shapes in design px. The colours are set as encoded values, not mark properties: the
    book's chart pass darkens literal mark colours to a contrast against the page that land and sea must
    not have."""
    encoding = {"fill": alt.value(fill)} if fill else {}
    if stroke and stroke != "none" and stroke_width:
        encoding["stroke"] = alt.value(stroke)
    if tooltip:
        encoding["tooltip"] = tooltip
    # a tuple: Altair copies lists at every method call, and these hold every vertex (charts.chart_data)
    return alt.Chart(alt.InlineData(values=tuple(features))).mark_geoshape(
        filled=bool(fill), strokeWidth=stroke_width if "stroke" in encoding else 0, clip=True,
        fillOpacity=opacity).encode(**encoding)


def _label_layers(placed_by_bucket: dict[int, list], name: str) -> list[alt.Chart]:
    """Text layers (a white halo, then the text) of the labels placed for each bucket, shown for the view's."""
    rows = []
    for bucket, placed in sorted(placed_by_bucket.items()):
        for label, dx, dy in placed:
            rows.append({"text": label.text, "px": round(label.x, 1), "py": round(label.y, 1), "ox": round(dx, 1),
                         "oy": round(dy, 1), "b": bucket, "fs": label.font_size, "bold": label.bold,
                         "italic": label.italic, "kind": label.kind, "key": label.key,
                         "color": {"sea": SEA_TEXT, "country": COUNTRY_TEXT, "region": REGION_TEXT}.get(
                             label.kind, PLACE_TEXT)})
    layers = []
    # one pair of layers per font: no size channel (it would join the maps' size legend, in white)
    for bold, italic, size in sorted({(r["bold"], r["italic"], r["fs"]) for r in rows}):
        subset = [r for r in rows if (r["bold"], r["italic"], r["fs"]) == (bold, italic, size)]
        base = alt.Chart(alt.InlineData(values=tuple(subset))).transform_filter("datum.b === sf_b").transform_calculate(
            lx="datum.px + datum.ox / sf_k", ly="datum.py + datum.oy / sf_k").encode(
            longitude="lx:Q", latitude="ly:Q", text="text:N")
        style = dict(align="center", baseline="middle", fontSize=size, fontWeight="bold" if bold else "normal",
                     fontStyle="italic" if italic else "normal")
        suffix = ("_bold" if bold else "") + ("_italic" if italic else "") + f"_{size:g}".replace(".", "_")
        layers.append(base.mark_text(strokeWidth=3, strokeOpacity=0.8, strokeJoin="round", **style).encode(
            stroke=alt.value("#ffffff"), color=alt.value("#ffffff")).properties(name=f"{name}{suffix}_halo"))
        layers.append(base.mark_text(**style).encode(color=alt.Color("color:N", scale=None)).properties(
            name=f"{name}{suffix}_text"))
    return layers


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


def _short_label(row) -> str:
    # the name of the 1930s, as the sources give it (Leningrad, Sverdlovsk); the modern name is in the tooltip
    for column in ("label", "name", "name_modern"):
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            return value.split(";")[0].split("|")[0].strip()
    return ""


def _mark_area(frame: pd.DataFrame, size: str | None, size_range, default_size) -> pd.Series:
    if not size:
        return pd.Series(float(default_size), index=frame.index)
    values = pd.to_numeric(frame[size], errors="coerce")
    top = float(values.max()) if values.notna().any() and values.max() > 0 else 1.0
    return size_range[0] + (size_range[1] - size_range[0]) * values.fillna(0).clip(lower=0) / top


LEGEND_FONT_SIZE = 13  # the book's theme (charts.theme)


def legend_columns(labels, symbol: float = 16.0, font_size: float = LEGEND_FONT_SIZE) -> alt.ExprRef:
    """A legend's number of columns as an expression of the view's width: as many entries a row as fit in it
    (symbol, the widest label, Vega's gaps), at least one. Pair it with orient "bottom": a legend that fits
    its map's box at every column width."""
    widest = max((text_width(str(t), font_size) * FONT_SLACK for t in labels), default=0.0)
    entry = math.ceil(symbol + 5 + widest + 12)
    return alt.ExprRef(f"max(1, floor(width / {entry}))")


def _points(frame: pd.DataFrame, color, size, tooltip_fields, default_size: int = 70, *, size_range=(40, 360),
            color_scale=None, shape=None, shape_scale=None, size_legend=None) -> list[alt.Chart]:
    """Filled marks for sites, hollow marks for places known only roughly; same colour and size scales.
    The filled layer comes first, so that the legends show filled symbols (the colour of a kind)."""
    fields = [*tooltip_fields, *(f for f in (color, size, shape) if f)]
    data = alt.InlineData(values=charts.chart_data(frame, _columns(frame, [*fields, "reference", "px", "py"])).values)
    encoding = {
        "longitude": alt.Longitude("px:Q"),
        "latitude": alt.Latitude("py:Q"),
        "color": alt.Color(f"{color}:N", title=TOOLTIP_TITLES.get(color, color.replace("_", " ").capitalize()),
                           **({"scale": color_scale} if color_scale is not None else {}))
        if color else alt.value(charts.PALETTE[0]),
        "tooltip": _tooltips(tooltip_fields),
    }
    if size:
        # the size legend's symbols in grey (without a colour of their own they would be invisible)
        size_legend = (size_legend.copy() if size_legend is not None else alt.Legend())
        size_legend.symbolFillColor = "#9a9a9a"
        size_legend.symbolStrokeColor = "#666666"
        size_legend.symbolType = "circle"
        top = pd.to_numeric(frame[size], errors="coerce").max()
        top = float(top) if pd.notna(top) and top > 0 else 1.0
        if size_legend.columns is alt.Undefined:
            size_legend.orient, size_legend.direction = "bottom", "horizontal"
            size_legend.columns = legend_columns([f"{top:,.0f}"], symbol=math.sqrt(size_range[1]))
        encoding["size"] = alt.Size(f"{size}:Q", title=TOOLTIP_TITLES.get(size, size.replace("_", " ").capitalize()),
                                    scale=alt.Scale(domain=[0, top], range=list(size_range)),
                                    legend=size_legend)
    else:
        encoding["size"] = alt.value(default_size)
    if shape:
        encoding["shape"] = alt.Shape(f"{shape}:N", title=TOOLTIP_TITLES.get(shape, shape.capitalize()),
                                      **({"scale": shape_scale} if shape_scale is not None else {}))
    base = alt.Chart(data).encode(**encoding)
    filled = base.transform_filter("datum._site === true").mark_point(filled=True, opacity=0.9)
    hollow = base.transform_filter("datum._site !== true").mark_point(filled=False, strokeWidth=1.8, opacity=0.95)
    if size:  # the size legend is drawn from the filled layer only: the hollow one would make its symbols rings
        hollow = hollow.encode(size=alt.Size(f"{size}:Q", scale=alt.Scale(domain=[0, top], range=list(size_range)),
                                             legend=None))
    layers = []
    if size and frame[size].isna().any():
        # a place without a value would be dropped by the size scale: an open square instead
        blank = {k: v for k, v in encoding.items() if k != "size"}
        layers.append(alt.Chart(data).transform_filter(f"!isValid(datum[{json.dumps(size)}])").encode(**blank)
                      .mark_square(size=default_size, filled=False, strokeWidth=2))
    return [*layers, filled, hollow]


def _wrap(lines, font_size: float, bold: bool = False, width: float = 300.0) -> list[str]:
    """Lines broken at spaces so that none is wider than `width` px (the narrowest column the maps fit)."""
    out = []
    for line in ([lines] if isinstance(lines, str) else lines):
        words, current = line.split(), ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if current and text_width(candidate, font_size, bold) * FONT_SLACK > width:
                out.append(current)
                current = word
            else:
                current = candidate
        if current:
            out.append(current)
    return out


def _title(title: str | None, note: list[str]) -> alt.TitleParams:
    """The chart's title with the note as subtitle; without a title the note stands in its place
    (Vega drops a title whose text is empty, subtitle and all). Both are wrapped to fit a phone's column:
    a line wider than the column would shrink the map (its width is the column's less the title's excess)."""
    note = _wrap(" ".join(note), 11)
    if title:
        return alt.TitleParams(text=_wrap(title, 15, bold=True), subtitle=note, subtitleFontSize=11,
                               subtitleColor="#555555")
    return alt.TitleParams(text=note, fontSize=11, fontWeight="normal", color="#555555")


def _fit_points() -> tuple:
    """A light stand-in for the outline to fit the projection to: the vertices of a coarse outline."""
    coarse = _outline_geometry().simplify(1.0, preserve_topology=False)
    return tuple(sorted({(round(x, 1), round(y, 1)) for x, y in shapely.get_coordinates(coarse).tolist()}))


def _canvas_fitted_to(points: tuple) -> _Canvas:
    return _Canvas(_conic, points, (6, 6, USSR_WIDTH - 6, USSR_HEIGHT - 6))


@lru_cache(maxsize=None)
def _ussr_canvas() -> _Canvas:
    """The USSR map's projection, fitted to the points stored in DESIGN_FILE (reading the outline to work them
    out again took a tenth of a second in every kernel that drew the map), else to the outline's."""
    stored = _stored_basemaps().get(FIT_KEY)
    return _canvas_fitted_to(tuple(map(tuple, stored)) if stored is not None else _fit_points())


def _inset_canvas(box_px) -> _Canvas:
    lon_min, lat_min, lon_max, lat_max = INSET_EXTENT
    corners = list(_box_ring(lon_min, lat_min, lon_max, lat_max, 8).exterior.coords)
    return _Canvas(_conic, corners, box_px)


def _inset_candidates(main: _Canvas) -> list[tuple[float, float, float, float]]:
    """The boxes the inset may take, in order: top right, bottom right, top centre, bottom left."""
    lon_min, lat_min, lon_max, lat_max = INSET_EXTENT
    ring = _box_ring(lon_min, lat_min, lon_max, lat_max, 8)
    xs, ys = main.raw(*zip(*ring.exterior.coords))
    ratio = (max(ys) - min(ys)) / (max(xs) - min(xs))
    w, h = INSET_WIDTH, INSET_WIDTH * ratio + 16  # room for the inset's caption
    pad = 4
    corners = [(USSR_WIDTH - pad - w, pad), (USSR_WIDTH - pad - w, USSR_HEIGHT - pad - h),
               (USSR_WIDTH / 2 - w / 2, pad), (pad, USSR_HEIGHT - pad - h)]
    return [(x0, y0, x0 + w, y0 + h) for x0, y0 in corners]


def _inset_box(main: _Canvas, marks_xy: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Where the inset goes: the first candidate box that covers no mark of the main map (else the first)."""
    candidates = _inset_candidates(main)
    for box_ in candidates:
        if not any(box_[0] - 8 <= x <= box_[2] + 8 and box_[1] - 8 <= y <= box_[3] + 8 for x, y in marks_xy):
            return box_
    return candidates[0]


def _in_extent(lat, lon, extent) -> bool:
    lon_min, lat_min, lon_max, lat_max = extent
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


# The basemaps projected to design px, as maps/build_design_px.py writes them from the GeoJSON files above:
# projecting, repairing and clipping the geometry took 0.4 s in every kernel that drew a USSR map.
DESIGN_FILE = "design_px.json"
FIT_KEY = "ussr fit points"  # in DESIGN_FILE: the points the USSR map's projection is fitted to


def _design_key(box_px: tuple | None) -> str:
    return "ussr" if box_px is None else "inset " + ",".join(f"{v:.2f}" for v in box_px)


def project_basemaps() -> dict[str, dict]:
    """What DESIGN_FILE holds, worked out from the GeoJSON files (never from the stored file): the points the
    projection is fitted to, and every basemap the USSR maps draw, in design px: the whole USSR and the inset
    in each box it may take."""
    points = _fit_points()
    main = _canvas_fitted_to(points)
    out = {FIT_KEY: [list(p) for p in points], _design_key(None): _project_base_layers(None, main)}
    for box_px in _inset_candidates(main):
        out[_design_key(box_px)] = _project_base_layers(box_px, main)
    return out


@lru_cache(maxsize=1)
def _stored_basemaps() -> dict:
    path = maps_dir() / DESIGN_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@lru_cache(maxsize=None)
def _base_layers(box_px: tuple | None = None) -> dict:
    """The basemap of the whole USSR (or of the inset in box_px) in design px: as stored in DESIGN_FILE, else
    projected here (tests/test_maps.py checks that the two agree)."""
    stored = _stored_basemaps().get(_design_key(box_px))
    return stored if stored is not None else _project_base_layers(box_px)


def _project_base_layers(box_px: tuple | None, main: _Canvas | None = None) -> dict:
    """Project, repair, clip and simplify the basemap layers for the whole USSR (box_px None; on the canvas
    `main`, by default the map's) or the inset."""
    if box_px is None:
        canvas = main or _ussr_canvas()
        clip = shapely.box(-MARGIN, -MARGIN, USSR_WIDTH + MARGIN, USSR_HEIGHT + MARGIN)
        tolerance = 0.6
    else:
        canvas = _inset_canvas((box_px[0], box_px[1] + 16, box_px[2], box_px[3]))
        clip = shapely.box(box_px[0], box_px[1] + 16, box_px[2], box_px[3])
        tolerance = 0.25
    neighbours = shapely.union_all([shape(f["geometry"]) for f in _features(NEIGHBOURS_FILE)])
    lakes = [(shape(f["geometry"]), {"name": f["properties"]["name"]}) for f in _features(WATER_FILE)
             if f["properties"]["layer"] == "lake"]
    out = {
        "sea": _px_features([(clip, {})]),
        "neighbours": _px_features([(canvas.geometry(neighbours, clip, tolerance), {})]),
        "outline": _px_features([(canvas.geometry(_outline_geometry(), clip, tolerance), {})]),
        "regions": _px_features([(canvas.geometry(shape(f["geometry"]), clip, tolerance),
                                  {k: f["properties"][k] for k in ("region_id", "name", "modern_units")})
                                 for f in _features(REGIONS_FILE)]),
        "lakes": _px_features([(canvas.geometry(g, clip, tolerance), p) for g, p in lakes]),
    }
    return out


@charts.validated_when_drawn
def ussr_map(places: pd.DataFrame, color: str | None = None, size: str | None = None,
             tooltip_fields=("name", "name_modern", "description"), title: str | None = None, *,
             label: bool | str = True, inset: bool | str = "auto", region_labels: bool = False,
             color_scale: alt.Scale | None = None, shape: str | None = None, shape_scale: alt.Scale | None = None,
             size_range=(40, 360), size_legend: alt.Legend | None = None,
             note: list[str] | None = None) -> alt.LayerChart:
    """Places on the USSR of 1937 with the industrial regions shaded, the land around it in grey, seas,
    large lakes, and an inset enlarging the area from Leningrad to Gorky where marks pile up.

    color/size/shape: optional column names (nominal/quantitative/nominal) with optional scales; tooltips
    show `tooltip_fields` and always end with the source locator. Rows without lat/lon are left out.
    label: True labels each marked place with its `label` column, else its `name` (the source's, of the
    1930s) or `name_modern`; a column name labels from that column; False draws no place labels. inset: True, False or
    "auto" (when INSET_MIN_MARKS places lie in INSET_EXTENT). region_labels: name the regions."""
    main = _ussr_canvas()
    frame = _located(places).reset_index(drop=True)
    x, y = main.xy(frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float)) if len(frame) else ([], [])
    frame["px"], frame["py"] = list(x), list(y)
    frame["_area"] = _mark_area(frame, size, size_range, 70)
    if isinstance(label, str):
        frame["label"] = frame[label]
    in_inset = [_in_extent(la, lo, INSET_EXTENT) for la, lo in zip(frame["lat"], frame["lon"])]
    show_inset = inset is True or (inset == "auto" and len({(round(a, 3), round(b, 3)) for a, b, i in
                                                           zip(frame["lat"], frame["lon"], in_inset) if i})
                                   >= INSET_MIN_MARKS)
    if region_labels and inset == "auto":
        show_inset = True
    outside = [(px, py) for px, py, i in zip(frame["px"], frame["py"], in_inset) if not (show_inset and i)]
    box_px = _inset_box(main, [(px, py) for px, py in zip(frame["px"], frame["py"])]) if show_inset else None

    base = _base_layers()
    region_tip = [alt.Tooltip("properties.name:N", title="Region"),
                  alt.Tooltip("properties.modern_units:N", title="Drawn from today's")]
    layers = [_shapes(base["sea"], SEA_COLOR),
              _shapes(base["neighbours"], NEIGHBOUR_FILL, NEIGHBOUR_STROKE, 0.5),
              _shapes(base["outline"], LAND_COLOR, OUTLINE_STROKE, 0.7),
              _shapes(base["regions"], REGION_FILL, REGION_STROKE, 0.6, tooltip=region_tip),
              _shapes(base["lakes"], SEA_COLOR, "#a9c4da", 0.4)]
    point_frames = [frame]
    inset_canvas = None
    if show_inset:
        lon_min, lat_min, lon_max, lat_max = INSET_EXTENT
        extent = main.geometry(_box_ring(lon_min, lat_min, lon_max, lat_max), shapely.box(
            -MARGIN, -MARGIN, USSR_WIDTH + MARGIN, USSR_HEIGHT + MARGIN), 0.1)
        layers.append(alt.Chart(alt.InlineData(values=tuple(_px_features([(extent, {})])))).mark_geoshape(
            filled=False, strokeWidth=0.9, strokeDash=[3, 2], clip=True).encode(stroke=alt.value("#444444")))
        ib = _base_layers(box_px)
        frame_box = _px_features([(shapely.box(*box_px), {})])
        layers += [_shapes(frame_box, "#ffffff"), _shapes(ib["sea"], SEA_COLOR),
                   _shapes(ib["neighbours"], NEIGHBOUR_FILL, NEIGHBOUR_STROKE, 0.5),
                   _shapes(ib["outline"], LAND_COLOR, OUTLINE_STROKE, 0.7),
                   _shapes(ib["regions"], REGION_FILL, REGION_STROKE, 0.8, tooltip=region_tip),
                   _shapes(ib["lakes"], SEA_COLOR, "#a9c4da", 0.4),
                   _shapes(frame_box, None, "#444444", 1.0)]
        inset_canvas = _inset_canvas((box_px[0], box_px[1] + 16, box_px[2], box_px[3]))
        sub = frame[in_inset].copy()
        ix, iy = inset_canvas.xy(sub["lon"].to_numpy(dtype=float), sub["lat"].to_numpy(dtype=float)) \
            if len(sub) else ([], [])
        sub["px"], sub["py"] = list(ix), list(iy)
        point_frames.append(sub)
    points = pd.concat(point_frames, ignore_index=True) if len(point_frames) > 1 else frame

    # labels: places (main map outside the inset area, and the inset), regions, then seas and countries
    marks = [(px, py, 0.6 * math.sqrt(a) + 1.5) for px, py, a in zip(points["px"], points["py"], points["_area"])]
    main_area = (0.0, 0.0, float(USSR_WIDTH), float(USSR_HEIGHT))
    inner = (box_px[0] + 2, box_px[1] + 16, box_px[2] - 2, box_px[3] - 2) if box_px else None
    wanted: list[Label] = []
    if label is not False and len(frame):
        groups = {}
        for i, row in points.iterrows():
            key = (round(row["px"], 1), round(row["py"], 1))
            text = _short_label(row)
            if not text:
                continue
            entry = groups.setdefault(key, {"text": text, "weight": 0.0, "radius": 0.0, "x": row["px"],
                                            "y": row["py"], "inset": i >= len(frame)})
            entry["weight"] += float(row["_area"])
            entry["radius"] = max(entry["radius"], 0.6 * math.sqrt(row["_area"]) + 1.5)
        for (kx, ky), g in sorted(groups.items(), key=lambda kv: (-kv[1]["weight"], kv[1]["text"], kv[0])):
            if show_inset and not g["inset"] and _in_inset_area(kx, ky, main, frame, points):
                continue  # labelled in the inset
            wanted.append(Label(g["text"], g["x"], g["y"], radius=g["radius"], kind="place",
                                area=inner if g["inset"] else main_area, key=g["text"]))
    if region_labels:
        for f in _features(REGIONS_FILE):
            props = f["properties"]
            point = shapely.geometry.shape(f["geometry"]).representative_point()
            text = REGION_SHORT.get(props["region_id"], props["name"])
            if show_inset and _in_extent(point.y, point.x, INSET_EXTENT):
                rx, ry = inset_canvas.xy(point.x, point.y)
                wanted.append(Label(text, float(rx), float(ry), kind="region", area=inner, font_size=10,
                                    italic=True))
            else:
                rx, ry = main.xy(point.x, point.y)
                wanted.append(Label(text, float(rx), float(ry), kind="region", area=main_area, font_size=10,
                                    italic=True))
    for text, la, lo, kind in GEO_LABELS:
        gx, gy = main.xy(lo + 360.0 if lo < -100 else lo, la)
        wanted.append(Label(text, float(gx), float(gy), kind=kind, area=main_area, font_size=10,
                            italic=kind == "sea"))
    # the lakes' attribution (ODbL), in the lower right corner of the drawing
    credit = "Lakes © OpenStreetMap contributors"
    credit_w = text_width(credit, 8.5) + 2
    layers.append(alt.Chart(alt.InlineData(values=[{"px": USSR_WIDTH - 3, "py": USSR_HEIGHT - 3, "text": credit}]))
                  .mark_text(align="right", baseline="bottom", fontSize=8.5, color="#4a4a4a").encode(
                      longitude="px:Q", latitude="py:Q", text="text:N"))
    blocked = [(USSR_WIDTH - 3 - credit_w / 0.5, USSR_HEIGHT - 3 - 12 / 0.5, USSR_WIDTH, USSR_HEIGHT)]
    if box_px:
        blocked.append(box_px)
    placed = {}
    for bucket in range(len(K_BUCKETS)):
        out = []
        # inset labels are not blocked by the inset box; the others are
        inset_labels = [lab for lab in wanted if lab.area == inner and inner is not None]
        other = [lab for lab in wanted if not (lab.area == inner and inner is not None)]
        out += place_labels(inset_labels, marks, blocked=[], bucket=bucket)
        out += place_labels(other, marks, blocked=blocked, bucket=bucket, fixed=out)
        placed[bucket] = out
    layers += _label_layers(placed, "labels")
    if box_px:
        layers.append(alt.Chart(alt.InlineData(values=[{"px": box_px[0] + 4, "py": box_px[1] + 8,
                                                  "text": INSET_NAME}])).mark_text(
            align="left", baseline="middle", fontSize=10, fontStyle="italic", color="#333333").encode(
            longitude="px:Q", latitude="py:Q", text="text:N"))
    layers += _points(points, color, size, tooltip_fields, size_range=size_range, color_scale=color_scale,
                      shape=shape, shape_scale=shape_scale, size_legend=size_legend)
    notes = note if note is not None else [*PRECISION_NOTE, REGIONS_NOTE]
    return alt.layer(*layers).properties(
        width="container", height=USSR_HEIGHT, projection=_identity(USSR_WIDTH, USSR_HEIGHT),
        title=_title(title, notes)).add_params(*_k_params(USSR_WIDTH, USSR_HEIGHT))


def _in_inset_area(x, y, main, frame, points) -> bool:
    """Whether a main-map position belongs to a place inside INSET_EXTENT (then the inset labels it)."""
    hits = frame[(frame["px"].round(1) == x) & (frame["py"].round(1) == y)]
    return bool(len(hits)) and all(_in_extent(la, lo, INSET_EXTENT) for la, lo in zip(hits["lat"], hits["lon"]))


@charts.validated_when_drawn
def regions_map(title: str | None = None) -> alt.LayerChart:
    """The 1937 outline with the industrial regions named, and no places (the About the maps page)."""
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in
                          ["lat", "lon", "name", "name_modern", "description", "reference", "location_precision"]})
    return ussr_map(empty, title=title, region_labels=True, inset=True,
                    note=[REGIONS_NOTE, "Grey: land outside the USSR. Hover over a region", "for the units it is drawn from."])


# ---------------------------------------------------------------------------------------- city maps

def _city_raw(city_id: str):
    import numpy as np

    lon_min, lat_min, lon_max, lat_max = CITY_EXTENTS[city_id]
    factor = math.cos(math.radians((lat_min + lat_max) / 2))
    return lambda lon, lat: (np.asarray(lon, dtype=float) * factor, np.asarray(lat, dtype=float))


@lru_cache(maxsize=None)
def _city_canvas(city_id: str, extent: tuple | None = None) -> tuple[_Canvas, int]:
    lon_min, lat_min, lon_max, lat_max = extent or CITY_EXTENTS[city_id]
    raw = _city_raw(city_id)
    xs, ys = raw([lon_min, lon_max], [lat_min, lat_max])
    height = round(CITY_WIDTH * (ys[1] - ys[0]) / (xs[1] - xs[0]))
    corners = [(lon_min, lat_min), (lon_max, lat_max)]
    return _Canvas(raw, corners, (0, 0, CITY_WIDTH, height)), height


def city_map_note(city_id: str) -> str:
    """Caption text stating how accurate the orientation layer and the places of a city map are."""
    city = CITY_NAMES[city_id]
    names = ", ".join(name for name, *_ in LANDMARKS[city_id])
    water = {"leningrad": "The blue is the Gulf of Finland, from Natural Earth's coastline (accurate to about a "
                          "kilometre); rivers are not drawn. ",
             "moscow": "No open data set the book could use draws the Moskva river, so it is not shown. "}[city_id]
    return (f"{city}: {water}The grey landmarks ({names}; today's names) are placed from typed coordinates "
            "accurate to about 100 m; the factories' positions are approximate where marked hollow. The frame "
            "is a box around the 1930s city, not its boundary.")


@charts.validated_when_drawn
def city_map(places: pd.DataFrame, city_id: str, label: bool | str = True, size: str | None = None,
             tooltip_fields=("name", "name_modern", "description"), title: str | None = None, *,
             size_range=(60, 420), size_legend: alt.Legend | None = None,
             extent: tuple[float, float, float, float] | None = None) -> alt.LayerChart:
    """Workplaces in Moscow or Leningrad as labelled points over the coast (Leningrad), rail termini and a few
    other landmarks, with a scale bar.

    Only rows inside the city's box (CITY_EXTENTS) are drawn. label: True labels each place with its
    `label` column, else `name`; a column name labels from that column; False draws no labels. Pair the
    figure's caption with `city_map_note(city_id)`. extent: a smaller box (lon_min, lat_min, lon_max,
    lat_max) inside the city's, to enlarge the part where the places lie."""
    if extent is not None:
        extent = tuple(float(v) for v in extent)
        outer = CITY_EXTENTS[city_id]
        if not (outer[0] <= extent[0] < extent[2] <= outer[2] and outer[1] <= extent[1] < extent[3] <= outer[3]):
            raise ValueError(f"extent {extent} is not a box inside {city_id}'s {outer}")
    canvas, height = _city_canvas(city_id, extent)
    lon_min, lat_min, lon_max, lat_max = extent or CITY_EXTENTS[city_id]
    frame = _located(places)
    frame = frame[[in_city(city_id, la, lo) and _in_extent(la, lo, (lon_min, lat_min, lon_max, lat_max))
                   for la, lo in zip(frame["lat"], frame["lon"])]].reset_index(drop=True)
    x, y = canvas.xy(frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float)) if len(frame) else ([], [])
    frame["px"], frame["py"] = list(x), list(y)
    frame["_area"] = _mark_area(frame, size, size_range, 80)
    clip = shapely.box(0, 0, CITY_WIDTH, height)
    land = [shape(f["geometry"]) for f in _features(CITIES_FILE) if f["properties"]["city_id"] == city_id]
    layers = [
        _shapes(_px_features([(clip, {})]), SEA_COLOR),
        _shapes(_px_features([(canvas.geometry(g, clip, 0.2), {}) for g in land]), LAND_COLOR),
        _shapes(_px_features([(clip, {})]), None, "#9a9a9a", 0.8),
    ]
    # scale bar: 5 km (1 km in a small extent) in the lower left corner
    km = 5 if (lon_max - lon_min) > 0.3 else 1
    bar_lat = lat_min + 0.05 * (lat_max - lat_min)
    bar_lon0 = lon_min + 0.04 * (lon_max - lon_min)
    bar_lon1 = bar_lon0 + km / (111.32 * math.cos(math.radians(bar_lat)))
    (bx0, bx1), (by0, _) = canvas.xy([bar_lon0, bar_lon1], [bar_lat, bar_lat])
    bar = alt.InlineData(values=[{"px": round(float(bx0), 1), "py": round(float(by0), 1), "px2": round(float(bx1), 1),
                            "label": f"{km} km"}])
    bar_base = alt.Chart(bar).encode(longitude="px:Q", latitude="py:Q")
    layers += [bar_base.mark_rule(color="#444444", strokeWidth=2).encode(longitude2="px2:Q", latitude2="py:Q"),
               bar_base.mark_text(align="left", baseline="bottom", dy=-4, fontSize=11, color="#444444").encode(
                   text="label:N")]
    bar_box = (float(bx0) - 2, float(by0) - 22, float(bx1) + 4, float(by0) + 4)

    marks_lm = [(n, *[float(v) for v in canvas.xy(lo, la)]) for n, la, lo, _ in LANDMARKS[city_id]
                if _in_extent(la, lo, (lon_min, lat_min, lon_max, lat_max))]
    landmark_data = alt.InlineData(values=[{"landmark": n, "px": round(lx, 1), "py": round(ly, 1)} for n, lx, ly in marks_lm])
    layers.append(alt.Chart(landmark_data).mark_square(size=40, color=LANDMARK_COLOR, opacity=0.85).encode(
        longitude="px:Q", latitude="py:Q", tooltip=alt.Tooltip("landmark:N", title="Landmark")))

    marks = [(px, py, 0.6 * math.sqrt(a) + 1.5) for px, py, a in zip(frame["px"], frame["py"], frame["_area"])]
    marks += [(lx, ly, 5.0) for _, lx, ly in marks_lm]
    area = (0.0, 0.0, float(CITY_WIDTH), float(height))
    wanted = []
    if label is not False and len(frame):
        texts = frame[label] if isinstance(label, str) else frame.get("label", frame["name"])
        order = sorted(zip(frame["_area"], texts, frame["px"], frame["py"]), key=lambda t: (-t[0], str(t[1])))
        for a, text, px, py in order:
            if isinstance(text, str) and text:
                wanted.append(Label(text, px, py, radius=0.6 * math.sqrt(a) + 1.5, area=area, font_size=12))
    for n, lx, ly in marks_lm:
        wanted.append(Label(n, lx, ly, radius=5.0, area=area, font_size=10.5, italic=True, kind="place"))
    placed = {b: place_labels(wanted, marks, blocked=[bar_box], bucket=b) for b in range(len(K_BUCKETS))}
    # landmark labels in grey
    layers += _label_layers(placed, "labels")
    layers += _points(frame, None, size, tooltip_fields, default_size=80, size_range=size_range,
                      size_legend=size_legend)
    return alt.layer(*layers).properties(
        width="container", height=height, projection=_identity(CITY_WIDTH, height),
        title=_title(title, PRECISION_NOTE)).add_params(*_k_params(CITY_WIDTH, height))
