"""Whole public pages cached under the data version (portal.middleware.PublicPageCacheMiddleware):
served from the cache until the data changes, never in the other language, never showing an
unpublished record, never to a signed-in curator; and an invalidation reaches every process."""

import subprocess
import sys
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.settings import BASE_DIR
from tests.factories import make_initiative
from tests.servers import get, production_environment, start_gunicorn, stop

pytestmark = pytest.mark.django_db


def test_a_page_is_served_from_the_cache_until_the_data_changes(client):
    make_initiative(title_en="Hydrogen corridor")
    first = client.get("/en/initiatives/")
    assert "Hydrogen corridor" in first.text
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/en/initiatives/")
    assert len(queries) == 1  # the data version, nothing else
    assert again.content == first.content
    make_initiative(title_en="Quantum sensing")
    assert "Quantum sensing" in client.get("/en/initiatives/").text


def test_an_unpublished_record_leaves_every_cached_page_at_once(client):
    initiative = make_initiative(title_en="Hydrogen corridor")
    pages = ["/en/", "/en/initiatives/", "/en/feed/", "/api/initiatives/", initiative.url_in("en")]
    for page in pages:
        assert "Hydrogen corridor" in client.get(page).content.decode()
    initiative.unpublish()
    for page in pages:
        response = client.get(page)
        assert "Hydrogen corridor" not in response.content.decode(), page


def test_the_same_address_is_cached_per_language(client):
    english = client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (
        english["components"]["schemas"]["Initiative"]["properties"]["title_en"]["description"]
        == "Title of the initiative."
    )
    assert (
        french["components"]["schemas"]["Initiative"]["properties"]["title_en"]["description"]
        != "Title of the initiative."
    )


def test_a_signed_in_curator_is_never_served_a_cached_page(client, django_user_model):
    client.get("/en/")
    client.force_login(django_user_model.objects.create_user("curator", password="x" * 12))
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/")
    assert len(queries) > 1


def test_a_client_that_has_the_page_gets_a_304(client):
    make_initiative()
    etag = client.get("/en/initiatives/")["ETag"]
    assert client.get("/en/initiatives/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_initiative()
    assert client.get("/en/initiatives/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_errors_and_streamed_downloads_are_not_cached(client, monkeypatch):
    from cooperation import views

    make_initiative()
    for _ in range(2):
        assert client.get("/en/initiatives/?page=99").status_code == 404
    # A small download is sent whole, and cached like a page.
    client.get("/en/initiatives/results.csv")
    with CaptureQueriesContext(connection) as queries:
        assert not client.get("/en/initiatives/results.csv").streaming
    assert len(queries) == 1
    # A large one streams, and is never kept.
    monkeypatch.setattr(views, "BUFFERED_ROWS", 0)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/en/initiatives/results.json")
            assert response.streaming
            b"".join(response.streaming_content)
        assert len(queries) > 1


# -- Two server processes --------------------------------------------------------------------


def _redis_available() -> bool:
    try:
        import redis

        return redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping()
    except Exception:
        return False


@pytest.fixture
def two_servers(request, site_database):
    """Two gunicorn servers (separate processes) over one database; with "redis", both share
    one Redis cache, otherwise each has its own memory cache."""
    backend = request.param
    if backend == "redis" and not _redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    extra = {"GUNICORN_ACCESSLOG": ""}
    if backend == "redis":
        extra.update(REDIS_URL="redis://127.0.0.1:6379/15", DJANGO_CACHE_PREFIX=prefix)
    env = production_environment(site_database, **extra)
    servers, urls = [], []
    try:
        for _ in range(2):
            server, url = start_gunicorn(env, workers=1)
            servers.append(server)
            urls.append(url)
        yield urls, env, prefix
    finally:
        for server in servers:
            stop(server)
        if backend == "redis":
            import redis

            client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)


@pytest.mark.parametrize("two_servers", ["locmem", "redis"], indirect=True)
def test_an_unpublication_reaches_every_server_process(two_servers):
    urls, env, prefix = two_servers
    page = "/en/initiatives/"  # the shipped content's 20 initiatives, on one page
    title = b"Tenstorrent Series D Funding Round"
    for url in urls:
        for _ in range(2):  # the second answer comes from the cache
            status, _, body = get(url + page)
            assert status == 200 and title in body
    if "REDIS_URL" in env:
        import redis

        keys = list(redis.Redis.from_url(env["REDIS_URL"]).scan_iter(f"{prefix}-pages:*"))
        assert keys, "the pages are in the shared cache"
    # A third process (as the admin or the loader would) unpublishes what the page shows.
    script = (
        "from cooperation.models import Initiative\n"
        "Initiative.objects.get(title_en__startswith='Tenstorrent Series D').unpublish()\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], env=env, cwd=BASE_DIR, check=True
    )
    for url in urls:
        status, _, body = get(url + page)
        assert status == 200
        assert title not in body, url
