"""The production stack as documented: gunicorn with gunicorn.conf.py, debug off, static files
hashed and compressed by WhiteNoise, /healthz answering."""

import gzip
import re

import pytest

from tests.servers import get, production_environment, start_gunicorn, stop


@pytest.fixture
def gunicorn_server(site_database):
    """gunicorn serving a copy of the site (the shipped content), with production settings."""
    server, url = start_gunicorn(production_environment(site_database))
    try:
        yield url
    finally:
        stop(server)


def test_gunicorn_serves_the_site_with_compressed_hashed_static_files(gunicorn_server):
    status, headers, body = get(f"{gunicorn_server}/healthz")
    assert (status, body) == (200, b'{"status": "ok", "database": "ok", "cache": "local"}')

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
