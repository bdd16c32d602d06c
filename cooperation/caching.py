"""Caching of expensive answers that only change when the data does.

Every cached value is keyed on the data version (`data_version()`: `DataVersion.number`, which
database triggers raise on each write to a cooperation table, with what keeps a number reached
again from naming what was cached before). Reading the version costs one indexed query per
request; in exchange a change made anywhere (admin, loader, shell, another host) is seen at the
next request by every worker, whatever cache backend is configured (settings.CACHES), and a
visitor is never shown a cached page of data that has since changed or been unpublished.
Keys also carry the language, so a cached English answer is never served in French.
"""

import contextlib
import contextvars
import functools
import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, router

#: Cached answers expire after this many seconds even if the data does not change.
TIMEOUT = 60 * 60
_MISSING = object()

VERSION_TABLE = "cooperation_dataversion"
_BUMP = f"UPDATE {VERSION_TABLE} SET number = number + 1 WHERE id = 1"


#: The version row, with the identities of this database and of the table that holds it.
_VERSION_SQL = (
    f"SELECT v.number, v.epoch, d.oid, '{VERSION_TABLE}'::regclass::oid "
    f"FROM {VERSION_TABLE} v, pg_database d "
    "WHERE v.id = 1 AND d.datname = current_database()"
)


def data_version(using: str | None = None) -> str:
    """The current data version (one query): a token that never names two states of the data.

    Read from the database the request reads its data from (`using`, else the router's choice:
    a replica, or the primary; portal/routers.py), so that what is cached under a version is
    what that version's data gives. A streaming replica is a copy of the primary's files: its
    row, epoch and identities are the primary's, so a version means the same on every server.

    It joins the number the triggers raise on every write with what makes a number reached
    again mean something else: the row's epoch (new whenever the row is made again: a flush,
    a fresh database), the database's and the version table's identities (a database restored
    or copied from a dump gets new ones), and the release of the code, templates and
    translations (a deploy never serves the old HTML).
    """
    from .models import DataVersion

    with connections[using or router.db_for_read(DataVersion)].cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    number, identity = (row[0], row[1:]) if row else (0, ("no version row",))
    digest = hashlib.sha256(repr((identity, release())).encode()).hexdigest()[:16]
    return f"{number}-{digest}"


#: What the release hash reads: everything that shapes an answer but the data.
RELEASE_FILES = (
    "cooperation/**/*.py",
    "portal/**/*.py",
    "templates/**/*",
    "locale/**/*.mo",
    "static/**/*",
    "requirements.lock",
)


@functools.lru_cache(maxsize=1)
def release(root: Path | None = None) -> str:
    """DJANGO_RELEASE, or a hash of the code, templates, translations and static files, and
    of the publisher's name, which every page's footer shows (settings.PORTAL_PUBLISHER)."""
    if os.environ.get("DJANGO_RELEASE") and root is None:
        return os.environ["DJANGO_RELEASE"]
    root = Path(root or settings.BASE_DIR)
    digest = hashlib.sha256()
    for pattern in RELEASE_FILES:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    digest.update(json.dumps(settings.PORTAL_PUBLISHER, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def cache_key(name: str, version: str, language: str, parts=None) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[
        :32
    ]
    return f"cooperation:{name}:v{version}:{language}:{digest}"


#: Set while a page is drawn from data that will be rolled back (a preview of a change
#: waiting for review, cooperation/preview.py): nothing is read from the cache or put in it,
#: since that data's version number will be reached again by real writes.
_uncached = contextvars.ContextVar("uncached", default=False)


@contextlib.contextmanager
def uncached():
    token = _uncached.set(True)
    try:
        yield
    finally:
        _uncached.reset(token)


def cached(name: str, version: str, language: str, parts, compute):
    """`compute()`, or its cached value for this name, data version, language and parts."""
    if _uncached.get():
        return compute()
    key = cache_key(name, version, language, parts)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


# -- triggers ------------------------------------------------------------------------------


def version_trigger_sql(table: str) -> str:
    """The statement that makes the database raise the data version on any write to `table`."""
    return (
        f'CREATE OR REPLACE TRIGGER "{table}_data_version" '
        f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION cooperation_raise_data_version()"
    )


def install_version_triggers(db, tables) -> None:
    """Create the trigger function and a trigger on each table of connection `db`. Idempotent:
    run after every `migrate` (apps.py), so a table a later migration adds is covered too."""
    with db.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION cooperation_raise_data_version() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {_BUMP}; RETURN NULL; END $$"
        )
        for table in tables:
            cursor.execute(version_trigger_sql(table))


def drop_version_triggers(db, tables) -> None:
    with db.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS cooperation_raise_data_version() CASCADE")


def cooperation_tables(app_config) -> list[str]:
    """The tables of the cooperation app the data version follows (all but its own)."""
    return [
        model._meta.db_table
        for model in app_config.get_models(include_auto_created=True)
        if model._meta.db_table != VERSION_TABLE
    ]


def ensure_data_version(using: str = "default", **kwargs) -> None:
    """post_migrate: the version row exists and every cooperation table raises it."""
    from django.apps import apps

    db = connections[using]
    if VERSION_TABLE not in db.introspection.table_names():
        return  # migrated backwards past 0006
    with db.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {VERSION_TABLE} WHERE id = 1")
        if cursor.fetchone() is None:
            cursor.execute(f"INSERT INTO {VERSION_TABLE} (id, number) VALUES (1, 0)")
    existing = set(db.introspection.table_names())
    tables = [t for t in cooperation_tables(apps.get_app_config("cooperation")) if t in existing]
    install_version_triggers(db, tables)


def tables_without_version_trigger() -> list[str]:
    """Cooperation tables the data version does not follow (should be none; tests check)."""
    from django.apps import apps

    tables = set(cooperation_tables(apps.get_app_config("cooperation")))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_data_version'"
        )
        covered = {row[0] for row in cursor.fetchall()}
    return sorted(tables - covered)


class CachedResults:
    """What a Paginator needs of a QuerySet — `count()` and slicing — answered from the cache.

    The count and the ids of each requested slice are cached under `name`, the data version,
    the language and `parts` (what the results depend on: the validated parameters). The rows
    of a page are then read fresh by id through `rows`, in the cached order.
    """

    ordered = True  # the order is the cached one (Paginator warns on unordered lists)

    def __init__(self, queryset, rows, *, name, version, language, parts, count=None):
        self.queryset, self.rows = queryset, rows
        self.key = {"name": name, "version": version, "language": language}
        self.parts = parts
        self._count = count

    def _cached(self, what, parts, compute):
        name = f"{self.key['name']}:{what}"
        return cached(name, self.key["version"], self.key["language"], parts, compute)

    def count(self) -> int:
        if self._count is None:
            self._count = self._cached("count", self.parts, self.queryset.count)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice):
            raise TypeError("CachedResults supports slices only")
        if index.stop is not None and index.stop <= (index.start or 0):
            return []
        ids = self._cached(
            "ids",
            [self.parts, index.start, index.stop],
            lambda: list(self.queryset.values_list("pk", flat=True)[index]),
        )
        found = self.rows.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]
