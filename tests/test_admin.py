"""The back office: pages in both languages, completeness at a glance, publishing by group."""

import html

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from cooperation.models import (
    Agreement,
    CooperationArea,
    Initiative,
    Organization,
    Recommendation,
    Source,
    Status,
)
from tests.factories import MAKERS, cite, make_initiative, make_organization, make_source

pytestmark = pytest.mark.django_db

RECORDS = [CooperationArea, Organization, Agreement, Initiative, Recommendation]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:cooperation_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("model", [*RECORDS, Source], ids=lambda m: m.__name__)
def test_list_add_and_change_pages_render_in_both_languages(admin_client, model, language):
    record = make_source() if model is Source else MAKERS[model]()
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", record.pk),
    ):
        response = admin_client.get(url, **headers)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.text


def test_a_french_speaking_curator_gets_the_french_admin(admin_client):
    make_initiative()  # the actions menu only shows on a non-empty list
    response = admin_client.get(admin_url(Initiative, "changelist"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Publier les fiches sélectionnées" in response.text
    assert "Brouillon" in response.text or "traduction" in response.text.lower()


def test_english_and_french_fields_sit_side_by_side(admin_client):
    response = admin_client.get(admin_url(Initiative, "add"))
    text = response.text
    assert 'name="title_en"' in text and 'name="title_fr"' in text
    # Both inputs live in the same form row.
    row = text.split('name="title_en"')[0].rsplit('class="form-row', 1)[1]
    assert "field-title_fr" in row


def test_the_list_shows_status_and_translation_completeness(admin_client):
    make_initiative(title_en="Complete initiative")
    make_initiative(published=False, title_en="English-only draft", title_fr="", summary_fr="")
    response = admin_client.get(admin_url(Initiative, "changelist"), HTTP_ACCEPT_LANGUAGE="en")
    text = response.text
    assert "EN ✓" in text and "FR ✓" in text and "FR ✗" in text
    assert "Draft" in text and "Published" in text


def test_the_translation_filter_finds_what_is_missing_french(admin_client):
    make_initiative(title_en="Complete one")
    make_initiative(published=False, title_en="Needs French", title_fr="", summary_fr="")
    response = admin_client.get(admin_url(Initiative, "changelist") + "?translation=missing_fr")
    assert "Needs French" in response.text
    assert "Complete one" not in response.text


def test_search_covers_both_languages(admin_client):
    make_organization(name_en="Korea Gas Corporation", name_fr="Société coréenne du gaz")
    response = admin_client.get(admin_url(Organization, "changelist") + "?q=coréenne")
    assert "Korea Gas Corporation" in response.text or "Société coréenne du gaz" in response.text
    response = admin_client.get(admin_url(Organization, "changelist") + "?q=nothing-like-this")
    assert "Korea Gas Corporation" not in response.text


def test_organizations_have_autocomplete(admin_client):
    make_organization(name_en="Tenstorrent", name_fr="Tenstorrent")
    url = reverse("admin:autocomplete") + (
        "?app_label=cooperation&model_name=initiativeparticipant&field_name=organization&term=tenst"
    )
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Tenstorrent" in response.json()["results"][0]["text"]


def test_the_change_page_says_what_is_missing_and_links_both_public_pages(admin_client):
    draft = make_initiative(published=False, title_fr="", summary_fr="")
    response = admin_client.get(
        admin_url(Initiative, "change", draft.pk), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Missing in French: title, summary." in response.text
    published = make_initiative()
    response = admin_client.get(admin_url(Initiative, "change", published.pk))
    assert published.url_in("en") in response.text
    assert published.url_in("fr") in response.text
    assert published.url_in("en") != published.url_in("fr")


def publish_action(client, model, records, action="publish_selected", language="en"):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [r.pk for r in records]},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )


def test_a_publisher_publishes_and_each_refusal_says_why(client, publisher):
    client.force_login(publisher)
    ready = make_initiative(published=False, title_en="Ready one")
    cite(ready)
    english_only = make_initiative(
        published=False, title_en="English only", title_fr="", summary_fr=""
    )
    cite(english_only)
    response = publish_action(client, Initiative, [ready, english_only])
    text = response.text
    assert "1 record published." in text
    assert "“English only” was not published: Missing in French: title, summary." in text
    ready.refresh_from_db()
    english_only.refresh_from_db()
    assert ready.status == Status.PUBLISHED
    assert english_only.status == Status.DRAFT
    assert LogEntry.objects.filter(object_id=str(ready.pk), user=publisher).exists()


def test_refusals_come_in_french_for_a_french_speaking_publisher(client, publisher):
    client.force_login(publisher)
    draft = make_initiative(published=False, title_fr="", summary_fr="")
    response = publish_action(client, Initiative, [draft], language="fr")
    assert "n'a pas été publiée" in html.unescape(response.text)
    assert "À compléter en français" in response.text


def test_a_publisher_unpublishes(client, publisher):
    client.force_login(publisher)
    record = make_initiative()
    publish_action(client, Initiative, [record], action="unpublish_selected")
    record.refresh_from_db()
    assert record.status == Status.DRAFT


def test_an_editor_can_edit_but_cannot_publish(client, editor):
    client.force_login(editor)
    draft = make_initiative(published=False)
    cite(draft)
    response = client.get(admin_url(Initiative, "changelist"))
    assert response.status_code == 200
    assert "publish_selected" not in response.text
    assert client.get(admin_url(Initiative, "change", draft.pk)).status_code == 200
    publish_action(client, Initiative, [draft])
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    # The status is not a form field, so a crafted POST cannot publish either.
    assert not editor.has_perm("cooperation.publish_initiative")


def test_a_publisher_has_the_publish_permission_for_every_record_type(publisher):
    for model in [*RECORDS, Source]:
        assert publisher.has_perm(f"cooperation.publish_{model._meta.model_name}")


def test_a_published_record_cannot_lose_its_last_citation_in_the_admin(admin_client):
    record = make_initiative()
    data = _change_data(admin_client, record, DELETE="on")
    response = admin_client.post(
        admin_url(Initiative, "change", record.pk), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200  # the form comes back with the error
    assert "must cite at least one source" in response.text
    assert record.citations.exists()


def test_changes_are_recorded_in_the_history(admin_client, admin_user):
    source = make_source()
    response = admin_client.post(
        admin_url(Source, "change", source.pk),
        {
            "title_en": "New title",
            "title_fr": "Nouveau titre",
            "publisher_en": source.publisher_en,
            "publisher_fr": source.publisher_fr,
            "summary_en": source.summary_en,
            "summary_fr": source.summary_fr,
            "note_en": "",
            "note_fr": "",
            "language": "en",
            "date": "",
            "date_precision": "day",
            "url": "",
            "reference": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry = LogEntry.objects.get(object_id=str(source.pk))
    assert entry.user == admin_user
    assert "Title" in entry.get_change_message() or "title" in entry.get_change_message()


def test_the_list_shows_dates_no_more_precisely_than_the_sources(admin_client):
    import datetime

    make_initiative(start_date=datetime.date(2025, 1, 1), start_date_precision="year")
    text = admin_client.get(admin_url(Initiative, "changelist"), HTTP_ACCEPT_LANGUAGE="en").text
    assert '<td class="field-start">2025</td>' in text
    assert "1 January 2025" not in text and "January 1, 2025" not in text


def _change_data(client, record, **citation):
    """The change form of `record` as the page fills it, its one citation changed."""
    current = record.citations.get()
    page = client.get(admin_url(type(record), "change", record.pk))
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    prefix = "cooperation-citation-content_type-object_id"
    data.update(
        {
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": str(current.pk),
            f"{prefix}-0-source": str(current.source_id),
            f"{prefix}-0-location_en": current.location_en,
            f"{prefix}-0-location_fr": current.location_fr,
            f"{prefix}-0-supports_en": current.supports_en,
            f"{prefix}-0-supports_fr": current.supports_fr,
            f"{prefix}-0-position": "0",
        }
    )
    data.update({f"{prefix}-0-{name}": value for name, value in citation.items()})
    return data


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_published_record_cannot_be_saved_with_citations_that_break_the_rule(
    admin_client, client, language
):
    from tests.factories import make_source

    record = make_initiative()
    before = record.citations.get()
    draft_source = make_source(published=False, title_en="Draft source")
    data = _change_data(admin_client, record, source=draft_source.pk, location_fr="")
    response = admin_client.post(
        admin_url(Initiative, "change", record.pk), data, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200  # the form again, with what was typed
    text = response.text
    if language == "en":
        assert "Cites a source that is not published: “Draft source”." in text
        assert "lacks its French text" in text
    else:
        text = " ".join(html.unescape(text).replace("\u202f", " ").replace("\xa0", " ").split())
        assert f"Cite une source non publiée : « {draft_source.title_fr} »." in text
        assert "doit garder ses citations complètes" in text
    after = record.citations.get()
    assert (after.source_id, after.location_fr) == (before.source_id, before.location_fr)
    assert before.location_fr in client.get(record.url_in("fr")).text


def test_the_rule_is_checked_again_after_the_inlines_are_saved(admin_client, monkeypatch):
    """Whatever the forms let through, the record as saved must satisfy the rule, or the save
    is undone."""
    from cooperation.admin import CitationFormSet
    from tests.factories import make_source

    record = make_initiative(title_en="Kept as it was")
    draft_source = make_source(published=False)
    monkeypatch.setattr(CitationFormSet, "clean", lambda self: None)  # as if a check slipped
    data = _change_data(admin_client, record, source=draft_source.pk)
    data["title_en"] = "Changed title"
    response = admin_client.post(
        admin_url(Initiative, "change", record.pk), data, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "Nothing was saved" in response.text
    record.refresh_from_db()
    assert record.title_en == "Kept as it was"
    assert record.citations.get().source.is_published
