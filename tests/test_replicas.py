"""Read replicas (portal/routers.py): public reads go to one replica per request, with the data
version read from it; posts, the admin, signed-in staff and whatever follows a write go to the
primary; without replicas, everything stays on "default".

"replica1" is a test database of its own on the test server (tests/conftest.py), not a mirror
of default, and each test fills it with other data than the primary's, so what a page shows
says which database it was read from."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connections, router
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation.caching import data_version
from cooperation.models import Initiative
from feedback.models import CorrectionSuggestion
from portal import routers
from tests.factories import make_initiative
from tests.visitors import correction_data, visitor

pytestmark = pytest.mark.django_db(databases=["default", "replica1"])


class _Everything:
    """A router that sends every query to one database: how a test writes to the replica, as
    streaming replication would."""

    def __init__(self, alias):
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return True


@contextmanager
def on_the_replica():
    with override_settings(DATABASE_ROUTERS=[_Everything("replica1")]):
        yield


@pytest.fixture
def two_databases(settings):
    """One initiative on the primary and another on the replica, routing on."""
    primary = make_initiative(title_en="Kept on the primary")
    with on_the_replica():
        replica = make_initiative(title_en="Copied to the replica")
    assert not Initiative.objects.using("replica1").filter(uuid=primary.uuid).exists()
    settings.DATABASE_REPLICAS = ["replica1"]
    return primary, replica


def request_through_middleware(get_response, method="get", path="/en/initiatives/", **extra):
    request = getattr(RequestFactory(), method)(path, **extra)
    return routers.ReplicaMiddleware(get_response)(request)


def routes_seen(**request):
    """The database the router gives the request's reads, from its view."""
    seen = []

    def view(request):
        seen.append(router.db_for_read(Initiative))
        return HttpResponse()

    request_through_middleware(view, **request).close()
    return seen[0]


# -- Through HTTP ------------------------------------------------------------------------------


def test_every_query_of_a_public_page_goes_to_the_replica(client, two_databases):
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections["replica1"]) as on_replica,
    ):
        response = client.get("/en/initiatives/")
    assert "Copied to the replica" in response.text
    assert "Kept on the primary" not in response.text
    assert [q["sql"] for q in on_primary] == []
    sql = [q["sql"] for q in on_replica]
    assert any("cooperation_dataversion" in s for s in sql)  # the version, for the page cache
    assert any(" UNION ALL " in s for s in sql)  # the facet counts' raw SQL


def test_without_replicas_everything_is_read_from_the_primary(client, two_databases, settings):
    settings.DATABASE_REPLICAS = []
    primary, replica = two_databases
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        response = client.get("/en/initiatives/")
        assert client.get(replica.url_in("en")).status_code == 404
    assert "Kept on the primary" in response.text
    assert "Copied to the replica" not in response.text
    assert len(on_replica) == 0


def test_a_record_only_the_primary_has_is_missing_from_public_pages(client, two_databases):
    primary, replica = two_databases
    assert client.get(primary.url_in("en")).status_code == 404
    assert client.get(replica.url_in("en")).status_code == 200


def test_a_post_reads_and_writes_on_the_primary(two_databases):
    primary, _replica = two_databases
    browser = visitor()
    url = reverse("feedback:correction", args=["initiatives", primary.uuid])
    assert browser.get(url).status_code == 404  # the form, read from the replica
    response = browser.post(url, correction_data())
    assert response.status_code == 303, response.content.decode()
    assert CorrectionSuggestion.objects.using("default").filter(record_title__contains="Kept")
    assert not CorrectionSuggestion.objects.using("replica1").exists()


def test_signed_in_staff_read_the_primary(client, two_databases, django_user_model):
    client.force_login(django_user_model.objects.create_user("curator", password="x" * 12))
    response = client.get("/en/initiatives/")
    assert "Kept on the primary" in response.text
    assert "Copied to the replica" not in response.text


def test_the_admin_reads_the_primary(client, two_databases, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", password="x" * 12))
    response = client.get("/admin/cooperation/initiative/")
    assert "Kept on the primary" in response.text
    assert "Copied to the replica" not in response.text


def test_the_etag_of_a_dump_is_the_replicas_data_version(client, two_databases):
    etag = client.get("/data/initiatives.json")["ETag"]
    assert data_version("replica1") in etag
    assert data_version("default") not in etag
    assert client.get("/data/initiatives.json", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_cached_pages_follow_the_replicas_version_not_the_primarys(client, two_databases):
    first = client.get("/en/initiatives/")
    make_initiative(title_en="Written on the primary, not yet replicated")
    assert client.get("/en/initiatives/").content == first.content
    with on_the_replica():
        make_initiative(title_en="Replicated at last")
    assert "Replicated at last" in client.get("/en/initiatives/").text


# -- The decisions, one by one -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "database"),
    [
        ({}, "replica1"),
        ({"method": "head"}, "replica1"),
        ({"method": "post"}, "default"),
        ({"method": "put"}, "default"),
        ({"method": "delete"}, "default"),
        ({"path": "/admin/"}, "default"),
        ({"path": "/admin/cooperation/initiative/"}, "default"),
        ({"HTTP_COOKIE": "sessionid=anything"}, "default"),
        ({"HTTP_COOKIE": "django_language=fr"}, "replica1"),
    ],
)
def test_which_database_a_request_reads(settings, request_, database):
    settings.DATABASE_REPLICAS = ["replica1"]
    assert routes_seen(**request_) == database


def test_reads_after_a_write_go_to_the_primary(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    seen = []

    def view(request):
        seen.append(router.db_for_read(Initiative))
        seen.append(router.db_for_write(Initiative))
        seen.append(router.db_for_read(Initiative))
        return HttpResponse()

    request_through_middleware(view).close()
    assert seen == ["replica1", "default", "default"]


def test_one_replica_is_kept_for_the_whole_request(settings, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica1", "replica2"]
    picks = iter(["replica2", "replica1"])
    monkeypatch.setattr(routers.random, "choice", lambda replicas: next(picks))
    requests = []

    def view(request):
        requests.append({router.db_for_read(Initiative) for _ in range(5)})
        return HttpResponse()

    for _ in range(2):
        request_through_middleware(view).close()
    assert requests == [{"replica2"}, {"replica1"}]
    assert routers.current_route() is None  # once closed, nothing is routed


def test_a_streamed_body_is_read_from_the_same_replica_to_its_end(settings):
    settings.DATABASE_REPLICAS = ["replica1"]

    def view(request):
        return StreamingHttpResponse(router.db_for_read(Initiative) + "," for _ in range(3))

    response = request_through_middleware(view)
    assert b"".join(response.streaming_content) == b"replica1,replica1,replica1,"
    response.close()
    assert routers.current_route() is None


def test_each_thread_has_its_own_route(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    inside, release, seen = threading.Event(), threading.Event(), {}

    def view(request):
        inside.set()
        release.wait(5)
        seen["request"] = router.db_for_read(Initiative)
        return HttpResponse()

    thread = threading.Thread(target=lambda: request_through_middleware(view).close())
    thread.start()
    assert inside.wait(5)
    seen["other thread"] = router.db_for_read(Initiative)  # a gunicorn thread between requests
    release.set()
    thread.join(5)
    assert seen == {"other thread": "default", "request": "replica1"}


def test_outside_a_request_writes_go_to_the_primary_and_reads_are_not_routed(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    replica_router = routers.ReplicaRouter()
    assert replica_router.db_for_read(Initiative) is None
    assert replica_router.db_for_write(Initiative) == "default"
    on_replica = Initiative(title_en="x")
    on_replica._state.db = "replica1"
    assert router.db_for_write(Initiative, instance=on_replica) == "default"


def test_relations_across_databases_and_migrations(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    replica_router = routers.ReplicaRouter()
    one, other = Initiative(), Initiative()
    one._state.db, other._state.db = "default", "replica1"
    assert replica_router.allow_relation(one, other) is True
    other._state.db = "elsewhere"
    assert replica_router.allow_relation(one, other) is None
    # Every alias has the whole schema (the replicas' comes through replication).
    assert replica_router.allow_migrate("replica1", "cooperation", "initiative") is True
    assert Initiative.objects.using("replica1").count() == 0
