"""Downloading the results of a search: CSV and JSON, same rows and order as the page."""

import csv
import html
import io
import json
import re

import pytest

from cooperation.models import InitiativeParticipant
from tests.factories import make_area, make_initiative, make_organization, make_source

pytestmark = pytest.mark.django_db


def page_titles(client, params, language="en") -> list[str]:
    text = client.get(f"/{language}/initiatives/", params).text
    found = re.findall(r'<h2 class="result-title"><a href="[^"]+">(.*?)</a></h2>', text)
    return [html.unescape(re.sub(r"</?mark>", "", t)) for t in found]


def download(client, fmt, params, language="en"):
    path = "/en/initiatives/results" if language == "en" else "/fr/initiatives/resultats"
    response = client.get(f"{path}.{fmt}", params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode("utf-8")


def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def records():
    area = make_area(name_en="Energy", name_fr="Énergie")
    organization = make_organization(name_en="KEPCO", name_fr="KEPCO (fr)", country="KR")
    source = make_source(title_en="Joint statement", title_fr="Déclaration commune")
    made = []
    for n in range(25):
        initiative = make_initiative(
            title_en=f"Hydrogen project {n:02}",
            title_fr=f"Projet hydrogène {n:02}",
            kind="programme" if n % 2 else "investment",
            source=source,
        )
        initiative.areas.add(area)
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=organization, role="lead"
        )
        made.append(initiative)
    make_initiative(published=False, title_en="Hydrogen draft")
    return made


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize(
    "params", [{"q": "hydrogen"}, {"q": "hydrogen", "sort": "title"}, {"kind": "programme"}]
)
def test_exports_hold_the_pages_results_in_its_order(client, params):
    response, text = download(client, "csv", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = read_csv(text)
    first_page = page_titles(client, params)
    assert [row["title_en"] for row in rows[: len(first_page)]] == first_page
    counted = re.search(r"(\d+) initiatives?</p>", client.get("/en/initiatives/", params).text)
    assert len(rows) == int(counted.group(1))

    response, text = download(client, "json", params)
    data = json.loads(text)
    assert data["count"] == len(rows) == len(data["results"])
    assert [r["title_en"] for r in data["results"]] == [row["title_en"] for row in rows]


def test_csv_rows_carry_both_languages_areas_roles_dates_and_sources(client, records):
    _, text = download(client, "csv", {"q": "hydrogen", "sort": "title"})
    row = read_csv(text)[0]
    assert (row["title_en"], row["title_fr"]) == ("Hydrogen project 00", "Projet hydrogène 00")
    assert (row["areas_en"], row["areas_fr"]) == ("Energy", "Énergie")
    assert row["participants_en"] == "KEPCO (lead)"
    assert row["participants_fr"] == "KEPCO (fr) (lead)"
    assert (row["sources_en"], row["sources_fr"]) == ("Joint statement", "Déclaration commune")
    assert row["url_fr"].startswith("http://testserver/fr/initiatives/")
    assert "Hydrogen draft" not in text


def test_dates_keep_their_precision(client):
    import datetime

    make_initiative(
        title_en="Dated", start_date=datetime.date(2019, 1, 1), start_date_precision="year"
    )
    _, text = download(client, "json", {"q": "dated"})
    result = json.loads(text)["results"][0]
    assert (result["start_date"], result["start_date_precision"]) == ("2019", "year")


def test_the_search_page_links_to_its_downloads(client, records):
    text = client.get("/fr/initiatives/", {"q": "hydrogène", "kind": "programme", "page": "1"})
    html = text.text
    assert 'href="/fr/initiatives/resultats.csv?q=hydrog%C3%A8ne&amp;kind=programme"' in html
    assert 'href="/fr/initiatives/resultats.json?q=hydrog%C3%A8ne&amp;kind=programme"' in html


def test_bad_values_are_refused_with_a_message_in_the_visitors_language(client):
    response, text = download(client, "csv", {"kind": "nonsense"}, language="fr")
    assert response.status_code == 400
    assert "Certaines valeurs n’ont pas été comprises" in text
    response, text = download(client, "json", {"year_from": "abc"})
    assert response.status_code == 400
    assert "errors" in json.loads(text)
    assert client.get("/en/initiatives/results.xml").status_code == 404
