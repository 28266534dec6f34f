# Channels test knowledge base. `make help` lists the tasks.
# Needs Python 3.11+ and make; everything else is installed into .venv by these targets.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
N      ?= 2
# make test's workers: the cores plus one. The suite waits on servers, kernels and nested
# sessions for about a third of its time (at -n 2 on 2 cores it used 52-65% of the CPU), so one
# worker more than the cores fills that wait; measured on 2 cores, one session: -n 3 331 s,
# -n 4 308 s, against 421 s for the two sessions at -n 2 it replaced (docs/measurements.md).
TEST_N ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
SOAK   ?= 10
SETS   ?=
ACTIONLINT ?= optional

.DEFAULT_GOAL := help
.PHONY: help run test test-harness test-notebooks lint lint-code format bench soak matrix serve clean bytecode

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

# The pins go in with uv (pinned in requirements.txt; kb matrix's installer), which installs them
# in seconds where pip takes a minute or more; pip does it where uv cannot be installed or fails.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "$$(grep -E '^uv==' requirements.txt)" \
	  && $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.txt \
	  && $(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e . \
	  || { $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt \
	       && $(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .; }
	touch $(STAMP)

# The harness's and kb's own bytecode, written once. Every child a notebook or test starts runs with
# PYTHONDONTWRITEBYTECODE (harness.servers.child_env; many CI images set it too), so without this
# each process that imports them compiles them again: 0.03-0.04 s of CPU for the 45 modules a kernel
# imports, in up to ~380 processes per make test (43 kernels, 82 Daphne, 117 nested pytest, 62 kb,
# 76 coverage or manage.py runs, counted with process accounting). compileall writes regardless of
# that variable; checked-hash: an import hashes the source (0.5 ms) instead of trusting its mtime
# and size, so an edit is never served stale. A file that does not compile stops here, with its
# error. Not in `make help`: the targets that need it run it.
bytecode: $(STAMP)
	@$(PY) -m compileall -q --invalidation-mode checked-hash harness kb

run: $(STAMP) bytecode ## Execute every notebook into build/executed/ and render the site in build/site/
	$(PY) -m kb run -n $(N)

# One pytest session for both (test-harness and test-notebooks below run each part alone):
# --dist worksteal hands the long notebooks and the short tests to whichever worker is free, so
# no worker idles at the end of one part while the other waits.
# kb lint's checks run inside the session (tests/test_repo_lint.py, one test per entry), spread over
# the workers instead of 11 s on one core before them (make lint still runs kb lint whole).
test: $(STAMP) bytecode lint-code ## ruff, then the tests, kb lint's checks and every notebook under nbmake, one session
	$(PY) -m pytest tests --ignore=tests/guards --nbmake notebooks --nbmake-timeout=600 -n $(TEST_N) --dist worksteal

# The guards (tests/guards/) are left out here: each notebook runs its own (make test, test-notebooks)
# (nb.run_guard, which also fails on a skip), and tests/test_entries.py checks every notebook
# does. `pytest tests` on its own still runs them; `kb matrix` runs them on every version set.
test-harness: $(STAMP) bytecode ## Harness and tooling tests (pytest, $(N) workers; the guards run in their notebooks)
	$(PY) -m pytest tests -n $(N) --ignore=tests/guards

test-notebooks: $(STAMP) bytecode ## Every notebook under pytest --nbmake ($(N) workers)
	$(PY) -m pytest --nbmake notebooks -n $(N) --nbmake-timeout=600

# actionlint checks .github/workflows/ when requirements-dev.txt is installed (its package builds
# from an sdist that fetches the binary from GitHub); ACTIONLINT=required makes its absence an
# error, as the GitHub workflow does.
lint: lint-code ## ruff, actionlint (.github/workflows), kb lint (entries, front matter, notebooks without outputs)
	$(PY) -m kb lint

lint-code: $(STAMP) ## ruff and actionlint only (make test runs kb lint's checks as tests)
	$(PY) -m ruff check harness kb tests bench corpus
	@if [ -x $(VENV)/bin/actionlint ]; then echo "$(VENV)/bin/actionlint"; $(VENV)/bin/actionlint; \
	elif [ "$(ACTIONLINT)" = required ]; then echo "lint: no $(VENV)/bin/actionlint (pip install -r requirements-dev.txt)"; exit 2; \
	else echo "lint: actionlint not installed (pip install -r requirements-dev.txt): .github/workflows not checked"; fi

format: $(STAMP) ## ruff format
	$(PY) -m ruff format harness kb tests bench

bench: $(STAMP) bytecode ## Benchmarks: prints tables, writes build/bench.json
	$(PY) -m bench

soak: $(STAMP) bytecode ## Run the notebook suite SOAK times (default 10), failures per notebook
	$(PY) -m kb soak --runs $(SOAK)

matrix: $(STAMP) bytecode ## Every notebook and guard on each version set (versions/; SETS="lts oldest" for some), known failures in versions/expected.json
	$(PY) -m kb matrix -n $(N) --expect versions/expected.json $(foreach s,$(SETS),--set $(s))

serve: $(STAMP) ## Serve build/site on http://127.0.0.1:8000
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory build/site

clean: ## Remove build output (keeps .venv)
	rm -rf build .pytest_cache .ruff_cache
