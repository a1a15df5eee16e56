"""shopfloor.paths finds the repository from any working directory."""
from __future__ import annotations

import pytest

from conftest import ROOT
from shopfloor import paths


@pytest.fixture(autouse=True)
def no_cache():
    paths.root.cache_clear()
    yield
    paths.root.cache_clear()


@pytest.mark.parametrize("start", ["", "chapters", "tests", "src/shopfloor"])
def test_root_from_inside_the_repository(monkeypatch, start):
    monkeypatch.delenv("SHOPFLOOR_ROOT", raising=False)
    monkeypatch.chdir(ROOT / start)
    assert paths.root() == ROOT
    assert paths.datapackage() == ROOT / "data" / "datapackage.json"
    assert paths.maps_dir() == ROOT / "maps"


def test_root_from_elsewhere_uses_the_installed_package(monkeypatch, tmp_path):
    monkeypatch.delenv("SHOPFLOOR_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert paths.data_dir() == ROOT / "data"


def test_override_must_point_at_a_book(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPFLOOR_ROOT", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="does not hold _config.yml"):
        paths.root()
    monkeypatch.setenv("SHOPFLOOR_ROOT", str(ROOT))
    assert paths.root() == ROOT
