# newscrawler: `make demo` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The replay tools the tests drive (pywb, py-wacz), in their own environment: pywb pins
# redis 2.10 and pyOpenSSL < 26.2, which the crawler's own dependencies cannot share.
TOOLS  := $(VENV)/tools
TOOLS_STAMP := $(TOOLS)/.installed
SOURCE ?=

.PHONY: install tools demo test crawl bench bench-search bench-startup bench-scaling bench-instructions bench-compare soak lint clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

tools: $(TOOLS_STAMP)

$(TOOLS_STAMP): constraints-tools.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet -c constraints-tools.txt pywb wacz
	touch $(TOOLS_STAMP)

demo: install
	$(BIN)/python -m newscrawler.demo

test: install tools
	$(BIN)/python -m pytest -q

crawl: install
	@test -n "$(SOURCE)" || { echo "usage: make crawl SOURCE=name (see: newscrawler sources list)"; exit 2; }
	$(BIN)/scrapy crawl news -a source=$(SOURCE)

bench: install
	$(BIN)/python -m benchmarks

bench-search: install
	$(BIN)/python -m benchmarks.search

# The same 5-page crawl against a small and a 1M-article archive, SQLite and PostgreSQL.
bench-startup: install
	$(BIN)/python -m benchmarks.startup

# A worker's instructions per page under callgrind (needs valgrind): steady where seconds are not.
bench-instructions: install
	$(BIN)/python -m benchmarks.instructions $(ARGS)

# This checkout's crawl speed against another's (ARGS="--against DIR"), runs alternated.
bench-compare: install
	$(BIN)/python -m benchmarks.compare $(ARGS)

# Workers (1, 2), store_many write rate (SQLite, PostgreSQL), Redis memory: docs/scaling.md.
bench-scaling: install
	$(BIN)/python -m benchmarks.scaling

# 10,000 pages with 1 % hostile ones: the exact archive and flat memory (docs/reliability.md).
soak: install
	$(BIN)/python -m benchmarks.soak

lint: install
	$(BIN)/ruff check newscrawler spiders pipelines tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
