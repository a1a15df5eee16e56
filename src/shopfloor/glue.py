"""Glue a value into a page, as myst-nb's `glue` does, without needing the book-building stack.

myst-nb reads glued values from display outputs whose MIME types carry the papermill record prefix and whose
metadata names them (`scrapbook`). Writing that format here lets the notebooks run on Binder or in JupyterLab
with only the readers' environment (requirements.txt), while the book build still finds every value.
Same call as myst-nb's: `glue(name, value, display=False)`.
"""
from __future__ import annotations

from typing import Any

from IPython import display as ipython_display
from IPython.core.formatters import format_display_data

GLUE_PREFIX = "application/papermill.record/"  # the prefix myst-nb looks for (myst_nb.ext.glue.GLUE_PREFIX)


def glue(name: str, variable: Any, display: bool = False) -> None:
    """Store `variable`'s display forms under `name` for {glue:text}, {glue:figure} and friends; with
    `display`, also show it in the notebook."""
    bundle, metadata = format_display_data(variable)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipython_display.display({prefix + mime: value for mime, value in bundle.items()}, raw=True, metadata=metadata)
