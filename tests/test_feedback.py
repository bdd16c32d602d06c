"""Visitors' page feedback and suggested corrections (feedback/): the forms on every page, the
guards against robots and floods, masking, moderation, the desk, the summary and retention."""

import csv
import datetime
import html as markup
import io
import re
import statistics
import time
from pathlib import Path

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from cooperation.models import (
    Agreement,
    CooperationArea,
    DataVersion,
    Initiative,
    Organization,
    Recommendation,
)
from feedback import guards
from feedback.models import (
    CorrectionSuggestion,
    PageFeedback,
    SubmissionCount,
    SuggestionState,
)
from feedback.privacy import mask_personal_information
from tests.factories import LIST_PAGES, STANDARD_PAGES, make_initiative
from tests.visitors import ORIGIN, correction_data, stamp, visitor

pytestmark = pytest.mark.django_db

RECORD_MODELS = (CooperationArea, Initiative, Agreement, Organization, Recommendation)


def answer(client, page: str, value: str, **extra):
    data = {"page": page, "answer": value, "issued": stamp(f"page|{page}"), "website": ""}
    data.update(extra)
    return client.post(reverse("feedback:page"), data)


def record_pages(language: str) -> list[str]:
    return [
        model.objects.published().order_by("pk").first().url_in(language)
        for model in RECORD_MODELS
    ]


# -- On every page ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_public_page_asks_whether_the_visitor_found_it(client, shipped_content, language):
    with translation.override(language):
        pages = [reverse(f"cooperation:{name}") for name in LIST_PAGES + STANDARD_PAGES]
        question = translation.gettext("Did you find what you were looking for?")
        suggest = translation.gettext("Suggest a correction to this record")
        modified = translation.gettext("Date modified:")
        action = reverse("feedback:page")
    assert question != "Did you find what you were looking for?" or language == "en"
    for path in pages + record_pages(language):
        html = client.get(path).text
        assert question in html, path
        assert f'action="{action}"' in html, path
        assert f'name="page" value="{path}"' in html, path
        # No per-visitor token on a cached page: the view checks the origin instead.
        assert "csrfmiddlewaretoken" not in html, path
    for path in record_pages(language):
        html = client.get(path).text
        # Suggest a correction, then the question, then the date modified, at the end.
        assert html.index(suggest) < html.index(question) < html.index(modified), path


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client, shipped_content):
    html = client.get("/en/").text
    trap = re.search(r'<div class="trap" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    assert 'name="website"' in trap and 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    css = Path("static/css/portal.css").read_text()
    assert re.search(r"\.trap \{[^}]*left: -10000px", css)


# -- Yes and No -------------------------------------------------------------------------------


def test_yes_is_stored_and_the_page_says_thank_you(db, shipped_content):
    browser = visitor()
    page = record_pages("fr")[1]
    response = answer(browser, page, "yes")
    assert response.status_code == 303
    assert response["Location"] == f"{page}?thanks=feedback#page-feedback"
    feedback = PageFeedback.objects.get()
    assert (feedback.page, feedback.language, feedback.answer, feedback.comment) == (
        page,
        "fr",
        "yes",
        "",
    )
    thanked = browser.get(f"{page}?thanks=feedback").text
    assert "Merci de votre rétroaction" in thanked
    assert "Avez-vous trouvé ce que vous cherchiez?" not in thanked
    # The thank-you is for this visitor's page only: not cached, not shown to the next one,
    # not carried to the other language by the toggle.
    assert "Merci de votre rétroaction" not in visitor("192.0.2.11").get(page).text
    assert "thanks=" not in re.search(r'hreflang="en" href="([^"]+)"', thanked).group(1)


def test_no_leads_to_an_optional_comment_with_personal_information_masked(db, shipped_content):
    browser = visitor()
    page = "/en/initiatives/"
    response = answer(browser, page, "no")
    assert response.status_code == 303
    comment_page = response["Location"]
    assert comment_page.startswith("/en/feedback/")
    form = browser.get(comment_page)
    assert form.status_code == 200
    assert "private" in form["Cache-Control"] and "no-store" in form["Cache-Control"]
    assert 'maxlength="300"' in form.text
    text = "No date for the 2019 meeting. Write to jane.doe@example.ca or call 613-555-0199."
    sent = browser.post(comment_page, {"comment": text, "issued": stamp("comment")})
    assert sent.status_code == 303
    assert sent["Location"] == f"{page}?thanks=feedback#page-feedback"
    stored = PageFeedback.objects.get()
    assert stored.answer == "no"
    assert "jane.doe" not in stored.comment and "555" not in stored.comment
    assert "2019 meeting" in stored.comment and "[email address removed]" in stored.comment
    # The link takes one comment: replayed, it changes nothing.
    again = browser.post(comment_page, {"comment": "spam spam", "issued": stamp("comment")})
    assert again.status_code == 404
    assert PageFeedback.objects.get().comment == stored.comment


def test_the_comment_page_is_in_the_visitors_language_and_limited_to_300(db, shipped_content):
    browser = visitor()
    response = answer(browser, "/fr/ententes/", "no")
    comment_page = response["Location"]
    assert comment_page.startswith("/fr/retroaction/")
    too_long = browser.post(comment_page, {"comment": "x" * 301, "issued": stamp("comment")})
    assert too_long.status_code == 400
    assert "Erreur" in too_long.text and 'aria-invalid="true"' in too_long.text
    assert "x" * 301 in too_long.text  # what the visitor typed is kept
    assert PageFeedback.objects.get().comment == ""


def test_an_expired_or_forged_comment_link_is_a_404(db, client):
    assert client.get("/en/feedback/not-a-token/").status_code == 404
    feedback = PageFeedback.objects.create(page="/en/", language="en", answer="no")
    old = signing.dumps(feedback.pk, salt="feedback.comment")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("feedback.views.COMMENT_MAX_AGE", -1)
        assert client.get(f"/en/feedback/{old}/").status_code == 404


# -- Guards -----------------------------------------------------------------------------------


def test_a_filled_honeypot_is_thanked_and_stored_nowhere(db, shipped_content):
    browser = visitor()
    response = answer(browser, "/en/", "yes", website="http://spam.example")
    assert response.status_code == 303 and "thanks=feedback" in response["Location"]
    record = Initiative.objects.published().first()
    url = reverse("feedback:correction", args=["initiatives", record.uuid])
    response = browser.post(url, correction_data(website="http://spam.example"))
    assert response.status_code == 303 and "thanks=correction" in response["Location"]
    assert not PageFeedback.objects.exists() and not CorrectionSuggestion.objects.exists()
    assert not SubmissionCount.objects.exists()  # refused before the rate limit's query


@pytest.mark.parametrize(
    ("issued", "message"),
    [
        (lambda: guards.issue_timestamp("page|/en/agreements/"), "quicker than we expected"),
        (lambda: stamp("page|/en/agreements/", seconds_ago=86400 + 60), "more than a day ago"),
        (lambda: stamp("page|/en/initiatives/"), "could not be checked"),  # another page's
        (lambda: stamp("correction"), "could not be checked"),  # another form's stamp
        (lambda: "page:1:forged", "could not be checked"),
        (lambda: "", "could not be checked"),
    ],
)
def test_a_form_posted_too_fast_too_late_or_forged_is_refused_and_kept(
    db, shipped_content, issued, message
):
    browser = visitor()
    data = {"page": "/en/agreements/", "answer": "no", "issued": issued()}
    response = browser.post(reverse("feedback:page"), data)
    assert response.status_code == 400
    assert message in response.text
    assert not PageFeedback.objects.exists()
    # The answer is kept: one button sends it again, with a fresh stamp.
    assert 'name="answer" value="no"' in response.text
    assert 'name="page" value="/en/agreements/"' in response.text
    # Drawn again with the stamp of when the visitor first saw it, unless that stamp is
    # forged or expired: then with a fresh one.
    again = re.search(r'name="issued" value="([^"]+)"', response.text).group(1)
    assert (again == data["issued"]) == (message == "quicker than we expected")


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": ORIGIN},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {},
    ],
)
def test_page_feedback_from_another_site_is_refused(db, headers):
    client = Client(**headers)
    data = {"page": "/en/", "answer": "yes", "issued": stamp("page|/en/")}
    response = client.post(reverse("feedback:page"), data)
    assert response.status_code == 403
    assert "did not come from a page of this site" in response.text
    assert not PageFeedback.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": ORIGIN},
        {"HTTP_REFERER": f"{ORIGIN}/en/"},
    ],
)
def test_page_feedback_from_our_own_pages_is_accepted(db, shipped_content, headers):
    data = {"page": "/en/", "answer": "yes", "issued": stamp("page|/en/")}
    assert Client(**headers).post(reverse("feedback:page"), data).status_code == 303
    assert PageFeedback.objects.count() == 1


def test_the_other_forms_need_their_csrf_token(db, shipped_content):
    record = Initiative.objects.published().first()
    url = reverse("feedback:correction", args=["initiatives", record.uuid])
    strict = Client(enforce_csrf_checks=True, HTTP_ORIGIN=ORIGIN)
    assert strict.post(url, correction_data()).status_code == 403
    form = strict.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    sent = strict.post(url, correction_data(csrfmiddlewaretoken=token))
    assert sent.status_code == 303
    assert CorrectionSuggestion.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"page": "https://evil.example/", "answer": "yes"},
        {"page": "//evil.example/en/", "answer": "yes"},
        {"page": "/admin/", "answer": "yes"},
        {"page": "/en/feedback/", "answer": "yes"},
        {"page": "/en/" + "a/" * 400, "answer": "yes"},
        {"page": "/en/", "answer": "maybe"},
        {"page": "/en/\x00", "answer": "yes"},
        {"answer": "yes"},
        {},
    ],
)
def test_hostile_page_feedback_gets_a_clear_400(db, data):
    issued = stamp(f"page|{data.get('page', '')}")
    response = visitor().post(reverse("feedback:page"), {**data, "issued": issued})
    assert response.status_code == 400
    assert "We could not record this answer" in response.text
    assert not PageFeedback.objects.exists()


def test_only_posts_reach_the_feedback_view(client, db):
    assert client.get(reverse("feedback:page")).status_code == 405


def test_a_flood_from_one_address_stops_at_the_limit_and_never_reaches_the_queue(
    db, shipped_content, settings, capsys, django_assert_num_queries
):
    """A robot posting as fast as it can, from one address: the first posts within the limit
    are stored, the rest refused with 429; other visitors are untouched; spam costs less than
    an ordinary page. Prints the figures (no timed assertion)."""
    limit, _period = settings.FEEDBACK_RATE_LIMITS["feedback"]
    robot = visitor("198.51.100.7")
    page = "/en/initiatives/"
    flood = 200
    timings, statuses = [], []
    for _ in range(flood):
        started = time.perf_counter()
        statuses.append(answer(robot, page, "yes").status_code)
        timings.append(time.perf_counter() - started)
    assert statuses[:limit] == [303] * limit
    assert set(statuses[limit:]) == {429}
    assert PageFeedback.objects.count() == limit
    refused = answer(robot, page, "yes")
    assert int(refused["Retry-After"]) > 0 and "what you typed is kept" in refused.text
    # A neighbour on another address is not affected.
    assert answer(visitor("198.51.100.8"), page, "yes").status_code == 303

    spam_timings = []
    for _ in range(flood):
        started = time.perf_counter()
        answer(robot, page, "yes", website="http://spam.example")
        spam_timings.append(time.perf_counter() - started)
    assert PageFeedback.objects.count() == limit + 1
    # A robot's post costs no query; one past the limit costs the counter's one upsert.
    with django_assert_num_queries(0):
        answer(robot, page, "yes", website="http://spam.example")
    with django_assert_num_queries(1):
        assert answer(robot, page, "yes").status_code == 429

    # Corrections have their own, lower limit.
    record = Initiative.objects.published().first()
    url = reverse("feedback:correction", args=["initiatives", record.uuid])
    correction_limit, _period = settings.FEEDBACK_RATE_LIMITS["correction"]
    codes = [robot.post(url, correction_data()).status_code for _ in range(correction_limit + 5)]
    assert codes.count(303) == correction_limit and codes.count(429) == 5
    assert CorrectionSuggestion.objects.count() == correction_limit

    page_timings = []
    reader = Client()
    for _ in range(50):
        started = time.perf_counter()
        reader.get(f"/en/initiatives/?q=flood{_}")
        page_timings.append(time.perf_counter() - started)
    with capsys.disabled():
        print(
            f"\nflood of {flood} page-feedback posts from one address: {limit} stored, "
            f"{flood - limit} refused (429); median {statistics.median(timings) * 1000:.1f} ms "
            f"per post. {flood} honeypot posts: none stored, median "
            f"{statistics.median(spam_timings) * 1000:.1f} ms. An uncached search page: "
            f"median {statistics.median(page_timings) * 1000:.1f} ms."
        )


def test_ipv6_visitors_are_counted_per_network(rf, settings):
    one = rf.post("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    other = rf.post("/", REMOTE_ADDR="2001:db8:1:2:bbbb::2")
    assert guards.client_address(one) == guards.client_address(other) == "2001:db8:1:2::/64"
    behind = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert guards.client_address(behind) == "10.0.0.1"
    settings.BEHIND_PROXY = True
    assert guards.client_address(behind) == "203.0.113.9"


def test_feedback_never_changes_the_data_version(db, shipped_content):
    """A visitor's post is not an edit: the page cache stays valid."""
    before = DataVersion.objects.get().number
    answer(visitor(), "/en/", "yes")
    record = Initiative.objects.published().first()
    visitor().post(
        reverse("feedback:correction", args=["initiatives", record.uuid]), correction_data()
    )
    assert PageFeedback.objects.count() == CorrectionSuggestion.objects.count() == 1
    assert DataVersion.objects.get().number == before


# -- Masking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "personal",
    [
        "jane.doe+portal@example.gc.ca",
        "(613) 555-0199",
        "613-555-0199",
        "613.555.0199",
        "1 613 555 0199",
        "+1 613 555 0199",
        "+82 2-2110-1234",
        "010-1234-5678",
        "6135550199",
        "K1A 0B1",
        "k1a0b1",
        "046 454 286",  # a number shaped like a SIN (it passes the check digit)
        "046-454-286",
        "046454286",
        "900101-1234567",  # a Korean resident registration number
        "010 1234 5678",
        "01012345678",
        "613 5550199",
        "613-5550199",
        "613\u00a0555\u00a00199",
        "046\u00a0454\u00a0286",
    ],
)
def test_personal_information_is_masked(personal):
    masked = mask_personal_information(f"Contact: {personal}. Thanks")
    assert personal not in masked and personal.lower() not in masked.lower()
    assert masked.startswith("Contact: [") and masked.endswith("]. Thanks")


@pytest.mark.parametrize(
    "fact",
    [
        "2019-06-18",
        "18 June 2019",
        "US$693 million",
        "C$4,000,000",
        "4 000 000 $",
        "2,4 milliards $ CA",
        "123 456 789",  # nine digits that fail the SIN check digit: an amount
        "1 000 000 000 $",  # its last nine digits pass the check digit: still an amount
        "5\u00a0000\u00a0000\u00a0000 wons",
        "CAD 1 000 000 000",
        "$1234567890",
        "from 1000000000 to 2000000000",
        "2025-07-09 and 2019-06-18",
        "Section 3, paragraph 12",
        "KRW 1,000,000,000",
        "Track 1.5",
    ],
)
def test_dates_and_amounts_are_not_masked(fact):
    assert mask_personal_information(f"It should say {fact}.") == f"It should say {fact}."


# -- Suggest a correction ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_record_page_links_to_its_correction_form(client, shipped_content, language):
    for model in RECORD_MODELS:
        record = model.objects.published().order_by("pk").first()
        html = client.get(record.url_in(language)).text
        url = re.search(r'<p class="suggest-correction"><a href="([^"]+)"', html).group(1)
        form = client.get(url)
        assert form.status_code == 200, url
        assert markup.escape(str(record)) in form.text
        assert f'lang="{language}"' in form.text
        assert '<meta name="robots" content="noindex">' in form.text
        if language == "fr":
            assert "Jusqu’à 2000 caractères" in form.text.replace("&#x27;", "’").replace("'", "’")
            assert "Up to" not in form.text and "Choose a part" not in form.text
    assert url.startswith("/fr/suggerer-une-correction/" if language == "fr" else "/en/suggest-")


def test_a_suggestion_reaches_the_queue_and_changes_nothing(db, shipped_content):
    record = Initiative.objects.published().order_by("pk").first()
    modified = record.modified
    url = reverse("feedback:correction", args=["initiatives", record.uuid])
    with translation.override("fr"):
        url_fr = reverse("feedback:correction", args=["initiatives", record.uuid])
    response = visitor().post(
        url_fr,
        correction_data(name=" Marie ", email="marie@example.ca", suggestion="Le 9 juillet 2025."),
    )
    assert response.status_code == 303
    assert response["Location"] == f"{record.url_in('fr')}?thanks=correction#main"
    suggestion = CorrectionSuggestion.objects.get()
    assert suggestion.record == record and suggestion.state == SuggestionState.NEW
    assert suggestion.language == "fr" and suggestion.field == "summary"
    assert suggestion.value_seen == record.summary_fr
    assert (suggestion.name, suggestion.email) == ("Marie", "marie@example.ca")
    assert suggestion.suggestion == "Le 9 juillet 2025."
    record.refresh_from_db()
    assert record.modified == modified  # nothing published from a suggestion
    thanked = visitor().get(f"{record.url_in('fr')}?thanks=correction").text
    assert "Merci" in thanked and 'role="status"' in thanked
    assert url != url_fr


def test_correction_errors_are_tied_to_their_fields_and_keep_the_text(db, shipped_content):
    record = Agreement.objects.published().first()
    with translation.override("fr"):
        url = reverse("feedback:correction", args=["agreements", record.uuid])
    data = correction_data(field="nope", source_url="not an address", suggestion="Garder ceci")
    response = visitor().post(url, data)
    assert response.status_code == 400
    html = response.text
    assert html.count('aria-invalid="true"') == 2
    assert "<title>Erreur\u00a0:" in html
    for name in ("field", "source_url"):
        assert re.search(rf'aria-describedby="id_{name}_error[^"]*"[^>]*id="id_{name}"', html) or (
            re.search(rf'id="id_{name}"[^>]*aria-describedby="id_{name}_error', html)
        ), name
        assert f'id="id_{name}_error"' in html
        assert f'href="#id_{name}"' in html  # the summary links to the field
    assert "Garder ceci" in html and "not an address" in html
    assert "Saisissez une URL valide" in html  # Django's own message, in French
    assert not CorrectionSuggestion.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/en/suggest-a-correction/initiatives/00000000-0000-0000-0000-000000000000/",
        "/en/suggest-a-correction/sources/00000000-0000-0000-0000-000000000000/",
        "/en/suggest-a-correction/users/00000000-0000-0000-0000-000000000000/",
        "/en/suggest-a-correction/initiatives/not-a-uuid/",
    ],
)
def test_a_correction_form_for_no_published_record_is_a_404(client, db, path):
    assert client.get(path).status_code == 404


def test_no_correction_form_for_a_draft(client, db):
    draft = make_initiative(published=False)
    assert (
        client.get(reverse("feedback:correction", args=["initiatives", draft.uuid])).status_code
        == 404
    )


def test_an_enormous_post_gets_a_clear_answer_in_the_visitors_language(db, shipped_content):
    record = Initiative.objects.published().first()
    with translation.override("fr"):
        url = reverse("feedback:correction", args=["initiatives", record.uuid])
    response = visitor().post(url, correction_data(suggestion="x" * (3 * 2**20)))
    assert response.status_code == 400
    assert '<html lang="fr">' in response.text and "trop" in response.text


def test_the_page_cache_never_serves_a_form_with_another_visitors_data(db, shipped_content):
    record = Initiative.objects.published().first()
    url = reverse("feedback:correction", args=["initiatives", record.uuid])
    first, second = visitor("192.0.2.1"), visitor("192.0.2.2")
    tokens = []
    for browser in (first, second, first):
        response = browser.get(url)
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        tokens.append(re.search(r'csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1))
    assert len(set(tokens)) == 3
    # A form sent back with errors is the sender's alone.
    first.post(url, correction_data(source_url="bad", suggestion="first visitor's words"))
    assert "first visitor's words" not in second.get(url).text
    # The record page itself stays cached, and carries no visitor's data.
    page = record.get_absolute_url()
    assert first.get(page).text == second.get(page).text


# -- Moderation, desk, summary ----------------------------------------------------------------


@pytest.fixture
def suggestion(db, shipped_content):
    record = Initiative.objects.published().order_by("pk").first()
    visitor().post(
        reverse("feedback:correction", args=["initiatives", record.uuid]),
        correction_data(field="title", suggestion="A better title"),
    )
    return CorrectionSuggestion.objects.get()


def test_the_queue_shows_the_record_the_current_values_and_the_suggestion(
    client, editor, suggestion
):
    client.force_login(editor)
    listing = client.get(reverse("admin:feedback_correctionsuggestion_changelist"))
    assert listing.status_code == 200 and suggestion.record_title in listing.text
    page = client.get(reverse("admin:feedback_correctionsuggestion_change", args=[suggestion.pk]))
    assert page.status_code == 200
    record = suggestion.record
    comparison = re.search(r'<table class="suggestion-comparison">.*?</table>', page.text, re.S)
    for value in (record.title_en, record.title_fr, "A better title"):
        assert markup.escape(value) in comparison.group(0)
    assert 'name="_accept"' in page.text
    assert client.get(reverse("admin:feedback_correctionsuggestion_add")).status_code == 403


def test_accepting_opens_the_records_change_form_and_changes_nothing(client, editor, suggestion):
    client.force_login(editor)
    record = suggestion.record
    modified = record.modified
    url = reverse("admin:feedback_correctionsuggestion_change", args=[suggestion.pk])
    response = client.post(url, {"state": "new", "curator_note": "Checked", "_accept": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cooperation_initiative_change", args=[record.pk])
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.ACCEPTED
    assert suggestion.moderated_by == editor and suggestion.curator_note == "Checked"
    form = client.get(response["Location"])
    assert "A better title" in form.text  # the suggestion, beside the form, as a message
    record.refresh_from_db()
    assert record.modified == modified and record.title_en != "A better title"


def test_rejecting_and_marking_as_spam(client, editor, suggestion):
    client.force_login(editor)
    url = reverse("admin:feedback_correctionsuggestion_changelist")
    client.post(url, {"action": "mark_spam", "_selected_action": [suggestion.pk]})
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.SPAM and suggestion.moderated_by == editor
    client.post(url, {"action": "mark_rejected", "_selected_action": [suggestion.pk]})
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.REJECTED


def test_the_desk_shows_new_suggestions_and_the_weeks_feedback(client, publisher, suggestion):
    PageFeedback.objects.create(page="/en/agreements/", language="en", answer="no")
    PageFeedback.objects.create(page="/en/agreements/", language="en", answer="yes")
    client.force_login(publisher)
    desk = client.get(reverse("admin:index")).text
    assert "1 suggested correction waiting" in desk
    assert suggestion.record_title in desk
    assert "2 answers, 1 “No”" in desk
    with translation.override("fr"):
        client.cookies["django_language"] = "fr"
        french = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "correction suggérée en attente" in french


def test_the_weekly_summary_and_its_csv(client, publisher, db):
    now = timezone.now()
    for page, answers in (("/en/agreements/", "nny"), ("/fr/ententes/", "y"), ("/en/", "yyyn")):
        for value in answers:
            PageFeedback.objects.create(
                page=page,
                language=page[1:3],
                answer={"y": "yes", "n": "no"}[value],
                comment='=HYPERLINK("http://evil")' if page == "/en/" and value == "n" else "",
            )
    PageFeedback.objects.create(
        page="/en/", language="en", answer="no", created=now - datetime.timedelta(days=8)
    )
    client.force_login(publisher)
    url = reverse("admin:feedback_pagefeedback_summary")
    html = client.get(url).text
    table = re.search(r"<caption>Answers per page.*?</table>", html, re.S).group(0)
    rows = re.findall(r'<tr><td><a href="([^"]+)">', table)
    assert rows == ["/en/agreements/", "/en/", "/fr/ententes/"]  # most "No" first
    assert "67 %" in html and "25 %" in html
    assert "8 answers this week, 3 of them “No”" in html
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert rows[0][0] == "\ufeffweek"
    assert [row[1:7] for row in rows[1:]] == [
        ["/en/agreements/", "en", "3", "1", "2", "0.667"],
        ["/en/", "en", "4", "3", "1", "0.250"],
        ["/fr/ententes/", "fr", "1", "1", "0", "0.000"],
    ]
    assert rows[2][7] == '\'=HYPERLINK("http://evil")'  # no formula in a spreadsheet
    last_week = (timezone.localdate() - datetime.timedelta(days=7)).strftime("%G-W%V")
    assert "1 answer this week, 1 of them “No”" in client.get(url, {"week": last_week}).text
    for week in ("garbage", "9999-W99", "2026-13-45", "<script>"):
        assert client.get(url, {"week": week}).status_code == 200


def test_staff_without_permission_see_no_feedback(client, django_user_model, db):
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-1", is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:feedback_pagefeedback_summary")).status_code == 403
    assert "From visitors" not in client.get(reverse("admin:index")).text


# -- Retention --------------------------------------------------------------------------------


def test_old_comments_and_contact_details_are_deleted(db, shipped_content, settings):
    old = timezone.now() - settings.FEEDBACK_RETENTION - datetime.timedelta(days=1)
    recent = timezone.now() - datetime.timedelta(days=1)
    PageFeedback.objects.create(
        page="/en/", language="en", answer="no", comment="old", created=old
    )
    PageFeedback.objects.create(
        page="/en/", language="en", answer="no", comment="recent", created=recent
    )
    record = Initiative.objects.published().first()
    common = {
        "record": record,
        "record_title": "t",
        "page": "/",
        "language": "en",
        "field": "title",
        "suggestion": "s",
        "source_url": "https://example.org/",
        "name": "N",
        "email": "n@example.org",
        "created": old,
    }
    closed = CorrectionSuggestion.objects.create(**common, state=SuggestionState.REJECTED)
    waiting = CorrectionSuggestion.objects.create(**common)
    SubmissionCount.objects.create(address_key="k", period_start=old, count=3)

    out = io.StringIO()
    call_command("purge_feedback", "--dry-run", stdout=out)
    assert "Would delete 1 comment(s) and the contact details of 1 suggestion(s)" in out.getvalue()
    assert PageFeedback.objects.filter(comment="old").exists()

    call_command("purge_feedback", stdout=io.StringIO())
    assert sorted(PageFeedback.objects.values_list("comment", flat=True)) == ["", "recent"]
    assert PageFeedback.objects.count() == 2  # the answers stay, for the statistics
    closed.refresh_from_db()
    waiting.refresh_from_db()
    assert (closed.name, closed.email) == ("", "")
    assert (waiting.name, waiting.email) == ("N", "n@example.org")  # not dealt with yet
    assert not SubmissionCount.objects.exists()


# -- No 500 on any input ----------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)


@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "page",
                "answer",
                "issued",
                "website",
                "comment",
                "field",
                "suggestion",
                "source_url",
                "name",
                "email",
                "csrfmiddlewaretoken",
            ]
        ),
        _TEXT,
    ),
    token=st.text(st.characters(categories=["L", "N", "P"]), min_size=1, max_size=60),
)
@examples(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_no_input_makes_a_visitors_form_fail(shipped_content, data, token):
    """Anything posted to the three forms gets a 2xx, 3xx or 4xx, never a 500."""
    browser = visitor()
    record = Initiative.objects.published().first()
    targets = [
        reverse("feedback:page"),
        reverse("feedback:correction", args=["initiatives", record.uuid]),
    ]
    if "/" not in token and "\\" not in token:
        targets.append(f"/en/feedback/{token}/")
    for target in targets:
        assert browser.post(target, data).status_code < 500, (target, data)
    assert browser.get(targets[1], {"field": data.get("field", "")}).status_code == 200


@given(
    comment=_TEXT,
    suggestion=_TEXT.filter(lambda text: text.strip()),
    field=st.sampled_from(["title", "summary", "dates", "sources", "other", "nope"]),
    name=_TEXT,
)
@examples(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_any_text_in_valid_forms_is_stored_masked_or_refused_clearly(
    shipped_content, comment, suggestion, field, name
):
    """Past the guards (a valid stamp, a real page, a new address each time), any text is
    stored, masked, or refused with a 400, never a 500."""
    record = Initiative.objects.published().first()
    page = record.url_in("en")
    browser = visitor(f"203.0.113.{len(comment) % 250 + 1}")
    no = browser.post(
        reverse("feedback:page"), {"page": page, "answer": "no", "issued": stamp(f"page|{page}")}
    )
    assert no.status_code in (303, 429)
    if no.status_code == 303:
        sent = browser.post(no["Location"], {"comment": comment, "issued": stamp("comment")})
        assert sent.status_code in (303, 400)
    url = reverse("feedback:correction", args=["initiatives", record.uuid])
    data = correction_data(field=field, suggestion=suggestion, name=name)
    assert browser.post(url, data).status_code in (303, 400, 429)
    for stored in CorrectionSuggestion.objects.all():
        assert stored.suggestion == mask_personal_information(stored.suggestion)


@pytest.mark.usefixtures("shipped_content")
def test_every_field_of_every_record_has_a_current_value_in_both_languages():
    """What the queue sets beside a suggestion: for every shipped record and every field a
    visitor can name, its value in English and in French (relations and citations included);
    the fields every published record has are never empty."""
    from feedback.records import current_value, fields_of

    always = {"title", "name", "summary", "kind", "status", "rationale", "audience", "sources"}
    for model in RECORD_MODELS:
        for record in model.objects.published():
            for code, _label, _attributes in fields_of(model):
                for language in ("en", "fr"):
                    value = current_value(record, code, language)
                    assert value or code not in always, (record, code, language)
    initiative = Initiative.objects.published().first()
    assert current_value(initiative, "areas", "en") and current_value(initiative, "sources", "fr")
