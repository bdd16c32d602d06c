"""The curators' workflow in a real browser (Debian's Chromium), in French and in English: an
editor's draft is submitted, sent back with a comment, corrected, published; a change to the
published record waits for review while the public page stays as it was, is published, and is
reverted from the history."""

import pytest
from django.conf import settings

from cooperation.models import Initiative
from curation.models import Revision
from tests.factories import cite, make_initiative

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "submit": "Save and submit for review",
        "send_back": "Send back",
        "publish": "Publish",
        "revert": "Revert to this version",
        "waiting": "is waiting for a publisher",
        "held": "Your change is waiting for a publisher's review",
    },
    "fr": {
        "submit": "Enregistrer et soumettre à l’examen",
        "send_back": "Renvoyer",
        "publish": "Publier",
        "revert": "Rétablir cette version",
        "waiting": "attend un éditeur",
        "held": "Votre modification attend l’examen d’un éditeur",
    },
}


def sign_in(page, base: str, language: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert "/admin/login/" not in page.url, page.content()[:2000]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_draft_submitted_sent_back_corrected_published_changed_reviewed_and_reverted(
    live_server, browser_page, editor, publisher, language
):
    page, base, words = browser_page, live_server.url, WORDS[language]
    draft = make_initiative(published=False, summary_fr="Résumé à revoir.")
    cite(draft)
    change_page = f"{base}/admin/cooperation/initiative/{draft.pk}/change/"

    # The editor submits the draft.
    sign_in(page, base, language, "editor", "pw-editor-1")
    page.goto(change_page)
    assert page.locator("input[name=_publish]").count() == 0
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_load_state()
    revision = Revision.objects.get()
    assert revision.state == "pending"

    # The publisher sends it back with a comment.
    sign_in(page, base, language, "publisher", "pw-publisher-1")
    page.goto(f"{base}/admin/curation/revision/")
    page.locator("th.field-what a, td.field-what a").first.click()
    page.fill("#review-comment", "Le résumé français doit citer la date.")
    page.get_by_role("button", name=words["send_back"]).click()
    page.wait_for_load_state()
    revision.refresh_from_db()
    assert revision.state == "sent_back"

    # The editor reads the comment, corrects, submits again.
    sign_in(page, base, language, "editor", "pw-editor-1")
    page.goto(change_page)
    assert "Le résumé français doit citer la date." in page.content()
    page.fill("#id_summary_fr", "Résumé corrigé, daté du 9 juillet 2025.")
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_load_state()

    # The publisher publishes it from the queue.
    sign_in(page, base, language, "publisher", "pw-publisher-1")
    page.goto(f"{base}/admin/curation/revision/")
    page.locator("th.field-what a, td.field-what a").first.click()
    page.get_by_role("button", name=words["publish"], exact=True).click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.is_published
    public = draft.url_in("en")
    before = draft.summary_en

    # The editor corrects a published fact: it waits, the public page does not change.
    sign_in(page, base, language, "editor", "pw-editor-1")
    page.goto(change_page)
    page.fill("#id_summary_en", "Corrected: met on 9 July 2025.")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    assert words["held"] in page.content()
    page.goto(f"{base}{public}")
    assert "Corrected: met on 9 July 2025." not in page.content()
    page.goto(change_page)
    assert words["waiting"] in page.content()

    # The publisher reviews and publishes the change; the public page shows it.
    sign_in(page, base, language, "publisher", "pw-publisher-1")
    page.goto(f"{base}/admin/curation/revision/")
    page.locator("th.field-what a, td.field-what a").first.click()
    assert "Corrected: met on 9 July 2025." in page.content()
    page.get_by_role("button", name=words["publish"], exact=True).click()
    page.wait_for_load_state()
    page.goto(f"{base}{public}")
    assert "Corrected: met on 9 July 2025." in page.content()

    # ... and reverts it from the history.
    page.goto(f"{base}/admin/cooperation/initiative/{draft.pk}/history/")
    page.get_by_role("button", name=words["revert"]).first.click()
    page.wait_for_load_state()
    record = Initiative.objects.get(pk=draft.pk)
    assert record.summary_en == before and record.is_published
    page.goto(f"{base}{public}")
    assert "Corrected: met on 9 July 2025." not in page.content()
