"""Open data: what each record type publishes, declared once.

`DATASETS` holds one `Dataset` per record type: its columns, what each means (in English and
French, through gettext), and how its related records are read. From that one declaration come

- the full dumps (/data/<type>.json, .csv and .xlsx) and the search page's downloads,
- the records of the read-only API and their OpenAPI schema (cooperation/api.py),
- the data dictionary on the Open data page and in /data/dictionary.json.

Rows are read with `values_list()` in chunks; each chunk's related records (areas,
participants, sources, ...) are read in one query per relation. Nothing is built as a model
instance, so an export of 100,000 rows streams in flat memory. Only published records, and only
their published relations, are ever read.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import (
    Agreement,
    AgreementKind,
    AgreementLink,
    AgreementParty,
    AgreementStatus,
    Audience,
    Citation,
    CooperationArea,
    Currency,
    DatePrecision,
    FundingQualifier,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    InitiativeStatus,
    Organization,
    OrganizationKind,
    OrganizationLink,
    OrganizationName,
    Recommendation,
    Role,
    Source,
    SourceKind,
    SourceLanguage,
    Status,
)

#: Rows read per query, and per query of each relation.
CHUNK = 1000
#: Several values in one CSV cell are separated by this.
SEPARATOR = " | "
LANGUAGES = ("en", "fr")
#: The formats of every download: /data/<type>.<format>, /<lang>/initiatives/results.<format>.
FORMATS = ("csv", "json", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def partial_date(value: datetime.date | None, precision: str) -> str:
    """An ISO 8601 date no more precise than the sources: 2025, 2025-07 or 2025-07-09."""
    if value is None:
        return ""
    return value.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]


def site_address(request) -> str:
    """This site's scheme and host ("https://example.org"): page addresses in data are absolute,
    so a downloaded file still leads back to the records."""
    return request.build_absolute_uri("/").rstrip("/")


def _plain(value):
    """A database value as JSON-ready data."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if value is None:
        return ""
    return value


# -- Columns --------------------------------------------------------------------------------
#
# A column reads one or more database fields (`paths`) and gives one or more output values
# (`outputs`: key, JSON type, description). Subclasses say how.


@dataclass(frozen=True)
class Output:
    key: str
    type: str  # string, integer, boolean, decimal (a string), date, datetime, uri
    description: str
    nullable: bool = False
    choices: type[models.TextChoices] | None = None


@dataclass(frozen=True)
class Column:
    name: str
    description: str

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def outputs(self) -> tuple[Output, ...]:
        return (Output(self.name, "string", self.description),)

    def values(self, row: dict, context: dict) -> dict:
        return {self.name: _plain(row[self.name])}


@dataclass(frozen=True)
class Text(Column):
    """A translated text: `<name>_en` and `<name>_fr`."""

    @property
    def paths(self):
        return tuple(f"{self.name}_{code}" for code in LANGUAGES)

    @property
    def outputs(self):
        return tuple(
            Output(f"{self.name}_{code}", "string", self.description) for code in LANGUAGES
        )

    def values(self, row, context):
        return {path: row[path] or "" for path in self.paths}


@dataclass(frozen=True)
class Code(Column):
    """A value from a fixed list (`choices`), given as its code."""

    choices: type[models.TextChoices] | None = None
    source: str = ""  # the model field, when it is not `name`

    @property
    def paths(self):
        return (self.source or self.name,)

    @property
    def outputs(self):
        return (Output(self.name, "string", self.description, choices=self.choices),)

    def values(self, row, context):
        return {self.name: row[self.source or self.name] or ""}


@dataclass(frozen=True)
class Typed(Column):
    """A number, flag or address, given as is (`type`: integer, boolean, uri, decimal)."""

    type: str = "string"
    nullable: bool = False  # null when unknown

    @property
    def outputs(self):
        nullable = self.nullable or self.type == "decimal"
        return (Output(self.name, self.type, self.description, nullable=nullable),)

    def values(self, row, context):
        value = row[self.name]
        if self.type == "uuid":
            return {self.name: str(value)}
        if self.type == "decimal":
            return {self.name: None if value is None else str(value)}
        if self.type in ("integer", "boolean"):
            return {self.name: value}
        return {self.name: _plain(value)}


@dataclass(frozen=True)
class PartialDate(Column):
    """A date no more precise than its source, and that precision (`<name>_precision`)."""

    @property
    def paths(self):
        return (self.name, f"{self.name}_precision")

    @property
    def outputs(self):
        return (
            Output(self.name, "date", self.description),
            Output(
                f"{self.name}_precision",
                "string",
                _("How precise the date is: year, month or day; empty when there is no date."),
                choices=DatePrecision,
            ),
        )

    def values(self, row, context):
        value, precision = row[self.name], row[f"{self.name}_precision"]
        return {
            self.name: partial_date(value, precision),
            f"{self.name}_precision": precision if value else "",
        }


@dataclass(frozen=True)
class Timestamp(Column):
    """A moment, in ISO 8601 with its time zone; null when unknown."""

    @property
    def outputs(self):
        return (Output(self.name, "datetime", self.description, nullable=True),)

    def values(self, row, context):
        value = row[self.name]
        return {self.name: value.isoformat() if value else None}


@dataclass(frozen=True)
class Day(Column):
    """A calendar day, in ISO 8601 (YYYY-MM-DD); null when unknown."""

    @property
    def outputs(self):
        return (Output(self.name, "date", self.description, nullable=True),)

    def values(self, row, context):
        value = row[self.name]
        return {self.name: value.isoformat() if value else None}


@dataclass(frozen=True)
class PageAddress(Column):
    """The record's public page in each language: `url_en`, `url_fr` (absolute)."""

    url_name: str = ""

    @property
    def paths(self):
        return ("id",) if self.url_name == "source_list" else ("slug_en", "slug_fr")

    @property
    def outputs(self):
        return tuple(Output(f"url_{code}", "uri", self.description) for code in LANGUAGES)

    def values(self, row, context):
        base = context.get("base", "")
        if self.url_name == "source_list":
            return {
                f"url_{code}": f"{base}{_url_pattern('source_list', code)}#source-{row['id']}"
                for code in LANGUAGES
            }
        return {
            f"url_{code}": (
                base + _url_pattern(self.url_name, code).replace(_SLUG, row[f"slug_{code}"])
                if row[f"slug_{code}"]
                else ""
            )
            for code in LANGUAGES
        }


_SLUG = "slug-placeholder"


@functools.cache
def _url_pattern(url_name: str, language: str) -> str:
    """An address in `language` with a placeholder for the slug: one reverse() per export."""
    with translation.override(language):
        if url_name == "source_list":
            return reverse("cooperation:source_list")
        return reverse(f"cooperation:{url_name}", kwargs={"slug": _SLUG})


#: How the data dictionary names each type, for people.
TYPE_LABELS = {
    "string": _("text"),
    "integer": _("whole number"),
    "boolean": _("true or false"),
    "uuid": _("identifier (UUID)"),
    "date": _("date: YYYY, YYYY-MM or YYYY-MM-DD"),
    "datetime": _("date and time (ISO 8601)"),
    "uri": _("address (URL)"),
    "decimal": _("decimal number, written as text"),
    "list": _("list"),
    "object": _("object, or nothing"),
}

# -- Relations ------------------------------------------------------------------------------


#: What each key of a related item means (the same wherever it appears).
ITEM_KEYS = {
    "uuid": ("uuid", _("The related record's stable identifier.")),
    "name_en": ("string", _("Its name in English.")),
    "name_fr": ("string", _("Its name in French.")),
    "title_en": ("string", _("Its title in English.")),
    "title_fr": ("string", _("Its title in French.")),
    "country": ("string", _("The organization's country (ISO 3166-1 alpha-2 code).")),
    "role": ("string", _("The organization's role in this record.")),
    "url": ("uri", _("The document's address, when it is online.")),
    "location_en": ("string", _("Where in the document, in English (section, paragraph).")),
    "location_fr": ("string", _("Where in the document, in French.")),
    "relation": ("string", _("What the link says, read from this record's side.")),
    "date": ("date", _("When, as precisely as the source gives it (may be empty).")),
    "source_uuid": ("uuid", _("The stable identifier of the source that states it.")),
    "short_name_en": ("string", _("Its short form in English (may be empty).")),
    "short_name_fr": ("string", _("Its short form in French (may be empty).")),
    "name_ko": ("string", _("Its name in Korean (may be empty).")),
    "used_from": ("date", _("When it came into use, as precisely as known (may be empty).")),
    "used_until": ("date", _("When it went out of use, as precisely as known (may be empty).")),
}


@dataclass(frozen=True)
class Relation:
    """Related records, read for a whole chunk at once.

    `fields` maps each item key to a path on `queryset`'s model; `owner` is the path holding
    the id of the record they belong to. In JSON, a list of objects (or one object, or null,
    when `many` is false); in CSV, `<name>_en` and `<name>_fr` (labels joined by " | ", each
    followed by its role in brackets when there is one) and `<name>_uuid`.
    """

    name: str
    description: str
    queryset: Callable[[], models.QuerySet]
    owner: str
    fields: dict[str, str]
    many: bool = True
    #: Item key of a date -> path of its precision: the date is given no more precise.
    precisions: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return "title" if "title_en" in self.fields else "name"

    def fetch(self, ids: list[int]) -> dict[int, list[dict]]:
        grouped: dict[int, list[dict]] = defaultdict(list)
        for owner_id, item in self.read(self.queryset(), self.owner, self.fields, ids):
            grouped[owner_id].append(item)
        return grouped

    def read(self, queryset, owner: str, fields: dict[str, str], ids: list[int]):
        """(owner id, item) for each row of `queryset` belonging to one of `ids`."""
        keys = [*fields, *(f"{key}_precision" for key in self.precisions)]
        paths = [*fields.values(), *self.precisions.values()]
        rows = queryset.filter(**{f"{owner}__in": ids}).values_list(owner, *paths)
        for owner_id, *values in rows:
            raw = dict(zip(keys, values, strict=True))
            item = {key: _plain(raw[key]) for key in fields}
            for key in self.precisions:
                item[key] = partial_date(raw[key], raw[f"{key}_precision"])
            yield owner_id, item

    def value(self, items: list[dict]):
        if self.many:
            return items
        return items[0] if items else None

    def csv_keys(self) -> list[str]:
        keys = [f"{self.name}_en", f"{self.name}_fr"]
        return [*keys, f"{self.name}_uuid"] if "uuid" in self.fields else keys

    def csv_values(self, value) -> list[str]:
        items = value if self.many else ([value] if value else [])

        def label(item, code):
            text = item[f"{self.label}_{code}"]
            if "relation" in item:
                return f"{item['relation']}: {text}"
            return f"{text} ({item['role']})" if "role" in item else text

        values = [
            SEPARATOR.join(label(item, "en") for item in items),
            SEPARATOR.join(label(item, "fr") for item in items),
        ]
        if "uuid" in self.fields:
            values.append(SEPARATOR.join(item["uuid"] for item in items))
        return values


@dataclass(frozen=True)
class LinkRelation(Relation):
    """A record's typed links to others of its type, read from both ends: from the subject's
    side the link's own kind ("implements"), from the object's its inverse ("implemented_by")."""

    inverse_codes: dict[str, str] = field(default_factory=dict)

    def fetch(self, ids: list[int]) -> dict[int, list[dict]]:
        grouped: dict[int, list[dict]] = defaultdict(list)
        for owner_id, item in self.read(self.queryset(), "subject_id", self.fields, ids):
            grouped[owner_id].append(item)
        seen_from_object = {
            key: path.replace("object__", "subject__") for key, path in self.fields.items()
        }
        for owner_id, item in self.read(self.queryset(), "object_id", seen_from_object, ids):
            item["relation"] = self.inverse_codes[item["relation"]]
            grouped[owner_id].append(item)
        return grouped


def _links(link_model, label: str) -> LinkRelation:
    return LinkRelation(
        "links",
        _(
            "Its typed links to other records of its type, read from its side (relation), each "
            "with the source that states it."
        ),
        lambda: link_model.objects.shown().order_by(models.F("date").asc(nulls_last=True), "pk"),
        owner="subject_id",
        fields={
            "relation": "kind",
            "uuid": "object__uuid",
            f"{label}_en": f"object__{label}_en",
            f"{label}_fr": f"object__{label}_fr",
            "date": "date",
            "source_uuid": "source__uuid",
            "location_en": "location_en",
            "location_fr": "location_fr",
        },
        precisions={"date": "date_precision"},
        inverse_codes={kind: code for kind, (code, _label) in link_model.inverses.items()},
    )


def _published(model, *related: str) -> Callable[[], models.QuerySet]:
    """Rows of `model` whose `related` records are published."""
    return lambda: model.objects.filter(
        **{f"{path}__status": Status.PUBLISHED for path in related}
    ).order_by()


def _areas(model) -> Relation:
    return Relation(
        "areas",
        _("The co-operation areas it belongs to."),
        lambda: _published(model.areas.through, "cooperationarea")().order_by(
            "cooperationarea__name_en"
        ),
        owner=f"{model._meta.model_name}_id",
        fields={
            "uuid": "cooperationarea__uuid",
            "name_en": "cooperationarea__name_en",
            "name_fr": "cooperationarea__name_fr",
        },
    )


def _participants(through, owner: str, name: str, description) -> Relation:
    return Relation(
        name,
        description,
        lambda: _published(through, "organization")().order_by("organization__name_en", "role"),
        owner=owner,
        fields={
            "uuid": "organization__uuid",
            "name_en": "organization__name_en",
            "name_fr": "organization__name_fr",
            "country": "organization__country",
            "role": "role",
        },
    )


def _sources(model) -> Relation:
    def citations():
        content_type = ContentType.objects.get_for_model(model)
        return (
            _published(Citation, "source")()
            .filter(content_type=content_type)
            .order_by("position", "pk")
        )

    return Relation(
        "sources",
        _("The documents it rests on, and where in each."),
        citations,
        owner="object_id",
        fields={
            "uuid": "source__uuid",
            "title_en": "source__title_en",
            "title_fr": "source__title_fr",
            "url": "source__url",
            "location_en": "location_en",
            "location_fr": "location_fr",
        },
    )


# -- Datasets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """One record type as open data."""

    name: str  # in addresses: /data/<name>.csv, /api/<name>/
    model: type[models.Model]
    title: str
    columns: tuple[Column, ...]
    relations: tuple[Relation, ...] = ()
    ordering: tuple = ()
    closing: tuple[Column, ...] = field(default=())

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + self.closing

    def published(self) -> models.QuerySet:
        """Every published record, in the dump's order."""
        queryset = self.model.objects.published()
        return queryset.order_by(*self.ordering) if self.ordering else queryset

    # What a record holds, in order: the columns, the relations, then the closing columns.
    def outputs(self) -> list[Output | Relation]:
        items: list[Output | Relation] = []
        for column in self.columns:
            items.extend(column.outputs)
        items.extend(self.relations)
        for column in self.closing:
            items.extend(column.outputs)
        return items

    def json_keys(self) -> list[str]:
        return [item.name if isinstance(item, Relation) else item.key for item in self.outputs()]

    def csv_header(self) -> list[str]:
        header = []
        for item in self.outputs():
            header.extend(item.csv_keys() if isinstance(item, Relation) else [item.key])
        return header

    def records(self, queryset: models.QuerySet, base: str = "") -> Iterator[dict]:
        """Each record of `queryset` (published ones, in its order) as plain data.

        `base` ("https://host") makes page addresses absolute.
        """
        paths = {"id"}
        for column in self.all_columns:
            paths.update(column.paths)
        paths = sorted(paths)
        rows = queryset.values_list(*paths).iterator(chunk_size=CHUNK)
        context = {"base": base}
        while chunk := [dict(zip(paths, row, strict=True)) for row in islice(rows, CHUNK)]:
            ids = [row["id"] for row in chunk]
            related = {relation.name: relation.fetch(ids) for relation in self.relations}
            for row in chunk:
                record = {}
                for column in self.columns:
                    record.update(column.values(row, context))
                for relation in self.relations:
                    record[relation.name] = relation.value(related[relation.name][row["id"]])
                for column in self.closing:
                    record.update(column.values(row, context))
                yield record

    def csv_row(self, record: dict) -> list:
        row = []
        for item in self.outputs():
            if isinstance(item, Relation):
                row.extend(item.csv_values(record[item.name]))
            else:
                value = record[item.key]
                row.append("" if value is None else value)
        return row

    def dictionary(self) -> list[dict]:
        """Every key of a record: its CSV columns, type, meaning and, for codes, the values."""
        entries = []
        for item in self.outputs():
            if isinstance(item, Relation):
                kind = "list" if item.many else "object"
                entries.append(
                    {
                        "key": item.name,
                        "csv": item.csv_keys(),
                        "type": kind,
                        "type_label": str(TYPE_LABELS[kind]),
                        "description": str(item.description),
                        "values": [],
                        "items": [_item_entry(key) for key in item.fields],
                    }
                )
            else:
                entry = {
                    "key": item.key,
                    "csv": [item.key],
                    "type": item.type,
                    "type_label": str(TYPE_LABELS[item.type]),
                    "description": str(item.description),
                    "values": [],  # the codes, for a column with a fixed list of values
                    "items": [],  # the keys of each related item, for a relation
                }
                if item.choices is not None:
                    entry["values"] = [
                        {"code": code, "label": str(label)} for code, label in item.choices.choices
                    ]
                entries.append(entry)
        return entries


def _item_entry(key: str) -> dict:
    kind, description = ITEM_KEYS[key]
    entry = {
        "key": key,
        "type": kind,
        "type_label": str(TYPE_LABELS[kind]),
        "description": str(description),
        "values": [],
    }
    if key == "role":
        entry["values"] = [{"code": code, "label": str(label)} for code, label in Role.choices]
    if key == "relation":
        entry["values"] = [
            {"code": code, "label": str(label)}
            for model in (AgreementLink, OrganizationLink)
            for kind, label in model._meta.get_field("kind").choices
            for code, label in ((kind, label), model.inverses[kind])
        ]
    return entry


def _common_opening(url_name: str) -> tuple[Column, ...]:
    return (
        Typed("uuid", _("Stable identifier of the record; it never changes."), type="uuid"),
        PageAddress(
            "url",
            _(
                "Address of the record's page on this portal, in English (url_en) and French "
                "(url_fr)."
            ),
            url_name=url_name,
        ),
    )


_CLOSING = (
    Text("note", _("What was inferred, and how, where a source is silent.")),
    Timestamp("first_published", _("When the record was first published on the portal.")),
    Timestamp("modified", _("When the record was last changed.")),
    Day("checked", _("The day a curator last read the record against its sources.")),
)

AREAS = Dataset(
    "areas",
    CooperationArea,
    _("Co-operation areas"),
    columns=(
        *_common_opening("area_detail"),
        Text("name", _("Name of the area.")),
        Text("summary", _("Short description.")),
        Text("description", _("Longer description (may be empty).")),
        Typed("position", _("Order in which the portal lists the areas."), type="integer"),
    ),
    relations=(_sources(CooperationArea),),
    ordering=("position", "name_en", "pk"),
    closing=_CLOSING,
)

ORGANIZATIONS = Dataset(
    "organizations",
    Organization,
    _("Organizations"),
    columns=(
        *_common_opening("organization_detail"),
        Text("name", _("Official name.")),
        Text("short_name", _("Acronym or usual short form (may be empty).")),
        Column("name_ko", _("Name in Korean, where it is known for certain.")),
        Code("kind", _("What kind of organization it is."), choices=OrganizationKind),
        Column("country", _("Country (ISO 3166-1 alpha-2 code); empty for multilateral bodies.")),
        Typed("website", _("Official website."), type="uri"),
        Text("summary", _("Short description.")),
        Text("description", _("Longer description (may be empty).")),
    ),
    relations=(
        _links(OrganizationLink, "name"),
        Relation(
            "former_names",
            _("Names it bore before its present one, with when they were in use."),
            lambda: OrganizationName.objects.filter(source__status=Status.PUBLISHED).order_by(
                models.F("used_until").desc(nulls_last=True), "pk"
            ),
            owner="organization_id",
            fields={
                "name_en": "name_en",
                "name_fr": "name_fr",
                "short_name_en": "short_name_en",
                "short_name_fr": "short_name_fr",
                "name_ko": "name_ko",
                "used_from": "used_from",
                "used_until": "used_until",
                "source_uuid": "source__uuid",
                "location_en": "location_en",
                "location_fr": "location_fr",
            },
            precisions={"used_from": "used_from_precision", "used_until": "used_until_precision"},
        ),
        _sources(Organization),
    ),
    ordering=("name_en", "pk"),
    closing=_CLOSING,
)

AGREEMENTS = Dataset(
    "agreements",
    Agreement,
    _("Agreements"),
    columns=(
        *_common_opening("agreement_detail"),
        Text("title", _("Title of the agreement.")),
        Text("short_title", _("Usual short title (may be empty).")),
        Code("kind", _("What kind of instrument it is."), choices=AgreementKind),
        Typed(
            "binding",
            _("Whether it is legally binding; null when the sources do not say."),
            type="boolean",
            nullable=True,
        ),
        Code(
            "status",
            _("Where it stands."),
            choices=AgreementStatus,
            source="agreement_status",
        ),
        PartialDate("date_signed", _("When it was signed or adopted.")),
        Text("place_signed", _("Where it was signed (may be empty).")),
        PartialDate("date_in_force", _("When it came into force.")),
        Text("summary", _("Short description.")),
        Text("description", _("Longer description (may be empty).")),
    ),
    relations=(
        _areas(Agreement),
        _participants(
            AgreementParty,
            "agreement_id",
            "parties",
            _("The organizations bound by or taking part in it, each with its role."),
        ),
        _links(AgreementLink, "title"),
        _sources(Agreement),
    ),
    ordering=(models.F("date_signed").desc(nulls_last=True), "title_en", "pk"),
    closing=_CLOSING,
)

INITIATIVES = Dataset(
    "initiatives",
    Initiative,
    _("Initiatives"),
    columns=(
        *_common_opening("initiative_detail"),
        Text("title", _("Title of the initiative.")),
        Text("summary", _("Short description.")),
        Text("description", _("Longer description (may be empty).")),
        Code("kind", _("What kind of initiative it is."), choices=InitiativeKind),
        Code(
            "status",
            _("Where it stands."),
            choices=InitiativeStatus,
            source="initiative_status",
        ),
        PartialDate("start_date", _("When it started (or took place).")),
        Typed(
            "start_date_inferred",
            _(
                "True when the sources do not give the whole start date and part of it (a "
                "year, say) is inferred; the note says how."
            ),
            type="boolean",
        ),
        PartialDate("end_date", _("When it ended.")),
        Text("location", _("Where it takes place (may be empty).")),
        Typed(
            "funding_amount",
            _(
                "Amount of money involved, as the source gives it (a decimal number as text); "
                "empty when the source gives none."
            ),
            type="decimal",
        ),
        Code("funding_currency", _("Currency of the amount (ISO 4217)."), choices=Currency),
        Code(
            "funding_qualifier",
            _("How the source words the amount (empty: as stated; “nearly”, “over”...)."),
            choices=FundingQualifier,
        ),
    ),
    relations=(
        Relation(
            "agreement",
            _("The agreement it sits under, if any."),
            _published(Initiative, "agreement"),
            owner="id",
            fields={
                "uuid": "agreement__uuid",
                "title_en": "agreement__title_en",
                "title_fr": "agreement__title_fr",
            },
            many=False,
        ),
        _areas(Initiative),
        _participants(
            InitiativeParticipant,
            "initiative_id",
            "participants",
            _("The organizations taking part, each with its role."),
        ),
        _sources(Initiative),
    ),
    ordering=(models.F("start_date").desc(nulls_last=True), "-pk"),
    closing=_CLOSING,
)

RECOMMENDATIONS = Dataset(
    "recommendations",
    Recommendation,
    _("Recommendations"),
    columns=(
        *_common_opening("recommendation_detail"),
        Text("title", _("The recommended action.")),
        Code("audience", _("Who it is addressed to."), choices=Audience),
        Text("summary", _("Short description.")),
        Text("rationale", _("Why it is recommended.")),
        Text("horizon", _("When it should happen (may be empty).")),
        Typed("position", _("Order in which the portal lists them."), type="integer"),
    ),
    relations=(
        Relation(
            "proposed_in",
            _("Whose recommendation it is: the source document that makes it."),
            _published(Recommendation, "proposed_in"),
            owner="id",
            fields={
                "uuid": "proposed_in__uuid",
                "title_en": "proposed_in__title_en",
                "title_fr": "proposed_in__title_fr",
            },
            many=False,
        ),
        _areas(Recommendation),
        Relation(
            "initiatives",
            _("The initiatives it concerns."),
            lambda: _published(Recommendation.initiatives.through, "initiative")().order_by(
                "initiative__title_en"
            ),
            owner="recommendation_id",
            fields={
                "uuid": "initiative__uuid",
                "title_en": "initiative__title_en",
                "title_fr": "initiative__title_fr",
            },
        ),
        _sources(Recommendation),
    ),
    ordering=("position", "title_en", "pk"),
    closing=_CLOSING,
)

SOURCES = Dataset(
    "sources",
    Source,
    _("Sources"),
    columns=(
        *_common_opening("source_list"),
        Text("title", _("Title of the document.")),
        Text("publisher", _("Who published it.")),
        Code(
            "kind",
            _("Who speaks in it (government, research institute, press...)."),
            choices=SourceKind,
        ),
        Text("summary", _("What the document is.")),
        Code("language", _("Language the document is written in."), choices=SourceLanguage),
        PartialDate("date", _("When it was published.")),
        Typed("url", _("The document's address, when it is online."), type="uri"),
        Column("reference", _("Where the portal keeps its copy of the document.")),
    ),
    ordering=(models.F("date").desc(nulls_last=True), "title_en", "pk"),
    closing=_CLOSING,
)

#: Every record type, in the order the Open data page lists them.
DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (INITIATIVES, AGREEMENTS, ORGANIZATIONS, AREAS, RECOMMENDATIONS, SOURCES)
}


# -- Streams --------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() returns what it is given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def stream_csv(dataset: Dataset, records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so spreadsheet programs read UTF-8 (accents, Korean)
    yield writer.writerow(dataset.csv_header())
    for record in records:
        yield writer.writerow(dataset.csv_row(record))


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def stream_json(records: Iterable[dict], header: dict) -> Iterator[str]:
    """{...header, "results": [ ... ]}, one record at a time."""
    opening = json.dumps(header, ensure_ascii=False, default=_json_default)[:-1]
    yield f'{opening}, "results": ['
    for n, record in enumerate(records):
        text = json.dumps(record, ensure_ascii=False, default=_json_default)
        yield ("\n" if n == 0 else ",\n") + text
    yield "\n]}\n"


# -- XLSX -----------------------------------------------------------------------------------
#
# The CSV's columns, in the same order and under the same keys, with their values typed:
# numbers as numbers, true or false as TRUE/FALSE, dates as ISO text (a date known only to the
# year stays "2019": a spreadsheet date would claim a day). The workbook's second sheet says
# what each column means, in the language of the request.

#: What a spreadsheet program takes for the start of a formula. openpyxl itself writes any
#: string beginning with "=" as a formula; such text is written as text, and marked with a
#: quote prefix so that editing the cell keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Column widths, in characters, by type; texts that run long get a wider column.
XLSX_WIDTHS = {"uuid": 38, "uri": 45, "date": 12, "datetime": 27, "list": 40, "string": 24}
XLSX_LONG_TEXTS = ("summary", "description", "note", "rationale")
XLSX_DECIMAL_FORMAT = "#,##0.00"


def _xlsx_width(key: str, kind: str) -> int:
    if kind == "list" and key.endswith("_uuid"):
        kind = "uuid"
    if kind == "string" and key.removesuffix("_en").removesuffix("_fr") in XLSX_LONG_TEXTS:
        return 60
    return max(XLSX_WIDTHS.get(kind, 14), len(key) + 3)


def _xlsx_text(sheet, value: str):
    """A text cell that no spreadsheet program will run: characters XML cannot hold (control
    characters) are dropped, and text that looks like a formula is written as text."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value:
        return None
    if not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _xlsx_columns(dataset: Dataset) -> list[tuple[str, str]]:
    """(key, type) of each column, in the CSV's order."""
    columns = []
    for item in dataset.outputs():
        if isinstance(item, Relation):
            columns.extend((key, "list") for key in item.csv_keys())
        else:
            columns.append((item.key, item.type))
    return columns


def _xlsx_row(sheet, dataset: Dataset, record: dict) -> list:
    row = []
    for item in dataset.outputs():
        if isinstance(item, Relation):
            row.extend(_xlsx_text(sheet, value) for value in item.csv_values(record[item.name]))
            continue
        value = record[item.key]
        if value is None or value == "":
            row.append(None)
        elif item.type == "decimal":
            cell = WriteOnlyCell(sheet, Decimal(value))
            cell.number_format = XLSX_DECIMAL_FORMAT
            row.append(cell)
        elif isinstance(value, str):
            row.append(_xlsx_text(sheet, value))
        else:
            row.append(value)  # integers, and booleans (TRUE/FALSE)
    return row


def write_xlsx(dataset: Dataset, records: Iterable[dict], file) -> int:
    """Write `records` to `file` as an Excel workbook; return how many rows it holds.

    openpyxl's write-only mode writes each row to a temporary file as it comes, so memory does
    not grow with the rows; the workbook is put together (zipped) when it is saved.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(dataset.title))
    columns = _xlsx_columns(dataset)
    sheet.freeze_panes = "A2"
    for index, (key, kind) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = _xlsx_width(key, kind)
    sheet.append([_xlsx_heading(sheet, key) for key, _kind in columns])
    rows = 0
    for record in records:
        sheet.append(_xlsx_row(sheet, dataset, record))
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"
    _xlsx_dictionary(workbook, dataset)
    workbook.properties.title = str(dataset.title)
    workbook.properties.language = translation.get_language()
    workbook.save(file)
    return rows


def _sheet_title(title) -> str:
    return str(title)[:31]  # Excel's limit; no title here has a character Excel forbids


def _xlsx_heading(sheet, text: str):
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True)
    return cell


def _xlsx_dictionary(workbook, dataset: Dataset) -> None:
    """The data dictionary of `dataset`, in the active language, and the licence."""
    sheet = workbook.create_sheet(_sheet_title(_("Data dictionary")))
    sheet.freeze_panes = "A2"
    wrapped = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (34, 22, 70, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    headings = (_("Columns"), _("Type"), _("Meaning"), _("Values"))
    sheet.append([_xlsx_heading(sheet, str(text)) for text in headings])
    for entry in dataset.dictionary():
        meaning = entry["description"]
        if entry["items"]:
            parts = "; ".join(f"{part['key']} ({part['description']})" for part in entry["items"])
            meaning = f"{meaning} {_('Each holds:')} {parts}"
        values = "; ".join(f"{value['code']} ({value['label']})" for value in entry["values"])
        texts = (", ".join(entry["csv"]), entry["type_label"], meaning, values)
        row = []
        for text in texts:
            cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", text) or None)
            cell.alignment = wrapped
            row.append(cell)
        sheet.append(row)
    sheet.append([])
    sheet.append([_xlsx_heading(sheet, str(LICENCE_NAME)), str(LICENCE_URL)])
    sheet.append([str(LICENCE_SUMMARY)])


def file_sizes(dataset: Dataset, records: list[dict], header: dict) -> dict[str, int]:
    """The size in bytes of the file of `records` in each format (JSON with `header`)."""
    workbook = io.BytesIO()
    write_xlsx(dataset, records, workbook)
    return {
        "csv": sum(len(text.encode()) for text in stream_csv(dataset, records)),
        "json": sum(len(text.encode()) for text in stream_json(records, header)),
        "xlsx": len(workbook.getvalue()),
    }


# -- Licence and dictionary -----------------------------------------------------------------


def in_language(text, code: str) -> str:
    with translation.override(code):
        return str(text)


#: The licence the data is offered under. The Government of Canada's open data licence: use,
#: adapt and share for any lawful purpose, with attribution.
LICENCE_NAME = _("Open Government Licence – Canada")
LICENCE_URL = _("https://open.canada.ca/en/open-government-licence-canada")
LICENCE_SUMMARY = _(
    "You may copy, adapt, publish, translate and distribute the data, including for commercial "
    "purposes, provided you acknowledge the source: “Contains information from the Canada–Korea "
    "AI Co-operation Portal.” The source documents the records cite remain under their "
    "publishers' own terms."
)


def licence() -> dict:
    """The licence in the active language (for pages)."""
    return {"name": LICENCE_NAME, "url": LICENCE_URL, "summary": LICENCE_SUMMARY}


def licence_data() -> dict:
    """The licence in both languages (for files)."""
    return {
        f"{key}_{code}": in_language(value, code)
        for key, value in licence().items()
        for code in LANGUAGES
    }


def bilingual_dictionary(base: str = "") -> dict:
    """The data dictionary of every record type, each text in English and French."""
    versions = {}
    for code in LANGUAGES:
        with translation.override(code):
            versions[code] = {
                name: (str(dataset.title), dataset.dictionary())
                for name, dataset in DATASETS.items()
            }
    datasets = {}
    for name in DATASETS:
        (title_en, entries_en), (title_fr, entries_fr) = versions["en"][name], versions["fr"][name]
        datasets[name] = {
            "title_en": title_en,
            "title_fr": title_fr,
            "csv": f"{base}{reverse('data_dump', kwargs={'name': name, 'fmt': 'csv'})}",
            "json": f"{base}{reverse('data_dump', kwargs={'name': name, 'fmt': 'json'})}",
            "xlsx": f"{base}{reverse('data_dump', kwargs={'name': name, 'fmt': 'xlsx'})}",
            "api": f"{base}{reverse('api:' + name + '-list')}",
            "columns": [_merge(en, fr) for en, fr in zip(entries_en, entries_fr, strict=True)],
        }
    return {"licence": licence_data(), "datasets": datasets}


def _merge(en: dict, fr: dict) -> dict:
    """One dictionary entry with its texts in both languages."""
    merged = {key: en[key] for key in ("key", "csv", "type") if key in en}
    merged["description_en"], merged["description_fr"] = en["description"], fr["description"]
    if en.get("values"):
        merged["values"] = [
            {"code": a["code"], "label_en": a["label"], "label_fr": b["label"]}
            for a, b in zip(en["values"], fr["values"], strict=True)
        ]
    if en.get("items"):
        merged["items"] = [_merge(a, b) for a, b in zip(en["items"], fr["items"], strict=True)]
    return merged
