"""The benchmark's generated data: complete, indexed by the database, and kept out of any
database that is not a benchmark's."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cooperation.management.commands.generate_initiatives import generated
from cooperation.models import CooperationArea, Initiative, Organization

pytestmark = pytest.mark.django_db


def generate(*args) -> str:
    out = StringIO()
    # The test database's name lacks "bench": the tests say they mean it.
    call_command("generate_initiatives", *args, "--any-database", stdout=out)
    return out.getvalue()


def test_generated_initiatives_are_published_complete_and_searchable(client):
    generate("30", "--organizations", "12", "--areas", "3")
    assert generated(Initiative).count() == Initiative.objects.published().count() == 30
    assert generated(Organization).count() == 12
    assert generated(CooperationArea).count() == 3
    sample = generated(Initiative).first()
    assert sample.publication_problems() == []
    assert sample.participations.count() == 3 and sample.areas.count() == 2
    response = client.get("/fr/initiatives/", {"q": "coopération"})
    assert "30 initiatives" in response.text
    assert client.get(sample.url_in("fr")).status_code == 200
    # Bulk-inserted links were indexed by the database: a participant's name finds it.
    name = sample.participations.first().organization.name_fr
    assert sample.title_en in [i.title_en for i in Initiative.objects.search(name, "fr")]


def test_total_tops_up_to_the_number_asked_for():
    generate("5", "--organizations", "4", "--areas", "2")
    generate("--total", "8", "--organizations", "4", "--areas", "2")
    assert Initiative.objects.published().count() == 8
    assert generated(Organization).count() == 4
    assert "nothing to add" in generate("--total", "8")


def test_it_refuses_a_database_that_is_not_a_benchmark_database():
    with pytest.raises(CommandError, match="not a benchmark database"):
        call_command("generate_initiatives", "5", stdout=StringIO())
    assert not Initiative.objects.exists()


def test_every_generated_record_has_its_creation_in_its_history_once():
    """As records saved in the admin have, so the desk and the history filters are measured
    against full history tables."""
    generate("6", "--organizations", "4", "--areas", "2")
    generate("--total", "6")  # a second run adds no second creation
    for model in (Initiative, Organization, CooperationArea):
        records = generated(model)
        history = model.history.filter(id__in=records.values("pk"))
        assert history.count() == records.count() > 0
        creation = history.first()
        assert creation.history_type == "+" and creation.history_change_reason == "published"
        assert creation.instance.title_fr if model is Initiative else creation.instance.name_fr


def test_the_admin_benchmark_times_every_back_office_page_it_names(staff_groups):
    from cooperation.management.commands.bench_admin import pages

    generate("4", "--organizations", "3", "--areas", "2")
    out = StringIO()
    call_command("bench_admin", "--runs", "1", "--any-database", stdout=out)
    report = out.getvalue()
    labels = {label for _role, label, _path in pages(Initiative(pk=1), Organization(name_en="x"))}
    for label in labels:
        assert label in report
    assert "Every page under 300 ms" in report or "Over 300 ms" in report


def test_the_admin_benchmark_refuses_a_database_that_is_not_a_benchmark_database():
    with pytest.raises(CommandError, match="not a benchmark database"):
        call_command("bench_admin", stdout=StringIO())
