"""The production stack as documented: gunicorn with gunicorn.conf.py, debug off, static files
hashed and compressed by WhiteNoise, /healthz answering."""

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.settings import BASE_DIR

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def site_environment(database: Path, **extra) -> dict:
    """Production settings for a site on a migrated SQLite copy with the shipped content."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SECRET_KEY="production-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{database}",
        **extra,
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["load_content", "-v0"]):
        subprocess.run(manage + command, env=env, cwd=BASE_DIR, check=True)
    return env


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
    for _ in range(100):
        try:
            if get(f"{url}/healthz")[0] == 200:
                return server, url
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise AssertionError("gunicorn did not start")


@pytest.fixture
def gunicorn_server(tmp_path):
    """gunicorn serving a migrated SQLite copy of the site, with production settings."""
    server, url = start_gunicorn(site_environment(tmp_path / "db.sqlite3"))
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_serves_the_site_with_compressed_hashed_static_files(gunicorn_server):
    status, headers, body = get(f"{gunicorn_server}/healthz")
    assert (status, body) == (200, b'{"status": "ok", "database": "ok"}')

    status, headers, body = get(f"{gunicorn_server}/fr/initiatives/?q=semi-conducteurs")
    assert status == 200
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    page = body.decode()
    assert '<html lang="fr">' in page
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page).group(1)

    status, headers, body = get(f"{gunicorn_server}{stylesheet}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in headers["Cache-Control"]  # hashed: cached for years
    assert b".site-header" in gzip.decompress(body)

    status, _, body = get(f"{gunicorn_server}/en/no-such-page/")
    assert status == 404
    assert b"Page not found" in body or b"not found" in body.lower()
