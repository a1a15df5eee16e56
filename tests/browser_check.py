"""Open built pages in headless Chromium and report what a reader would see, as JSON on stdout.

Run by tests/test_browser.py inside `unshare --net`, so the browser has no network at all. For each page:
console errors, requests to anything other than the book's own files, and for each chart container
whether it holds a drawn SVG or canvas. With --screenshot DIR the first page with a chart is saved as PNG.
usage: browser_check.py SITE_DIR PAGE.html [PAGE.html ...] [--screenshot DIR]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def check(site: Path, pages: list[str], screenshot_dir: Path | None) -> list[dict]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        shot_taken = False
        for page_path in pages:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors, outside = [], []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc, e=errors: e.append(f"uncaught: {exc}"))
            page.on("request", lambda r, o=outside: o.append(r.url) if not r.url.startswith(("file:", "data:",
                                                                                               "blob:")) else None)
            page.goto((site / page_path).as_uri(), wait_until="load")
            charts = page.eval_on_selector_all(".shopfloor-chart", "els => els.map(e => e.id)")
            drawn = []
            if charts:
                try:
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('.shopfloor-chart')]"
                        ".every(e => e.querySelector('svg, canvas'))", timeout=15000)
                except Exception:  # reported below as undrawn charts
                    pass
                drawn = page.eval_on_selector_all(
                    ".shopfloor-chart", "els => els.filter(e => e.querySelector('svg, canvas')).map(e => e.id)")
            if screenshot_dir is not None and drawn and not shot_taken:
                page.screenshot(path=str(screenshot_dir / "page.png"), full_page=True)
                shot_taken = True
            results.append({"page": page_path, "charts": charts, "drawn": drawn, "console_errors": errors,
                            "outside_requests": outside})
            page.close()
        browser.close()
    return results


if __name__ == "__main__":
    argv = sys.argv[1:]
    shots = None
    if "--screenshot" in argv:
        i = argv.index("--screenshot")
        shots = Path(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    print(json.dumps(check(Path(argv[0]), argv[1:], shots)))
