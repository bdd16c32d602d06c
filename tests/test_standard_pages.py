"""The standard pages of a Government of Canada site (About, Contact, Terms and conditions,
Privacy, Accessibility) in both languages, the footer that links them from every page, the
404 page's search, the Open Graph and canonical tags, and compressed HTML (but not the pages
that carry a CSRF token)."""

import gzip
import html
import re

import pytest
from django.urls import resolve, reverse
from django.utils import translation

from cooperation.opendata import LICENCE_URL, in_language
from cooperation.views import STANDARD_PAGES as PAGES
from tests.factories import STANDARD_PAGES, populate

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


def test_the_tests_know_every_standard_page():
    assert set(PATHS) == set(STANDARD_PAGES) == set(PAGES)


@pytest.mark.parametrize("name", STANDARD_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_standard_page_in_each_language(
    client, django_assert_max_num_queries, name, language
):
    index = LANGUAGES.index(language)
    other = LANGUAGES[1 - index]
    path = PATHS[name][index]
    with translation.override(language):
        assert reverse(f"cooperation:{name}") == path
    with django_assert_max_num_queries(3):
        response = client.get(path)
    assert response.status_code == 200
    page = text_of(response)
    assert f'<html lang="{language}">' in page
    title = TITLES[name][index]
    assert f"<title>{title} — {SITE[language]}</title>" in page
    assert page.count("<h1") == 1 and f"<h1>{title}</h1>" in page
    # The toggle goes to the same page in the other language, and back.
    assert toggle(page, other) == PATHS[name][1 - index]
    back = text_of(client.get(PATHS[name][1 - index]))
    assert toggle(back, language) == path
    # Asked whether the visitor found what they were looking for, like every page.
    assert 'id="page-feedback"' in page


@pytest.mark.parametrize("name", STANDARD_PAGES)
def test_the_english_and_french_texts_say_the_same_things(client, name):
    """The two bodies are written apart: they must have the same sections and the same links."""

    def outline(path: str):
        page = text_of(client.get(path))
        body = page[page.index("<h1") : page.index('<div class="page-end">')]
        sections = len(re.findall(r"<h2[ >]", body))
        links = []
        for href in re.findall(r'<a href="([^"]+)"', body):
            if href.startswith("/"):
                with translation.override(href[1:3]):
                    href = resolve(href).view_name
            links.append(href)
        return sections, links

    english, french = (outline(path) for path in PATHS[name])
    assert english[0] > 1
    assert english[0] == french[0]
    # The licence's address is per language; every other link is the same page.
    normalize = {in_language(LICENCE_URL, code): "licence" for code in LANGUAGES}
    assert [normalize.get(h, h) for h in english[1]] == [normalize.get(h, h) for h in french[1]]


def test_french_typography_on_the_french_pages(client):
    for path in (french for _english, french in PATHS.values()):
        body = client.get(path).content.decode()
        body = body[body.index("<h1") : body.index('<div class="page-end">')]
        text = re.sub(r"<[^>]+>|\{[^}]*\}", "", body)
        assert " :" not in text and "« " not in text and " »" not in text, path
        assert " ?" not in text and "\u00a0?" not in text, path


def test_the_privacy_page_gives_the_retention_period_in_force(client, settings):
    import datetime

    settings.FEEDBACK_RETENTION = datetime.timedelta(days=90)
    assert "deleted 90 days after they were received" in text_of(client.get("/en/privacy/"))
    assert "supprimés 90 jours après leur réception" in text_of(client.get("/fr/confidentialite/"))


def test_no_cookie_while_reading_only_the_csrf_cookie_on_a_form(client):
    """What the Privacy page says about cookies."""
    records = populate(1)
    for path in [
        "/en/",
        "/fr/a-propos/",
        records["initiative"].url_in("fr"),
        "/en/initiatives/?q=x",
    ]:
        assert not client.get(path).cookies, path
    record = records["initiative"]
    form = client.get(reverse("feedback:correction", args=["initiatives", record.uuid]))
    assert list(form.cookies) == ["csrftoken"]


# -- Who publishes it ----------------------------------------------------------------------


def test_no_publisher_is_named_until_one_is_set(client):
    about = text_of(client.get("/en/about/"))
    assert "Published by" not in about
    assert "The portal is maintained by its curators" in about
    assert "Publié par" not in text_of(client.get("/fr/a-propos/"))


def test_the_publisher_is_named_in_each_language_once_set(client, settings):
    settings.PORTAL_PUBLISHER = {"en": "Example Agency", "fr": "Agence exemple"}
    about = text_of(client.get("/en/about/"))
    assert "The portal is published by Example Agency." in about
    assert "Published by Example Agency" in text_of(client.get("/en/initiatives/"))
    assert "Le portail est publié par Agence exemple." in text_of(client.get("/fr/a-propos/"))
    assert "Publié par Agence exemple" in text_of(client.get("/fr/"))


def test_a_publisher_in_one_language_only_is_refused():
    from tests.test_settings import load_settings

    result = load_settings(DJANGO_DEBUG="true", PORTAL_PUBLISHER_EN="Example Agency")
    assert result.returncode != 0
    assert "PORTAL_PUBLISHER_EN and PORTAL_PUBLISHER_FR together" in result.stderr


# -- The footer ----------------------------------------------------------------------------


def page_types(records: dict, language: str) -> dict[str, str]:
    """One address of every kind of page a visitor meets, in `language`."""
    with translation.override(language):
        pages = {
            "home": reverse("cooperation:home"),
            "list": reverse("cooperation:initiative_list") + "?q=energy",
            "open data": reverse("cooperation:open_data"),
            "standard page": reverse("cooperation:privacy"),
            "not found": f"/{language}/no-such-page/",
            "correction form": reverse(
                "feedback:correction", args=["initiatives", records["initiative"].uuid]
            ),
        }
    for kind in ("area", "initiative", "agreement", "organization", "recommendation"):
        pages[kind] = records[kind].url_in(language)
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_links_the_standard_pages_from_every_page(client, language):
    records = populate(1)
    with translation.override(language):
        links = [reverse(f"cooperation:{name}") for name in STANDARD_PAGES]
        links += [reverse("cooperation:source_list"), reverse("cooperation:open_data")]
        links += [reverse("cooperation:feed"), reverse("sitemap")]
        report = translation.gettext("Report a problem on this page")
    for kind, path in page_types(records, language).items():
        page = client.get(path).content.decode()
        footer = page[page.index('<footer class="site-footer">') :]
        for link in links:
            assert f'<a href="{link}"' in footer, (kind, link)
        # "Report a problem" leads to the page's own feedback, where the page has one.
        has_feedback = 'id="page-feedback"' in page
        assert has_feedback == (kind not in ("not found", "correction form")), kind
        assert (f'<a href="#page-feedback">{html.escape(report)}</a>' in footer) == has_feedback


# -- Not found -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "accept", "language"),
    [
        ("/en/no-such-page/", "fr", "en"),
        ("/fr/pas-de-page/", "en", "fr"),
        ("/no-prefix/", "fr", "fr"),
        ("/no-prefix/", "en", "en"),
        ("/fr/initiatives/no-such-initiative/", "en", "fr"),
    ],
)
def test_the_404_page_offers_a_search_in_the_visitors_language(client, path, accept, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 404
    page = text_of(response)
    assert f'<html lang="{language}">' in page
    with translation.override(language):
        search = reverse("cooperation:search")
        sections = [
            reverse(f"cooperation:{name}")
            for name in ("home", "area_list", "agreement_list", "organization_list", "source_list")
        ]
        label = translation.gettext("Search the portal")
    form = re.search(
        r'<form method="get" action="([^"]+)" role="search"[^>]*>(.*?)</form>', page, re.S
    )
    assert form and form.group(1) == search
    assert 'name="q"' in form.group(2) and f">{label}</label>" in form.group(2)
    for section in sections:
        assert f'<a href="{section}">' in page
    # Nothing to call canonical, nor to share.
    assert not canonical(page) and not meta(page, "og:url")


def test_the_404_search_leads_to_results(client):
    page = text_of(client.get("/fr/pas-de-page/"))
    action = re.search(r'<form method="get" action="([^"]+)" role="search"', page).group(1)
    response = client.get(action, {"q": "énergie"})
    assert response.status_code == 200 and '<html lang="fr">' in response.text


# -- Open Graph and canonical --------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_absolute_open_graph_and_canonical_tags(client, language):
    records = populate(1)
    other = LANGUAGES[1 - LANGUAGES.index(language)]
    for kind, path in page_types(records, language).items():
        if kind in ("not found", "correction form"):
            continue
        page = client.get(path).content.decode()
        own = "http://testserver" + path.split("?")[0]
        assert canonical(page) == [own], kind
        assert meta(page, "og:url") == [own], kind
        assert meta(page, "og:type") == ["website"]
        assert meta(page, "og:site_name") == [SITE[language]]
        assert meta(page, "og:locale") == [f"{language}_CA"]
        assert meta(page, "og:locale:alternate") == [f"{other}_CA"]
        (title,) = meta(page, "og:title")
        (description,) = meta(page, "og:description")
        assert title and description, kind
        document_title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
        if kind != "home":
            # The page's own title, without the site's name (og:site_name says it).
            assert document_title == f"{title} — {SITE[language]}", kind
    record = records["initiative"]
    page = client.get(record.url_in(language)).content.decode()
    assert meta(page, "og:title") == [getattr(record, f"title_{language}")]
    assert meta(page, "og:description") == [getattr(record, f"summary_{language}")]


def test_a_filtered_list_is_canonical_to_the_list_itself(client):
    populate(1)
    page = client.get("/fr/initiatives/?q=%C3%A9nergie&sort=title&page=1").content.decode()
    assert canonical(page) == ["http://testserver/fr/initiatives/"]
    # The search words are in the title a visitor shares, not in the address.
    assert meta(page, "og:url") == ["http://testserver/fr/initiatives/"]


def test_a_text_with_quotes_and_markup_is_escaped_once_in_the_tags(client):
    records = populate(1)
    initiative = records["initiative"]
    initiative.summary_en = 'A "quoted" <b>bold</b> & summary'
    initiative.save()
    page = client.get(initiative.url_in("en")).content.decode()
    assert (
        '<meta property="og:description" content="A &quot;quoted&quot; &lt;b&gt;bold&lt;/b&gt; '
        '&amp; summary">'
    ) in page


def test_the_canonical_follows_the_scheme_and_host_it_was_asked_on(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example"]
    page = client.get("/en/about/", HTTP_HOST="portal.example", secure=True).content.decode()
    assert canonical(page) == ["https://portal.example/en/about/"]


# -- Sitemap -------------------------------------------------------------------------------


def test_the_sitemap_lists_the_standard_pages_in_both_languages(client):
    text = client.get("/sitemap.xml").text
    for english, french in PATHS.values():
        assert f"<loc>http://testserver{english}</loc>" in text
        assert f'hreflang="fr" href="http://testserver{french}"' in text


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
