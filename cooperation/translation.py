"""Which fields exist in English and French (django-modeltranslation adds `<field>_en/_fr`)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Agreement,
    AgreementLink,
    Citation,
    CooperationArea,
    Initiative,
    Organization,
    OrganizationLink,
    OrganizationName,
    Pillar,
    Recommendation,
    Source,
)

# Empty slugs are stored as NULL so that the per-language unique constraints let several
# one-language drafts coexist.
SLUG_EMPTY = {"slug": None}


@register(Source)
class SourceTranslation(TranslationOptions):
    fields = ("title", "publisher", "summary", "note")


@register(Citation)
class CitationTranslation(TranslationOptions):
    fields = ("location", "supports")


@register(CooperationArea)
class CooperationAreaTranslation(TranslationOptions):
    fields = ("name", "slug", "summary", "description", "note")
    empty_values = SLUG_EMPTY


@register(Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ("name", "short_name", "slug", "summary", "description", "note")
    empty_values = SLUG_EMPTY


@register(Agreement)
class AgreementTranslation(TranslationOptions):
    fields = ("title", "short_title", "slug", "place_signed", "summary", "description", "note")
    empty_values = SLUG_EMPTY


@register(Initiative)
class InitiativeTranslation(TranslationOptions):
    fields = ("title", "slug", "location", "summary", "description", "note")
    empty_values = SLUG_EMPTY


@register(Recommendation)
class RecommendationTranslation(TranslationOptions):
    fields = ("title", "slug", "summary", "rationale", "horizon", "note")
    empty_values = SLUG_EMPTY


@register(AgreementLink)
class AgreementLinkTranslation(TranslationOptions):
    fields = ("location",)


@register(OrganizationLink)
class OrganizationLinkTranslation(TranslationOptions):
    fields = ("location",)


@register(OrganizationName)
class OrganizationNameTranslation(TranslationOptions):
    fields = ("name", "short_name", "location")


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("title", "location")


# The change history of every record, in both languages (django-simple-history's recipe with
# django-modeltranslation: register once the translated fields exist). See curation/history.py.
from curation.history import register_all  # noqa: E402

register_all()
