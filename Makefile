# The quick start: `make demo` and `make test` on a machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: demo test bench sample clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("cutover needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## dry run of the bundled sample legacy system into SQLite (cutover.db)
	$(BIN)/cutover dry-run

# processes running the test files side by side (pytest-xdist); TEST_WORKERS=0 runs them in this one
TEST_WORKERS ?= 2

test: $(STAMP)  ## the default test run (no slow scale tests), a test file per worker
	$(BIN)/python -m pytest -m 'not slow' -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

BENCH_ACCOUNTS ?= 1000000

# benchmarks that print numbers (not part of make test): about 45 minutes at a million accounts;
# set CUTOVER_BENCH_POSTGRES_URL for the PostgreSQL run, BENCH_ACCOUNTS=10000 for a quick look
bench: $(STAMP)
	$(BIN)/python bench/extract_memory.py
	$(BIN)/python bench/dry_run.py --accounts $(BENCH_ACCOUNTS)

sample: $(STAMP)  ## regenerate the committed 500-account sample
	$(BIN)/python sample_data/generate.py --accounts 500 --out sample_data/sample_legacy

clean:
	rm -rf $(VENV) reports cutover.db cutover.db-wal cutover.db-shm build dist
