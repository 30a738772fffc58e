# Two entry points for a fresh machine (see README): `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install system-packages serve test lint check messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Python packages (pinned in pyproject.toml) and front-end libraries (pinned in package-lock.json).
install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	npm ci --no-audit --no-fund --loglevel=error

# Debian packages the PDF rendering, the browser tests and the benchmarks need; installed only
# when missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v haproxy >/dev/null || missing="$$missing haproxy"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	command -v xmlsec1 >/dev/null || missing="$$missing xmlsec1"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Serve the app on its embedded default: SQLite with the framework and demo data loaded.
serve: install
	DEBUG=1 $(BIN)/python manage.py setup_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

# Extract new strings into locale/*/django.po (translate them), then compile the .mo files.
messages:
	DEBUG=1 $(BIN)/python manage.py makemessages -l sv -l en --no-obsolete \
		--ignore=".venv/*" --ignore="node_modules/*" --ignore="tests/*" --ignore="artifacts/*"
	DEBUG=1 $(BIN)/python manage.py compilemessages -l sv -l en --ignore=".venv/*" --ignore="node_modules/*"

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check:
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# The whole test suite, browser tests included. DATABASE_URL picks PostgreSQL if set.
test: install system-packages
	TILLIT_TESTING=1 $(BIN)/python -m pytest -n 2 --dist loadgroup
