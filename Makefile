# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEV := DJANGO_DEBUG=true

.PHONY: install run test lint format translations messages clean

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
