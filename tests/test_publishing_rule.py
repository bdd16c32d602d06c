"""The publishing rule, at the model layer: complete in both languages, with a source."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cooperation.models import (
    Agreement,
    CooperationArea,
    Initiative,
    Organization,
    PublishingError,
    Recommendation,
    Status,
)
from tests.factories import MAKERS, cite, make_initiative, make_source

pytestmark = pytest.mark.django_db

PUBLISHABLE = [CooperationArea, Organization, Agreement, Initiative, Recommendation]


@pytest.mark.parametrize("model", PUBLISHABLE, ids=lambda m: m.__name__)
def test_a_complete_record_with_a_source_publishes(model):
    record = MAKERS[model](published=False)
    cite(record)
    record.publish()
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert record.first_published is not None
    assert model.objects.published().filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", PUBLISHABLE, ids=lambda m: m.__name__)
def test_publishing_without_a_source_is_refused(model):
    record = MAKERS[model](published=False)
    with translation.override("en"), pytest.raises(PublishingError) as error:
        record.publish()
    assert any("Cites no source" in m for m in error.value.messages)
    record.refresh_from_db()
    assert record.status == Status.DRAFT


@pytest.mark.parametrize("model", PUBLISHABLE, ids=lambda m: m.__name__)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_missing_translation_is_named(model, language):
    record = MAKERS[model](published=False)
    cite(record)
    label = model.label_field
    setattr(record, f"{label}_{language}", "")
    setattr(record, f"summary_{language}", "   ")
    record.save()
    with translation.override("en"), pytest.raises(PublishingError) as error:
        record.publish()
    message = " ".join(error.value.messages)
    expected_language = {"en": "English", "fr": "French"}[language]
    assert f"Missing in {expected_language}:" in message
    assert str(model._meta.get_field(label).verbose_name) in message
    assert "summary" in message


def test_the_refusal_speaks_the_staff_members_language():
    initiative = make_initiative(published=False, title_fr="", summary_fr="")
    cite(initiative)
    with translation.override("fr"), pytest.raises(PublishingError) as error:
        initiative.publish()
    message = " ".join(error.value.messages)
    assert "À compléter en français" in message
    assert "titre" in message and "résumé" in message


def test_a_slug_missing_in_one_language_blocks_publication():
    initiative = make_initiative(published=False, slug_fr=None)
    cite(initiative)
    with translation.override("en"), pytest.raises(PublishingError, match="slug"):
        initiative.publish()


def test_an_optional_text_in_one_language_only_blocks_publication():
    initiative = make_initiative(published=False, description_en="Only English.")
    cite(initiative)
    with translation.override("en"), pytest.raises(PublishingError) as error:
        initiative.publish()
    assert "Missing in French: description." in error.value.messages


def test_a_citation_without_its_french_text_blocks_publication():
    initiative = make_initiative(published=False)
    cite(initiative, supports_fr="")
    with translation.override("en"), pytest.raises(PublishingError, match="lacks its French text"):
        initiative.publish()


def test_citing_an_unpublished_source_blocks_publication():
    initiative = make_initiative(published=False)
    cite(initiative, source=make_source(published=False))
    with translation.override("en"), pytest.raises(PublishingError, match="not published"):
        initiative.publish()


def test_save_refuses_a_published_status_that_breaks_the_rule():
    """No path around the rule: setting the status and saving is refused too."""
    initiative = make_initiative(published=False)
    initiative.status = Status.PUBLISHED
    with pytest.raises(PublishingError):
        initiative.save()
    assert Initiative.objects.get(pk=initiative.pk).status == Status.DRAFT


def test_a_published_record_cannot_lose_its_french_text():
    initiative = make_initiative()
    initiative.summary_fr = ""
    with pytest.raises(PublishingError):
        initiative.save()
    with pytest.raises(ValidationError):
        initiative.full_clean()


def test_a_record_needs_a_name_in_at_least_one_language():
    area = CooperationArea(slug_en="x", summary_en="y")
    with pytest.raises(ValidationError, match="at least one language"):
        area.full_clean()


def test_published_reads_only_published_records():
    published = make_initiative()
    draft = make_initiative(published=False)
    ids = set(Initiative.objects.published().values_list("pk", flat=True))
    assert published.pk in ids
    assert draft.pk not in ids


def test_unpublishing_returns_a_record_to_draft():
    recommendation = MAKERS[Recommendation]()
    recommendation.unpublish()
    assert not Recommendation.objects.published().filter(pk=recommendation.pk).exists()


def test_a_source_still_cited_by_published_records_cannot_be_unpublished():
    source = make_source()
    make_initiative(source=source)
    with translation.override("en"), pytest.raises(PublishingError, match="still cite it"):
        source.unpublish()
    unused = make_source()
    unused.unpublish()
    assert unused.status == Status.DRAFT


def test_slugs_are_unique_per_language_but_empty_slugs_do_not_collide():
    make_initiative(published=False, slug_fr=None)
    make_initiative(published=False, slug_fr=None)  # two one-language drafts coexist
    first = make_initiative(published=False)
    with pytest.raises(ValidationError):
        Initiative(
            title_en="Other", slug_en=first.slug_en, summary_en="s", kind="event"
        ).full_clean()
