"""The PDF edition: built through xelatex, charts as images, Cyrillic intact."""
from __future__ import annotations

import subprocess

from conftest import require_tool


def test_pdf_has_the_chart_as_an_image(pdf_file):
    pdfimages = require_tool("pdfimages", "poppler-utils")
    listing = subprocess.run([pdfimages, "-list", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    images = [line for line in listing.splitlines()[2:] if " image " in line]
    assert images, f"no image in {pdf_file}:\n{listing}"


def test_pdf_keeps_cyrillic_and_has_no_chart_placeholder(pdf_file):
    pdftotext = require_tool("pdftotext", "poppler-utils")
    text = subprocess.run([pdftotext, str(pdf_file), "-"], capture_output=True, text=True, check=True).stdout
    assert "профсоюз" in text, "the Cyrillic test word did not survive into the PDF"
    assert "alt.Chart" not in text and "LayerChart" not in text, "a chart reached the PDF as text"
