"""Finding records in the back office: accent- and case-insensitive search in both languages,
initiatives by organization, a country filter limited to the countries in use, and the
translation-status filter in SQL, with no duplicate rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.admin import missing_in
from cooperation.models import CooperationArea, Initiative, Organization
from tests.factories import make_area, make_initiative, make_organization
from tests.test_admin import admin_url

pytestmark = pytest.mark.django_db


def titles(client, model, **params) -> list[str]:
    page = client.get(admin_url(model, "changelist"), params, HTTP_ACCEPT_LANGUAGE="en").text
    return re.findall(r'<th class="field-listed_label"><a href="[^"]+">([^<]+)</a>', page)


@pytest.mark.parametrize(
    ("query", "found"),
    [("energie", "Énergie verte"), ("ÉNERGIE", "Énergie verte"), ("coree", "Corée du Sud")],
)
def test_admin_search_ignores_accents_and_case(admin_client, query, found):
    make_area(name_en="Green energy", name_fr="Énergie verte")
    make_area(name_en="South Korea", name_fr="Corée du Sud")
    make_area(name_en="Other", name_fr="Autre")
    shown = titles(admin_client, CooperationArea, q=query)
    assert len(shown) == 1
    area = CooperationArea.objects.get(name_fr=found)
    assert shown[0] in (area.name_en, area.name_fr)


def test_every_word_must_match_somewhere(admin_client):
    make_area(name_en="Green energy", name_fr="Énergie verte", summary_en="Hydrogen.")
    make_area(name_en="Green roofs", name_fr="Toits verts")
    assert titles(admin_client, CooperationArea, q="green hydrogen") == ["Green energy"]


def test_initiatives_are_found_by_organization_once_each(admin_client):
    mila = make_organization(name_en="Mila", name_fr="Mila", country="CA")
    initiative = make_initiative(title_en="Joint lab", title_fr="Labo commun")
    initiative.participations.create(organization=mila, role="lead")
    initiative.participations.create(organization=mila, role="funder")
    make_initiative(title_en="Unrelated", title_fr="Sans rapport")
    assert titles(admin_client, Initiative, q="mila") == ["Joint lab"]


def test_the_country_filter_offers_only_countries_in_use_and_gives_no_duplicates(admin_client):
    korean = make_organization(name_en="K", name_fr="K", country="KR")
    other_korean = make_organization(name_en="K2", name_fr="K2", country="KR")
    make_organization(name_en="Unused", name_fr="Inutilisé", country="JP")
    initiative = make_initiative(title_en="Shared", title_fr="Partagé")
    initiative.participations.create(organization=korean, role="lead")
    initiative.participations.create(organization=other_korean, role="partner")
    page = admin_client.get(admin_url(Initiative, "changelist"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "?country=KR" in page and "?country=JP" not in page
    assert "Afghanistan" not in page  # not the 250 countries of the list
    assert titles(admin_client, Initiative, country="KR") == ["Shared"]


def test_the_list_runs_no_distinct(admin_client):
    make_initiative()
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(admin_url(Initiative, "changelist"), {"q": "english", "country": "CA"})
    listed = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT DISTINCT "cooperation_initiative"')
    ]
    assert not listed


def test_a_draft_begun_in_french_is_listed_by_its_french_name(admin_client):
    make_organization(published=False, name_en="", name_fr="Institut québécois")
    assert titles(admin_client, Organization) == ["Institut québécois"]


def test_the_translation_filter_in_sql_agrees_with_the_publishing_rule(admin_client):
    complete = make_organization(name_en="Complete", name_fr="Complet")
    no_french = make_organization(published=False, name_en="English only", name_fr="")
    blank_french = make_organization(published=False, name_en="Spaces", name_fr="   ")
    half_optional = make_organization(published=False, name_en="Half", name_fr="Moitié")
    Organization.objects.filter(pk=half_optional.pk).update(description_en="Only English")
    no_english = make_organization(published=False, name_en="", name_fr="Français seulement")
    for record in Organization.objects.all():
        for code in ("en", "fr"):
            in_sql = Organization.objects.filter(missing_in(Organization, code), pk=record.pk)
            assert in_sql.exists() == bool(record.missing_translations()[code]), (record, code)
    missing_fr = titles(admin_client, Organization, translation="missing_fr")
    assert set(missing_fr) == {"English only", "Spaces", "Half"}
    assert "Français seulement" in titles(admin_client, Organization, translation="missing_en")
    assert titles(admin_client, Organization, translation="complete") == [str(complete)]
    del no_french, blank_french, no_english


def autocomplete(client, term: str) -> list[str]:
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "cooperation",
            "model_name": "initiativeparticipant",
            "field_name": "organization",
            "term": term,
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_autocomplete_looks_at_names_and_tells_namesakes_apart(admin_client):
    make_organization(
        name_en="BlackBerry", name_fr="BlackBerry", summary_en="Works with a university."
    )
    make_organization(name_en="University of Toronto", name_fr="Université de Toronto")
    make_organization(name_en="Vector Institute", name_fr="Institut Vecteur", country="CA")
    make_organization(
        published=False, name_en="Vector Institute", name_fr="Institut Vecteur", country="FR"
    )
    assert autocomplete(admin_client, "univ") == ["University of Toronto — published"]
    assert sorted(autocomplete(admin_client, "vecteur")) == [
        "Vector Institute — Canada, published",
        "Vector Institute — France, draft",
    ]


def test_a_duplicate_organization_is_refused_in_the_curators_language():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    make_organization(name_en="Vector Institute", name_fr="Institut Vecteur", country="CA")
    twin = Organization(
        name_en="vector institute",
        name_fr="Institut vecteur",
        slug_en="vi-2",
        slug_fr="iv-2",
        summary_en="x",
        summary_fr="x",
        kind="research_institute",
        country="CA",
    )
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "existe déjà dans ce pays" in error.value.message_dict["name_fr"][0]
    twin.country = "FR"  # a namesake elsewhere is another organization
    twin.full_clean()


@pytest.mark.parametrize(
    ("fields", "field", "english"),
    [
        (
            {"start_date": "2024-05-01", "end_date": "2023-01-01"},
            "end_date",
            "The end comes before the start.",
        ),
        (
            {"initiative_status": "completed", "end_date": "2999-01-01"},
            "initiative_status",
            "Completed, with a date still to come",
        ),
        ({"funding_amount": "1000"}, "funding_currency", "Give the currency of the amount."),
        ({"funding_qualifier": "nearly"}, "funding_amount", "needs an amount"),
    ],
)
def test_an_initiative_form_catches_mistakes(fields, field, english):
    import datetime
    from decimal import Decimal

    from django.core.exceptions import ValidationError
    from django.utils import translation

    initiative = make_initiative()
    for name, value in fields.items():
        if name.endswith("_date"):
            value = datetime.date.fromisoformat(value)
        elif name == "funding_amount":
            value = Decimal(value)
        setattr(initiative, name, value)
    with pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert english in error.value.message_dict[field][0]
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert english not in error.value.message_dict[field][0]  # said in French


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Ensure this value has at most"),
        ("fr", "Assurez-vous que cette valeur comporte au plus"),
    ],
)
def test_a_huge_paste_gets_a_message_on_the_field_and_keeps_the_text(
    admin_client, language, message
):
    from tests.test_admin import _change_data

    record = make_initiative()
    data = _change_data(admin_client, record)
    paste = "Énergie " * 400_000  # 3.2 MB
    data["description_fr"] = paste
    response = admin_client.post(
        admin_url(Initiative, "change", record.pk), data, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200  # the form again, not "Bad Request (400)"
    assert message in response.text
    assert paste.strip() in response.text  # nothing lost
    record.refresh_from_db()
    assert record.description_fr != paste


@pytest.mark.parametrize("maker", ["initiative", "organization", "area"])
def test_a_changed_slug_keeps_the_old_address_working(client, maker):
    from tests.factories import make_area

    record = {"initiative": make_initiative, "organization": make_organization, "area": make_area}[
        maker
    ]()
    old_en, old_fr = record.url_in("en"), record.url_in("fr")
    record.slug_en, record.slug_fr = "a-new-address", "une-nouvelle-adresse"
    record.save()
    for old, language in ((old_en, "en"), (old_fr, "fr")):
        response = client.get(old + "?from=press")
        assert response.status_code == 301
        assert response["Location"] == record.url_in(language) + "?from=press"
    # Changed again: both former addresses lead to the present one.
    record.slug_en = "a-third-address"
    record.save()
    assert client.get(old_en)["Location"] == record.url_in("en")
    assert client.get(record.url_in("en").replace("a-third", "a-new")).status_code == 301


def test_a_draft_never_publishes_a_former_address(client):
    record = make_initiative(published=False)
    old = f"/en/initiatives/{record.slug_en}/"
    record.slug_en = "renamed-draft"
    record.save()
    assert client.get(old).status_code == 404
    published = make_initiative()
    old = published.url_in("en")
    published.slug_en = "moved"
    published.save()
    published.unpublish()
    assert client.get(old).status_code == 404  # unpublished: nowhere to send anyone


def test_publishing_checks_the_records_it_names():
    from django.utils import translation

    from cooperation.models import PublishingError
    from tests.factories import make_agreement

    draft_lead = make_organization(published=False, name_en="Draft lab", name_fr="Labo brouillon")
    initiative = make_initiative(published=False)
    from tests.factories import cite

    cite(initiative)
    initiative.participations.create(organization=draft_lead, role="lead")
    with translation.override("fr"), pytest.raises(PublishingError) as error:
        initiative.publish()
    assert error.value.messages == [
        "Nomme des organisations qui ne sont pas publiées\xa0: «\xa0Labo brouillon\xa0»."
    ]
    cite(draft_lead)
    draft_lead.publish()
    initiative.publish()

    draft_agreement = make_agreement(published=False)
    initiative.agreement = draft_agreement
    with pytest.raises(PublishingError):
        initiative.save()


def test_unpublishing_a_record_that_published_ones_name_says_which():
    from cooperation.models import PublishingError
    from tests.factories import make_agreement

    organization = make_organization(name_en="Mila", name_fr="Mila")
    initiative = make_initiative(title_en="Joint lab", title_fr="Labo commun")
    initiative.participations.create(organization=organization, role="lead")
    with pytest.raises(PublishingError) as error:
        organization.unpublish()
    assert "“Joint lab”" in str(error.value)
    agreement = make_agreement()
    under = make_initiative(title_en="Under it", title_fr="Dessous", agreement=agreement)
    with pytest.raises(PublishingError) as error:
        agreement.unpublish()
    assert "“Under it”" in str(error.value)
    under.unpublish()
    agreement.unpublish()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Please correct the duplicate data for organization and role"),
        ("fr", "Corrigez les données en double"),
    ],
)
def test_a_participant_listed_twice_in_the_same_role_is_caught_on_the_form(
    admin_client, language, message
):
    from cooperation.models import InitiativeParticipant
    from tests.test_admin import _change_data

    record = make_initiative()
    mila = make_organization(name_en="Mila", name_fr="Mila", country="CA")
    data = _change_data(admin_client, record)
    data.update({"participations-TOTAL_FORMS": "2"})
    for index in (0, 1):
        data[f"participations-{index}-organization"] = str(mila.pk)
        data[f"participations-{index}-role"] = "lead"
    data["summary_en"] = "What the curator typed"
    response = admin_client.post(
        admin_url(Initiative, "change", record.pk), data, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert message in response.text
    assert "What the curator typed" in response.text
    assert not InitiativeParticipant.objects.filter(initiative=record).exists()
    # Once already saved, the same participant again in the same role: a message, not a 500.
    record.participations.create(organization=mila, role="lead")
    data["participations-TOTAL_FORMS"] = "1"
    response = admin_client.post(
        admin_url(Initiative, "change", record.pk), data, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert {
        "en": "Mila is already listed in this role (Lead)",
        "fr": "Mila figure déjà dans ce rôle (Responsable)",
    }[language] in response.text
    assert "What the curator typed" in response.text
    assert record.participations.count() == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_slug_already_taken_in_its_language_or_as_a_former_address_is_refused(
    admin_client, language
):
    from tests.test_admin import _change_data

    taken = make_initiative(title_en="Taken", title_fr="Prise")
    moved = make_initiative()
    old_fr = moved.slug_fr
    moved.slug_fr = "ailleurs"
    moved.save()  # its old French address now redirects to it
    record = make_initiative()
    for field, slug, words in (
        ("slug_en", taken.slug_en, {"en": "already exists", "fr": "existe déjà"}),
        ("slug_fr", old_fr, {"en": "a former address of", "fr": "une ancienne adresse de"}),
    ):
        data = _change_data(admin_client, record)
        data[field] = slug
        response = admin_client.post(
            admin_url(Initiative, "change", record.pk), data, HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200, field
        errors = response.context["adminform"].form.errors
        assert field in errors, (field, errors)
        assert words[language] in str(errors[field]), errors[field]
    record.refresh_from_db()
    assert record.slug_fr != old_fr and record.slug_en != taken.slug_en
