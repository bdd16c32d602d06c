# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEV := DJANGO_DEBUG=true

.PHONY: install run serve test lint format translations messages bench backup restore clean

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(BIN)/.installed

translations: install
	$(DEV) $(BIN)/python manage.py compile_translations

run: translations
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_content
	$(DEV) $(BIN)/python manage.py ensure_local_admin
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: translations
	$(BIN)/pytest

# Production: gunicorn with gunicorn.conf.py. Needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
# DATABASE_URL in the environment (README, "Production").
serve: translations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn -c gunicorn.conf.py

# Every record to a JSON file, and back (README, "Backup and restore").
BACKUP ?= backups/portal-$(shell date +%Y%m%d-%H%M%S).json
backup: install
	$(BIN)/python manage.py backup $(BACKUP)

restore: install
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/portal-....json" && exit 2)
	$(BIN)/python manage.py restore $(FILE)

# Benchmarks on PostgreSQL with 100,000 initiatives, production settings: the search page in
# process, the downloads, then every page type under load (gunicorn + Locust). README, "Performance".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
BENCH_INITIATIVES ?= 100000
# The shared cache the load benchmark's gunicorn workers use (Redis runs on these machines).
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/1
BENCH_LOAD_SECONDS ?= 60
BENCH := DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SECRET_KEY=bench-only-not-a-secret \
	DJANGO_SECURE_SSL_REDIRECT=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	REDIS_URL=$(BENCH_REDIS_URL)

bench: translations
	$(BIN)/python -c "$$CREATE_DATABASE" "$(BENCH_DATABASE_URL)"
	$(BENCH) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH) $(BIN)/python manage.py load_content
	$(BENCH) $(BIN)/python manage.py generate_initiatives --total $(BENCH_INITIATIVES)
	$(BENCH) $(BIN)/python manage.py bench_search
	$(BENCH) $(BIN)/python manage.py bench_export
	$(BENCH) $(BIN)/python manage.py bench_load --seconds $(BENCH_LOAD_SECONDS)

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

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh locale/fr/LC_MESSAGES/django.po from the code and templates (needs GNU gettext).
messages: install
	$(DEV) $(BIN)/python manage.py makemessages --locale fr --no-obsolete --no-location

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
