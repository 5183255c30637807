# Canteen: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
# pyproject.toml's requires-python: what Django 5.2 supports from 3.11 up.
PYTHONS := 3.11 3.12 3.13 3.14
# Refuse an interpreter outside PYTHONS in one line, before .venv exists.
# Plain enough for any Python, 2.7 included, so an old one gets the line too.
check_python = v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); \
	case " $(PYTHONS) " in *" $$v "*) ;; *) echo "Canteen runs on Python \
	$(firstword $(PYTHONS)) to $(lastword $(PYTHONS)), but $(PYTHON) is $${v:-not there}: \
	make $(or $(firstword $(MAKECMDGOALS)),run) PYTHON=python$(firstword $(PYTHONS)) \
	(or any python$(firstword $(PYTHONS))-$(lastword $(PYTHONS)) you have)." >&2; exit 1;; esac
BIN := $(VENV)/bin
PY := $(BIN)/python
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test lint typecheck pytest bench hooks clean

# The venv is rebuilt only when the lock file changes.
$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(PY) || { $(check_python) && $(PYTHON) -m venv $(VENV); }
	@test -x $(BIN)/uv || $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --locked --quiet --python $(PY)
	@touch $@

venv: $(VENV)/.synced

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_company
	@echo "Canteen is serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# The embedded default's worker: tasks run in-process and cannot wait,
	@# so this publishes scheduled announcements on time (docs/architecture.md).
	$(PY) manage.py publish_announcements --every 15 & ticker=$$!; \
	$(PY) manage.py send_reminders --every 300 & reminders=$$!; \
	trap 'kill $$ticker $$reminders 2>/dev/null' EXIT INT TERM; \
	$(BIN)/daphne -b $(HOST) -p $(PORT) --websocket-max-message-size 1048576 intranet.asgi:application

# Django 5.2 idioms (django-upgrade): the same checks as .pre-commit-config.yaml.
DJANGO_TARGET := 5.2
PY_FILES = $(shell find . -name '*.py' -not -path './.venv/*' -not -path './.git/*')

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "$(BIN)/django-upgrade --target-version $(DJANGO_TARGET) --check <every .py file>"
	@$(BIN)/django-upgrade --target-version $(DJANGO_TARGET) --check $(PY_FILES)

typecheck: venv
	$(BIN)/mypy .

pytest: venv
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Real sockets against Daphne + Redis (+ PostgreSQL when it answers);
# figures in bench/results/messaging.json. Never part of `make test`.
bench: venv
	$(PY) -m bench $(BENCH_ARGS)

# Run `make lint typecheck`'s checks before every commit.
hooks: venv
	$(BIN)/pre-commit install

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3*
