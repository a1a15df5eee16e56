"""Find the book's folders from any working directory.

Notebooks run with their own folder as working directory (myst-nb, JupyterLab), tests run from the
repository root, and Binder starts wherever the reader clicked. All of them need `data/` and `maps/`.
"""
from __future__ import annotations

import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

# A folder is the book's root when it holds both of these.
_MARKERS = ("_config.yml", "data/datapackage.json")


def _is_root(folder: Path) -> bool:
    return all((folder / marker).exists() for marker in _MARKERS)


@lru_cache(maxsize=None)
def root() -> Path:
    """The repository root: $SHOPFLOOR_ROOT, else the first parent of the working directory or of this
    package (an editable install lives in `src/shopfloor/`) that holds `_config.yml` and `data/`."""
    override = os.environ.get("SHOPFLOOR_ROOT")
    if override:
        folder = Path(override).expanduser().resolve()
        if not _is_root(folder):
            raise FileNotFoundError(f"SHOPFLOOR_ROOT={override} does not hold {' and '.join(_MARKERS)}")
        return folder
    starts = [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for start in starts:
        for folder in (start, *start.parents):
            if _is_root(folder):
                return folder
    raise FileNotFoundError(
        "Cannot find the Shop Floor repository (a folder with _config.yml and data/datapackage.json) above "
        f"{starts[0]} or {starts[1]}; set SHOPFLOOR_ROOT to the repository's folder."
    )


def data_dir() -> Path:
    return root() / "data"


def maps_dir() -> Path:
    return root() / "maps"


def datapackage() -> Path:
    return data_dir() / "datapackage.json"


def private_cache() -> Path | None:
    """A folder in the temporary directory that only this user can write to, for what the book keeps between
    processes (parsed tables, the clean-validation stamp, the Vega bundle): what is kept there is read back as
    pickles or served to the browser, so it must come from nobody else. None where there is no such folder;
    the callers then work without it."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"shopfloor-{uid if uid is not None else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    if uid is not None and (info.st_uid != uid or stat.S_IMODE(info.st_mode) & 0o077):
        return None
    return folder
