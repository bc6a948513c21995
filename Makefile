# ggzy — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
# the address to print: listening on every interface (0.0.0.0) means "this machine's address"
SHOWN  := $(if $(filter 0.0.0.0,$(HOST)),<本机地址/this-machine>,$(HOST))

.PHONY: demo test install lint typecheck check browser-deps serve clean bench

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate the embedded SQLite database, load demo data, serve on http://127.0.0.1:8000 with
## the task consumer and its scheduler (checkpoints, the deadline chronograph …) running beside the server
demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_load
	-$(PY) manage.py ledger witness demo-start
	@echo ""
	@echo "  平台地址 / Platform:  http://$(SHOWN):$(PORT)/"
	@echo "  开放接口 / API docs:  http://$(SHOWN):$(PORT)/api/docs"
	@echo ""
	$(PY) manage.py demo_logins
	$(PY) manage.py serve $(HOST):$(PORT)

## make serve: serve the existing database (server and task consumer), without reloading the demo data
serve: $(STAMP)
	$(PY) manage.py serve $(HOST):$(PORT)

## make test: install and run the whole suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)
test: $(STAMP) browser-deps
	$(PY) manage.py makemigrations --check --dry-run --settings=ggzy.settings.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy ggzy
	$(VENV)/bin/pytest -q

browser-deps:
	@sh scripts/browser-deps.sh
	@sh scripts/test-deps.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var/ .pytest_cache
