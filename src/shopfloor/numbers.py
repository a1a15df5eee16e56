"""Figures and dates in prose, written as the book writes them.

A page states a number through the MyST `{eval}` role on a variable that a code cell above made from a data
row, never typed by hand, so text and data cannot drift apart. The same role works in the book (MyST-NB,
inline execution) and in JupyterLab (jupyterlab-myst evaluates it in the reader's kernel). Formatting follows
EDITORIAL.md: thousands with commas, "66 percent" in prose, the source's own hedge ("about", "more than")
in front of the number, dates as "30 October 1937".
"""
from __future__ import annotations

import html

import pandas as pd

# Units whose number reads with a word after it in prose.
_UNIT_WORDS = {"percent": "percent", "rubles": "rubles", "rubles_per_month": "rubles a month",
               "rubles_per_year": "rubles a year", "grams_per_day": "grams a day", "tons": "tons", "kg": "kg"}


class Prose(str):
    """Text for the `{eval}` role: shown as it is, without the quotes a plain string's repr would add.

    `source` says where the text comes from: the locator of the data row (work, chapter or section, note,
    and what the note cites, such as an archival file), or for a value the page worked out, "Computed ...
    from" the rows it rests on. In HTML (the web book, JupyterLab) a Prose with a source is a focusable span
    whose tooltip shows it on hover or keyboard focus, as the chart marks do; its plain text, which the PDF
    and `print` use, is the number alone. String operations (`+`, f-strings) give plain `str`: the source
    belongs to the value as it was made."""

    source: str

    def __new__(cls, text: str = "", source: str | None = "") -> "Prose":
        self = super().__new__(cls, text)
        self.source = "" if _blank(source) else str(source)
        return self

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str | None:
        if not self.source:
            return None  # nothing to show: the plain text is used
        # The source stands only in attributes: the text of the sentence stays the number alone (for copying,
        # search and a viewer without the book's stylesheet, such as JupyterLab). shopfloor.css draws the
        # tooltip from data-source on hover and focus; screen readers announce aria-description on focus.
        source = html.escape(self.source, quote=True)
        return (f'<span class="sf-source" tabindex="0" data-source="{source}" aria-description="{source}">'
                f'{html.escape(str(self), quote=False)}</span>')


def _where(row) -> str:
    """The fullest locator a row carries: its `reference` (with what the note cites) or else its `locator`."""
    for column in ("reference", "locator"):
        value = row.get(column) if hasattr(row, "get") else None
        if not _blank(value):
            return str(value)
    return ""


def source_of(rows, limit: int = 4) -> str:
    """The locators of one row (a Series or dict) or of several (a DataFrame or a list of rows), each
    distinct locator once, in order, joined by '; ': at most `limit` of them, then "and N more" (as a
    figure's source line does). Blank when the rows carry none."""
    if rows is None:
        return ""
    if isinstance(rows, pd.DataFrame):
        records = rows.to_dict("records")
    elif isinstance(rows, (list, tuple)):
        records = [r.to_dict() if isinstance(r, pd.Series) else r for r in rows]
    else:
        records = [rows]
    found = list(dict.fromkeys(text for text in map(_where, records) if text))
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    return "; ".join(found[:limit]) + more


def _source(rows) -> str:
    where = source_of(rows)
    return f"Source: {where}" if where else ""


def computed_from(rows, how: str = "") -> str:
    """The source of a value the page worked out: 'Computed (how) from <locators>'; for `Prose(text, source=...)`."""
    where, label = source_of(rows), (f"Computed ({how})" if how else "Computed")
    return f"{label} from {where}" if where else (label if how else "")


def printed(row: pd.Series | dict) -> Prose:
    """The source's own wording of a row (its `as_printed`, e.g. 'over half'), with the row's source."""
    return Prose(row["as_printed"], source=_source(row))


def _capital(text: str, capital: bool) -> str:
    """The text with its first letter capitalised, for a number that opens a sentence ('More than 1,000')."""
    return text[:1].upper() + text[1:] if capital else text


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or value == ""


def number(value: float) -> str:
    """1575000 -> '1,575,000'; 12.5 -> '12.5'; -15 -> '−15' (a true minus sign)."""
    value = float(value)
    text = f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace("-", "\u2212")


def _hedged(text: str, qualifier, row=None, capital: bool = False) -> Prose:
    text = text if _blank(qualifier) or qualifier == "exact" else f"{qualifier} {text}"
    return Prose(_capital(text, capital), source=_source(row))


def say(row: pd.Series | dict, unit_word: bool = True, *, capital: bool = False) -> Prose:
    """An observation as prose: 'more than 1,575,000', '87 percent', 'between 7,000,000 and 20,000,000'.
    With `capital`, for a number that opens a sentence: 'More than 1,000'. The row's locator is its source."""
    if not _blank(row["value"]):
        text = number(row["value"])
    else:
        text = f"between {number(row['value_low'])} and {number(row['value_high'])}"
    if unit_word and row["unit"] in _UNIT_WORDS:
        text = f"{text} {_UNIT_WORDS[row['unit']]}"
    return _hedged(text, row["qualifier"], row, capital)


def say_change(row: pd.Series | dict, *, capital: bool = False) -> Prose:
    """A change in percent without its sign ('about 50 percent'): whether it rose or fell is the prose's word
    ("cut by 15 percent", never "by −15"). The row's locator is its source."""
    if not _blank(row["value"]):
        text = f"{number(abs(float(row['value'])))} percent"
    else:
        low, high = sorted(abs(float(row[c])) for c in ("value_low", "value_high"))
        text = f"between {number(low)} and {number(high)} percent"
    return _hedged(text, row["qualifier"], row, capital)


def say_times(row: pd.Series | dict, *, capital: bool = False) -> Prose:
    """A ratio as prose: '16 times'. The row's locator is its source."""
    return _hedged(f"{number(float(row['value']))} times", row["qualifier"], row, capital)


def say_value(value: float, unit: str = "", computed: bool = False, *, rows=None, how: str = "",
              capital: bool = False) -> Prose:
    """A number the page computed (a sum, a share): '46,000', '72.5 percent'.

    `rows` are the data rows it rests on (a row or a DataFrame) and `how` says in a few words how it was
    worked out ("sum of the two counts"); the tooltip then reads "Computed (sum of the two counts) from
    <locators>". With computed=False the value is one the rows print (say, a count taken from a row) and the
    tooltip reads "Source: <locators>". Without rows or how, the number has no tooltip."""
    text = _capital(number(value) + (f" {_UNIT_WORDS.get(unit, unit)}" if unit else ""), capital)
    return Prose(text, source=computed_from(rows, how) if computed or how else _source(rows))


def date_words(value, precision=None, *, row=None) -> Prose:
    """'1937-10-30' -> '30 October 1937'; '1937-07' -> 'July 1937'; with precision 'approx', 'c. July 1937'.
    `row`, the data row the date comes from, gives its source."""
    if _blank(value):
        return Prose("")
    parts = str(value).split("-")
    if len(parts) == 1:
        text = parts[0]
    else:
        month = pd.Timestamp(int(parts[0]), int(parts[1]), 1).strftime("%B")
        text = f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"
    return Prose(f"c. {text}" if precision == "approx" else text, source=_source(row))


def span_words(start, end=None, precision=None, *, row=None) -> Prose:
    """'1937–1938', 'March to May 1937' or a single date, with an en dash for a range of years."""
    if _blank(end) or end == start:
        return date_words(start, precision, row=row)
    if "-" not in str(start) and "-" not in str(end):
        return Prose(f"{start}\u2013{end}", source=_source(row))
    return Prose(f"{date_words(start)} to {date_words(end)}" + (" (approximate)" if precision == "approx" else ""),
                 source=_source(row))
