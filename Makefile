# Two commands do everything: `make demo` and `make test`. Both build .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench sim clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cscdesk

sim: $(STAMP)
	$(BIN)/cscdesk sim

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

PG_TEST_SERVER ?= postgresql://postgres@127.0.0.1:5432/postgres

test: lint
	@$(BIN)/python -c "import psycopg; psycopg.connect('$(PG_TEST_SERVER)', connect_timeout=3).close()" 2>/dev/null \
		|| echo "PostgreSQL not reachable at 127.0.0.1:5432: the PostgreSQL half of the store tests is skipped (CI requires it)"
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
