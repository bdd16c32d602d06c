"""Small factories: records complete in both languages unless told otherwise."""

import datetime
import itertools

from cooperation.models import (
    Agreement,
    AgreementParty,
    Citation,
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    Recommendation,
    Source,
    Status,
)

_counter = itertools.count(1)

#: The URL names of the public pages that are not a record's (home and lists).
LIST_PAGES = (
    "home",
    "area_list",
    "initiative_list",
    "agreement_list",
    "organization_list",
    "recommendation_list",
    "source_list",
    "open_data",
)

#: The URL names of the standard pages (About, Contact, Terms, Privacy, Accessibility).
STANDARD_PAGES = ("about", "contact", "terms", "privacy", "accessibility")


def _texts(name: str, n: int, **overrides) -> dict:
    values = {
        f"{name}_en": f"English {name} {n}",
        f"{name}_fr": f"{name} en français {n}",
    }
    values.update({k: v for k, v in overrides.items() if k.startswith(f"{name}_")})
    return values


def make_source(published: bool = True, **fields) -> Source:
    n = next(_counter)
    values = {
        **_texts("title", n),
        **_texts("publisher", n),
        **_texts("summary", n),
        "language": "en",
    }
    values.update(fields)
    source = Source.objects.create(**values)
    if published:
        source.publish()
    return source


def cite(record, source: Source | None = None, **fields) -> Citation:
    values = {
        "location_en": "Paragraph 1",
        "location_fr": "Paragraphe 1",
        "supports_en": "The facts above.",
        "supports_fr": "Les faits ci-dessus.",
    }
    values.update(fields)
    return Citation.objects.create(content_object=record, source=source or make_source(), **values)


def _record(model, label: str, published: bool, source: Source | None, fields: dict):
    n = next(_counter)
    values = {
        **_texts(label, n),
        "slug_en": f"{model._meta.model_name}-{n}",
        "slug_fr": f"{model._meta.model_name}-fr-{n}",
        **_texts("summary", n),
    }
    if model is Recommendation:
        values.update(_texts("rationale", n))
    if model is Organization:
        values.setdefault("kind", "company")
    if model in (Agreement, Initiative):
        values.setdefault("kind", "mou" if model is Agreement else "dialogue")
    if model is Recommendation:
        values.setdefault("audience", "government")
        if "proposed_in" not in fields:  # whose recommendation it is
            values["proposed_in"] = source or make_source()
    values.update(fields)
    record = model.objects.create(**values)
    if published:
        cite(record, source)
        record.publish()
    return record


def make_area(published=True, source=None, **fields) -> CooperationArea:
    return _record(CooperationArea, "name", published, source, fields)


def make_organization(published=True, source=None, **fields) -> Organization:
    return _record(Organization, "name", published, source, fields)


def make_agreement(published=True, source=None, **fields) -> Agreement:
    return _record(Agreement, "title", published, source, fields)


def make_initiative(published=True, source=None, **fields) -> Initiative:
    return _record(Initiative, "title", published, source, fields)


def make_recommendation(published=True, source=None, **fields) -> Recommendation:
    return _record(Recommendation, "title", published, source, fields)


MAKERS = {
    CooperationArea: make_area,
    Organization: make_organization,
    Agreement: make_agreement,
    Initiative: make_initiative,
    Recommendation: make_recommendation,
}

__all__ = ["Status", "MAKERS", "cite", "make_source"]


def populate(n: int) -> dict:
    """n published records of each type, densely linked; one of each for record pages."""
    source = make_source()
    areas = [make_area(source=source) for _ in range(n)]
    organizations = [make_organization(source=source, country="KR") for _ in range(n)]
    agreements = [
        make_agreement(source=source, date_signed=datetime.date(2000 + i % 25, 1, 1))
        for i in range(n)
    ]
    initiatives = []
    for i in range(n):
        initiative = make_initiative(source=source, agreement=agreements[i % n])
        initiative.areas.set(areas)
        InitiativeParticipant.objects.bulk_create(
            InitiativeParticipant(initiative=initiative, organization=o, role="partner")
            for o in organizations
        )
        for _ in range(n // 5):
            cite(initiative, source)
        initiatives.append(initiative)
    for agreement in agreements:
        agreement.areas.set(areas)
        AgreementParty.objects.bulk_create(
            AgreementParty(agreement=agreement, organization=o, role="party")
            for o in organizations
        )
    recommendations = []
    for _ in range(n):
        recommendation = make_recommendation(source=source)
        recommendation.areas.set(areas)
        recommendation.initiatives.set(initiatives)
        recommendations.append(recommendation)
    return {
        "word": "english",  # in every title made here
        "source": source,
        "area": areas[0],
        "organization": organizations[0],
        "agreement": agreements[0],
        "initiative": initiatives[0],
        "recommendation": recommendations[0],
    }
