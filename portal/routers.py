"""Read replicas: which database each query of a request goes to (settings.DATABASE_ROUTERS).

With DATABASE_REPLICA_URLS set, settings.DATABASE_REPLICAS names the replicas' aliases
(replica1, replica2, ...), each a PostgreSQL streaming replica of the primary ("default").
`ReplicaMiddleware` picks the database a request reads from once, when it starts, and
`ReplicaRouter` sends every read of that request there, so a page, its data version (the page
cache's key, the dumps' ETag) and its facet counts all come from one server. A replica that lags
then shows an older version with its older data, and never newer data under an older version
or older data under a newer one: reading the version from the primary and the data from a
replica could cache a lagging replica's page under the primary's new version.

A request reads from the primary when any of these holds:

- no replica is configured (then the router has no opinion at all: Django's own behaviour);
- its method is not GET, HEAD or OPTIONS (a form post reads what it is about to change);
- it is for the back office (/admin/): curators see what they have just saved;
- it carries a session cookie (signed-in staff, whose pages are never cached either): cheaper
  than asking a database whether the session exists, and a visitor who invents a cookie only
  moves his own reads to the primary;
- it has written something (read your own writes): from the first write on, its reads go to
  the primary too.

Writes always go to the primary, whatever database the object was read from. Outside a request
(management commands, the shell, migrations) nothing is routed: everything uses "default".

The choice lives in a context variable, so each thread of a gunicorn worker (and each task,
under ASGI) has its own; it is kept until the response is closed, since a streamed download is
read from the database after the middleware has returned.
"""

from __future__ import annotations

import contextvars
import random

from django.conf import settings

PRIMARY = "default"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIMARY_PREFIXES = ("/admin/",)


class Route:
    """The database the current request reads from (a replica, until it writes)."""

    __slots__ = ("alias",)

    def __init__(self, alias: str):
        self.alias = alias


_route: contextvars.ContextVar[Route | None] = contextvars.ContextVar(
    "portal_database_route", default=None
)


def current_route() -> Route | None:
    """The current request's route, or None outside a request or without replicas."""
    return _route.get()


def database_for(request) -> str:
    """The database `request` reads from: the primary, or one replica for all of it."""
    replicas = settings.DATABASE_REPLICAS
    if (
        not replicas
        or request.method not in SAFE_METHODS
        or request.path_info.startswith(PRIMARY_PREFIXES)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
    ):
        return PRIMARY
    return random.choice(replicas)


class ReplicaMiddleware:
    """Chooses the database of each request (`database_for`) and keeps it for the whole
    request, until its response is closed (streamed bodies are read after this returns)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        _route.set(Route(database_for(request)))
        response = self.get_response(request)
        # Django closes every response (the WSGI server calls close() once the body is sent);
        # FileResponse uses the same list for its file.
        response._resource_closers.append(_forget_route)
        return response


def _forget_route() -> None:
    _route.set(None)


class ReplicaRouter:
    """Reads where the request's route says, writes to the primary (module docstring)."""

    def db_for_read(self, model, **hints):
        route = _route.get()
        return route.alias if route is not None else None

    def db_for_write(self, model, **hints):
        route = _route.get()
        if route is not None:
            route.alias = PRIMARY  # read what was just written, for the rest of the request
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        """Every alias holds the same data (replicas copy the primary), so an object read from
        a replica may be related to one read from the primary."""
        pool = {PRIMARY, *settings.DATABASE_REPLICAS}
        if obj1._state.db in pool and obj2._state.db in pool:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Every alias has the whole schema. `migrate` runs on the primary only (its default,
        and what `make serve` does); PostgreSQL's streaming replication copies the schema to
        the replicas, which refuse writes, so `migrate --database=replica1` fails loudly
        rather than half-applying anything. Allowing every model everywhere also lets the test
        suite build a replica database of its own with the primary's schema and flush it
        (tests/conftest.py), and makes loaddata and flush treat a replica like the primary."""
        return True
