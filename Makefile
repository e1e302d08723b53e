# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

# The offline mirror beside the project is used by default when it exists.
SHARED_MIRROR := $(abspath ../shared/opendata-mirror)
ifeq ($(origin GEODATA_MIRROR), undefined)
  ifneq ($(wildcard $(SHARED_MIRROR)),)
    export GEODATA_MIRROR := $(SHARED_MIRROR)
  endif
endif

.PHONY: run test venv data site lint bench load soak present present-check system-deps clean tiles

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Debian's chromium for the browser tests and the profiles' PDFs (playwright cannot download
# browsers here), poppler-utils to read those PDFs back in the tests, DejaVu Sans for the
# street names of the offline tile pack;
# PostgreSQL with PostGIS and nginx for the shared-store and replica tests (the tests start
# their own private servers on 127.0.0.1; the system services are not used).
PG_MAJOR = $$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$$/\1/p' | head -n1)
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
	    || ! test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; then \
	  echo "Installing Debian chromium, fonts and poppler-utils for browser and PDF tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-color-emoji fonts-dejavu-core poppler-utils >/dev/null; \
	fi
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 \
	    || ! { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1; then \
	  echo "Installing Debian PostgreSQL, PostGIS and nginx for the store and replica tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  PGV=$(PG_MAJOR); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql postgresql-$$PGV-postgis-3 nginx >/dev/null; \
	fi

# After every refresh the district profiles are built again (pages and PDFs), so they never
# show older data than the app.
data: $(STAMP)
	$(PY) -m geodata refresh
	$(PY) -m profiles build

# The district profiles alone (static pages and PDFs, into <data folder>/profiles/current).
site: $(STAMP)
	$(PY) -m profiles build

run: data
	$(PY) -m server --server.port $(PORT)

# Public events: the presenter view with no network at all (mirror folder or local store).
present: $(STAMP)
	$(PY) -m presenter serve --port $(PORT)

# Before an event: does the store hold every dataset the tour needs, fresh enough?
present-check: $(STAMP)
	$(PY) -m presenter check

# The offline street map, once, where an OpenStreetMap extract is at hand (README, "Street
# map"): draws <data>/tiles/{z}/{x}/{y}.png, which the app then serves and uses.
tiles: $(STAMP)
	@test -n "$(OSM)" || { echo "usage: make tiles OSM=path/to/extract.osm.pbf [ZOOMS=10-16]"; exit 2; }
	$(PY) -m layers.tilepack "$(OSM)" --zooms $(or $(ZOOMS),10-16)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Under `make test` the PostGIS and nginx tests must run: a missing server fails them
# instead of skipping them.
test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	CI_REQUIRE_POSTGIS=1 CI_REQUIRE_NGINX=1 $(PY) -m pytest

bench: $(STAMP) system-deps
	$(PY) bench/first_visit.py
	$(PY) bench/map_trace.py
	$(PY) bench/refresh_and_load.py
	$(PY) bench/pages.py
	$(PY) bench/stores.py
	$(PY) bench/search.py

# Concurrent visitors and a 1,000-session soak against a fresh server (several minutes each).
load: $(STAMP)
	$(PY) bench/load.py

soak: $(STAMP)
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) data test-artifacts
