"""The benchmark's synthetic data: flagged, complete, searchable, and removable."""

from io import StringIO

import pytest
from django.core.management import call_command

from cooperation.models import CooperationArea, Initiative, Organization, Source

pytestmark = pytest.mark.django_db


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_initiatives", *args, stdout=out)
    return out.getvalue()


def test_synthetic_initiatives_are_flagged_published_and_searchable(client):
    generate("30", "--organizations", "12", "--areas", "3")
    assert Initiative.objects.filter(synthetic=True).count() == 30
    assert Organization.objects.filter(synthetic=True).count() == 12
    assert CooperationArea.objects.filter(synthetic=True).count() == 3
    sample = Initiative.objects.filter(synthetic=True).first()
    assert sample.publication_problems() == []
    assert sample.participations.count() == 3 and sample.areas.count() == 2
    response = client.get("/fr/initiatives/", {"q": "coopération"})
    assert "30 initiatives" in response.text
    assert client.get(sample.url_in("fr")).status_code == 200


def test_total_tops_up_and_delete_removes_every_synthetic_record():
    generate("5", "--organizations", "4", "--areas", "2")
    generate("--total", "8", "--organizations", "4", "--areas", "2")
    assert Initiative.objects.published().count() == 8
    assert "nothing to add" in generate("--total", "8")
    generate("--delete")
    assert not Initiative.objects.filter(synthetic=True).exists()
    assert not Organization.objects.filter(synthetic=True).exists()
    assert not Source.objects.filter(reference="synthetic-benchmark").exists()


def test_the_shipped_content_is_never_synthetic():
    call_command("load_content", stdout=StringIO())
    assert not Initiative.objects.filter(synthetic=True).exists()
    assert not Organization.objects.filter(synthetic=True).exists()
