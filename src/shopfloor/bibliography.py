"""Generate the book's BibTeX file from data/sources.csv, so the bibliography and the data cannot disagree.

Every work of sources.csv becomes one entry keyed by its work_id: the two sources and every work their
footnotes cite for a row of the package (the keys of the `literature_ref` columns). The entries carry the
work's `short_name` in a `shortname` field; the pybtex style `shopfloor` (registered by `register_style`,
named by `bibtex_default_style` in _config.yml) labels and sorts the bibliography by it, so the list reads
author-year ("Getty, Rittersporn and Zemskov 1993") as the text cites, not [1]-[n].
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import data

STYLE = "shopfloor"

_ENTRY_TYPES = {"monograph": "book", "edited volume": "book", "reference work": "book", "article": "article",
                "chapter": "incollection", "document collection": "book", "newspaper": "misc", "periodical": "misc"}
_EDITED = {"edited volume", "reference work"}


def _text(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def _field(name: str, value) -> str | None:
    value = _text(value)
    return f"  {name} = {{{value}}}" if value else None


def _year(value) -> str:
    text = _text(value)
    return text[:-2] if text.endswith(".0") else text


def _title(row: dict) -> str:
    return _text(row["title"]) + (f": {row['subtitle']}" if _text(row.get("subtitle")) else "")


def _journal(container: str) -> tuple[str | None, str | None, str | None]:
    """"The Journal of Modern History 93, no. 2" -> journal, volume, number ("Russian Review 56": no number)."""
    head, _, number = container.partition(", no. ")
    journal, _, volume = head.rpartition(" ")
    if not volume.isdigit():
        return head, None, number or None
    return journal, volume, number or None


def entry(row: dict, works: dict[str, dict]) -> str:
    """One BibTeX entry for a row of sources.csv; `works` (work_id -> row) resolves a chapter's volume."""
    kind = row["kind"]
    people = _text(row.get("authors"))
    type_ = _ENTRY_TYPES[kind]
    fields = [_field("shortname", row["short_name"])]
    if type_ == "book" and not people:
        type_ = "misc"
    if people:
        fields.append(_field("editor" if kind in _EDITED else "author", people))
    fields.append(_field("title", "{" + _title(row) + "}"))
    container = _text(row.get("container"))
    if kind == "article" and container:
        journal, volume, number = _journal(container)
        fields += [_field("journal", journal), _field("volume", volume), _field("number", number)]
    elif kind == "chapter":
        volume = works[container]  # literature_rules checks that it is an edited volume of sources.csv
        fields += [_field("booktitle", "{" + _title(volume) + "}"), _field("editor", volume["authors"]),
                   _field("publisher", volume.get("publisher")), _field("address", volume.get("place"))]
    if type_ == "misc":
        where = ", ".join(t for t in (f"In {container}" if container else "", _text(row.get("place")),
                                      _text(row.get("publisher"))) if t)
        what = {"newspaper": "Newspaper", "periodical": "Journal"}.get(kind, "")
        fields.append(_field("howpublished", ", ".join(t for t in (what, where) if t)))
    elif kind != "chapter":
        fields += [_field("publisher", row.get("publisher")), _field("address", row.get("place"))]
    fields += [_field("year", _year(row.get("year"))), _field("doi", row.get("doi"))]
    if _text(row.get("url")) and not _text(row.get("doi")):
        fields.append(_field("url", row.get("url")))
    body = ",\n".join(f for f in fields if f)
    return f"@{type_}{{{row['work_id']},\n{body}\n}}\n"


def bibtex(sources: pd.DataFrame) -> str:
    records = sources.to_dict("records")
    works = {r["work_id"]: r for r in records}
    return "\n".join(entry(r, works) for r in records)


def write(target: Path, package: Path | None = None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(bibtex(data.load("sources", package=package, locators=False)), encoding="utf-8")
    return target


def _short_name(entry) -> str:
    """The work's author-year name: the `shortname` field, else the first author's last name and the year."""
    if entry.fields.get("shortname"):
        return str(entry.fields["shortname"])
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    name = " ".join(persons[0].last_names) if persons else str(entry.fields.get("title", entry.key))
    return f"{name} {entry.fields.get('year', '')}".strip()


def register_style() -> str:
    """Register the pybtex style `shopfloor`: BibTeX's plain style with author-year labels (the work's short
    name), entries sorted by them, and a book's publisher optional (the sources do not always give it)."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as Plain
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.sorting import BaseSortingStyle
    from pybtex.style.formatting import toplevel
    from pybtex.style.formatting.unsrt import date, pages
    from pybtex.style.template import field, first_of, join, optional, optional_field, sentence, tag, words

    class ShortNameLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            for entry in sorted_entries:
                yield _short_name(entry)

    class ShortNameSorting(BaseSortingStyle):
        def sorting_key(self, entry):
            return (_short_name(entry).lower(), entry.key)

    class ShopfloorStyle(Plain):
        default_label_style = ShortNameLabels
        default_sorting_style = ShortNameSorting

        def get_book_template(self, e):
            return toplevel[
                self.format_author_or_editor(e),
                self.format_btitle(e, "title"),
                self.format_volume_and_series(e),
                sentence[optional_field("publisher"), optional_field("address"), self.format_edition(e), date],
                sentence[optional_field("note")],
                self.format_web_refs(e),
            ]

        def get_article_template(self, e):
            # plain prints the volume only together with pages; the works here are cited without their pages
            volume = first_of[
                optional[join[field("volume"), optional["(", field("number"), ")"], ":", pages]],
                optional[join[field("volume"), optional["(", field("number"), ")"]]],
            ]
            return toplevel[
                self.format_names("author"),
                self.format_title(e, "title"),
                sentence[tag("em")[field("journal")], optional[volume], date],
                self.format_web_refs(e),
            ]

        def get_incollection_template(self, e):
            return toplevel[
                sentence[self.format_names("author")],
                self.format_title(e, "title"),
                words["In", sentence[optional[self.format_editor(e, as_sentence=False)],
                                     self.format_btitle(e, "booktitle", as_sentence=False),
                                     optional[self.format_chapter_and_pages(e)]]],
                sentence[optional_field("publisher"), optional_field("address"), date],
                self.format_web_refs(e),
            ]

    register_plugin("pybtex.style.formatting", STYLE, ShopfloorStyle, force=True)
    register_plugin("pybtex.style.labels", STYLE, ShortNameLabels, force=True)
    register_plugin("pybtex.style.sorting", STYLE, ShortNameSorting, force=True)
    return STYLE
