"""The public side: both languages, published records only, a toggle to the same page."""

import pytest
from django.urls import reverse
from django.utils import translation

from cooperation.models import Agreement, CooperationArea, Initiative, Organization, Recommendation
from tests.factories import MAKERS, cite, make_initiative, make_organization, make_source

pytestmark = pytest.mark.django_db

RECORDS = [CooperationArea, Organization, Agreement, Initiative, Recommendation]


def url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_detail_pages_exist_in_both_languages_with_their_sources(client, model, language):
    source = make_source(title_en="The background note", title_fr="La note d’information")
    record = MAKERS[model](source=source)
    response = client.get(record.url_in(language))
    assert response.status_code == 200
    label = getattr(record, f"{model.label_field}_{language}")
    assert f"<h1>{label}</h1>" in response.text
    assert (source.title_en if language == "en" else source.title_fr) in response.text
    assert ("Paragraph 1" if language == "en" else "Paragraphe 1") in response.text


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_unpublished_records_have_no_page(client, model):
    record = MAKERS[model](published=False)
    for language in ("en", "fr"):
        assert client.get(record.url_in(language)).status_code == 404
    published = MAKERS[model]()
    published.unpublish()
    assert client.get(published.url_in("en")).status_code == 404


def test_a_slug_from_the_other_language_is_not_found(client):
    initiative = make_initiative(slug_en="english-slug", slug_fr="slug-francais")
    assert client.get("/en/initiatives/english-slug/").status_code == 200
    assert client.get("/fr/initiatives/slug-francais/").status_code == 200
    assert client.get("/en/initiatives/slug-francais/").status_code == 404
    assert initiative.url_in("fr") == "/fr/initiatives/slug-francais/"


def test_record_pages_translate_their_path_and_slug():
    organization = make_organization(slug_en="korea-gas-corporation", slug_fr="societe-coreenne")
    assert organization.url_in("en") == "/en/organizations/korea-gas-corporation/"
    assert organization.url_in("fr") == "/fr/organisations/societe-coreenne/"


def test_the_toggle_goes_to_the_same_record_in_the_other_language(client):
    initiative = make_initiative(slug_en="dialogue-on-ai", slug_fr="dialogue-sur-l-ia")
    response = client.get("/en/initiatives/dialogue-on-ai/?page=2")
    assert (
        '<a href="/fr/initiatives/dialogue-sur-l-ia/?page=2" lang="fr" hreflang="fr">Français</a>'
        in response.text
    )
    back = client.get(initiative.url_in("fr"))
    assert '<a href="/en/initiatives/dialogue-on-ai/" lang="en" hreflang="en">English</a>' in (
        back.text
    )


def test_the_toggle_on_a_list_page_keeps_the_query_string(client):
    response = client.get("/en/agreements/?q=energy")
    assert 'href="/fr/ententes/?q=energy" lang="fr" hreflang="fr">Français</a>' in response.text


def test_pages_declare_their_alternates(client):
    response = client.get("/fr/domaines/")
    for hreflang, path in (
        ("en", "/en/areas/"),
        ("fr", "/fr/domaines/"),
        ("x-default", "/en/areas/"),
    ):
        assert f'rel="alternate" hreflang="{hreflang}" href="http://testserver{path}"' in (
            response.text
        )


@pytest.mark.parametrize(
    ("accept", "target"),
    [("fr-CA,fr;q=0.9", "/fr/"), ("en-CA", "/en/"), ("ko", "/en/"), ("", "/en/")],
)
def test_the_root_redirects_by_accept_language(client, accept, target):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == target


def test_korean_names_are_marked_as_korean(client):
    organization = make_organization(name_ko="한국가스공사")
    response = client.get(organization.url_in("en"))
    assert '<dd lang="ko">한국가스공사</dd>' in response.text


def test_a_source_in_another_language_says_so(client):
    source = make_source(language="fr")
    initiative = make_initiative(source=source)
    response = client.get(initiative.url_in("en"))
    assert "This document is not in the language of this page." in response.text


def test_the_sources_page_lists_a_bounded_number_of_citing_records(client):
    from cooperation.views import RELATED_LIMIT

    source = make_source(title_en="Much cited")
    for n in range(RELATED_LIMIT + 5):
        make_initiative(title_en=f"Citing initiative {n:02}", source=source)
    cite(make_initiative(published=False, title_en="Citing draft"), source)
    html = client.get("/en/sources/").text
    assert f"Cited by {RELATED_LIMIT + 5} records" in html
    assert html.count("Citing initiative") == RELATED_LIMIT
    assert "and 5 more records" in html
    assert "Citing draft" not in html


def test_an_organization_with_two_roles_in_an_initiative_lists_it_once(client):
    from cooperation.models import InitiativeParticipant

    organization = make_organization(name_en="KOGAS")
    initiative = make_initiative(title_en="LNG Canada")
    for role in ("partner", "investor"):
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=organization, role=role
        )
    text = client.get(organization.url_in("en")).text
    assert "Initiatives (1)" in text
    assert text.count(">LNG Canada</a>") == 1
    assert "LNG Canada</a> — Partner, Investor" in text


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE cooperation_initiative SET status = 'draft' WHERE id = %s",
        "DELETE FROM cooperation_initiative WHERE id = %s",
    ],
)
def test_the_sources_page_survives_a_record_changing_between_its_queries(client, change):
    from django.db import connection

    source = make_source(title_en="Much cited")
    make_initiative(title_en="Stays", source=source)
    leaving = make_initiative(title_en="Leaves midway", source=source)

    def meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "ROW_NUMBER" in sql:  # the citations are read: another request changes a record
            with connection.cursor() as cursor:
                cursor.execute(change, [leaving.pk])
        return result

    with connection.execute_wrapper(meanwhile):
        response = client.get("/en/sources/")
    assert response.status_code == 200
    assert "Stays" in response.text and "Leaves midway" not in response.text
