"""One settings file, read from the environment: safe locally, strict without debug."""

import os
import subprocess
import sys

import pytest

from portal.settings import BASE_DIR, DEVELOPMENT_SECRET_KEY, database_from_url


def load_settings(_CODE=None, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    code = _CODE or (
        "import portal.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=BASE_DIR, capture_output=True, text=True
    )


def test_debug_is_off_by_default_and_then_a_secret_key_is_required():
    result = load_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_the_development_key_is_refused_without_debug():
    result = load_settings(DJANGO_SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert result.returncode != 0
    assert "development key" in result.stderr


def test_production_defaults_redirect_to_https():
    result = load_settings(
        DJANGO_SECRET_KEY="a-real-secret", DJANGO_ALLOWED_HOSTS="portal.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True ['portal.example']"


def test_ssl_redirect_can_be_turned_off_to_try_a_production_build_on_the_loopback():
    result = load_settings(DJANGO_SECRET_KEY="a-real-secret", DJANGO_SECURE_SSL_REDIRECT="false")
    assert result.stdout.split()[:2] == ["False", "False"]


def test_debug_runs_with_no_configuration_at_all():
    result = load_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True False")


def test_a_nonsense_boolean_is_a_clear_error():
    result = load_settings(DJANGO_DEBUG="maybe")
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_database_url_for_postgresql():
    config = database_from_url("postgres://user:p%40ss@db.example:5433/portal?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("portal", "user", "p@ss")
    assert (config["HOST"], config["PORT"]) == ("db.example", "5433")
    assert config["OPTIONS"] == {
        "sslmode": "require",
        "options": "-c statement_timeout=5000 -c jit=off -c work_mem=32MB",
    }


def test_only_postgresql_is_accepted():
    from django.core.exceptions import ImproperlyConfigured

    for url in ("sqlite:///db.sqlite3", "mysql://localhost/x"):
        with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
            database_from_url(url)


def test_without_database_url_the_projects_own_server_is_used():
    result = load_settings(
        DJANGO_DEBUG="true",
        PORTAL_DB_PORT="54999",
        _CODE="import portal.settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], bool(d['PASSWORD']))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "127.0.0.1",
        "54999",
        "portal",
        "True",
    ]


def test_database_url_names_any_other_server():
    result = load_settings(
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://app@db.internal:6432/prod",
        _CODE="import portal.settings as s; d = s.DATABASES['default']; "
        "print(d['HOST'], d['PORT'], d['NAME'])",
    )
    assert result.stdout.split() == ["db.internal", "6432", "prod"]


@pytest.mark.parametrize("name", ["DJANGO_PAGE_CACHE", "DJANGO_BEHIND_PROXY", "DJANGO_DEBUG"])
def test_every_switch_refuses_a_value_that_is_not_true_or_false(name):
    env = {"DJANGO_DEBUG": "true", name: "maybe"}
    result = load_settings(**env)
    assert result.returncode != 0
    assert f"{name} must be true or false, not 'maybe'" in result.stderr


REPLICAS = (
    "import portal.settings as s; "
    "print(s.DATABASE_REPLICAS, s.DATABASE_ROUTERS); "
    "[print(a, d['HOST'], d['PORT'], d['NAME'], d['TEST']['MIRROR'], "
    "'jit=off' in str(d['OPTIONS'])) "
    "for a, d in s.DATABASES.items() if a != 'default']"
)


def test_database_replica_urls_give_one_alias_each_mirroring_default_in_tests():
    result = load_settings(
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://app@primary.internal:5432/prod",
        DATABASE_REPLICA_URLS="postgres://app@replica-a:5432/prod, postgres://app@replica-b/prod,",
        _CODE=REPLICAS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['replica1', 'replica2'] ['portal.routers.ReplicaRouter']",
        "replica1 replica-a 5432 prod default True",  # the primary's connection options
        "replica2 replica-b  prod default True",
    ]


def test_without_database_replica_urls_there_is_no_replica():
    for value in (None, "", " , "):
        env = {"DJANGO_DEBUG": "true", "DATABASE_URL": "postgres://app@db/prod"}
        if value is not None:
            env["DATABASE_REPLICA_URLS"] = value
        result = load_settings(_CODE=REPLICAS, **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["[] ['portal.routers.ReplicaRouter']"]


def test_a_replica_url_that_is_not_postgresql_is_refused_by_name():
    result = load_settings(
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://app@db/prod",
        DATABASE_REPLICA_URLS="mysql://replica/prod",
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS must name a PostgreSQL database" in result.stderr
