"""The back office at any size (migration 0018): what the initiative list, its search and
filters and the desk ask the database, read from indexes.

A test database holds a handful of rows, so the planner would read the table whatever the
indexes; the plans here are taken with sequential scans priced out, as they are at 100,000
initiatives (`make bench-admin` measures that size). An index the queries no longer match
(a changed expression, a changed condition) fails here instead of silently costing a
table scan in production.
"""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cooperation.admin import InitiativeAdmin
from cooperation.models import Initiative, Status, missing_any
from tests.factories import make_initiative, make_organization
from tests.test_admin import admin_url
from tests.test_admin_finding import titles

pytestmark = pytest.mark.django_db

LIST = "/admin/cooperation/initiative/"


def listed(admin_user, **params):
    """The initiative list's queryset, as the admin builds it for these parameters."""
    request = RequestFactory().get(LIST, params)
    request.user = admin_user
    return admin.site._registry[Initiative].get_changelist_instance(request).queryset


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's transaction only
    return queryset.explain()


def test_the_list_reads_its_order_from_an_index(admin_user):
    make_initiative()
    assert "initiative_admin_order" in plan(listed(admin_user)[:50])


@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"q": "energie"}, "initiative_search_admin_trgm"),
        ({"q": "mila"}, "initiative_search_related_trgm"),
        ({"translation": "missing_any"}, "initiative_untranslated"),
        ({"translation": "missing_fr"}, "initiative_untranslated"),
        ({"translation": "complete"}, "initiative_untranslated"),
    ],
)
def test_searches_and_filters_read_their_indexes(admin_user, params, index):
    make_initiative()
    assert index in plan(listed(admin_user, **params).order_by())


def test_the_desks_count_of_records_never_checked_reads_its_index():
    # Enough rows, with statistics, for the planner to choose among the indexes on status.
    Initiative.objects.bulk_create(
        Initiative(
            title_en=f"T{n}",
            title_fr=f"T{n}",
            slug_en=f"t-{n}",
            slug_fr=f"t-{n}",
            status=Status.PUBLISHED,
            checked=datetime.date(2026, 1, 1) if n % 3 else None,
        )
        for n in range(600)
    )
    unchecked = Initiative.objects.filter(status=Status.PUBLISHED, checked__isnull=True)
    with CaptureQueriesContext(connection) as queries:
        unchecked.count()  # what the desk runs
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cooperation_initiative")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + queries[-1]["sql"])
        assert "initiative_unchecked" in " ".join(row[0] for row in cursor.fetchall())


def test_the_untranslated_index_holds_the_filters_own_condition():
    """The partial index is built from the constants of models.py, the filter from the
    model's rule: they must say the same, or the filter would read the whole table."""
    index = next(i for i in Initiative._meta.indexes if i.name == "initiative_untranslated")
    assert index.condition == missing_any(Initiative)


def test_the_database_keeps_the_searched_text_whatever_writes_the_record(admin_client):
    initiative = make_initiative(title_en="Grid pilot", title_fr="Projet pilote de réseau")
    make_initiative(title_en="Other", title_fr="Autre")
    # A bulk update, not a save: the trigger still rewrites the searched text.
    Initiative.objects.filter(pk=initiative.pk).update(description_fr="Électricité du Québec")
    assert titles(admin_client, Initiative, q="electricite quebec") == ["Grid pilot"]
    assert titles(admin_client, Initiative, q="ÉLECTRICITÉ") == ["Grid pilot"]


def test_initiatives_are_found_by_a_published_or_a_draft_organization(admin_client):
    published = make_organization(name_en="Mila", name_fr="Mila", country="CA")
    draft = make_organization(
        published=False, name_en="Nouvel institut", name_fr="Nouvel institut"
    )
    lab = make_initiative(title_en="Joint lab", title_fr="Labo commun")
    lab.participations.create(organization=published, role="lead")
    lab.participations.create(organization=draft, role="partner")
    make_initiative(title_en="Unrelated", title_fr="Sans rapport")
    assert titles(admin_client, Initiative, q="mila") == ["Joint lab"]
    assert titles(admin_client, Initiative, q="nouvel institut") == ["Joint lab"]  # once
    assert titles(admin_client, Initiative, q="labo mila") == ["Joint lab"]


def test_a_deep_page_shows_its_own_rows_in_order_with_their_counts(admin_client, monkeypatch):
    monkeypatch.setattr(InitiativeAdmin, "list_per_page", 2)
    for year in range(2015, 2020):
        make_initiative(title_en=f"Started {year}", start_date=datetime.date(year, 1, 1))
    url = admin_url(Initiative, "changelist")
    pages = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            text = admin_client.get(url, {"p": page}, HTTP_ACCEPT_LANGUAGE="en").text
        pages.append([title[-4:] for title in titles(admin_client, Initiative, p=page)])
        assert re.findall(r'<td class="field-sources">(\d+)</td>', text) == ["1"] * len(pages[-1])
        if page == 1:
            first = len(queries)
        else:
            assert len(queries) == first  # the same queries on any page
    assert pages == [["2019", "2018"], ["2017", "2016"], ["2015"]]
