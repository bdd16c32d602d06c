"""Cached search answers: keyed on the data version the database raises on every write, and on
the language, so no visitor sees a stale count, an unpublished record or the other language."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.caching import data_version, tables_without_version_trigger
from cooperation.models import (
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    Source,
)
from tests.factories import make_area, make_initiative, make_organization

pytestmark = pytest.mark.django_db


def result_count(client, params, language="en") -> int:
    response = client.get(f"/{language}/initiatives/", params)
    assert response.status_code == 200
    match = re.search(r"(\d+) initiatives?</p>", response.text)
    return int(match.group(1))


def page_text(client, params, language="en") -> str:
    """The page without the <mark> tags that highlight matching words."""
    return re.sub(r"</?mark>", "", client.get(f"/{language}/initiatives/", params).text)


def test_every_cooperation_table_raises_the_data_version():
    assert tables_without_version_trigger() == []


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda i: i.save(), id="save"),
        pytest.param(
            lambda i: Initiative.objects.filter(pk=i.pk).update(title_en="Renamed"), id="update"
        ),
        pytest.param(lambda i: i.areas.add(make_area()), id="many-to-many add"),
        pytest.param(lambda i: i.areas.clear(), id="many-to-many clear"),
        pytest.param(lambda i: i.citations.all().delete(), id="delete a citation"),
        pytest.param(
            lambda i: Organization.objects.bulk_create(
                [Organization(name_en="A", slug_en="a-bulk", slug_fr="a-bulk-fr")]
            ),
            id="bulk create",
        ),
        pytest.param(lambda i: i.unpublish(), id="unpublish"),
        pytest.param(lambda i: Source.objects.update(note="x"), id="another table"),
        pytest.param(
            lambda i: connection.cursor().execute(
                f"UPDATE {CooperationArea._meta.db_table} SET note = 'raw'"
            ),
            id="raw SQL",
        ),
    ],
)
def test_any_write_raises_the_data_version(write):
    initiative = make_initiative()
    initiative.areas.add(make_area())
    before = data_version()
    write(initiative)
    assert data_version() != before


def test_a_repeated_search_is_answered_from_the_cache(client):
    for n in range(3):
        make_initiative(title_en=f"Quantum {n}")
    params = {"q": "quantum", "kind": "programme"}
    with CaptureQueriesContext(connection) as first:
        client.get("/en/initiatives/", params)
    with CaptureQueriesContext(connection) as second:
        client.get("/en/initiatives/", params)
    # The data version and the rows of the page; counts, facets and ids come from the cache.
    assert len(second) <= 2 < len(first)


def test_unpublishing_removes_a_record_from_cached_results_at_once(client):
    kept = make_initiative(title_en="Quantum kept")
    gone = make_initiative(title_en="Quantum gone")
    assert result_count(client, {"q": "quantum"}) == 2
    assert "Quantum gone" in page_text(client, {"q": "quantum"})
    gone.unpublish()
    text = page_text(client, {"q": "quantum"})
    assert "Quantum gone" not in text
    assert "Quantum kept" in text
    assert result_count(client, {"q": "quantum"}) == 1
    assert kept.pk != gone.pk


def test_an_edit_elsewhere_refreshes_facet_counts(client):
    area = make_area(name_en="Robotics", slug_en="robotics")
    initiative = make_initiative(title_en="Quantum")
    assert "Robotics (1)" not in client.get("/en/initiatives/").text
    initiative.areas.add(area)
    assert "Robotics (1)" in client.get("/en/initiatives/").text
    organization = make_organization(name_en="KAIST", slug_en="kaist", country="KR")
    InitiativeParticipant.objects.create(initiative=initiative, organization=organization)
    text = client.get("/en/initiatives/", {"organization": "kaist"}).text
    assert "KAIST (1)" in text
    assert result_count(client, {"organization": "kaist"}) == 1


def test_a_cached_answer_is_never_served_in_the_other_language(client):
    area = make_area(name_en="Energy", name_fr="Énergie", slug_en="energy", slug_fr="energie")
    make_initiative(title_en="Gas", title_fr="Gaz").areas.add(area)
    english = client.get("/en/initiatives/").text
    french = client.get("/fr/initiatives/").text
    assert '<option value="energy">Energy (1)</option>' in english
    assert '<option value="energie">Énergie (1)</option>' in french
    assert "Energy (1)" not in french
    assert ">Gaz<" in french or "Gaz</a>" in french
