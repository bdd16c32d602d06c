"""What a record may state, shown the same everywhere: a status no source gives is "not
stated", a partly inferred date says so on every page, an amount reads as its source words it
("nearly C$4 million"), and a French status agrees with its kind's gender."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import translation

from cooperation.management.commands.load_content import stable_id
from cooperation.models import Agreement, Initiative, InitiativeStatus
from tests.factories import make_initiative

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
