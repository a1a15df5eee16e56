"""The chart renderer and theme: deterministic ids, a PNG for the PDF, no CDN, source lines from data."""
from __future__ import annotations

import io
import re

import altair as alt
import pandas as pd
import pytest
from PIL import Image, ImageStat

from shopfloor import charts, citations, data


def simple_chart(values=(1, 2, 3)) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"x": list("abc"), "y": list(values)})).mark_bar().encode(x="x:N", y="y:Q")


@pytest.fixture(autouse=True)
def fresh_renderer(monkeypatch):
    charts._chart_counts.clear()


def div_id(html: str) -> str:
    return re.search(r'<div id="([^"]+)" class="shopfloor-chart"', html).group(1)


def test_same_spec_same_id_and_other_spec_other_id():
    first = charts.renderer(simple_chart().to_dict())["text/html"]
    charts._chart_counts.clear()
    again = charts.renderer(simple_chart().to_dict())["text/html"]
    other = charts.renderer(simple_chart((3, 2, 1)).to_dict())["text/html"]
    assert div_id(first) == div_id(again)
    assert div_id(first) != div_id(other)
    assert div_id(first).startswith("sf-chart-")


def test_repeated_chart_in_one_kernel_gets_a_distinct_id():
    spec = simple_chart().to_dict()
    assert div_id(charts.chart_html(spec)) != div_id(charts.chart_html(spec))


def test_the_renderer_draws_no_png():
    """A chart's output is the same for the web book and the PDF: the PDF draws its image from the spec."""
    assert list(charts.renderer(simple_chart().to_dict())) == ["text/html"]


def test_the_spec_in_the_html_is_the_spec_drawn():
    """What the PDF draws (`specs_in_chart_html`) is the spec the renderer wrote into the page, `</` included."""
    chart = alt.Chart(pd.DataFrame({"label": ["a </script> b", "c"], "value": [1, 2]})).mark_bar().encode(
        x="value:Q", y="label:N")
    html = charts.renderer(chart.to_dict())["text/html"]
    assert "</script> b" not in html
    assert charts.specs_in_chart_html(html + "<p>between</p>" + html) == [charts.fit_spec(chart.to_dict())] * 2
    assert charts.specs_in_chart_html("<div>no chart</div>") == []


def test_png_is_a_drawn_image():
    png = charts.chart_png(drawn_spec(simple_chart()))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png)).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 5, "the PNG is blank"


def test_book_build_leaves_the_bundle_to_static(monkeypatch):
    monkeypatch.setenv(charts.BOOK_BUILD_ENV, "1")
    html = charts.renderer(simple_chart().to_dict())["text/html"]
    assert "vegaEmbed(el" in html and len(html) < 50_000
    assert not re.search(r"<script[^>]+src=", html), "a chart must not load a script from anywhere"
    assert "cdn.jsdelivr" not in html


def test_outside_the_book_every_chart_carries_the_bundle(monkeypatch):
    """In JupyterLab any chart may be the first one a page draws (after a reload, or when an earlier output was
    cleared): each carries the Vega bundle, gzipped, and unpacks it only if the page has none yet."""
    import base64
    import gzip

    monkeypatch.delenv(charts.BOOK_BUILD_ENV, raising=False)
    first = charts.renderer(simple_chart().to_dict())["text/html"]
    second = charts.renderer(simple_chart((2, 2, 2)).to_dict())["text/html"]
    for html in (first, second):
        packed = re.search(r'atob\("([A-Za-z0-9+/=]+)"\)', html).group(1)
        assert gzip.decompress(base64.b64decode(packed)).decode() == charts.vega_bundle()
        assert "if (!window.shopfloorVega)" in html and len(html) < 600_000
    assert charts.renderer(simple_chart().to_dict())["text/html"].count("atob(") == 1


def test_missing_values_reach_the_spec_as_null_not_nan():
    rows = data.load("observations")
    spec = charts.dots(rows, y="measure_id", color="breakdown", x_title="People").to_dict()
    html = charts.chart_html(spec)
    assert "NaN" not in html
    with pytest.raises(ValueError):
        charts.chart_html({"data": {"values": [{"x": float("nan")}]}, "mark": "point"})


def test_theme_is_active():
    assert alt.theme.active == "shopfloor"
    assert alt.renderers.active == "shopfloor"
    config = simple_chart().to_dict()["config"]
    assert config["range"]["category"] == charts.PALETTE


def test_locator_forms():
    assert citations.locator("Goldman 2007", "4", "Multicandidate, Secret-Ballot Elections", 37) == \
        'Goldman 2007, ch. 4, "Multicandidate, Secret-Ballot Elections", n. 37'
    assert citations.locator("Kokosalakis 2021", "III", "Section III", "45") == "Kokosalakis 2021, sec. III, n. 45"
    assert citations.locator("Goldman 2007", "intro", "Toward a Social History of the Terror", None) == \
        'Goldman 2007, intro, "Toward a Social History of the Terror"'


def test_source_line_is_generated_from_the_rows():
    rows = data.load("observations")
    line = citations.source_line(rows[rows["obs_id"].isin(["gi-0002", "gi-0003", "gi-0010"])])
    assert line == ('Source: Goldman 2007, intro, "Toward a Social History of the Terror", nn. 2, 11 '
                    '(Getty, Rittersporn and Zemskov 1993, pp. 1022\u20134; McLoughlin and McDermott 2003, p. 3).')


def test_source_line_caps_the_list():
    rows = pd.DataFrame({"source_name": ["Goldman 2007"] * 6, "chapter": ["1", "2", "3", "4", "5", "6"],
                         "section": ["A", "B", "C", "D", "E", "F"], "note": ["1"] * 6,
                         "archival_ref": [None] * 6, "literature_ref": [None] * 6})
    line = citations.source_line(rows)
    assert line.count("Goldman 2007") == 4 and line.endswith("and 2 more (see the Data appendix).")
    with pytest.raises(ValueError):
        citations.source_line(rows.assign(source_name=None))


def test_show_displays_the_figure_and_returns_its_source_line(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    InteractiveShell.instance()
    rows = data.rows("observations", ["gi-0002", "gi-0010"])
    monkeypatch.setenv(charts.BOOK_BUILD_ENV, "1")
    fig = charts.show(charts.dots(rows, y="description", x_title="x"), rows, alt_text="Two points of the repression.")
    assert fig.source == citations.source_line(rows) and repr(fig.source) == fig.source  # {eval} shows no quotes
    assert len(shown) == 1 and 'aria-label="Two points of the repression."' in shown[0]["text/html"]
    shown.clear()
    monkeypatch.delenv(charts.BOOK_BUILD_ENV)
    charts.show(charts.table(rows[["obs_id", "value"]], numeric=["value"]), rows)
    assert len(shown) == 2 and fig.source in shown[1].data  # JupyterLab: the source line under the figure
    with pytest.raises(ValueError, match="alt_text"):
        charts.show(simple_chart(), rows)


def test_dots_draw_ranges_as_bars_and_hedges_as_shapes():
    rows = data.rows("observations", ["gi-0001", "gi-0007", "gi-0003"])
    spec = charts.dots(rows, y="description", x_title="People").to_dict()
    layers = spec["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers]
    assert marks[:2] == ["bar", "point"]
    shape = layers[1]["encoding"]["shape"]["scale"]
    assert dict(zip(shape["domain"], shape["range"])) == {"about": "diamond", "more than": "triangle-right",
                                                          "exact": "circle"}
    tips = [t["field"] for t in layers[1]["encoding"]["tooltip"]]
    assert tips[-2:] == ["inferred_words", "reference"]


def test_table_right_aligns_numbers_with_a_true_minus():
    """charts.table: number columns (numeric dtype or named in `numeric`) right-aligned, header included,
    negative values with U+2212; text columns left; a year column without a thousands comma; the PDF form
    right-aligns the same columns."""
    import re

    frame = pd.DataFrame({"Union": ["Textile", "Coal"], "Year": [1936, 1937], "Change": [-15, 1250.5],
                          "As printed": ["-3", "4"]})
    result = charts.table(frame, numeric=["As printed"])
    html = result._repr_html_()
    heads = re.findall(r"<th([^>]*)>([^<]*)</th>", html)
    assert [(name, 'class="num"' in attrs) for attrs, name in heads] == [
        ("Union", False), ("Year", True), ("Change", True), ("As printed", True)]
    cells = re.findall(r"<td([^>]*)>([^<]*)</td>", html)
    assert [(text, 'class="num"' in attrs) for attrs, text in cells] == [
        ("Textile", False), ("1936", True), ("\u221215", True), ("\u22123", True),
        ("Coal", False), ("1937", True), ("1,250.5", True), ("4", True)]
    assert "-15" not in html and "text-align: center" not in html
    assert result._repr_markdown_().splitlines()[1] == "|---|---:|---:|---:|"
    assert "\u221215" in result._repr_markdown_()


def test_a_long_table_folds_after_its_first_rows():
    frame = pd.DataFrame({"Name": [f"n{i}" for i in range(72)], "Count": range(72)})
    html = charts.table(frame)._repr_html_()
    shown, folded = html.split("<details", 1)
    assert shown.count("<tr>") == 1 + charts.PREVIEW_ROWS          # header and the first rows
    assert folded.count("<tr>") == 1 + 72 - charts.PREVIEW_ROWS    # the rest, with the header repeated
    assert "Show the other 60 rows" in folded
    assert 'class="sf-table-wrap"' in shown                        # scrolls in its own box, not the page

# ---------------------------------------------------------------- issue 15: charts a reader can read at any width

def drawn_spec(chart) -> dict:
    """The spec as the renderer draws it in the page (read back out of its HTML, as the PDF build reads it)."""
    [spec] = charts.specs_in_chart_html(charts.renderer(chart.to_dict())["text/html"])
    return spec


def test_palette_marks_reach_3_to_1_and_text_4_5_to_1():
    assert charts.contrast("#000000") == pytest.approx(21.0)
    assert charts.contrast("#777777") == pytest.approx(4.48, abs=0.01)  # the WCAG figure for #777
    for colour in charts.PALETTE:
        assert charts.contrast(colour) >= 3.0, f"palette colour {colour} is below 3:1 on white"
    assert len({c.lower() for c in charts.PALETTE}) == len(charts.PALETTE)
    config = charts.theme()["config"]
    texts = [config["title"]["color"], config["axis"]["labelColor"], config["axis"]["titleColor"],
             config["legend"]["labelColor"], config["legend"]["titleColor"], config["text"]["color"], charts.GREY]
    for colour in texts:
        assert charts.contrast(colour) >= 4.5, f"text colour {colour} is below 4.5:1 on white"


def test_drawn_text_and_marks_are_readable_whatever_the_figure_code_says():
    rows = pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})
    base = alt.Chart(rows).encode(y="k:N", x="v:Q")
    chart = alt.layer(base.mark_bar(color="#F0E442"),
                      base.mark_text(color="#E69F00", dx=4).encode(text="v:Q"),
                      base.mark_text(dx=20).encode(text="k:N", color="k:N"))
    layers = drawn_spec(chart)["layer"]
    assert charts.contrast(layers[0]["mark"]["color"]) >= 3.0
    assert charts.contrast(layers[1]["mark"]["color"]) >= 4.5
    assert layers[2]["encoding"]["color"] == {"value": charts.LABEL_TEXT}  # a value label is never pale


def test_one_shape_per_qualifier_and_every_chart_draws_it():
    shapes = list(charts.QUALIFIER_SHAPES.values())
    assert len(set(shapes)) == len(shapes), "two qualifiers share a shape"
    assert charts.QUALIFIER_SHAPES["more than"] != charts.QUALIFIER_SHAPES["at least"]
    rows = data.load("observations")
    spec = charts.dots(rows[rows["value"].notna()].head(400), y="measure_id", x_title="x").to_dict()
    shape = next(layer["encoding"]["shape"] for layer in spec["layer"] if "shape" in layer.get("encoding", {}))
    assert shape["scale"]["range"] == [charts.vega_shape(charts.QUALIFIER_SHAPES[q]) for q in shape["scale"]["domain"]]
    # no figure of the book maps qualifiers to shapes by itself
    from shopfloor.paths import root
    for page in sorted((root() / "chapters").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"Shape\(\s*[\"']qualifier", text), f"{page.name}: use charts.qualifier_shape"
    with pytest.raises(ValueError, match="qualifier"):
        charts.qualifier_shape(["roughly"])


def test_single_views_take_their_column_width_and_the_pdf_a_fixed_one():
    rows = data.rows("observations", ["gi-0001", "gi-0007", "gi-0003"])
    events = data.load("events").head(5)
    for chart in (charts.dots(rows, y="description", x_title="People"),
                  charts.bars(rows.assign(value=rows["value"].fillna(1)), y="description"),
                  charts.timeline(events.assign(g="x"), group="g"), simple_chart()):
        spec = drawn_spec(chart)
        assert spec["width"] == "container", "a single-view chart must fit its column"
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    html = charts.renderer(simple_chart().to_dict())["text/html"]
    assert re.search(r'class="shopfloor-chart"[^>]*style="width: 100%', html), "the chart's div needs a width"
    png = charts.chart_png(drawn_spec(simple_chart()))
    assert Image.open(io.BytesIO(png)).width == 2 * charts.PNG_WIDTH


def test_concatenated_charts_are_fitted_by_the_renderer():
    rows = data.rows("observations", ["gi-0001", "gi-0007", "gi-0003"])
    chart = alt.vconcat(charts.dots(rows, y="description"), charts.dots(rows, y="description"))
    spec = drawn_spec(chart)
    assert spec["usermeta"]["shopfloorFit"] == {"columns": 1} and "width" not in spec
    html = charts.renderer(chart.to_dict())["text/html"]
    assert "function widen(" in html and "ResizeObserver" in html


def test_no_label_is_cut_short():
    config = charts.theme()["config"]
    assert config["axis"]["labelLimit"] == 0 and config["legend"]["labelLimit"] == 0
    assert config["legend"]["titleLimit"] == 0
    long = "Dock workers strike in Arkhangel'sk over the wages they were owed for months"
    rows = data.rows("observations", ["gi-0001"]).assign(description=long, qualifier="at least")
    spec = drawn_spec(charts.dots(rows, y="description", x_title="People"))
    import vl_convert
    svg = vl_convert.vegalite_to_svg(charts.static_spec(spec), vl_version=charts.VEGALITE_VERSION)
    assert "…" not in svg, "a label was truncated"
    assert "Dock workers strike in" in svg and "Arkhangel'sk" in svg.replace("&apos;", "'")
    assert "How the source" in svg and "words it" in svg  # the legend title, whole


def test_nested_quotes_in_source_lines_are_single_inside_double():
    assert citations.locator("Goldman 2007", "3", '"Trotskyists" and "Little People"', 71) == \
        "Goldman 2007, ch. 3, \"\u2018Trotskyists\u2019 and \u2018Little People\u2019\", n. 71"


# --- labels clear of each other at a phone's 390 px (tests/test_browser.py checks the drawn charts) ---

def test_axis_labels_keep_a_gap_that_reads_as_a_gap():
    """Vega drops an axis number closer than labelSeparation to the one before; at 4 px '0 5 10' read as one."""
    config = charts.theme()["config"]
    for axis in ("axisQuantitative", "axisTemporal"):
        assert config[axis]["labelOverlap"] == "greedy" and config[axis]["labelSeparation"] >= 8, axis


def test_yearly_time_axis_prints_the_year_alone():
    events = data.rows("events", ["1931-wage-scale-reform", "1933-higher-norms"]).assign(g="a")
    yearly = charts.timeline(events, group="g", tick_months=12).to_dict()
    assert yearly["encoding"]["x"]["axis"]["format"] == "%Y"  # 'Jan 1931' twice as wide, for nothing
    monthly = charts.timeline(events, group="g", tick_months=6).to_dict()
    assert monthly["encoding"]["x"]["axis"]["format"] == "%b %Y"


def test_negative_bar_label_sits_right_of_zero():
    """Left of its bar, a negative value's label runs into the row's name on a narrow plot."""
    rows = pd.DataFrame({"item": ["Up", "Down"], "value": [9.0, -3.9], "qualifier": ["exact"] * 2,
                         "shown": ["+9%", "-3.9%"], "description": ["a", "b"], "as_printed": ["9", "-3.9"],
                         "period_start": ["1933"] * 2, "period_end": [None] * 2, "inferred_words": [""] * 2,
                         "reference": ["r"] * 2})
    spec = charts.bars(rows, y="item").to_dict()
    negative = [v for v in spec["layer"] if "datum.value < 0" in str(v.get("transform"))]
    assert negative, "no layer labels the negative bars"
    mark, x = negative[0]["mark"], negative[0]["encoding"]["x"]
    assert mark["align"] == "left" and mark["dx"] > 0 and x["field"] == "zero", (mark, x)


def test_dot_rows_give_every_colour_a_line():
    """yOffset splits each row into a band per colour of the whole chart: two labels in one row need a band each."""
    rows = data.query(["share_women", "composition_share"], place="leningrad")
    rows = rows.assign(when=charts.period_label(rows), series=rows["breakdown"].str.replace(":", "").fillna("other"))
    chart = charts.dots(rows, y="series", color="when", height_per_row=20)
    per_row = chart.to_dict()["height"] / rows["series"].nunique()
    assert per_row >= rows["when"].nunique() * 15  # 15 px: a line of an 11 px label


def test_slanted_category_labels_are_not_wrapped():
    chart = alt.Chart(pd.DataFrame({"k": ["Origin, past politics", "Ties to arrested"], "v": [1, 2]})).mark_point()
    slanted = charts.fit_spec(chart.encode(x=alt.X("k:N", axis=alt.Axis(labelAngle=-35)), y="v:Q").to_dict())
    assert "labelExpr" not in slanted["encoding"]["x"]["axis"]  # two slanted lines reach the next label
    level = charts.fit_spec(chart.encode(x="k:N", y="v:Q").to_dict())
    assert "labelExpr" in level["encoding"]["x"]["axis"]


def test_altair_builds_its_class_table_once():
    """Altair matched each shorthand encoding ("x:Q") against its ~600 schema classes by hashing every one of
    them again, at every call (charts._cache_altair_class_lookup keeps the table): a second encoding hashes at
    most a few schemas, and gives the same chart as before."""
    from altair.utils import schemapi

    alt.Chart().encode(x="a:Q")
    calls = []
    real = schemapi._FromDict.hash_schema.__func__

    def counting(cls, schema, use_json=True):
        calls.append(1)
        return real(cls, schema, use_json)

    original = schemapi._FromDict.__dict__["hash_schema"]
    schemapi._FromDict.hash_schema = classmethod(counting)
    try:
        spec = alt.Chart().mark_point().encode(x="a:Q", color=alt.value("#123456")).to_dict()
    finally:
        schemapi._FromDict.hash_schema = original
    assert len(calls) < 20, f"{len(calls)} schemas hashed for two encodings"
    assert spec["encoding"] == {"x": {"field": "a", "type": "quantitative"}, "color": {"value": "#123456"}}


def test_a_chart_kind_is_validated_when_drawn():
    """The chart kinds and maps skip Altair's validation of each object as it is made; the whole chart is
    validated when drawn, so a wrong property still stops with Altair's error."""
    @charts.validated_when_drawn
    def build():
        return alt.Chart(alt.Data(values=({"a": 1},))).mark_point().encode(x=alt.X("a:Q", bin="yes please"))

    chart = build()
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        chart.to_dict()


def test_show_stops_at_a_chart_that_breaks_the_schema(monkeypatch):
    """Outside the book (JupyterLab, Binder, the tests' runs of every notebook) show() validates the chart and a
    wrong one stops the cell, instead of Altair printing the error and drawing nothing; the book's build,
    running the same pages, leaves that check to those runs."""
    rows = data.query("workforce", place="ussr")
    wrong = alt.Chart(alt.Data(values=({"a": 1},))).mark_point().encode(x=alt.X("a:Q", bin="yes please"))
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    monkeypatch.delenv(charts.BOOK_BUILD_ENV, raising=False)
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        with alt.utils.schemapi.debug_mode(False):
            charts.show(wrong, rows, alt_text="A wrong chart.")
    assert shown == []
    monkeypatch.setenv(charts.BOOK_BUILD_ENV, "1")
    with alt.utils.schemapi.debug_mode(False):
        charts.show(simple_chart(), rows, alt_text="Three bars.")
    assert "text/html" in shown[-1][0]


def test_the_vega_bundle_is_assembled_once_per_vl_convert_version(tmp_path, monkeypatch):
    """vl-convert assembles its bundle anew in every process (2.5 s); the book keeps it under the version."""
    import tempfile

    import vl_convert

    calls = []
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: calls.append(1) or "window.vegaEmbed = 1;")
    first, second = charts.vega_bundle(), charts.vega_bundle()
    assert first == second == "(function () {\nwindow.vegaEmbed = 1;\n})();\n" and len(calls) == 1
    from shopfloor import paths

    assert [p.name for p in paths.private_cache().iterdir()] == [f"vega-bundle-{vl_convert.__version__}.js"]
    assert paths.private_cache().parent == tmp_path


def test_copying_a_chart_does_not_build_it_again(monkeypatch):
    """Altair made every deep copy of a chart by calling its class again, and a layered chart's class copies
    each of its layers twice more (charts._copy_charts_without_rebuilding): a copy now calls no chart class,
    and is still a copy all the way down, so changing it leaves the original as it was."""
    chart = alt.layer(simple_chart(), simple_chart().mark_line()).properties(title="Two layers")
    before = chart.to_dict()
    calls = []
    rebuild = alt.LayerChart.__init__

    def counting(self, *args, **kwargs):
        calls.append(1)
        rebuild(self, *args, **kwargs)

    monkeypatch.setattr(alt.LayerChart, "__init__", counting)
    copy = chart.copy()
    assert calls == [], f"a deep copy called LayerChart {len(calls)} times"
    copy.layer[0].mark = "point"
    copy.layer[1].encoding.y.title = "Changed"
    copy.title = "Changed"
    assert chart.to_dict() == before
    assert copy.to_dict()["layer"][0]["mark"]["type"] == "point"


def test_plain_values_are_written_without_altairs_chain_of_checks(monkeypatch):
    """Altair passed each value of each row (and each vertex of a map) through a chain of type checks when it
    wrote a chart out (charts._write_plain_values_as_they_are): a string or a Python number now reaches the
    spec at once, and a NumPy number is still made a float."""
    import numpy as np
    from altair.utils import schemapi

    rows = [{"name": f"place {i}", "value": i + 0.5, "count": i, "flag": i % 2 == 0, "blank": None}
            for i in range(300)]
    chart = alt.Chart(alt.Data(values=rows + [{"name": "numpy", "value": np.float64(1.25), "count": np.int64(2),
                                               "flag": True, "blank": None}])).mark_point().encode(x="value:Q")
    checked = []
    real = schemapi._is_iterable
    monkeypatch.setattr(schemapi, "_is_iterable", lambda obj, *a, **k: checked.append(obj) or real(obj, *a, **k))
    values = chart.to_dict()["data"]["values"]
    assert len(checked) < 20, f"{len(checked)} values went through Altair's checks"
    assert values[:300] == rows
    assert values[-1]["value"] == 1.25 and type(values[-1]["value"]) is float and values[-1]["count"] == 2


@pytest.mark.parametrize("build", ["timeline_chart", "gazetteer_map", "fates_chart"])
def test_a_chart_gives_the_same_spec_with_altairs_own_copy_and_writing(build, monkeypatch):
    """The book's copy skips only what rearranges a chart that is already arranged, and its writing only the
    checks a plain value fails: charts with layers, nested layers, selections bound to widgets and legends,
    and the USSR map, give the same spec both ways."""
    from altair.utils import schemapi

    from shopfloor import reference

    ours = getattr(reference, build)().to_dict()
    monkeypatch.setattr(schemapi, "_deep_copy", schemapi._deep_copy.altair_original)
    monkeypatch.setattr(schemapi, "_todict", schemapi._todict.altair_original)
    assert getattr(reference, build)().to_dict() == ours
