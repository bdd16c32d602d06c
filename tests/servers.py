"""The real thing, for the tests that need it: databases of their own on the test server, and
gunicorn with gunicorn.conf.py and production settings over them."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.db import connection

from portal.settings import BASE_DIR

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, method: str = "GET", **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def database_url(name: str) -> str:
    """The address of database `name` on the server the tests run on."""
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{name}"


def admin_connection() -> psycopg.Connection:
    """A connection to the server's `postgres` database, for CREATE and DROP DATABASE."""
    return psycopg.connect(database_url("postgres"), autocommit=True)


def create_database(name: str, template: str | None = None) -> str:
    with admin_connection() as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return database_url(name)


def drop_database(name: str) -> None:
    with admin_connection() as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_environment(database: str, **extra) -> dict:
    """Production settings (debug off, a real key) over the database at address `database`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SECRET_KEY="production-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database,
        **extra,
    )
    return env


def manage(env: dict, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env=env,
        cwd=BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_gunicorn(env: dict, workers: int = 2) -> tuple[subprocess.Popen, str]:
    """gunicorn with gunicorn.conf.py on a free port, once /healthz answers."""
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)},
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if get(f"{url}/healthz")[0] == 200:
                return server, url
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise AssertionError("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
