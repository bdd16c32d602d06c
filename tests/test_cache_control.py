"""Cache-Control for browsers and shared caches (portal.middleware.CacheControlMiddleware):
public, for a while, for what every anonymous visitor gets alike; private for anyone signed
in, the admin, the visitors' forms, errors and addresses the site does not know; and the
Vary and compression that keep a shared cache from mixing them up."""

import gzip

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import populate

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, stale-while-revalidate=300"


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part}


def assert_public(response, address):
    assert response.status_code == 200, address
    assert cache_control(response) == set(PUBLIC.split(", ")), (address, response["Cache-Control"])
    assert "cookie" in vary(response), address


def assert_private(response, address):
    directives = cache_control(response)
    assert "public" not in directives, (address, response.get("Cache-Control"))
    assert not any(
        d.startswith(("max-age=", "s-maxage=")) and d != "max-age=0" for d in directives
    )
    assert "private" in directives or "no-store" in directives, (address, directives)


@pytest.fixture
def records():
    return populate(1)


def public_addresses(records) -> list[str]:
    """Every kind of public answer, in both languages where it has a language."""
    found = []
    for language in ("en", "fr"):
        with translation.override(language):
            found += [
                reverse("cooperation:home"),
                reverse("cooperation:initiative_list"),
                reverse("cooperation:initiative_list") + "?q=energy&page=1",
                reverse("cooperation:search") + "?q=energy",
                reverse("cooperation:search") + "?q=energy&type=initiative",
                reverse("cooperation:feed"),
                reverse("cooperation:about"),
                records["initiative"].url_in(language),
            ]
    return found + ["/api/initiatives/", "/api/initiatives/?page_size=5", "/data/areas.csv"]


@pytest.mark.parametrize("settings_page_cache", [True, False], ids=["page cache", "no page cache"])
def test_anonymous_public_answers_are_public_for_a_while(
    client, records, settings, settings_page_cache
):
    settings.PAGE_CACHE = settings_page_cache
    for address in public_addresses(records):
        for attempt in ("first", "again"):  # computed, then (page cache on) from the cache
            response = client.get(address)
            assert_public(response, f"{address} ({attempt})")


def test_the_french_pages_are_public_in_french(client, records):
    response = client.get("/fr/initiatives/?q=energie")
    assert_public(response, "/fr/initiatives/")
    assert response["Content-Language"] == "fr"
    # The language is in the path: Accept-Language does not change the page.
    assert "accept-language" not in vary(response)


def test_answers_whose_language_is_negotiated_vary_on_accept_language(client, records):
    response = client.get("/api/initiatives/", HTTP_ACCEPT_LANGUAGE="fr")
    assert_public(response, "/api/initiatives/")
    assert "accept-language" in vary(response)


def test_the_settings_come_from_the_environment(client, records, settings):
    from django.test import Client

    settings.PUBLIC_MAX_AGE, settings.PUBLIC_STALE = 600, 30
    response = Client().get("/en/")  # a new client: the middleware reads the settings anew
    assert cache_control(response) == {"public", "max-age=600", "stale-while-revalidate=30"}
    settings.PUBLIC_MAX_AGE = 0
    assert_private(Client().get("/en/"), "/en/ with DJANGO_PUBLIC_MAX_AGE=0")


def test_head_is_public_like_get(client, records):
    for address in ("/en/", "/fr/initiatives/", "/api/initiatives/"):
        head = client.head(address)
        assert head.content == b""
        assert_public(head, address)
        assert head["Cache-Control"] == client.get(address)["Cache-Control"]


def test_a_304_carries_the_same_cache_control(client, records):
    etag = client.get("/en/initiatives/")["ETag"]
    again = client.get("/en/initiatives/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["Cache-Control"] == PUBLIC


def test_signed_in_staff_get_private_answers(client, records, django_user_model):
    client.get("/en/")  # a public copy in the page cache
    user = django_user_model.objects.create_user("curator", password="x" * 12, is_staff=True)
    client.force_login(user)
    for address in public_addresses(records):
        response = client.get(address)
        assert response.status_code == 200, address
        assert cache_control(response) == {"private", "no-cache"}, address
        assert "cookie" in vary(response), address


def test_an_invented_session_cookie_changes_nothing(client, records):
    """Not signed in: the same public page as everyone, which a cache keeps per Cookie."""
    client.cookies["sessionid"] = "not-a-session"
    assert_public(client.get("/en/"), "/en/ with an invented session")


def test_the_admin_is_never_public(client, records, django_user_model):
    assert_private(client.get("/admin/login/"), "/admin/login/")
    assert_private(client.get("/admin/"), "/admin/ (redirect to sign in)")
    client.force_login(django_user_model.objects.create_superuser("boss", password="x" * 12))
    for address in ("/admin/", "/admin/cooperation/initiative/"):
        response = client.get(address)
        assert response.status_code == 200
        assert_private(response, address)
        assert "no-store" in cache_control(response)


def test_the_visitors_forms_are_never_public(client, records):
    path = reverse("feedback:correction", args=["initiatives", records["initiative"].uuid])
    response = client.get(path)
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.text
    assert_private(response, path)
    assert "no-store" in cache_control(response)
    # The Yes/No post and its answer.
    posted = client.post(reverse("feedback:page"), {"page": "/en/", "answer": "yes"})
    assert_private(posted, "feedback post")


def test_errors_are_never_public(client, records):
    for address in ("/en/no-such-page/", "/fr/pas-de-page/", "/en/initiatives/?page=99"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert_private(response, address)
    response = client.get("/api/initiatives/?page_size=abc")
    assert response.status_code == 400
    assert_private(response, "API 400")


def test_unknown_parameters_and_thank_you_pages_are_not_public(client, records):
    """What the page cache would not keep, a shared cache must not keep either."""
    for address in ("/en/?x=1234", "/en/initiatives/?thanks=feedback", "/en/search/?nope=1"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert_private(response, address)


def test_the_search_page_is_kept_by_the_page_cache(client, records):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    address = reverse("cooperation:search") + "?q=energy&type=initiative&page=1"
    first = client.get(address)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(address)
    assert len(queries) == 1  # the data version
    assert again.content == first.content


# -- Compression ---------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["/en/", "/fr/initiatives/?q=energie", "/api/initiatives/"])
def test_public_answers_are_compressed_and_stay_public(client, records, address):
    plain = client.get(address)
    assert "Content-Encoding" not in plain
    for attempt in ("computed", "from the page cache"):
        response = client.get(address, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["Content-Encoding"] == "gzip", attempt
        assert {"accept-encoding", "cookie"} <= vary(response), attempt
        assert_public(response, address)
        assert gzip.decompress(response.content) == plain.content
    etag = response["ETag"]
    assert etag.startswith('W/"')  # weak once compressed
    again = client.get(address, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["Cache-Control"] == PUBLIC


def test_a_form_with_a_csrf_token_is_neither_compressed_nor_public(client, records):
    path = reverse("feedback:correction", args=["initiatives", records["initiative"].uuid])
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert "csrfmiddlewaretoken" in response.text
    assert "Content-Encoding" not in response
    assert_private(response, path)
