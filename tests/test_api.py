"""The read-only API under /api/: records, pagination, the site's filters, errors, OpenAPI."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from cooperation import opendata
from cooperation.models import Initiative
from tests.factories import (
    make_initiative,
)
from tests.test_exports import page_titles

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize("name", list(opendata.DATASETS))
def test_every_record_type_is_listed_and_each_record_found_by_its_identifier(client, name):
    response = client.get(f"/api/{name}/", {"page_size": 100})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    dataset = opendata.DATASETS[name]
    assert data["count"] == dataset.published().count() == len(data["results"])
    assert all(list(record) == dataset.json_keys() for record in data["results"])
    # The API's records are the dump's records.
    dump = json.loads(body(client.get(f"/data/{name}.json")))
    assert data["results"] == dump["results"]
    first = data["results"][0]
    detail = client.get(f"/api/{name}/{first['uuid']}/")
    assert detail.status_code == 200
    assert detail.json() == first


@pytest.mark.usefixtures("shipped_content")
def test_pages_follow_each_other_without_gaps(client):
    seen, url = [], "/api/initiatives/?page_size=7"
    while url:
        data = client.get(url).json()
        seen += [record["uuid"] for record in data["results"]]
        url = data["next"]
    assert len(seen) == len(set(seen)) == Initiative.objects.published().count()


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(
    ("language", "params"),
    [
        ("en", {"q": "energy"}),
        ("en", {"q": "energy", "sort": "title"}),
        ("en", {"kind": "investment"}),
        ("en", {"country": "KR", "year_from": "2020"}),
        ("en", {"area": "energy-for-ai"}),
        ("fr", {"q": "énergie", "sort": "title"}),
        ("fr", {"area": "energie-au-service-de-l-ia"}),
    ],
)
def test_the_initiatives_list_takes_the_search_pages_parameters(client, language, params):
    titles = page_titles(client, params, language)
    assert titles, "the search page finds something"
    data = client.get("/api/initiatives/", {**params, "lang": language}).json()
    assert [record[f"title_{language}"] for record in data["results"]] == titles
    assert 0 < data["count"] < Initiative.objects.published().count()  # a real selection


@pytest.mark.usefixtures("shipped_content")
def test_slugs_are_understood_in_either_language(client):
    english = client.get("/api/initiatives/", {"area": "energy-for-ai"}).json()
    french = client.get("/api/initiatives/", {"area": "energie-au-service-de-l-ia"}).json()
    mixed = client.get("/api/initiatives/", {"area": "energy-for-ai", "lang": "fr"}).json()
    assert english["count"] > 0
    assert english["results"] == french["results"] == mixed["results"]


@pytest.mark.usefixtures("shipped_content")
def test_the_organizations_list_takes_the_organization_pages_filters(client):
    data = client.get("/api/organizations/", {"country": "KR", "kind": "company"}).json()
    assert data["count"] > 0
    assert {(r["country"], r["kind"]) for r in data["results"]} == {("KR", "company")}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"year_from": "abc"}, "year_from"),
        ({"year_from": "1.5"}, "year_from"),
        ({"year_to": "99999"}, "year_to"),
        ({"area": "no-such-area"}, "area"),
        ({"sort": "random"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"lang": "de"}, "lang"),
        ({"kind": ""}, "kind"),
        ({"year_from": " "}, "year_from"),
    ],
)
def test_bad_parameters_get_a_400_saying_which_and_why(client, params, parameter):
    response = client.get("/api/initiatives/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == [parameter]
    assert all(isinstance(m, str) and m for m in body["errors"][parameter])


def test_errors_are_in_the_language_asked_for(client):
    body = client.get("/api/initiatives/", {"kind": "nonsense", "lang": "fr"}).json()
    assert body["detail"] == "Certains paramètres n'ont pas été compris."
    body = client.get(
        "/api/initiatives/", {"kind": "nonsense"}, HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9"
    ).json()
    assert body["detail"] == "Certains paramètres n'ont pas été compris."


def test_missing_things_are_404s_with_a_json_body(client):
    make_initiative()
    for path in (
        "/api/initiatives/?page=2",
        "/api/initiatives/00000000-0000-0000-0000-000000000000/",
        "/api/initiatives/not-a-uuid/",
        "/api/nothing-here/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


def test_the_api_is_read_only(client):
    initiative = make_initiative()
    assert client.post("/api/initiatives/", {}).status_code == 405
    assert client.delete(f"/api/initiatives/{initiative.uuid}/").status_code == 405
    assert client.put(f"/api/initiatives/{initiative.uuid}/", {}).status_code == 405


def test_the_root_lists_every_record_type_and_the_openapi_document(client):
    data = client.get("/api/").json()
    assert set(data["records"]) == set(opendata.DATASETS)
    assert data["openapi"] == "http://testserver/api/openapi.json"


@pytest.mark.usefixtures("shipped_content")
def test_the_openapi_document_describes_every_list_and_record(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for name in opendata.DATASETS:
        assert f"/api/{name}/" in schema["paths"]
        assert f"/api/{name}/{{uuid}}/" in schema["paths"]
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/initiatives/"]["get"]["parameters"]
    }
    assert {
        "q",
        "area",
        "organization",
        "country",
        "kind",
        "status",
        "year_from",
        "year_to",
        "agreement",
        "sort",
        "page",
        "page_size",
        "lang",
    } <= set(parameters)
    assert "energy-for-ai" in parameters["area"]["enum"]
    initiative = schema["components"]["schemas"]["Initiative"]["properties"]
    assert list(initiative) == opendata.INITIATIVES.json_keys()
    # Described in the language asked for.
    french = client.get("/api/openapi.json", {"lang": "fr"}).json()
    described = french["components"]["schemas"]["Initiative"]["properties"]["title_en"]
    assert described["description"] != initiative["title_en"]["description"]


# -- Schemathesis: generated requests from the OpenAPI document --------------------------------


@pytest.fixture
def api_schema(shipped_content):
    """The document, loaded through the WSGI application, which the generated requests call.

    Like Django's test client, the requests must not close the database connection when they
    finish: it holds the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(
    "path", [f"/api/{name}/{part}" for name in opendata.DATASETS for part in ("", "{uuid}/")]
)
def test_the_api_honours_its_openapi_document(api_schema, path, mode):
    """Schemathesis, on every operation, with data that fits the document and data that does
    not: no 500, every answer documented and conforming to its schema, valid data accepted,
    invalid data refused."""
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def check(case):
        # Schemathesis's WSGI transport asks for gzip but never decompresses what it gets;
        # compression has tests of its own (tests/test_standard_pages.py).
        case.call_and_validate(headers={"Accept-Encoding": "identity"})

    check()
