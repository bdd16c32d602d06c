"""Review: an editor's change to a published record waits for a publisher while the published
version stays online; drafts are submitted, reviewed, sent back with a comment or published;
an editor never publishes, by any path."""

import pytest
from django.urls import reverse

from cooperation.models import Citation, Initiative
from curation.history import Reason
from curation.models import Revision
from tests.factories import cite, make_initiative, make_organization
from tests.test_history import admin_url, form_of, save

pytestmark = pytest.mark.django_db

CITATIONS = "cooperation-citation-content_type-object_id"


def queue(client, **params) -> str:
    return client.get(reverse("admin:curation_revision_changelist"), params).text


def decide(client, revision, **data):
    return client.post(reverse("admin:curation_revision_decide", args=[revision.pk]), data)


def test_an_editors_change_to_a_published_record_waits_and_the_public_page_stays(
    client, editor, publisher
):
    initiative = make_initiative(summary_en="Met in Seoul in July.")
    public = initiative.url_in("en")
    client.force_login(editor)
    data = form_of(client, initiative)
    response = save(client, initiative, data, summary_en="Met in Seoul on 9 July 2025.")
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.summary_en == "Met in Seoul in July."
    assert "Met in Seoul in July." in client.get(public).text
    revision = Revision.objects.get()
    assert (revision.kind, revision.state, revision.author) == ("change", "pending", editor)
    assert revision.changes["fields"] == {"summary_en": "Met in Seoul on 9 July 2025."}
    # Reopened, the form shows the waiting change, and says so.
    page = client.get(admin_url(initiative, "change"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Met in Seoul on 9 July 2025." in page
    assert "is waiting for a publisher" in page
    # A second change is added to the first.
    data = form_of(client, initiative)
    save(client, initiative, data, title_fr="Nouveau titre")
    revision.refresh_from_db()
    assert revision.changes["fields"] == {
        "summary_en": "Met in Seoul on 9 July 2025.",
        "title_fr": "Nouveau titre",
    }
    # The publisher's queue shows it, with old → new.
    client.force_login(publisher)
    assert str(initiative) in queue(client)
    review_page = client.get(
        reverse("admin:curation_revision_change", args=[revision.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).text
    assert "Met in Seoul in July." in review_page and "Nouveau titre" in review_page
    assert decide(client, revision, _publish="1").status_code == 302
    initiative.refresh_from_db()
    assert initiative.summary_en == "Met in Seoul on 9 July 2025."
    assert initiative.title_fr == "Nouveau titre"
    assert initiative.is_published
    assert "9 July 2025" in client.get(initiative.url_in("en")).text
    revision.refresh_from_db()
    assert (revision.state, revision.reviewer) == ("published", publisher)
    assert initiative.history.first().history_change_reason == Reason.REVIEWED
    assert initiative.history.first().history_user == publisher


def test_a_change_to_a_citation_waits_too_and_is_applied_on_approval(client, editor, publisher):
    initiative = make_initiative()
    citation = initiative.citations.get()
    client.force_login(editor)
    data = form_of(client, initiative)
    response = save(client, initiative, data, **{f"{CITATIONS}-0-location_en": "Page 12"})
    assert response.status_code == 302
    citation.refresh_from_db()
    assert citation.location_en != "Page 12"
    revision = Revision.objects.get()
    client.force_login(publisher)
    decide(client, revision, _publish="1")
    citation.refresh_from_db()
    assert citation.location_en == "Page 12"
    assert Citation.objects.filter(object_id=initiative.pk).count() == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "cannot approve it as it is"), ("fr", "ne peut pas l’approuver en l’état")],
)
def test_a_change_that_would_break_the_rule_is_kept_flagged_and_cannot_be_published(
    client, editor, publisher, language, words
):
    initiative = make_initiative()
    draft_lab = make_organization(published=False, name_en="Draft lab", name_fr="Labo brouillon")
    client.force_login(editor)
    data = form_of(client, initiative)
    data.update(
        {
            "participations-TOTAL_FORMS": ["1"],
            "participations-0-organization": [str(draft_lab.pk)],
            "participations-0-role": ["lead"],
        }
    )
    response = client.post(
        admin_url(initiative, "change"), data, HTTP_ACCEPT_LANGUAGE=language, follow=True
    )
    assert words in response.text
    assert {"en": "Draft lab", "fr": "Labo brouillon"}[language] in response.text
    revision = Revision.objects.get()
    client.force_login(publisher)
    page = client.get(reverse("admin:curation_revision_change", args=[revision.pk])).text
    assert "Draft lab" in page
    decide(client, revision, _publish="1")
    assert not initiative.participations.exists()  # nothing written
    revision.refresh_from_db()
    assert revision.state == "pending"


def test_a_change_the_form_refuses_is_not_kept_and_what_was_typed_stays(client, editor):
    initiative = make_initiative()
    client.force_login(editor)
    data = form_of(client, initiative)
    response = save(client, initiative, data, summary_fr="", summary_en="Typed text kept")
    assert response.status_code == 200
    assert "Typed text kept" in response.text
    assert not Revision.objects.exists()


def test_a_draft_is_submitted_sent_back_with_a_comment_corrected_and_published(
    client, editor, publisher
):
    draft = make_initiative(published=False)
    cite(draft)
    client.force_login(editor)
    data = form_of(client, draft)
    data["_submit_review"] = ["1"]
    assert save(client, draft, data).status_code == 302
    revision = Revision.objects.get()
    assert (revision.kind, revision.state) == ("publication", "pending")
    client.force_login(publisher)
    # Sending back needs a comment.
    decide(client, revision, _send_back="1", comment="")
    revision.refresh_from_db()
    assert revision.state == "pending"
    decide(client, revision, _send_back="1", comment="Cite the French version too.")
    revision.refresh_from_db()
    assert (revision.state, revision.comment) == ("sent_back", "Cite the French version too.")
    # The editor sees it on the record and on the desk.
    client.force_login(editor)
    page = client.get(admin_url(draft, "change"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Cite the French version too." in page
    desk = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Sent back to me" in desk
    data = form_of(client, draft)
    data["_submit_review"] = ["1"]
    save(client, draft, data, summary_fr="Résumé corrigé.")
    again = Revision.objects.pending().get()
    client.force_login(publisher)
    assert "Waiting for review" in client.get(reverse("admin:index")).text
    decide(client, again, _publish="1")
    draft.refresh_from_db()
    assert draft.is_published and draft.summary_fr == "Résumé corrigé."


def test_a_publisher_publishes_from_the_records_own_page(client, publisher):
    draft = make_initiative(published=False)
    cite(draft)
    client.force_login(publisher)
    page = client.get(admin_url(draft, "change"), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'name="_publish"' in page
    data = form_of(client, draft)
    data["_publish"] = ["1"]
    assert save(client, draft, data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    # A publisher's own change to a published record goes live at once.
    data = form_of(client, draft)
    save(client, draft, data, summary_en="Live now.")
    draft.refresh_from_db()
    assert draft.summary_en == "Live now."
    assert not Revision.objects.pending().exists()


def test_an_editor_can_never_publish(client, editor, publisher):
    draft = make_initiative(published=False)
    client.force_login(editor)
    page = client.get(admin_url(draft, "change")).text
    assert 'name="_publish"' not in page
    data = form_of(client, draft)
    data["_publish"] = ["1"]
    assert save(client, draft, data).status_code == 403
    response = client.post(
        reverse("admin:cooperation_initiative_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert not draft.is_published
    data = form_of(client, draft)
    data["_submit_review"] = ["1"]
    save(client, draft, data)
    revision = Revision.objects.get()
    assert decide(client, revision, _publish="1").status_code == 403
    # Nor through a status field on the form.
    data = form_of(client, draft)
    save(client, draft, data, status="published")
    draft.refresh_from_db()
    assert not draft.is_published
    assert Initiative.objects.published().filter(pk=draft.pk).count() == 0
    del response, publisher


def test_the_author_withdraws_and_the_queue_keeps_the_record(client, editor):
    initiative = make_initiative()
    client.force_login(editor)
    data = form_of(client, initiative)
    save(client, initiative, data, summary_en="Maybe not.")
    revision = Revision.objects.get()
    decide(client, revision, _withdraw="1")
    revision.refresh_from_db()
    assert revision.state == "withdrawn"
    assert str(initiative) in queue(client, state="all")
    assert str(initiative) not in queue(client)
