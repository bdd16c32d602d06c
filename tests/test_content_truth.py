"""What a record may state, shown the same everywhere: a status no source gives is "not
stated", a partly inferred date says so on every page, an amount reads as its source words it
("nearly C$4 million"), and a French status agrees with its kind's gender."""

import csv
import datetime
import html as markup
import io
import json

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from cooperation.management.commands.load_content import Command, stable_id
from cooperation.models import (
    Agreement,
    CooperationArea,
    Initiative,
    InitiativeStatus,
    Organization,
    PublishingError,
    Recommendation,
    Source,
)
from tests.factories import (
    cite,
    make_initiative,
    make_organization,
    make_recommendation,
    make_source,
)

pytestmark = pytest.mark.django_db


def initiative(key: str) -> Initiative:
    return Initiative.objects.get(uuid=stable_id(Initiative, key))


def test_a_new_initiative_has_no_status_until_a_source_gives_one():
    assert Initiative().initiative_status == InitiativeStatus.NOT_STATED


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(
    ("language", "shown"), [("en", "Status not stated"), ("fr", "Statut non précisé")]
)
def test_statuses_no_source_gives_are_shown_as_not_stated(client, language, shown):
    for key in ("naver-wattpad-uoft-nlp", "seoul-quebec-ivado", "eagle-n-chiplet"):
        record = initiative(key)
        assert record.initiative_status == InitiativeStatus.NOT_STATED
        assert shown in client.get(record.url_in(language)).text
    with translation.override(language):
        search = reverse("cooperation:initiative_list")
    facets = client.get(search).text
    assert f">{shown}" in facets  # a value of the status filter, with its count


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(
    ("language", "mark"),
    [("en", "(partly inferred, see the note)"), ("fr", "(en partie déduite, voir la remarque)")],
)
def test_a_partly_inferred_date_says_so_on_every_page(client, language, mark):
    meeting = initiative("jcm-2-banff")
    assert meeting.start_date_inferred
    committee = Agreement.objects.get(uuid=stable_id(Agreement, "joint-committee-sti"))
    assert meeting.agreement == committee
    with translation.override(language):
        search = reverse("cooperation:initiative_list")
    pages = [
        meeting.url_in(language),
        f"{search}?q=Banff",
        committee.url_in(language),  # its meetings, listed under the committee
    ]
    for page in pages:
        html = client.get(page).text
        assert mark in html, page
    # Only the inferred date carries the mark.
    first = initiative("jcm-1")
    assert not first.start_date_inferred
    assert mark not in client.get(first.url_in(language)).text


@pytest.mark.usefixtures("shipped_content")
def test_an_amount_reads_as_its_source_words_it(client):
    record = initiative("malaysia-cybersecurity")
    assert record.funding_qualifier == "nearly"
    assert "nearly C$4 million" in client.get(record.url_in("en")).text
    assert "près de 4\u00a0millions\u00a0$\u00a0CA" in client.get(record.url_in("fr")).text
    exact = initiative("tenstorrent-series-d")
    assert exact.funding_qualifier == ""
    assert "US$693 million" in client.get(exact.url_in("en")).text
    # In the open data too, with the inference flag.
    rows = {
        row["uuid"]: row
        for row in csv.DictReader(
            io.StringIO(client.get("/data/initiatives.csv").content.decode("utf-8-sig"))
        )
    }
    assert rows[str(record.uuid)]["funding_qualifier"] == "nearly"
    assert rows[str(initiative("jcm-2-banff").uuid)]["start_date_inferred"] == "True"
    records = json.loads(client.get("/data/initiatives.json").content)["results"]
    found = next(item for item in records if item["uuid"] == str(record.uuid))
    assert found["funding_qualifier"] == "nearly"


@pytest.mark.parametrize(
    ("kind", "french"),
    [
        ("dialogue", "Terminé"),
        ("event", "Terminé"),
        ("programme", "Terminé"),
        ("research_collaboration", "Terminée"),
        ("infrastructure", "Terminée"),
    ],
)
def test_a_french_status_agrees_with_its_kind(client, kind, french):
    record = make_initiative(kind=kind, initiative_status=InitiativeStatus.COMPLETED)
    with translation.override("fr"):
        assert record.status_display == french
    with translation.override("en"):
        assert record.status_display == "Completed"
    html = client.get(record.url_in("fr")).text
    assert f"<dd>{french}</dd>" in html


# -- Whose recommendation it is ---------------------------------------------------------------


@pytest.mark.usefixtures("shipped_content")
def test_every_recommendation_says_whose_it_is_on_the_list_and_its_page(client):
    recommendations = list(Recommendation.objects.published().select_related("proposed_in"))
    assert recommendations and all(r.proposed_in for r in recommendations)
    for language, words in (
        ("en", "Proposed in:</span> <cite>"),
        ("fr", "Proposée dans\xa0:</span> <cite>"),
    ):
        with translation.override(language):
            listing = client.get(reverse("cooperation:recommendation_list")).text
        # Grouped by area, a recommendation may appear under several areas: once per listing.
        assert listing.count(words) >= len(recommendations)
        for record in recommendations:
            with translation.override(language):
                title = record.proposed_in.title
            assert markup.escape(title) in client.get(record.url_in(language)).text


@pytest.mark.usefixtures("shipped_content")
def test_the_dialogue_lists_its_four_takeaways_and_they_name_its_summary(client):
    dialogue = initiative("track-1-5-dialogue-ai")
    takeaways = [
        Recommendation.objects.get(uuid=stable_id(Recommendation, key))
        for key in (
            "takeaway-energy-enabler",
            "takeaway-shared-standards",
            "takeaway-global-influence",
            "takeaway-commercial-opportunities",
        )
    ]
    summary = Source.objects.get(uuid=stable_id(Source, "apf-track-1-5-summary"))
    page = client.get(dialogue.url_in("en")).text
    for takeaway in takeaways:
        assert takeaway.proposed_in == summary
        assert takeaway.get_absolute_url() in page
    assert set(dialogue.recommendations.published()) == set(takeaways)
    for other in Recommendation.objects.published().exclude(pk__in=[t.pk for t in takeaways]):
        assert other.proposed_in.uuid == stable_id(Source, "apf-background-note")


def test_a_recommendation_is_not_published_without_saying_whose_it_is():
    source = make_source()
    draft = make_recommendation(published=False, proposed_in=None)
    cite(draft, source)
    with pytest.raises(PublishingError) as refused:
        draft.publish()
    assert "whose recommendation" in str(refused.value)
    draft.proposed_in = source
    draft.publish()
    with pytest.raises(PublishingError):
        source.unpublish()  # it still carries a published recommendation


# -- Honest coverage --------------------------------------------------------------------------


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Last checked against its sources:"),
        ("fr", "Dernière vérification par rapport aux sources\u00a0:"),
    ],
)
def test_every_record_page_says_when_it_was_last_checked(client, language, words):
    with translation.override(language):
        day = date_format(datetime.date(2026, 12, 3), "DATE_FORMAT")
    for model in (CooperationArea, Initiative, Agreement, Organization, Recommendation):
        for record in model.objects.published():
            html = client.get(record.url_in(language)).text
            assert f'{words} <time datetime="2026-12-03">{day}</time>' in html, record
    unchecked = make_initiative()
    assert "Not yet checked against its sources" in client.get(unchecked.url_in("en")).text


@pytest.mark.usefixtures("shipped_content")
def test_an_organization_with_nothing_recorded_says_what_that_means(client):
    lone = make_organization()
    html = client.get(lone.url_in("en")).text
    assert html.count("None in the sources on record.") == 2
    assert "Aucune dans les sources consignées." in client.get(lone.url_in("fr")).text


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"start_date": "2019-06-18", "start_date_inferred": True}, "needs a note"),
        ({"start_date_inferred": True, "note": {"en": "x", "fr": "y"}}, "without a start_date"),
        ({"funding_qualifier": "nearly"}, "without a funding_amount"),
        ({"funding_amount": 4000000}, "without a funding_currency"),
        ({"checked": "yesterday"}, "must be a day"),
        ({"binding": True, "sources": [{"source": "a"}]}, "binding needs binding_source"),
        (
            {"binding": False, "binding_source": "b", "sources": [{"source": "a"}]},
            "binding needs binding_source",
        ),
        ({"checked": "2999-01-01"}, "in the future"),
    ],
)
def test_the_loader_refuses_content_that_breaks_the_rules(entry, message):
    with pytest.raises(ValueError, match=message):
        Command.check_rules({"key": "x", **entry})


def test_the_loader_refuses_a_source_without_an_address_or_a_kind():
    with pytest.raises(ValueError, match="needs its public url"):
        Command.check_rules({"key": "x", "kind": "government"}, Source)
    with pytest.raises(ValueError, match="needs its kind"):
        Command.check_rules({"key": "x", "url": "https://example.org/"}, Source)
    Command.check_rules({"key": "x", "kind": "press", "reference": "000.txt"}, Source)
    Command.check_rules(
        {"key": "x", "binding": True, "binding_source": "a", "sources": [{"source": "a"}]}
    )


@pytest.mark.usefixtures("shipped_content")
def test_depa_shows_what_each_source_says(client):
    depa = Agreement.objects.get(uuid=stable_id(Agreement, "depa"))
    cited = {c.source.uuid for c in depa.citations.select_related("source")}
    for key in (
        "gac-depa-request-2022",
        "gac-depa-background",
        "mfat-korea-depa-accession",
        "apf-background-note",
    ):
        assert stable_id(Source, key) in cited, key
    korea = Organization.objects.get(uuid=stable_id(Organization, "government-of-korea"))
    roles = {(p.organization_id, p.role) for p in depa.participations.all()}
    assert roles == {(korea.pk, "party")}  # Canada asked to join; no source says it acceded
    html = client.get(depa.url_in("en")).text
    assert "signatories" in html and "request to join" in html
    request = Source.objects.get(uuid=stable_id(Source, "gac-depa-request-2022"))
    assert request.url.startswith("https://www.canada.ca/") and request.kind == "government"


@pytest.mark.usefixtures("shipped_content")
def test_every_source_says_what_kind_it_is_and_where_it_can_be_read(client):
    for source in Source.objects.published():
        assert source.kind, source
        assert source.url or source.reference, source
    html = client.get(reverse("cooperation:source_list")).text
    assert "Kind of source" in html and "Republication (blog or aggregator)" in html
