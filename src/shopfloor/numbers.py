"""Figures and dates in prose, written as the book writes them.

A page states a number through the MyST `{eval}` role on a variable that a code cell above made from a data
row, never typed by hand, so text and data cannot drift apart. The same role works in the book (MyST-NB,
inline execution) and in JupyterLab (jupyterlab-myst evaluates it in the reader's kernel). Formatting follows
EDITORIAL.md: thousands with commas, "66 percent" in prose, the source's own hedge ("about", "more than")
in front of the number, dates as "30 October 1937".
"""
from __future__ import annotations

import pandas as pd

# Units whose number reads with a word after it in prose.
_UNIT_WORDS = {"percent": "percent", "rubles": "rubles", "rubles_per_month": "rubles a month",
               "rubles_per_year": "rubles a year", "grams_per_day": "grams a day", "tons": "tons", "kg": "kg"}


class Prose(str):
    """Text for the `{eval}` role: shown as it is, without the quotes a plain string's repr would add."""

    def __repr__(self) -> str:
        return str(self)


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or value == ""


def number(value: float) -> str:
    """1575000 -> '1,575,000'; 12.5 -> '12.5'; -15 -> '−15' (a true minus sign)."""
    value = float(value)
    text = f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace("-", "\u2212")


def _hedged(text: str, qualifier) -> Prose:
    return Prose(text if _blank(qualifier) or qualifier == "exact" else f"{qualifier} {text}")


def say(row: pd.Series | dict, unit_word: bool = True) -> Prose:
    """An observation as prose: 'more than 1,575,000', '87 percent', 'between 7,000,000 and 20,000,000'."""
    if not _blank(row["value"]):
        text = number(row["value"])
    else:
        text = f"between {number(row['value_low'])} and {number(row['value_high'])}"
    if unit_word and row["unit"] in _UNIT_WORDS:
        text = f"{text} {_UNIT_WORDS[row['unit']]}"
    return _hedged(text, row["qualifier"])


def say_change(row: pd.Series | dict) -> Prose:
    """A change in percent without its sign ('about 50 percent'): whether it rose or fell is the prose's word."""
    if not _blank(row["value"]):
        text = f"{number(abs(float(row['value'])))} percent"
    else:
        low, high = sorted(abs(float(row[c])) for c in ("value_low", "value_high"))
        text = f"between {number(low)} and {number(high)} percent"
    return _hedged(text, row["qualifier"])


def say_times(row: pd.Series | dict) -> Prose:
    """A ratio as prose: '16 times'."""
    return _hedged(f"{number(float(row['value']))} times", row["qualifier"])


def say_value(value: float, unit: str = "", computed: bool = False) -> Prose:
    """A number the page computed (a sum, a share): '46,000', '72.5 percent'."""
    text = number(value) + (f" {_UNIT_WORDS.get(unit, unit)}" if unit else "")
    return Prose(text)


def date_words(value, precision=None) -> Prose:
    """'1937-10-30' -> '30 October 1937'; '1937-07' -> 'July 1937'; with precision 'approx', 'c. July 1937'."""
    if _blank(value):
        return Prose("")
    parts = str(value).split("-")
    if len(parts) == 1:
        text = parts[0]
    else:
        month = pd.Timestamp(int(parts[0]), int(parts[1]), 1).strftime("%B")
        text = f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"
    return Prose(f"c. {text}" if precision == "approx" else text)


def span_words(start, end=None, precision=None) -> Prose:
    """'1937–1938', 'March to May 1937' or a single date, with an en dash for a range of years."""
    if _blank(end) or end == start:
        return date_words(start, precision)
    if "-" not in str(start) and "-" not in str(end):
        return Prose(f"{start}\u2013{end}")
    return Prose(f"{date_words(start)} to {date_words(end)}" + (" (approximate)" if precision == "approx" else ""))
