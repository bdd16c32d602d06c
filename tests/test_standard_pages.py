"""Compressed HTML for clients that ask, but not the pages that carry a CSRF token."""

import gzip
import html
import re

import pytest
from django.urls import reverse

from tests.factories import populate

pytestmark = pytest.mark.django_db

#: Each page's address in English and French, and its title in each language.
PATHS = {
    "about": ("/en/about/", "/fr/a-propos/"),
    "contact": ("/en/contact/", "/fr/contact/"),
    "terms": ("/en/terms/", "/fr/avis/"),
    "privacy": ("/en/privacy/", "/fr/confidentialite/"),
    "accessibility": ("/en/accessibility/", "/fr/accessibilite/"),
}
TITLES = {
    "about": ("About this portal", "À propos du portail"),
    "contact": ("Contact us", "Nous joindre"),
    "terms": ("Terms and conditions", "Avis"),
    "privacy": ("Privacy", "Confidentialité"),
    "accessibility": ("Accessibility", "Accessibilité"),
}
LANGUAGES = ("en", "fr")
SITE = {
    "en": "Canada–Korea AI Co-operation Portal",
    "fr": "Portail de la coopération Canada–Corée en IA",
}


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def toggle(page: str, language: str) -> str:
    match = re.search(rf'<a href="([^"]+)" lang="{language}" hreflang="{language}">', page)
    assert match, "no language toggle"
    return html.unescape(match.group(1))


def meta(page: str, prop: str) -> list[str]:
    return [
        html.unescape(v) for v in re.findall(rf'<meta property="{prop}" content="([^"]*)">', page)
    ]


def canonical(page: str) -> list[str]:
    return re.findall(r'<link rel="canonical" href="([^"]+)">', page)


# -- Compression ---------------------------------------------------------------------------


def test_a_public_page_is_compressed_for_a_client_that_asks(client):
    populate(1)
    plain = client.get("/en/initiatives/")
    assert "Content-Encoding" not in plain
    for attempt in ("computed", "from the page cache"):
        response = client.get("/en/initiatives/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["Content-Encoding"] == "gzip", attempt
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content) == plain.content, attempt
    # The ETag is weak once compressed, and a client that has the page still gets a 304.
    etag = response["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/en/initiatives/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_a_page_with_a_csrf_token_is_not_compressed(client):
    """BREACH: a secret and a visitor's text on one compressed page."""
    records = populate(1)
    path = reverse("feedback:correction", args=["initiatives", records["initiative"].uuid])
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "Content-Encoding" not in response
    # Shown again with the visitor's own text: still not compressed.
    from tests.visitors import correction_data

    refused = client.post(
        path, correction_data(suggestion="", source_url="x"), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert refused.status_code == 400 and "csrfmiddlewaretoken" in refused.content.decode()
    assert "Content-Encoding" not in refused


def test_the_admin_sign_in_page_is_not_compressed(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "Content-Encoding" not in response


def test_downloads_are_compressed_too(client):
    populate(1)
    response = client.get("/data/initiatives.csv", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    plain = client.get("/data/initiatives.csv")
    plain = b"".join(plain.streaming_content) if plain.streaming else plain.content
    assert gzip.decompress(body) == plain
