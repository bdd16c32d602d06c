"""The public site as a visitor meets it: every page type, both languages, constant queries."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cooperation.models import (
    Initiative,
    InitiativeParticipant,
    Organization,
)
from cooperation.templatetags.portal import money
from tests.factories import (
    make_agreement,
    make_area,
    make_initiative,
    make_organization,
    make_recommendation,
    make_source,
    populate,
)

pytestmark = pytest.mark.django_db


PAGE_TYPES = [
    "/{lang}/",
    "areas",
    "initiatives",
    "agreements",
    "organizations",
    "recommendations",
    "sources",
    "search",
    "area",
    "initiative",
    "agreement",
    "organization",
    "recommendation",
]
LIST_PATHS = {
    "areas": {"en": "/en/areas/", "fr": "/fr/domaines/"},
    "initiatives": {"en": "/en/initiatives/", "fr": "/fr/initiatives/"},
    "agreements": {"en": "/en/agreements/", "fr": "/fr/ententes/"},
    "organizations": {"en": "/en/organizations/", "fr": "/fr/organisations/"},
    "recommendations": {"en": "/en/recommendations/", "fr": "/fr/recommandations/"},
    "sources": {"en": "/en/sources/", "fr": "/fr/sources/"},
    "search": {"en": "/en/search/", "fr": "/fr/recherche/"},
}


def page_url(page_type: str, language: str, records: dict) -> str:
    if page_type == "/{lang}/":
        return f"/{language}/"
    if page_type in LIST_PATHS:
        return LIST_PATHS[page_type][language]
    return records[page_type].url_in(language)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page_type", PAGE_TYPES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_type_has_one_h1_landmarks_and_its_language(client, page_type, language):
    records = populate(1)
    response = client.get(page_url(page_type, language, records))
    text = response.text
    assert text.count("<h1") == 1
    assert f'<html lang="{language}">' in text
    for landmark in ("<header", "<nav", '<main id="main"', "<footer", 'class="skip-link"'):
        assert landmark in text
    if page_type != "/{lang}/":
        assert 'class="breadcrumbs"' in text


@pytest.mark.parametrize("page_type", PAGE_TYPES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_toggle_round_trip_lands_on_the_same_page(client, page_type, language):
    records = populate(1)
    other = "fr" if language == "en" else "en"
    start = page_url(page_type, language, records) + "?page=1&x=%C3%A9t%C3%A9"
    response = client.get(start)
    toggle = re.search(
        rf'<a href="([^"]+)" lang="{other}" hreflang="{other}">([^<]+)</a>', response.text
    )
    assert toggle, "no language toggle"
    assert toggle.group(2) == {"en": "English", "fr": "Français"}[other]
    target = html.unescape(toggle.group(1))
    assert target == page_url(page_type, other, records) + "?page=1&x=%C3%A9t%C3%A9"
    back = client.get(target)
    assert back.status_code == 200
    assert f'<html lang="{other}">' in back.text
    toggle_back = re.search(
        rf'<a href="([^"]+)" lang="{language}" hreflang="{language}">', back.text
    )
    assert html.unescape(toggle_back.group(1)) == start


def test_dates_and_amounts_are_written_for_the_language(client):
    initiative = make_initiative(
        start_date=datetime.date(2025, 7, 9),
        start_date_precision="day",
        funding_amount=Decimal("2400000000"),
        funding_currency="CAD",
    )
    english = client.get(initiative.url_in("en")).text
    french = client.get(initiative.url_in("fr")).text
    assert "9 July 2025" in english and "C$2.4 billion" in english
    assert "July 9, 2025" not in english  # one style: day, month in full, year
    assert "9 juillet 2025" in french and "2,4\xa0milliards\xa0$\xa0CA" in french


@pytest.mark.parametrize(
    ("amount", "currency", "english", "french"),
    [
        ("693000000", "USD", "US$693 million", "693\xa0millions\xa0$\xa0US"),
        ("40000000000", "CAD", "C$40 billion", "40\xa0milliards\xa0$\xa0CA"),
        ("1500000000", "CAD", "C$1.5 billion", "1,5\xa0milliard\xa0$\xa0CA"),
        ("125000", "CAD", "C$125,000", "125\xa0000\xa0$\xa0CA"),
    ],
)
def test_money_is_formatted_per_language(amount, currency, english, french):
    with translation.override("en"):
        assert money(Decimal(amount), currency) == english
    with translation.override("fr"):
        assert money(Decimal(amount), currency) == french


def test_a_date_known_only_to_the_month_is_shown_so(client):
    agreement = make_agreement(
        date_signed=datetime.date(2016, 12, 1), date_signed_precision="month"
    )
    assert "December 2016" in client.get(agreement.url_in("en")).text
    assert "décembre 2016" in client.get(agreement.url_in("fr")).text


def test_the_agreement_timeline_groups_by_year_newest_first(client):
    make_agreement(
        title_en="Old one", date_signed=datetime.date(2014, 1, 1), date_signed_precision="year"
    )
    make_agreement(
        title_en="New one", date_signed=datetime.date(2024, 7, 1), date_signed_precision="month"
    )
    make_agreement(title_en="Undated one")
    page = client.get("/en/agreements/").text
    text = page[page.index('id="agreement-list-heading"') :]  # the list, after the chart
    assert text.index("2024") < text.index("New one") < text.index("2014") < text.index("Old one")
    assert text.index("Old one") < text.index("Date not stated") < text.index("Undated one")


def test_organizations_filter_by_country_and_kind(client):
    make_organization(name_en="Korean company", country="KR", kind="company")
    make_organization(name_en="Canadian university", country="CA", kind="university")
    text = client.get("/en/organizations/?country=KR").text
    assert "Korean company" in text and "Canadian university" not in text
    text = client.get("/en/organizations/?kind=university").text
    assert "Canadian university" in text and "Korean company" not in text
    text = client.get("/fr/organisations/?country=CA").text
    assert "Canada" in text


@pytest.mark.parametrize(
    "query", ["?country=ZZ", "?kind=%3Cscript%3E", "?country=KR&country=CA", "?kind=" + "x" * 5000]
)
def test_unknown_filter_values_get_a_clear_message_not_an_error(client, query):
    make_organization(name_en="Some organization")
    response = client.get("/en/organizations/" + query)
    assert response.status_code == 200
    assert "Some filter values were not understood" in response.text
    assert "<script>" not in response.text
    french = client.get("/fr/organisations/" + query)
    assert "Certaines valeurs de filtre n" in html.unescape(french.text)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "2"])
def test_absurd_page_numbers_are_a_404_in_the_visitors_language(client, page):
    make_initiative()
    response = client.get(f"/fr/initiatives/?page={page}")
    assert response.status_code == 404
    assert "Nous n" in html.unescape(response.text)
    assert '<html lang="fr">' in response.text


def test_pagination_keeps_the_other_parameters(client):
    area = make_area()
    for _ in range(25):
        make_initiative().areas.add(area)
    response = client.get(f"/en/initiatives/?area={area.slug_en}")
    assert "25 initiatives" in response.text
    assert f'href="?area={area.slug_en}&amp;page=2"' in response.text
    assert client.get(f"/en/initiatives/?area={area.slug_en}&page=2").status_code == 200


def test_recommendations_group_by_area_and_by_audience(client):
    area = make_area(name_en="Energy for AI")
    recommendation = make_recommendation(title_en="Ship LNG", audience="industry")
    recommendation.areas.add(area)
    by_area = client.get("/en/recommendations/").text
    assert by_area.index("Energy for AI") < by_area.index("Ship LNG")
    by_audience = client.get("/en/recommendations/?by=audience").text
    assert by_audience.index("Industry") < by_audience.index("Ship LNG")


def test_sources_say_what_cites_them(client):
    source = make_source(title_en="Background note")
    initiative = make_initiative(source=source, title_en="Cited initiative")
    text = client.get("/en/sources/").text
    assert "Background note" in text and "Cited initiative" in text
    assert initiative.get_absolute_url() in text


def test_every_record_page_shows_its_date_modified(client):
    initiative = make_initiative()
    Initiative.objects.filter(pk=initiative.pk).update(
        modified=datetime.datetime(2025, 7, 9, 12, tzinfo=datetime.UTC)
    )
    # ISO 8601, as on Canada.ca, in both languages.
    english = client.get(initiative.url_in("en")).text
    assert 'Date modified: <time datetime="2025-07-09">2025-07-09</time>' in english
    french = client.get(initiative.url_in("fr")).text
    assert '<time datetime="2025-07-09">2025-07-09</time>' in french


def test_the_sitemap_lists_published_pages_with_hreflang_alternates(client):
    initiative = make_initiative(slug_en="on-ai", slug_fr="sur-l-ia")
    make_initiative(published=False, slug_en="secret", slug_fr="secret-fr")
    text = client.get("/sitemap.xml").text
    assert "http://testserver/en/initiatives/on-ai/" in text
    assert "http://testserver/fr/initiatives/sur-l-ia/" in text
    assert 'hreflang="fr" href="http://testserver/fr/initiatives/sur-l-ia/"' in text
    assert 'hreflang="x-default"' in text
    assert "secret" not in text
    assert initiative.url_in("en") == "/en/initiatives/on-ai/"


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
    assert "Disallow: /admin/" in response.text


@pytest.mark.parametrize(("accept", "phrase"), [("fr", "Nous n"), ("en", "We could not find")])
def test_not_found_pages_speak_the_visitors_language(client, accept, phrase):
    response = client.get(f"/{accept}/no-such-page/")
    assert response.status_code == 404
    assert phrase in html.unescape(response.text)


def test_the_server_error_page_speaks_the_visitors_language():
    from django.template.loader import render_to_string

    with translation.override("fr"):
        page = render_to_string("500.html")
    assert '<html lang="fr">' in page and "Une erreur s" in html.unescape(page)


def test_korean_names_in_the_organization_list_are_marked(client):
    make_organization(name_ko="네이버")
    assert '<span lang="ko">네이버</span>' in client.get("/en/organizations/").text


def test_a_published_organization_country_filter_lists_only_present_countries(client):
    make_organization(country="KR")
    make_organization(published=False, country="JP")
    text = client.get("/en/organizations/").text
    assert 'value="KR"' in text and 'value="JP"' not in text
    assert Organization.objects.count() == 2


def test_an_organization_with_two_roles_is_listed_once_with_both(client):
    initiative = make_initiative()
    organization = make_organization(name_en="Korea Gas Corporation")
    for role in ("partner", "investor"):
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=organization, role=role
        )
    text = client.get(initiative.url_in("en")).text
    assert text.count(">Korea Gas Corporation</a>") == 1
    assert "Investor, Partner" in text
