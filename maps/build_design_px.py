"""Store the basemaps of the USSR maps projected to design px: maps/design_px.json.

    .venv/bin/python maps/build_design_px.py [--out-dir maps]

Input: the committed GeoJSON files of this folder (ussr_1937, regions, neighbours, water), as
`shopfloor.maps.project_basemaps` projects, repairs, clips and simplifies them: the whole USSR, and the inset
(Leningrad to Gorky) in each of the four boxes it may take. A page that draws a USSR map reads this file instead
of doing that work again in its kernel (0.4 s). Run it after changing those files or the projection constants in
src/shopfloor/maps.py; tests/test_maps.py fails while the stored file differs from what this writes.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from shopfloor import maps  # noqa: E402


def render() -> str:
    return json.dumps(maps.project_basemaps(), sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE)
    out = parser.parse_args().out_dir / maps.DESIGN_FILE
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
