"""Every built page in headless Chromium with no network: charts drawn, no console error, no request out."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool

# Tests that share one html fixture run in one pytest-xdist worker (see pytest.ini).
pytestmark = pytest.mark.xdist_group("html")

# Sphinx's own utility pages hold no content of the book.
UTILITY_PAGES = {"genindex.html", "search.html"}


def content_pages(site: Path) -> list[str]:
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html")
             if not p.relative_to(site).parts[0].startswith("_") and p.name not in UTILITY_PAGES]
    # index.html at the root is the book's home page, not a redirect, when the root doc is index
    return sorted(pages)


@pytest.fixture(scope="module")
def browser_report(html_site, tmp_path_factory):
    require_tool("chromium", "chromium")
    require_tool("unshare", "util-linux")
    shots = tmp_path_factory.mktemp("screenshots")
    pages = content_pages(html_site)
    command = ["unshare", "--net", sys.executable, str(Path(__file__).with_name("browser_check.py")),
               str(html_site), *pages, "--screenshot", str(shots)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"browser check failed:\n{done.stderr[-4000:]}"
    return {"pages": json.loads(done.stdout), "screenshots": shots}


def test_every_page_was_opened(browser_report, html_site):
    opened = {r["page"] for r in browser_report["pages"]}
    assert opened == set(content_pages(html_site)) and "chapters/introduction.html" in opened


def test_every_chart_is_drawn_offline(browser_report):
    charts = [(r["page"], c) for r in browser_report["pages"] for c in r["charts"]]
    assert charts, "no chart found on any page"
    undrawn = [(r["page"], sorted(set(r["charts"]) - set(r["drawn"]))) for r in browser_report["pages"]
               if set(r["charts"]) - set(r["drawn"])]
    assert not undrawn, f"charts not drawn: {undrawn}"


def test_no_console_errors(browser_report):
    errors = {r["page"]: r["console_errors"] for r in browser_report["pages"] if r["console_errors"]}
    assert not errors, f"console errors: {errors}"


def test_no_request_leaves_the_book(browser_report):
    outside = {r["page"]: r["outside_requests"] for r in browser_report["pages"] if r["outside_requests"]}
    assert not outside, f"requests outside the book: {outside}"


def test_screenshot_is_not_blank(browser_report):
    from PIL import Image, ImageStat

    shot = browser_report["screenshots"] / "page.png"
    assert shot.exists(), "no page with a drawn chart was screenshotted"
    image = Image.open(shot).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 10, "the screenshot is a blank page"
