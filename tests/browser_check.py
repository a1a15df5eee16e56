"""Open built pages in headless Chromium and report what a reader would see, as JSON on stdout.

Run by tests/test_browser.py inside `unshare --net`, so the browser has no network at all. Each page is opened
twice, fresh, in one browser: at a desktop's 1280 px and at a phone's 390 px (layout width, no zoom). Reported:
- at both widths: console errors and requests to anything other than the book's own files; for each chart
  container whether it holds a drawn SVG or canvas (`charts`/`drawn` are the desktop load's);
- `views[width]`, what a reader sees at that width (READER_JS):
  - `overflow`: the outermost elements of the article that reach past the text column (the article's content box;
    for a cell tagged full-width, the box the theme gives it) or past the viewport, with selector, edges and width;
    elements inside a box that scrolls on purpose (overflow-x auto or scroll) are left out, except the charts: a
    chart's own scroll box does not excuse it, a chart must fit its column (`scroll_boxes` lists, for information,
    the boxes that scroll because their content is wider); `page_overflow` when the document
    itself is wider than the viewport, with its culprits anywhere on the page;
  - `visible_ids`: matches of the id and date patterns (see `text_patterns`) in the article's visible text: the text
    nodes a reader sees, i.e. innerText's rule (no display:none, no closed <details>, no visibility:hidden, no hover
    tooltip, which exists only as a title attribute or a node made on hover) plus opacity 0 and boxes clipped to
    1 px (screen-reader-only text) also counted as not seen; chart labels (SVG text) are seen text. Code is not
    prose: an id inside a code literal or code block a reader is given to type (`data.query("persons_arrested")`
    in an exercise, a code cell's source) is listed apart in `ids_in_code`; printed cell outputs are not code
    (a raw listing printed by a cell is what the check is for);
  - `charts`: for each .shopfloor-chart SVG, its box, and each visible <text> that lies outside the SVG's box, outside
    the column or outside the viewport, ends or contains Vega's truncation ellipsis "…", or overlaps another label;
- `axe` (with --axe FILE, at the desktop width): axe-core's violations on the whole document (rule id, impact, help,
  targets, and how many of the nodes are in the article rather than the theme's frame); `preload: false`, as
  axe's fetch of the style sheets is refused on file:// and would be a console error.
With --screenshot DIR the first page with a chart is saved as PNG (desktop width); with --screenshots-all DIR every
page at both widths (full page).
usage: browser_check.py SITE_DIR PAGE.html [PAGE.html ...] [--screenshot DIR] [--screenshots-all DIR]
                        [--axe AXE.MIN.JS] [--data DATA_DIR]
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
DESKTOP, PHONE = 1280, 390
WIDTHS = (DESKTOP, PHONE)
HEIGHTS = {DESKTOP: 900, PHONE: 844}

# An ISO date (year-month or year-month-day) of the book's centuries. The month must be 01-12, so a year range
# written with a hyphen ("1937-38") is not taken for a date.
ISO_DATE = r"\b1[89]\d\d-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?\b"

# Ids that are also ordinary English compounds, written with a hyphen as a modifier ("right-opposition ties").
ENGLISH_COMPOUNDS = {"right-opposition", "left-opposition"}


def text_patterns(data_dir: Path) -> list[dict]:
    """The patterns of what a reader must not see: the data package's row ids, and ISO dates.

    For each table of data/datapackage.json whose primary key is one field with a `pattern` constraint:
    - a pattern that starts with a literal word (`^disc-\\d{3}$`, `^pos-\\d{4}$`, `^rel-...`, `^cit-...`) is searched
      as written, between word boundaries;
    - a pattern that starts with a character class (`^[a-z0-9]+-\\d{4}$` observations, `^\\d{4}(...)?-[a-z0-9-]+$`
      events, `^[a-z0-9][a-z0-9-]*$` people, organisations, places, `^[a-z0-9]+$` works, `^[a-z0-9_]+$` measures)
      is too broad for prose ("mid-1937", "1928-1941" and any lowercase word match it), so the table's own id
      values are searched instead, as whole lowercase tokens, case-sensitive, for the values that cannot be an
      ordinary English word: those with a digit, a hyphen or an underscore ("gi-0001", "1937-07-order-00447",
      "kirov-sergei", "moscow-province", "goldman2007", "persons_arrested"). One-word ids ("nkvd", "party",
      "ussr") are words a sentence may use, and are not searched; nor are the ids in ENGLISH_COMPOUNDS, which
      prose writes the same way ("expelled for right-opposition ties").
    Plus ISO dates (ISO_DATE).
    """
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    patterns = []
    for resource in package["resources"]:
        key = resource.get("schema", {}).get("primaryKey")
        if not key or len(key) != 1:
            continue
        field = next(f for f in resource["schema"]["fields"] if f["name"] == key[0])
        pattern = field.get("constraints", {}).get("pattern")
        if not pattern:
            continue
        body = pattern.removeprefix("^").removesuffix("$")
        name = f"{resource['name']}.{key[0]}"
        if re.match(r"[a-z]+-", body):
            patterns.append({"kind": name, "regex": rf"\b{body}\b"})
            continue
        with open(data_dir / Path(resource["path"]).name, encoding="utf-8", newline="") as f:
            values = {row[key[0]] for row in csv.DictReader(f)}
        specific = sorted((v for v in values if re.search(r"[\d_-]", v) and re.fullmatch(body, v)
                           and v not in ENGLISH_COMPOUNDS),
                          key=lambda v: (-len(v), v))
        if specific:
            alternation = "|".join(re.escape(v) for v in specific)
            patterns.append({"kind": name, "regex": rf"(?<![\w-])(?:{alternation})(?![\w-])"})
    patterns.append({"kind": "ISO date", "regex": ISO_DATE})
    return patterns


READER_JS = r"""
(patterns) => {
  const SLACK = 1;  // px: sub-pixel rounding is not an overflow
  const vw = document.documentElement.clientWidth;
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const round = (x) => Math.round(x);
  const contentBox = (e) => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return {left: r.left + parseFloat(s.paddingLeft) + parseFloat(s.borderLeftWidth),
            right: r.right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth)};
  };
  const column = contentBox(article);
  const selector = (e) => {
    const parts = [];
    for (let n = e; n && n !== document.body && parts.length < 5; n = n.parentElement) {
      let s = n.tagName.toLowerCase();
      if (n.id) { parts.unshift(s + '#' + n.id); break; }
      const cls = [...n.classList].filter(c => !/^(docutils|container)$/.test(c)).slice(0, 2);
      if (cls.length) s += '.' + cls.join('.');
      parts.unshift(s);
    }
    return parts.join(' > ');
  };
  const figureOf = (e) => {
    const fig = e.closest('figure');
    const num = fig && fig.querySelector('.caption-number');
    return num ? num.textContent.trim() : null;
  };
  const snippet = (e) => ((e.innerText || e.textContent || '').trim().replace(/\s+/g, ' ')).slice(0, 80);
  const scrollsX = (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const shown = (e) => e.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const srOnly = (e) => {
    for (let n = e; n && n !== document.body; n = n.parentElement) {
      const r = n.getBoundingClientRect();
      if ((r.width <= 1 || r.height <= 1) && (getComputedStyle(n).overflow !== 'visible' || n.tagName === 'svg')) {
        return true;
      }
    }
    return false;
  };

  // a. Elements wider than their column or the viewport: the outermost offender of each branch is reported.
  const outermost = (root, limitOf) => {
    const found = [], reported = new Set();
    for (const e of root.querySelectorAll('*')) {
      if (e.tagName !== 'svg' && e.closest('svg')) continue;
      let skip = false;
      const inChart = e.closest('.shopfloor-chart');
      for (let p = e.parentElement; p && p !== root; p = p.parentElement) {
        if (reported.has(p)) { skip = true; break; }
        if (!inChart && scrollsX(p)) { skip = true; break; }
      }
      if (skip) continue;
      const r = e.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue;
      const s = getComputedStyle(e);
      if (s.visibility !== 'visible' || s.position === 'fixed') continue;
      const limit = limitOf(e);
      if (r.right > limit.right + SLACK || r.left < limit.left - SLACK) {
        reported.add(e);
        found.push({selector: selector(e), figure: figureOf(e), text: snippet(e), left: round(r.left),
                    right: round(r.right), width: round(r.width), limit: [round(limit.left), round(limit.right)],
                    beyond_viewport: r.right > vw + SLACK || r.left < -SLACK});
      }
    }
    return found;
  };
  const columnOf = (e) => {
    const full = e.closest('.tag_full-width');
    if (!full) return column;
    if (full === e) return {left: column.left, right: vw};
    const r = full.getBoundingClientRect();
    return {left: r.left, right: Math.min(r.right, vw)};
  };
  const overflow = outermost(article, columnOf);
  // Not counted, for information: boxes that scroll on purpose and whose content is wider than they are.
  const scroll_boxes = [...article.querySelectorAll('*')].filter(e => scrollsX(e) && !e.closest('.shopfloor-chart')
      && !e.closest('.cell_input') && shown(e)
      && e.scrollWidth > e.clientWidth + SLACK && !e.querySelector('.shopfloor-chart'))
    .map(e => ({selector: selector(e), figure: figureOf(e), text: snippet(e), content_width: e.scrollWidth,
                box_width: e.clientWidth}));
  const scrollWidth = document.documentElement.scrollWidth;
  let page_overflow = null;
  if (scrollWidth > vw + SLACK) {
    page_overflow = {scroll_width: scrollWidth, viewport: vw,
                     culprits: outermost(document.body, () => ({left: 0, right: vw})).filter(o => o.beyond_viewport)
                                 .slice(0, 20)};
  }

  // b. Ids and ISO dates in the visible text of the article.
  const regexes = patterns.map(p => ({kind: p.kind, re: new RegExp(p.regex, 'g')}));
  const visible_ids = [], ids_in_code = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const seenCache = new Map();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue;
    if (!text || !/[0-9a-z]/.test(text)) continue;
    const parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(parent.tagName)) continue;
    const code = parent.closest('code, kbd, samp, .cell_input') ||
                 (parent.closest('div.highlight') && !parent.closest('.cell_output'));
    let hits = [];
    for (const {kind, re} of regexes) {
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) hits.push({kind, match: m[0], index: m.index});
    }
    if (!hits.length) continue;
    if (!seenCache.has(parent)) seenCache.set(parent, shown(parent) && !srOnly(parent));
    if (!seenCache.get(parent)) continue;
    const block = parent.closest('p, li, td, th, dt, dd, h1, h2, h3, h4, h5, h6, figcaption, caption, pre, text, div')
                  || parent;
    for (const h of hits) {
      const from = Math.max(0, h.index - 50);
      (code ? ids_in_code : visible_ids).push({
        kind: h.kind, match: h.match, selector: selector(block), figure: figureOf(parent),
        context: text.slice(from, h.index + h.match.length + 50).replace(/\s+/g, ' ').trim()});
    }
  }

  // c. Chart text inside the chart, the column and the viewport; no truncation; no label over another.
  const roleOf = (t) => {
    const g = t.closest('g[class*="role-"]');
    const m = g && g.getAttribute('class').match(/role-([\w-]+)/);
    return m ? m[1] : 'text';
  };
  const charts = [...document.querySelectorAll('.shopfloor-chart')].map(c => {
    const svg = c.querySelector('svg');
    if (!svg) return {id: c.id, figure: figureOf(c), drawn: false};
    const s = svg.getBoundingClientRect();
    const limit = columnOf(c);
    const texts = [];
    for (const t of svg.querySelectorAll('text')) {
      const txt = t.textContent.trim();
      if (!txt || !shown(t)) continue;
      const b = t.getBBox(), m = t.getScreenCTM();
      if (!m || b.width === 0 || b.height === 0) continue;
      // The label's own (possibly rotated) box, less the font's ascent/descent padding (15% of the line height
      // off the top and the bottom) and half a unit off each end: what must lie inside the chart, column, screen.
      // For overlaps, a quarter em is added at each end instead: two labels on one line need half an em between
      // them (less than a word space and they read as one, e.g. "0.4 million0.8 million").
      const em = parseFloat(getComputedStyle(t).fontSize) || 10;
      const box = (dx, dy) => [[b.x + dx, b.y + dy], [b.x + b.width - dx, b.y + dy],
                               [b.x + b.width - dx, b.y + b.height - dy], [b.x + dx, b.y + b.height - dy]]
        .map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
      const inner = box(0.5, 0.15 * b.height), corners = box(-0.25 * em, 0.15 * b.height);
      const xs = inner.map(c => c.x), ys = inner.map(c => c.y);
      const r = {left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys)};
      const cx = corners.map(c => c.x), cy = corners.map(c => c.y);
      const spaced = {left: Math.min(...cx), right: Math.max(...cx), top: Math.min(...cy), bottom: Math.max(...cy)};
      texts.push({text: txt, role: roleOf(t), r, corners, spaced});
    }
    // Two labels overlap when no side of either box separates them (separating axes), by more than a pixel.
    const overlapping = (a, b) => {
      for (const poly of [a, b]) {
        for (let i = 0; i < 2; i++) {
          const p = poly[i], q = poly[i + 1];
          const ax = -(q.y - p.y), ay = q.x - p.x, len = Math.hypot(ax, ay) || 1;
          const proj = (pts) => pts.map(c => (c.x * ax + c.y * ay) / len);
          const pa = proj(a), pb = proj(b);
          const depth = Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb));
          if (depth <= 1) return false;
        }
      }
      return true;
    };
    const out = (r, box) => r.left < box.left - SLACK || r.right > box.right + SLACK ||
                            (box.top !== undefined && (r.top < box.top - SLACK || r.bottom > box.bottom + SLACK));
    const item = (t) => ({text: t.text.slice(0, 80), role: t.role,
                          box: [round(t.r.left), round(t.r.top), round(t.r.right), round(t.r.bottom)]});
    const overlaps = [];
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].spaced, b = texts[j].spaced;
        // the same label drawn twice in one place is a halo (a light outline under the ink), not two labels
        if (texts[i].text === texts[j].text && Math.abs(a.left - b.left) < 2 && Math.abs(a.top - b.top) < 2) continue;
        if (a.right < b.left || b.right < a.left || a.bottom < b.top || b.bottom < a.top) continue;
        if (overlapping(texts[i].corners, texts[j].corners)) overlaps.push([item(texts[i]), item(texts[j])]);
      }
    }
    const caption = c.closest('figure')?.querySelector('figcaption');
    return {id: c.id, figure: figureOf(c), drawn: true, caption: caption ? snippet(caption).slice(0, 60) : '',
            svg: [round(s.left), round(s.top), round(s.right), round(s.bottom)], svg_width: round(s.width),
            column: [round(limit.left), round(limit.right)], texts: texts.length,
            outside_svg: texts.filter(t => out(t.r, s)).map(item),
            outside_column: texts.filter(t => out(t.r, limit)).map(item),
            outside_viewport: texts.filter(t => out(t.r, {left: 0, right: vw})).map(item),
            ellipsis: texts.filter(t => t.text.includes('\u2026')).map(item),
            overlaps: overlaps.slice(0, 30), overlap_count: overlaps.length};
  });
  return {viewport: vw, column: [round(column.left), round(column.right)], scroll_width: scrollWidth,
          page_overflow, overflow, scroll_boxes, visible_ids, ids_in_code, charts};
}
"""

AXE_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], preload: false});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, help_url: v.helpUrl, count: v.nodes.length,
    in_article: v.nodes.filter(n => {
      const e = n.target.length === 1 ? document.querySelector(n.target[0]) : null;
      return e && e.closest('article.bd-article');
    }).length,
    nodes: v.nodes.slice(0, 25).map(n => ({target: n.target.join(' '), impact: n.impact,
                                          html: n.html.slice(0, 160),
                                          summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')}))
  }));
}
"""

# Drawn, and fitted to the column as it now stands (the chart script marks its box with the width it fitted).
WAIT_FOR_CHARTS = ("() => [...document.querySelectorAll('.shopfloor-chart')].every(e => e.querySelector('svg, canvas')"
                   " && Math.abs(Number(e.dataset.fitted) - e.getBoundingClientRect().width) < 8)")


def check(site: Path, pages: list[str], screenshot_dir: Path | None, axe: Path | None = None,
          patterns: list[dict] | None = None, all_shots: Path | None = None) -> list[dict]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        shot_taken = False
        for page_path in pages:
            result = {"page": page_path, "charts": [], "drawn": [], "console_errors": [], "outside_requests": [],
                      "views": {}}
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": HEIGHTS[width]})
                errors, outside = result["console_errors"], result["outside_requests"]
                page.on("console", lambda m, e=errors, w=width: e.append(f"[{w}px] {m.text}")
                        if m.type == "error" else None)
                page.on("pageerror", lambda exc, e=errors, w=width: e.append(f"[{w}px] uncaught: {exc}"))
                page.on("request", lambda r, o=outside: o.append(r.url) if not r.url.startswith(
                    ("file:", "data:", "blob:")) else None)
                page.goto((site / page_path).as_uri(), wait_until="load")
                charts = page.eval_on_selector_all(".shopfloor-chart", "els => els.map(e => e.id)")
                drawn = []
                if charts:
                    try:
                        page.wait_for_function(WAIT_FOR_CHARTS, timeout=15000)
                    except Exception:  # reported below as undrawn charts
                        pass
                    drawn = page.eval_on_selector_all(
                        ".shopfloor-chart", "els => els.filter(e => e.querySelector('svg, canvas')).map(e => e.id)")
                page.evaluate("() => document.fonts.ready.then(() => true)")
                result["views"][str(width)] = page.evaluate(READER_JS, patterns or [])
                if axe is not None and width == DESKTOP:
                    page.add_script_tag(path=str(axe))
                    result["axe"] = page.evaluate(AXE_JS)
                # Screenshots last: a full-page screenshot resizes the viewport for a moment (the scrollbar goes),
                # and the charts fit themselves to the new column again, which a measurement must not catch midway.
                if width == DESKTOP:
                    result["charts"], result["drawn"] = charts, drawn
                    if screenshot_dir is not None and drawn and not shot_taken:
                        page.screenshot(path=str(screenshot_dir / "page.png"), full_page=True)
                        shot_taken = True
                if all_shots is not None:
                    name = page_path.removesuffix(".html").replace("/", "_")
                    page.screenshot(path=str(all_shots / f"{name}-{width}.png"), full_page=True)
                page.close()
            result["console_errors"] = sorted(set(result["console_errors"]))
            result["outside_requests"] = sorted(set(result["outside_requests"]))
            results.append(result)
        browser.close()
    return results


def _option(argv: list[str], name: str) -> tuple[Path | None, list[str]]:
    if name not in argv:
        return None, argv
    i = argv.index(name)
    return Path(argv[i + 1]), argv[:i] + argv[i + 2:]


if __name__ == "__main__":
    argv = sys.argv[1:]
    shots, argv = _option(argv, "--screenshot")
    every, argv = _option(argv, "--screenshots-all")
    axe_js, argv = _option(argv, "--axe")
    data, argv = _option(argv, "--data")
    print(json.dumps(check(Path(argv[0]), argv[1:], shots, axe=axe_js,
                           patterns=text_patterns(data) if data else None, all_shots=every)))
