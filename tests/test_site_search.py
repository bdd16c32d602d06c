"""The site-wide search: every record type, both languages, the type as a facet, the same
matching as the initiative search, nothing unpublished, no 500, constant queries; and the
header's search box and navigation on every page."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cooperation.models import CooperationArea, Recommendation
from tests.factories import (
    make_agreement,
    make_area,
    make_initiative,
    make_organization,
    make_recommendation,
    make_source,
)

pytestmark = pytest.mark.django_db


def search_url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("cooperation:search")


def results(client, params, language="en") -> list[str]:
    """The titles of the results shown, in order."""
    response = client.get(search_url(language), params)
    assert response.status_code == 200
    return [
        html.unescape(re.sub(r"<[^>]+>", "", title))
        for title in re.findall(r'<h2 class="result-title"><a [^>]+>(.*?)</a></h2>', response.text)
    ]


def test_the_search_addresses_are_translated():
    assert search_url("en") == "/en/search/"
    assert search_url("fr") == "/fr/recherche/"


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(("language", "word"), [("en", "hydrogen"), ("fr", "hydrogène")])
def test_hydrogen_finds_the_area_and_the_recommendation_that_discuss_it(client, language, word):
    found = results(client, {"q": word}, language)
    with translation.override(language):
        recommendation = Recommendation.objects.get(slug_en__contains="hydrogen")
        area = CooperationArea.objects.get(slug_en="energy-for-ai")
        assert str(recommendation) in found
        assert str(area) in found


@pytest.mark.usefixtures("shipped_content")
def test_the_count_repeats_the_query_and_the_facet_counts_each_type(client):
    page = html.unescape(client.get(search_url("en"), {"q": "hydrogen"}).text)
    total = len(results(client, {"q": "hydrogen"}))
    assert f"{total} results for “hydrogen”" in page
    facet = page[page.index('class="type-facet"') :]
    assert f"All types</span> ({total})" in facet
    assert re.search(r">Recommendations</a> \(\d+\)", facet)
    french = html.unescape(client.get(search_url("fr"), {"q": "hydrogène"}).text)
    assert re.search(r"\d+ résultats? pour «\xa0hydrogène\xa0»", french)


def test_every_record_type_is_found_and_the_type_facet_narrows(client):
    make_initiative(title_en="Quantum initiative", title_fr="Initiative quantique")
    make_agreement(title_en="Quantum agreement", title_fr="Entente quantique")
    make_organization(name_en="Quantum organization", name_fr="Organisation quantique")
    make_recommendation(title_en="Quantum recommendation", title_fr="Recommandation quantique")
    make_area(name_en="Quantum area", name_fr="Domaine quantique")
    make_source(title_en="Quantum source", title_fr="Source quantique")
    assert sorted(results(client, {"q": "quantum"})) == [
        "Quantum agreement",
        "Quantum area",
        "Quantum initiative",
        "Quantum organization",
        "Quantum recommendation",
        "Quantum source",
    ]
    assert results(client, {"q": "quantum", "type": "agreements"}) == ["Quantum agreement"]
    # French words find English pages' records and the reverse.
    assert len(results(client, {"q": "quantique"}, "en")) == 6
    page = client.get(search_url(), {"q": "quantum", "type": "agreements"}).text
    assert '<span aria-current="true">Agreements</span> (1)' in page
    assert 'href="?q=quantum"' in page  # back to all types


def test_unpublished_records_are_never_found_or_counted(client):
    make_initiative(published=False, title_en="Secret quantum plan", title_fr="Plan secret")
    make_agreement(published=False, title_en="Secret quantum pact", title_fr="Pacte secret")
    make_organization(published=False, name_en="Secret quantum lab", name_fr="Labo secret")
    make_source(published=False, title_en="Secret quantum memo", title_fr="Note secrète")
    make_area(name_en="Quantum area", name_fr="Domaine quantique")
    assert results(client, {"q": "quantum"}) == ["Quantum area"]
    page = client.get(search_url(), {"q": "secret"}).text
    assert "Secret" not in page.replace("secret”", "")


def test_or_and_french_ou_accept_either_word(client):
    make_area(name_en="Hydrogen area", name_fr="Domaine hydrogène")
    make_organization(name_en="Tenstorrent Inc", name_fr="Tenstorrent inc.")
    for language, query in (("en", "hydrogen or tenstorrent"), ("fr", "hydrogène ou tenstorrent")):
        assert len(results(client, {"q": query}, language)) == 2, query
    assert results(client, {"q": "hydrogen tenstorrent"}) == []


def test_a_typo_finds_close_matches_and_says_so(client):
    make_organization(name_en="Tenstorrent Inc", name_fr="Tenstorrent inc.")
    response = client.get(search_url(), {"q": "Tenstorent"})
    assert "Tenstorrent Inc" in response.text
    assert "Nothing contains “Tenstorent”; here are close matches." in html.unescape(response.text)


def test_results_are_cards_with_labelled_badges_and_highlighted_words(client):
    organization = make_organization(name_en="Quantum Lab", name_fr="Labo quantique")
    initiative = make_initiative(
        title_en="Quantum sensing",
        title_fr="Détection quantique",
        start_date="2024-05-01",
        start_date_precision="month",
        funding_amount="4000000",
        funding_currency="CAD",
    )
    initiative.participations.create(organization=organization, role="lead")
    page = html.unescape(client.get(search_url(), {"q": "quantum", "type": "initiatives"}).text)
    card = page[page.index('class="result-card"') :]
    assert (
        '<span class="badge badge-type"><span class="visually-hidden">Type: </span>Initiative'
        in card
    )
    assert '<span class="badge-label">Start:</span> May 2024' in card
    assert '<span class="badge-label">Funding:</span> C$4 million' in card
    assert "Quantum Lab (lead)" in card
    assert "<mark>Quantum</mark> sensing" in card


def test_empty_fields_are_dropped_from_the_address(client):
    response = client.get(search_url(), {"q": "hydrogen", "type": ""})
    assert response.status_code == 302
    assert response["Location"] == "/en/search/?q=hydrogen"
    response = client.get("/en/initiatives/", {"q": "energy", "area": "", "sort": ""})
    assert response.status_code == 302
    assert response["Location"] == "/en/initiatives/?q=energy"


def test_a_typed_search_on_the_initiatives_page_is_ranked_by_relevance(client):
    page = client.get("/en/initiatives/").text
    select = page[
        page.index('<select name="sort"') : page.index(
            "</select>", page.index('<select name="sort"')
        )
    ]
    # Nothing chosen: the default option, which is relevance once words are typed.
    assert '<option value="">Best match' in select and "selected" not in select
    make_initiative(title_en="Old energy item", title_fr="Vieux", start_date="2010-01-01")
    make_initiative(
        title_en="Fresh", title_fr="Frais", summary_en="energy", start_date="2024-01-01"
    )
    titles = re.findall(
        r'<h2 class="result-title"><a [^>]+>(.*?)</a>',
        client.get("/en/initiatives/", {"q": "energy"}).text,
    )
    assert re.sub(r"<[^>]+>", "", titles[0]) == "Old energy item"  # in the title: ranks first


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00\x01\x02"},
        {"q": "x" * 100_000},
        {"q": "'; DROP TABLE cooperation_initiative; --"},
        {"q": '"unclosed'},
        {"q": "-"},
        {"q": "or or ou"},
        {"q": "quantum", "type": "bogus"},
        {"q": "quantum", "type": ["a", "b"]},
        {"q": "<script>alert(1)</script>"},
    ],
)
def test_no_input_gives_a_server_error(client, params):
    response = client.get(search_url(), params)
    assert response.status_code in (200, 302)
    assert "<script>alert" not in response.text


def test_a_page_past_the_end_is_not_found(client):
    make_area(name_en="Quantum area", name_fr="Domaine quantique")
    assert client.get(search_url(), {"q": "quantum", "page": "99"}).status_code == 404
    assert client.get(search_url(), {"q": "quantum", "page": "abc"}).status_code == 404


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(search_url(), params).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(client):
    def add(n):
        for i in range(n):
            make_initiative(title_en=f"Quantum {i}", title_fr=f"Quantique {i}")
            make_organization(name_en=f"Quantum org {i}", name_fr=f"Org quantique {i}")

    add(2)
    few = count_queries(client, {"q": "quantum"})
    add(12)
    assert count_queries(client, {"q": "quantum"}) == few


# -- The header, on every page ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_has_the_search_box_the_menu_and_marks_its_section(client, language):
    agreement = make_agreement()
    with translation.override(language):
        pages = [
            f"/{language}/",
            reverse("cooperation:agreement_list"),
            agreement.url_in(language),
        ]
        agreements = reverse("cooperation:agreement_list")
    for url in pages:
        page = client.get(url).text
        assert f'<form class="header-search" method="get" action="{search_url(language)}"' in page
        assert '<details class="nav-menu">' in page  # the phone menu, without JavaScript
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', page)
        if url == f"/{language}/":
            assert current == []
        else:
            assert current == [agreements, agreements]  # the bar and the menu


def test_organizations_sort_case_and_accents_aside(client):
    for name in ("Institut Vecteur", "institut canadien", "École de Montréal", "Zeta", "Alpha"):
        make_organization(name_en=name, name_fr=name)
    page = client.get("/fr/organisations/").text
    shown = [
        name
        for name in re.findall(r'<a href="/fr/organisations/[^"]+/">([^<]+)</a>', page)
        if name in {"Institut Vecteur", "institut canadien", "École de Montréal", "Zeta", "Alpha"}
    ]
    assert shown == ["Alpha", "École de Montréal", "institut canadien", "Institut Vecteur", "Zeta"]


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(
    ("language", "query"), [("en", "Track 1.5"), ("fr", "dialogue de type 1,5")]
)
def test_a_decimal_number_is_searched_as_it_is_written(client, language, query):
    """ "1.5" (and the French "1,5") is one term, as the index holds it: the July 2025 dialogue
    comes first, on the site search and the initiative search."""
    from cooperation.models import Initiative

    dialogue = Initiative.objects.get(slug_en="track-1-5-dialogue-on-artificial-intelligence")
    with translation.override(language):
        title = str(dialogue)
        initiatives = reverse("cooperation:initiative_list")
    assert results(client, {"q": query}, language)[0] == title
    page = client.get(initiatives, {"q": query}).text
    first = re.search(r'<h2 class="result-title"><a [^>]+>(.*?)</a>', page).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", first)) == title
