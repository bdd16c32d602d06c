"""The rules hold on the side paths too: a cache that fails, cache keys that could come back,
invented addresses, the language toggle on a filtered search or a missing page."""

import html
import logging
import re
import uuid

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cooperation import caching
from cooperation.models import InitiativeParticipant
from tests.factories import make_agreement, make_area, make_initiative, make_organization
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    found = re.findall(r'<h2 class="result-title"><a href="[^"]+">(.*?)</a></h2>', response.text)
    return sorted(html.unescape(re.sub(r"</?mark>", "", title)) for title in found)


# -- The cache is an accelerator ---------------------------------------------------------------


def _dead_redis() -> dict:
    """Both caches on a Redis that is not there (a port nothing listens on)."""
    location = f"redis://127.0.0.1:{free_port()}/0"
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    backend = "portal.cache.FailSafeRedisCache"
    return {
        alias: {"BACKEND": backend, "LOCATION": location, "OPTIONS": options, "KEY_PREFIX": alias}
        for alias in ("default", "pages")
    }


def test_with_redis_down_pages_come_from_the_database_and_the_failure_is_logged_once(
    client, caplog
):
    make_initiative(title_en="Hydrogen corridor")
    with override_settings(CACHES=_dead_redis()), caplog.at_level(logging.WARNING):
        for _ in range(3):
            for page in ("/en/", "/en/initiatives/?q=hydrogen", "/fr/initiatives/", "/api/"):
                response = client.get(page)
                assert response.status_code == 200, page
        assert "Hydrogen corridor" in client.get("/en/initiatives/").text
        health = client.get("/healthz")
    warnings = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # once per interval
    assert "built from the database" in warnings[0].getMessage()
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "cache": "degraded"}


def test_a_cache_that_comes_back_is_used_again(monkeypatch):
    import portal.cache

    settings = _dead_redis()["default"]
    from django.core.cache.backends.redis import RedisCache

    backend = portal.cache.FailSafeRedisCache(settings["LOCATION"], {})
    assert backend.get("k", "missing") == "missing"  # down: a miss, then left alone
    calls = []
    monkeypatch.setattr(RedisCache, "get", lambda self, *a, **k: calls.append(a) or "value")
    assert backend.get("k") is None  # within the back-off, Redis is not asked
    assert not calls
    monkeypatch.setattr(portal.cache, "_down_until", {})
    assert backend.get("k") == "value"  # tried again after it
    assert calls


# -- Cache keys never come back ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_never_meets_its_old_cache_keys(client):
    make_initiative(title_en="Before the flush")
    client.get("/en/initiatives/")  # cached
    before = caching.data_version()
    call_command("flush", interactive=False, verbosity=0)
    number_reset = caching.data_version()
    assert number_reset.split("-")[0] == "0"
    assert number_reset != before
    # Back to the same number of writes: still another key.
    make_initiative(title_en="After the flush")
    assert "Before the flush" not in client.get("/en/initiatives/").text


def test_a_database_copied_from_another_has_its_own_keys(site_template):
    """Two databases from one template (a restore, a staging copy) hold the same version row;
    they must never share cached pages through one Redis."""
    import psycopg

    from tests import servers

    tokens = []
    names = [f"{site_template}_twin_{n}" for n in range(2)]
    try:
        for name in names:
            url = servers.create_database(name, template=site_template)
            with psycopg.connect(url) as db:
                row = db.execute(caching._VERSION_SQL).fetchone()
            tokens.append(row)
        assert tokens[0][0] == tokens[1][0] and tokens[0][1] == tokens[1][1]  # the same row
        assert tokens[0][2] != tokens[1][2]  # but different databases
    finally:
        for name in names:
            servers.drop_database(name)


def test_a_row_copied_back_gets_a_new_epoch():
    with connection.cursor() as cursor:
        cursor.execute("SELECT number, epoch FROM cooperation_dataversion WHERE id = 1")
        number, epoch = cursor.fetchone()
        before = caching.data_version()
        cursor.execute("DELETE FROM cooperation_dataversion")
        cursor.execute(
            "INSERT INTO cooperation_dataversion (id, number, epoch) VALUES (1, %s, %s)",
            [number, epoch],  # as a data-only restore of a dump would
        )
    assert caching.data_version() != before


def test_a_new_release_never_serves_the_old_pages(client, monkeypatch, tmp_path):
    release = caching.release.__wrapped__
    make_initiative(title_en="Hydrogen corridor")
    client.get("/en/")
    with CaptureQueriesContext(connection) as cached:
        client.get("/en/")
    monkeypatch.setattr(caching, "release", lambda: "the-next-release")
    with CaptureQueriesContext(connection) as recomputed:
        client.get("/en/")
    assert len(cached) == 1 < len(recomputed)
    # The release follows the templates and the translations.
    for folder in ("templates", "locale/fr/LC_MESSAGES", "cooperation"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "templates" / "base.html").write_text("<html>")
    (tmp_path / "locale/fr/LC_MESSAGES/django.mo").write_bytes(b"v1")
    first = release(tmp_path)
    (tmp_path / "templates" / "base.html").write_text("<html lang>")
    second = release(tmp_path)
    (tmp_path / "locale/fr/LC_MESSAGES/django.mo").write_bytes(b"v2")
    third = release(tmp_path)
    assert len({first, second, third}) == 3


# -- The page cache keeps to the addresses the site knows ---------------------------------------


def _stored_pages() -> int:
    return len(caches["pages"]._cache)


def test_invented_parameters_are_not_cached_and_known_ones_are_in_one_order(client):
    make_initiative(title_en="Hydrogen corridor")
    assert client.get("/en/").status_code == 200
    stored = _stored_pages()
    for _ in range(5):
        assert client.get("/en/", {"x": uuid.uuid4().hex}).status_code == 200
        assert client.get("/en/initiatives/", {"utm": uuid.uuid4().hex}).status_code == 200
    assert _stored_pages() == stored
    client.get("/en/initiatives/?kind=dialogue&q=hydrogen")
    stored = _stored_pages()
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/initiatives/?q=hydrogen&kind=dialogue")
    assert _stored_pages() == stored and len(queries) == 1  # the same entry


def test_an_invented_session_cookie_does_not_bypass_the_cache(client, django_user_model):
    client.get("/en/")
    client.cookies["sessionid"] = "not-a-session-at-all"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/").status_code == 200
    assert len(queries) == 2  # the session looked up, the data version; the page from the cache
    client.force_login(django_user_model.objects.create_user("curator", password="x" * 12))
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/")
    assert len(queries) > 3  # a signed-in curator gets the page made for them


# -- HEAD --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/en/", "/fr/initiatives/", "/en/sources/", "/data/areas.csv", "/api/", "/healthz"]
)
def test_head_answers_like_get_without_a_body(client, path, settings):
    settings.PAGE_CACHE = False
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Type"] == client.get(path)["Content-Type"]


# -- The language toggle and filters in either language ------------------------------------------


@pytest.fixture
def filtered():
    energy = make_area(name_en="Energy for AI", slug_en="energy-for-ai", slug_fr="energie-ia")
    org = make_organization(slug_en="korea-gas", slug_fr="societe-coreenne-du-gaz")
    agreement = make_agreement(slug_en="csp", slug_fr="psg")
    lng = make_initiative(title_en="LNG", title_fr="GNL", agreement=agreement)
    lng.areas.add(energy)
    InitiativeParticipant.objects.create(initiative=lng, organization=org)
    make_initiative(title_en="Other", title_fr="Autre")
    return lng


@pytest.mark.usefixtures("filtered")
@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("area=energy-for-ai", "area=energie-ia"),
        ("organization=korea-gas", "organization=societe-coreenne-du-gaz"),
        ("agreement=csp", "agreement=psg"),
        ("q=lng&area=energy-for-ai&page=1", "q=lng&area=energie-ia&page=1"),
    ],
)
def test_the_toggle_writes_the_other_languages_slugs(client, english, french):
    response = client.get(f"/en/initiatives/?{english}")
    assert _titles(response) == ["LNG"]
    toggle = re.search(r'<a href="([^"]+)" lang="fr" hreflang="fr">', response.text).group(1)
    assert html.unescape(toggle) == f"/fr/initiatives/?{french}"
    back = client.get(html.unescape(toggle))
    assert _titles(back) == ["GNL"]
    assert "Certaines valeurs" not in html.unescape(back.text)
    toggle_back = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">', back.text).group(1)
    assert html.unescape(toggle_back) == f"/en/initiatives/?{english}"


@pytest.mark.usefixtures("filtered")
def test_a_slug_in_the_other_language_is_understood_everywhere(client):
    response = client.get("/fr/initiatives/?area=energy-for-ai")
    assert _titles(response) == ["GNL"]
    assert "Certaines valeurs" not in html.unescape(response.text)
    assert 'value="energie-ia" selected' in response.text
    download = client.get("/fr/initiatives/resultats.csv?area=energy-for-ai")
    assert download.status_code == 200 and "GNL" in download.content.decode("utf-8-sig")
    assert (
        client.get("/en/initiatives/results.json?organization=societe-coreenne-du-gaz").json()[
            "count"
        ]
        == 1
    )


def test_the_toggle_of_a_missing_page_leads_to_the_other_home(client):
    for path, other in (("/en/no-such-page/", "/fr/"), ("/fr/initiatives/inconnue/", "/en/")):
        response = client.get(path)
        assert response.status_code == 404
        code = other.strip("/")
        toggle = re.search(rf'<a href="([^"]+)" lang="{code}" hreflang="{code}">', response.text)
        assert toggle.group(1) == other
        assert 'rel="alternate" hreflang' not in response.text  # a missing page has none


# -- The database down: a clear 503 in the visitor's language ----------------------------------


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/en/initiatives/", "The portal is temporarily unavailable"),
        ("/fr/initiatives/", "Le portail est momentanément indisponible"),
    ],
)
def test_a_database_that_does_not_answer_is_a_503_page(client, monkeypatch, path, words):
    from django.db import OperationalError

    import portal.middleware  # noqa: F401

    def down():
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(caching, "data_version", down)
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30" and "no-store" in response["Cache-Control"]
    text = html.unescape(response.content.decode())
    assert words in text and f'<html lang="{path[1:3]}">' in text
    assert "Traceback" not in text and "Connection refused" not in text
    api = client.get("/api/initiatives/", HTTP_ACCEPT_LANGUAGE="fr")
    assert api.status_code == 503 and api.json() == {
        "detail": "Le service est momentanément indisponible."
    }


def test_other_errors_stay_500s(client, monkeypatch):
    def broken():
        raise ValueError("a bug")

    monkeypatch.setattr(caching, "data_version", broken)
    client.raise_request_exception = False
    assert client.get("/en/").status_code == 500
