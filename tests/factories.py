"""Small factories: records complete in both languages unless told otherwise."""

import itertools

from cooperation.models import (
    Agreement,
    Citation,
    CooperationArea,
    Initiative,
    Organization,
    Recommendation,
    Source,
    Status,
)

_counter = itertools.count(1)


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


def make_related_initiatives(n: int, source: Source) -> None:
    """`n` published initiatives, each in a new area and with a new participant."""
    from cooperation.models import InitiativeParticipant

    for _ in range(n):
        initiative = make_initiative(source=source)
        initiative.areas.add(make_area(source=source))
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=make_organization(source=source)
        )
