"""Previews: a draft's public page as it will look, in either language, for curators only, at
a signed address that expires; marked as a preview, never cached, never indexed."""

import html
import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from cooperation import preview
from tests.factories import make_area, make_initiative, make_organization

pytestmark = pytest.mark.django_db


def preview_address(client: Client, record, language: str) -> str:
    opts = record._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_preview"
    response = client.get(reverse(name, args=[record.pk, language]))
    assert response.status_code == 302, response.status_code
    return response["Location"]


@pytest.mark.parametrize(
    ("language", "prefix", "title", "marked"),
    [
        ("en", "/en/preview/", "Draft lab of the future", "Preview"),
        ("fr", "/fr/apercu/", "Labo brouillon de l’avenir", "Aperçu"),
    ],
)
def test_an_editor_previews_a_draft_in_either_language(
    client, editor, language, prefix, title, marked
):
    draft = make_initiative(
        published=False, title_en="Draft lab of the future", title_fr="Labo brouillon de l’avenir"
    )
    client.force_login(editor)
    address = preview_address(client, draft, language)
    assert address.startswith(prefix)
    response = client.get(address)
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{language}">' in page
    assert title in page.replace("&#x27;", "'").replace("&rsquo;", "’")
    assert re.search(rf'<div class="preview-banner"[^>]*>.*?<strong>{marked}</strong>', page, re.S)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'rel="canonical"' not in page and 'hreflang="x-default"' not in page
    # The language switch leads to the same preview in the other language.
    other = "fr" if language == "en" else "en"
    token = address.rstrip("/").rsplit("/", 1)[-1]
    assert preview.Preview(draft, token, None).url_in(other) in page
    # No visitor feedback form on a curator's page.
    assert 'id="page-feedback"' not in page


def test_the_preview_says_what_stops_the_draft_from_being_published(client, editor):
    lead = make_organization(published=False, name_en="Draft lab", name_fr="Labo brouillon")
    draft = make_initiative(published=False)
    draft.participations.create(organization=lead, role="lead")
    client.force_login(editor)
    page = client.get(preview_address(client, draft, "en")).text
    assert "Not ready to publish yet" in page
    assert "Draft lab" in page


def test_a_preview_is_for_curators_only(client, editor, django_user_model):
    draft = make_initiative(published=False)
    client.force_login(editor)
    address = preview_address(client, draft, "en")
    anonymous = Client()
    response = anonymous.get(address)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    visitor = django_user_model.objects.create_user("visitor", password="pw-visitor-1")
    anonymous.force_login(visitor)
    response = anonymous.get(address, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert "Previews are for the portal's curators." in html.unescape(response.text)
    # The public address of the draft stays a 404, previews or not.
    assert client.get(f"/en/initiatives/{draft.slug_en}/").status_code == 404


def test_a_preview_address_cannot_be_made_up_or_altered(client, editor):
    draft = make_initiative(published=False)
    client.force_login(editor)
    address = preview_address(client, draft, "en")
    token = address.rstrip("/").rsplit("/", 1)[-1]
    other = make_initiative(published=False)
    forged = signing.dumps({"r": "cooperation.initiative", "pk": other.pk, "t": 0}, salt="x")
    for bad in (token[:-2] + "xx", forged, "nothing", "a" * 5000, "%00"):
        assert client.get(f"/en/preview/{bad}/").status_code == 404, bad


def test_a_preview_address_expires(client, editor, settings):
    draft = make_initiative(published=False)
    client.force_login(editor)
    address = preview_address(client, draft, "fr")
    settings.PREVIEW_MAX_AGE = -1
    response = client.get(address)
    assert response.status_code == 410
    assert "Ce lien d’aperçu a expiré" in response.text
    assert response["Cache-Control"] == "private, no-store"


def test_every_record_type_with_a_page_has_a_preview_and_a_source_has_none(
    admin_client, client, editor
):
    from tests.factories import make_agreement, make_recommendation, make_source

    client.force_login(editor)
    for record in (
        make_area(published=False),
        make_organization(published=False),
        make_agreement(published=False),
        make_initiative(published=False),
        make_recommendation(published=False),
    ):
        assert client.get(preview_address(client, record, "en")).status_code == 200, record
    source = make_source(published=False)
    url = f"/admin/cooperation/source/{source.pk}/preview/en/"
    assert admin_client.get(url).status_code == 404


def test_the_change_page_links_its_previews(admin_client):
    draft = make_initiative(published=False)
    page = admin_client.get(
        reverse("admin:cooperation_initiative_change", args=[draft.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).text
    for code in ("en", "fr"):
        assert f"/admin/cooperation/initiative/{draft.pk}/preview/{code}/" in page


def test_a_preview_is_never_put_in_the_page_cache(client, editor, settings, monkeypatch):
    from django.core.cache import caches

    settings.PAGE_CACHE = True
    stored = []
    pages = caches["pages"]
    monkeypatch.setattr(pages, "set", lambda key, *args, **kwargs: stored.append(key))
    draft = make_initiative(published=False)
    client.force_login(editor)
    address = preview_address(client, draft, "en")
    assert client.get(address).status_code == 200
    assert stored == []
    # The same middleware does store a public page (so the check above can fail).
    Client().get("/en/initiatives/")
    assert stored


def _change_waiting(client, editor, initiative, **fields):
    from tests.test_history import form_of, save

    client.force_login(editor)
    assert save(client, initiative, form_of(client, initiative), **fields).status_code == 302
    from curation.models import Revision

    return Revision.objects.get(state="pending")


def test_a_change_waiting_for_review_is_previewed_applied_and_nothing_of_it_is_kept(
    client, editor, publisher
):
    from cooperation.caching import data_version
    from cooperation.models import Initiative

    initiative = make_initiative(
        summary_en="Met in Seoul in July.", summary_fr="Réunion à Séoul en juillet."
    )
    public = initiative.url_in("en")
    assert "Met in Seoul in July." in client.get(public).text  # cached now
    revision = _change_waiting(
        client,
        editor,
        initiative,
        summary_en="Met in Seoul on 9 July 2025.",
        summary_fr="Réunion à Séoul le 9 juillet 2025.",
    )
    history, version = initiative.history.count(), data_version()
    # The editor's record page links the preview with the change, in both languages.
    record_page = client.get(
        reverse("admin:cooperation_initiative_change", args=[initiative.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).text
    assert "With the change waiting for review:" in record_page
    assert f"?change={revision.pk}" in record_page
    for language, applied, words in (
        ("en", "Met in Seoul on 9 July 2025.", "with the change by editor"),
        ("fr", "Réunion à Séoul le 9 juillet 2025.", "avec la modification de editor"),
    ):
        address = client.get(
            reverse("admin:cooperation_initiative_preview", args=[initiative.pk, language]),
            {"change": revision.pk},
        )["Location"]
        page = html.unescape(client.get(address).text)
        assert applied in page and words in page
    # Nothing was kept: the record, its history, the data version, the public page.
    initiative.refresh_from_db()
    assert initiative.summary_en == "Met in Seoul in July."
    assert Initiative.objects.get(pk=initiative.pk).search_admin.count("july") == 1
    assert (initiative.history.count(), data_version()) == (history, version)
    assert "9 July 2025" not in client.get(public).text
    assert "9 July 2025" not in Client().get(public).text
    # The publisher's review page links both: the page with the change, and as published.
    client.force_login(publisher)
    review_page = client.get(
        reverse("admin:curation_revision_change", args=[revision.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).text
    assert "The page with this change:" in review_page
    assert "The page as published now:" in review_page
    # Sent back, the same link shows the record as saved, and says why.
    from curation import review

    review.send_back(revision, publisher, "Source?")
    page = html.unescape(client.get(address).text)
    assert "Réunion à Séoul en juillet." in page
    assert "n’attend plus" in page or "n'attend plus" in page


def test_a_waiting_change_that_cannot_be_applied_is_previewed_as_saved_with_why(client, editor):
    initiative = make_initiative()
    draft_lab = make_organization(published=False, name_en="Draft lab", name_fr="Labo brouillon")
    from curation import review

    revision = review.keep_change(
        initiative,
        {
            "fields": {},
            "m2m": {},
            "inlines": [
                {
                    "model": "cooperation.initiativeparticipant",
                    "link": {"initiative_id": initiative.pk},
                    "rows": [
                        {"id": None, "fields": {"organization_id": draft_lab.pk, "role": "lead"}}
                    ],
                }
            ],
        },
        editor,
    )
    client.force_login(editor)
    address = client.get(
        reverse("admin:cooperation_initiative_preview", args=[initiative.pk, "en"]),
        {"change": revision.pk},
    )["Location"]
    page = html.unescape(client.get(address).text)
    assert "cannot be applied as it stands" in page
    assert "What stops the change:" in page and "Draft lab" in page
    assert not initiative.participations.filter(organization=draft_lab).exists()
