# Two commands on a fresh machine: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app sales_service
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run setup-db test test-pg test-browser test-all lint bench messages clean

# The venv is rebuilt when pyproject.toml changes; extras get their own stamp.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $@

$(VENV)/.stamp-pg: pyproject.toml $(VENV)/.stamp-base
	$(BIN)/pip install --quiet -e ".[test,dev,pg]"
	touch $@

$(VENV)/.stamp-browser: pyproject.toml $(VENV)/.stamp-base
	$(BIN)/pip install --quiet -e ".[test,dev,browser]"
	touch $@

setup-db: $(VENV)/.stamp-base
	$(FLASK) migrate
	$(FLASK) load-tariffs
	$(FLASK) seed-demo

# Local demo over plain http: the session cookie may not demand HTTPS here. Documents' QR links
# and the simulated bank's payment notifications go to this very server (`make run PORT=5101`);
# production sets SALES_PUBLIC_URL to the address buyers reach (README, Configuration).
run: export SALES_COOKIE_SECURE ?= 0
run: export SALES_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: export SALES_WEBHOOK_URL ?= http://$(HOST):$(PORT)/webhooks/payments
run: setup-db
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.stamp-base
	$(BIN)/python -m pytest tests/unit tests/services tests/web -q

test-pg: $(VENV)/.stamp-pg
	$(BIN)/python scripts/with_postgres.py $(BIN)/python -m pytest tests/services -q

test-browser: $(VENV)/.stamp-browser
	$(BIN)/python -m pytest tests/browser -q

test-all: test test-pg test-browser

# Style, then the directions of dependency (import-linter contracts in pyproject.toml).
lint: $(VENV)/.stamp-base
	$(BIN)/ruff check sales_service tests bench scripts
	$(BIN)/lint-imports --no-cache

bench: $(VENV)/.stamp-base
	$(BIN)/python bench/pricing.py
	$(BIN)/python bench/sla.py
	$(BIN)/python bench/upload_memory.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/statement_match.py
	$(BIN)/python bench/receipts.py
	$(BIN)/python bench/treasurer_desk.py
	$(BIN)/python bench/webhook.py

# Add new UI strings to the English catalogue (source strings are Indonesian), then list what lacks English.
messages: $(VENV)/.stamp-base
	$(BIN)/python scripts/messages.py
	$(BIN)/python scripts/messages.py --check

clean:
	rm -rf $(VENV) .pytest_cache
