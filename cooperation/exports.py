"""Downloads of initiatives (the results of a search) as CSV and JSON, streamed.

Rows are read in chunks with their participants, areas and cited sources prefetched per chunk,
and written as they come, so memory stays flat whatever the number of rows. Every text is given
in English and in French, in separate columns (`title_en`, `title_fr`, ...).
"""

import csv
import datetime
import functools
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation

from .models import (
    SEARCH_COLUMNS,
    Citation,
    CooperationArea,
    InitiativeParticipant,
    Status,
)

CHUNK = 500


def partial_date(value: datetime.date | None, precision: str) -> str:
    """An ISO 8601 date no more precise than the sources: 2025, 2025-07 or 2025-07-09."""
    if value is None:
        return ""
    return value.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]


def with_export_relations(queryset):
    """The initiatives with what an export row shows, published parts only, in chunks."""
    return (
        queryset.defer(*SEARCH_COLUMNS)
        .select_related("agreement")
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=InitiativeParticipant.objects.filter(
                    organization__status=Status.PUBLISHED
                )
                .select_related("organization")
                .order_by("organization__name_en", "role"),
            ),
            Prefetch(
                "areas",
                queryset=CooperationArea.objects.published().order_by("name_en"),
            ),
            Prefetch(
                "citations",
                queryset=Citation.objects.filter(source__status=Status.PUBLISHED)
                .select_related("source")
                .order_by("position", "pk"),
            ),
        )
        .iterator(chunk_size=CHUNK)
    )


_PLACEHOLDER = "slug-placeholder"


@functools.cache
def _url_pattern(language: str) -> str:
    """The address of an initiative in `language`, with a placeholder for its slug: one
    reverse() per export instead of two per row."""
    with translation.override(language):
        return reverse("cooperation:initiative_detail", kwargs={"slug": _PLACEHOLDER})


def _url(initiative, language: str) -> str:
    slug = getattr(initiative, f"slug_{language}")
    return _url_pattern(language).replace(_PLACEHOLDER, slug) if slug else ""


def record(initiative) -> dict:
    """One initiative as plain data: both languages, dates with their precision."""
    agreement = initiative.agreement
    if agreement is not None and agreement.status != Status.PUBLISHED:
        agreement = None
    return {
        "uuid": str(initiative.uuid),
        "url_en": _url(initiative, "en"),
        "url_fr": _url(initiative, "fr"),
        "title_en": initiative.title_en,
        "title_fr": initiative.title_fr,
        "summary_en": initiative.summary_en,
        "summary_fr": initiative.summary_fr,
        "description_en": initiative.description_en or "",
        "description_fr": initiative.description_fr or "",
        "kind": initiative.kind,
        "status": initiative.initiative_status,
        "start_date": partial_date(initiative.start_date, initiative.start_date_precision),
        "start_date_precision": initiative.start_date_precision if initiative.start_date else "",
        "end_date": partial_date(initiative.end_date, initiative.end_date_precision),
        "end_date_precision": initiative.end_date_precision if initiative.end_date else "",
        "location_en": initiative.location_en or "",
        "location_fr": initiative.location_fr or "",
        "funding_amount": initiative.funding_amount,
        "funding_currency": initiative.funding_currency,
        "agreement": None
        if agreement is None
        else {
            "uuid": str(agreement.uuid),
            "title_en": agreement.title_en,
            "title_fr": agreement.title_fr,
        },
        "areas": [
            {"uuid": str(a.uuid), "name_en": a.name_en, "name_fr": a.name_fr}
            for a in initiative.areas.all()
        ],
        "participants": [
            {
                "uuid": str(p.organization.uuid),
                "name_en": p.organization.name_en,
                "name_fr": p.organization.name_fr,
                "country": str(p.organization.country or ""),
                "role": p.role,
            }
            for p in initiative.participations.all()
        ],
        "sources": [
            {
                "uuid": str(c.source.uuid),
                "title_en": c.source.title_en,
                "title_fr": c.source.title_fr,
                "url": c.source.url,
                "location_en": c.location_en,
                "location_fr": c.location_fr,
            }
            for c in initiative.citations.all()
        ],
        "note_en": initiative.note_en or "",
        "note_fr": initiative.note_fr or "",
        "first_published": initiative.first_published.isoformat()
        if initiative.first_published
        else "",
        "modified": initiative.modified.isoformat(),
    }


CSV_COLUMNS = [
    "uuid",
    "url_en",
    "url_fr",
    "title_en",
    "title_fr",
    "summary_en",
    "summary_fr",
    "description_en",
    "description_fr",
    "kind",
    "status",
    "start_date",
    "start_date_precision",
    "end_date",
    "end_date_precision",
    "location_en",
    "location_fr",
    "funding_amount",
    "funding_currency",
    "agreement_en",
    "agreement_fr",
    "areas_en",
    "areas_fr",
    "participants_en",
    "participants_fr",
    "sources_en",
    "sources_fr",
    "note_en",
    "note_fr",
    "first_published",
    "modified",
]
#: Several values in one cell are separated by this.
SEPARATOR = " | "


def csv_row(data: dict) -> list:
    """A record flattened for CSV: lists joined with " | ", roles after each organization."""
    row = dict(data)
    agreement = data["agreement"] or {}
    for code in ("en", "fr"):
        row[f"agreement_{code}"] = agreement.get(f"title_{code}", "")
        row[f"areas_{code}"] = SEPARATOR.join(a[f"name_{code}"] for a in data["areas"])
        row[f"participants_{code}"] = SEPARATOR.join(
            f"{p[f'name_{code}']} ({p['role']})" for p in data["participants"]
        )
        row[f"sources_{code}"] = SEPARATOR.join(s[f"title_{code}"] for s in data["sources"])
    row["funding_amount"] = "" if data["funding_amount"] is None else str(data["funding_amount"])
    return [row[column] for column in CSV_COLUMNS]


class _Echo:
    """A file-like object whose write() returns what it is given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def stream_csv(initiatives: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so spreadsheet programs read UTF-8 (accents, Korean)
    yield writer.writerow(CSV_COLUMNS)
    for initiative in initiatives:
        yield writer.writerow(csv_row(record(initiative)))


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def stream_json(initiatives: Iterable, header: dict) -> Iterator[str]:
    """{...header, "results": [ ... ]}, one record at a time."""
    opening = json.dumps(header, ensure_ascii=False, default=_json_default)[:-1]
    yield f'{opening}, "results": ['
    for n, initiative in enumerate(initiatives):
        text = json.dumps(record(initiative), ensure_ascii=False, default=_json_default)
        yield ("\n" if n == 0 else ",\n") + text
    yield "\n]}\n"
