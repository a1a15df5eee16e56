"""Figures in prose: format an observation as the book writes numbers, and glue it into the page.

Prose quotes figures through myst-nb glue (`{glue:text}`), never typed by hand, so text and data cannot
drift apart. Formatting follows EDITORIAL.md: thousands with commas, "66 percent" in prose, and the
source's own hedge ("about", "more than") kept in front of the number.
"""
from __future__ import annotations

import pandas as pd

from . import data
from .glue import glue

# Units whose number reads with a word after it in prose.
_UNIT_WORDS = {"percent": "percent", "rubles": "rubles", "rubles_per_month": "rubles a month",
               "rubles_per_year": "rubles a year", "grams_per_day": "grams a day", "tons": "tons", "kg": "kg"}


def number(value: float) -> str:
    """1575000 -> '1,575,000'; 12.5 -> '12.5'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def say(row: pd.Series | dict, unit_word: bool = True) -> str:
    """An observation as prose: 'more than 1,575,000', '87 percent', 'between 7,000,000 and 20,000,000'."""
    if pd.notna(row["value"]):
        text = number(row["value"])
    else:
        text = f"between {number(row['value_low'])} and {number(row['value_high'])}"
    if unit_word and row["unit"] in _UNIT_WORDS:
        text = f"{text} {_UNIT_WORDS[row['unit']]}"
    if row["qualifier"] != "exact":
        text = f"{row['qualifier']} {text}"
    return text


def observation(obs_id: str) -> pd.Series:
    obs = data.load("observations")
    match = obs[obs["obs_id"] == obs_id]
    if match.empty:
        raise KeyError(f"No observation {obs_id!r} in observations.csv")
    return match.iloc[0]


def glue_figures(names: dict[str, str], unit_word: bool = True) -> pd.DataFrame:
    """Glue each observation under its name (name -> obs_id) for `{glue:text}` and return them as a
    table of the key numbers (name, figure as the book says it, source locator) to print in the page."""
    rows = []
    for name, obs_id in names.items():
        row = observation(obs_id)
        text = say(row, unit_word=unit_word)
        glue(name, text)
        rows.append({"name": name, "obs_id": obs_id, "figure": text, "source": row["locator"]})
    return pd.DataFrame(rows)
