"""Open data: full dumps per record type, the data dictionary, the Open data page, the feeds."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest

from cooperation import opendata
from cooperation.models import (
    Agreement,
    CooperationArea,
    Initiative,
    Organization,
    Recommendation,
    Source,
)
from tests.factories import (
    make_agreement,
    make_initiative,
    make_source,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MODELS = {
    "initiatives": Initiative,
    "agreements": Agreement,
    "organizations": Organization,
    "areas": CooperationArea,
    "recommendations": Recommendation,
    "sources": Source,
}


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff"), "a byte-order mark, for spreadsheet programs"
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize("name", list(opendata.DATASETS))
def test_every_dump_parses_holds_every_published_record_and_both_languages(client, name):
    published = MODELS[name].objects.published()
    response = client.get(f"/data/{name}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(body(response))
    assert data["count"] == published.count() == len(data["results"]) > 0
    assert {r["uuid"] for r in data["results"]} == {
        str(u) for u in published.values_list("uuid", flat=True)
    }
    dataset = opendata.DATASETS[name]
    assert all(list(r) == dataset.json_keys() for r in data["results"])
    assert data["licence"]["url_fr"].startswith("https://ouvert.canada.ca/fr/")
    label = "title" if "title_en" in data["results"][0] else "name"
    assert all(r[f"{label}_en"] and r[f"{label}_fr"] for r in data["results"])
    assert any(r[f"{label}_en"] != r[f"{label}_fr"] for r in data["results"])

    response = client.get(f"/data/{name}.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(body(response))
    assert list(rows[0]) == dataset.csv_header()
    assert [row["uuid"] for row in rows] == [r["uuid"] for r in data["results"]]
    assert [row[f"{label}_fr"] for row in rows] == [r[f"{label}_fr"] for r in data["results"]]


@pytest.mark.usefixtures("shipped_content")
def test_relations_are_flattened_in_csv_in_the_same_order_in_each_language(client):
    rows = read_csv(body(client.get("/data/initiatives.csv")))
    row = next(r for r in rows if r["participants_uuid"].count("|") >= 2)
    names_en = row["participants_en"].split(" | ")
    names_fr = row["participants_fr"].split(" | ")
    uuids = row["participants_uuid"].split(" | ")
    assert len(names_en) == len(names_fr) == len(uuids)
    assert all(name.endswith(")") for name in names_en)  # the role, in brackets
    organizations = {str(o.uuid): o for o in Organization.objects.filter(uuid__in=uuids)}
    for uuid, name in zip(uuids, names_fr, strict=True):
        assert name.startswith(organizations[uuid].name_fr)


def test_a_missing_dump_is_a_404(client):
    assert client.get("/data/nothing.csv").status_code == 404
    assert client.get("/data/initiatives.xml").status_code == 404


def test_dumps_answer_304_until_the_data_changes(client):
    make_initiative(title_en="First")
    first = client.get("/data/initiatives.json")
    etag = first["ETag"]
    assert client.get("/data/initiatives.json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_initiative(title_en="Second")
    again = client.get("/data/initiatives.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert "Second" in body(again)


# -- Data dictionary and the Open data page ---------------------------------------------------


def test_the_dictionary_describes_every_column_in_both_languages(client):
    data = json.loads(body(client.get("/data/dictionary.json")))
    assert set(data["datasets"]) == set(opendata.DATASETS)
    for name, dataset in opendata.DATASETS.items():
        described = data["datasets"][name]
        columns = [c for entry in described["columns"] for c in entry["csv"]]
        assert columns == dataset.csv_header()
        assert [entry["key"] for entry in described["columns"]] == dataset.json_keys()
        for entry in described["columns"]:
            assert entry["description_en"] and entry["description_fr"]
            assert entry["description_en"] != entry["description_fr"], entry["key"]
            for value in entry.get("values", []):
                assert value["label_en"] and value["label_fr"]
        assert described["csv"].endswith(f"/data/{name}.csv")
        assert described["api"].endswith(f"/api/{name}/")
    assert data["licence"]["name_fr"] == "Licence du gouvernement ouvert – Canada"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/open-data/", ["Data dictionary", "Open Government Licence – Canada"]),
        ("/fr/donnees-ouvertes/", ["Dictionnaire de données", "Licence du gouvernement ouvert"]),
    ],
)
def test_the_open_data_page_links_every_download_the_api_and_the_feeds(client, path, expected):
    make_initiative()
    response = client.get(path)
    assert response.status_code == 200
    html = response.text
    for text in expected:
        assert text in html
    for name in opendata.DATASETS:
        assert f'href="/data/{name}.csv"' in html
        assert f'href="/data/{name}.json"' in html
        assert f'href="/api/{name}/"' in html
    assert 'href="/api/openapi.json"' in html
    assert 'href="/data/dictionary.json"' in html
    assert 'href="/en/feed/"' in html and 'href="/fr/fil/"' in html
    # Every column is described on the page; codes are listed only where there are codes.
    for column in opendata.INITIATIVES.csv_header():
        assert f"<code>{column}</code>" in html
    assert "()" not in html
    coded = sum(
        1
        for dataset in opendata.DATASETS.values()
        for entry in dataset.dictionary()
        if entry["values"]
    )
    values_label = "Values:" if path.startswith("/en/") else "Valeurs"
    assert html.count(values_label) == coded


def test_every_page_advertises_the_feed_in_its_language(client):
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/fr/fil/"'
        in client.get("/fr/").text
    )
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/en/feed/"'
        in client.get("/en/").text
    )


# -- Feeds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "path"), [("en", "/en/feed/"), ("fr", "/fr/fil/")])
def test_the_feeds_are_valid_atom_in_their_language(client, language, path):
    source = make_source()
    initiative = make_initiative(
        title_en="Quantum dialogue", title_fr="Dialogue quantique", source=source
    )
    agreement = make_agreement(title_en="Science MOU", title_fr="PE sur la science", source=source)
    make_initiative(published=False, title_en="Hidden draft")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")

    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"

    # RFC 4287: the feed has an id, a title, an updated date, an author (or each entry has
    # one), a self link; each entry an id, a title, an updated date and a link.
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for tag in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    # Newest first; ids are the records' stable identifiers, the same in both feeds.
    assert ids == [f"urn:uuid:{agreement.uuid}", f"urn:uuid:{initiative.uuid}"]
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    if language == "fr":
        assert titles == ["Entente\xa0: PE sur la science", "Initiative\xa0: Dialogue quantique"]
        assert links[1] == f"http://testserver/fr/initiatives/{initiative.slug_fr}/"
    else:
        assert titles == ["Agreement: Science MOU", "Initiative: Quantum dialogue"]
        assert links[1] == f"http://testserver/en/initiatives/{initiative.slug_en}/"
