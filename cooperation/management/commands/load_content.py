"""Load the shipped bilingual content (cooperation/content/*.yaml) into the database.

Idempotent: each record's id is derived from its `key`, and the hash of its data-file entry is
kept on the record, so a second run writes nothing. A record staff have edited since it was
loaded (its `modified` moved past `content_loaded_at`) is never overwritten: the loader reports
it and keeps the staff's version. Everything loaded is published, so the content must satisfy
the publishing rule; if an entry does not, the whole load is rolled back with the reasons.
"""

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from cooperation.models import (
    LANGUAGE_CODES,
    Agreement,
    AgreementLink,
    AgreementParty,
    Citation,
    CooperationArea,
    DatePrecision,
    Initiative,
    InitiativeParticipant,
    Organization,
    OrganizationLink,
    OrganizationName,
    Pillar,
    Recommendation,
    Source,
    Status,
)
from curation.history import Reason

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
#: Namespace of the records' stable ids: uuid5(NAMESPACE, "<model>:<key>").
NAMESPACE = uuid.UUID("6f1c3a52-3f0e-4c55-9a7e-2b8d1c4e9a10")


@dataclass(frozen=True)
class Spec:
    """How one data file maps onto one model."""

    file: str
    model: type[models.Model]
    translated: tuple[str, ...]
    plain: tuple[str, ...] = ()
    dates: dict[str, str] = field(default_factory=dict)  # yaml key -> model date field
    references: dict[str, type[models.Model]] = field(default_factory=dict)  # FK by key
    many: dict[str, type[models.Model]] = field(default_factory=dict)  # M2M by keys
    roles: tuple[str, type[models.Model]] | None = None  # (yaml key, through model)
    cited: tuple[str, type[models.Model]] | None = None  # (yaml key, CitedFact model)


#: The links between records (links.yaml), loaded once every record is: section -> (model,
#: the model its two ends are).
LINKS_FILE = "links.yaml"
LINK_SECTIONS = {
    "agreements": (AgreementLink, Agreement),
    "organizations": (OrganizationLink, Organization),
}

SPECS = (
    Spec(
        "sources.yaml",
        Source,
        ("title", "publisher", "summary", "note"),
        plain=("language", "kind", "url", "reference"),
        dates={"date": "date"},
    ),
    Spec(
        "areas.yaml",
        CooperationArea,
        ("name", "slug", "summary", "description", "note"),
        plain=("position",),
    ),
    Spec(
        "organizations.yaml",
        Organization,
        ("name", "short_name", "slug", "summary", "description", "note"),
        plain=("kind", "country", "website", "name_ko"),
        cited=("former_names", OrganizationName),
    ),
    Spec(
        "agreements.yaml",
        Agreement,
        ("title", "short_title", "slug", "place_signed", "summary", "description", "note"),
        plain=("kind", "binding", "status", "date_signed_inferred"),
        dates={"date_signed": "date_signed", "date_in_force": "date_in_force"},
        many={"areas": CooperationArea},
        roles=("parties", AgreementParty),
    ),
    Spec(
        "initiatives.yaml",
        Initiative,
        ("title", "slug", "location", "summary", "description", "note"),
        plain=(
            "kind",
            "status",
            "funding_amount",
            "funding_currency",
            "funding_qualifier",
            "start_date_inferred",
        ),
        dates={"start_date": "start_date", "end_date": "end_date"},
        references={"agreement": Agreement},
        many={"areas": CooperationArea},
        roles=("participants", InitiativeParticipant),
    ),
    Spec(
        "recommendations.yaml",
        Recommendation,
        ("title", "slug", "summary", "rationale", "horizon", "note"),
        plain=("audience", "position"),
        references={"proposed_in": Source},
        many={"areas": CooperationArea, "initiatives": Initiative},
    ),
)

# The data files say `status` for an agreement's or initiative's own status; on the models that
# is `agreement_status` / `initiative_status` (`status` is the publication status).
PLAIN_FIELD_NAMES = {
    Agreement: {"status": "agreement_status"},
    Initiative: {"status": "initiative_status"},
}


def stable_id(model: type[models.Model], key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{model._meta.model_name}:{key}")


def parse_partial_date(value) -> tuple[datetime.date, str]:
    """ "2014" → year precision, "2016-12" → month, "2025-07-09" (or a YAML date) → day."""
    if isinstance(value, datetime.date):
        return value, DatePrecision.DAY
    text = str(value).strip()
    try:
        if len(text) == 4:
            return datetime.date(int(text), 1, 1), DatePrecision.YEAR
        if len(text) == 7:
            return datetime.date(int(text[:4]), int(text[5:7]), 1), DatePrecision.MONTH
        return datetime.date.fromisoformat(text), DatePrecision.DAY
    except ValueError as exc:
        raise ValueError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from exc


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()


class Command(BaseCommand):
    help = "Load the shipped bilingual content from cooperation/content/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", default=str(CONTENT_DIR), help="Folder holding the YAML data files."
        )

    def handle(self, *args, directory: str, **options):
        folder = Path(directory)
        totals = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
        with transaction.atomic():
            for spec in SPECS:
                path = folder / spec.file
                if not path.exists():
                    raise CommandError(f"Missing content file: {path}")
                entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
                counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
                seen = set()
                for entry in entries:
                    key = entry.get("key")
                    if not key or key in seen:
                        raise CommandError(f"{spec.file}: missing or repeated key {key!r}")
                    seen.add(key)
                    try:
                        outcome = self.load_entry(spec, entry)
                    except (ValidationError, ValueError, LookupError) as error:
                        reasons = getattr(error, "messages", None) or [str(error)]
                        raise CommandError(f"{spec.file}: {key}: {' '.join(reasons)}") from error
                    counts[outcome] += 1
                for name, value in counts.items():
                    totals[name] += value
                self.stdout.write(
                    f"{spec.model._meta.verbose_name_plural}: {len(entries)} in {spec.file} — "
                    + ", ".join(f"{value} {name}" for name, value in counts.items())
                )
            self.load_links(folder / LINKS_FILE)
        self.stdout.write(
            self.style.SUCCESS(
                "Content loaded: " + ", ".join(f"{value} {name}" for name, value in totals.items())
            )
        )

    def load_entry(self, spec: Spec, entry: dict) -> str:
        self.check_keys(spec, entry)
        model = spec.model
        digest = entry_hash(entry)
        record = model.objects.filter(uuid=stable_id(model, entry["key"])).first()
        if record is not None:
            if record.content_loaded_at is None or record.modified != record.content_loaded_at:
                self.stdout.write(
                    self.style.WARNING(f"  kept staff edits of {model.__name__} “{record}”")
                )
                return "kept"
            if record.content_hash == digest:
                return "unchanged"
            outcome = "updated"
        else:
            record = model(uuid=stable_id(model, entry["key"]))
            outcome = "created"

        self.assign_fields(spec, record, entry)
        record.status = Status.DRAFT
        # The untranslated originals (title, summary, ...) mirror whichever language is active;
        # both languages are checked by the publishing rule in publish() below.
        record.full_clean(exclude=["uuid", *spec.translated], validate_unique=True)
        record._change_reason = Reason.LOADED  # the history says where the version came from
        record.save()
        self.assign_relations(spec, record, entry)
        record.publish()
        model.objects.filter(pk=record.pk).update(
            content_hash=digest, content_loaded_at=F("modified")
        )
        return outcome

    def check_keys(self, spec: Spec, entry: dict) -> None:
        allowed = {
            "key",
            "sources",
            "checked",
            *(("binding_source",) if "binding" in spec.plain else ()),
            *spec.translated,
            *spec.plain,
            *spec.dates,
            *spec.references,
            *spec.many,
        }
        if spec.roles:
            allowed.add(spec.roles[0])
        if spec.cited:
            allowed.add(spec.cited[0])
        unknown = set(entry) - allowed
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        for name in spec.translated:
            value = entry.get(name)
            if value is not None and (
                not isinstance(value, dict) or set(value) - set(LANGUAGE_CODES)
            ):
                raise ValueError(f"{name} must be a mapping of en and fr texts")
        self.check_rules(entry, spec.model)

    @staticmethod
    def check_rules(entry: dict, model=None) -> None:
        """The content rules (cooperation/content/README.md) a file can be checked against."""
        if model is Source and not entry.get("reference") and not entry.get("url"):
            raise ValueError("a source that is not a seed document needs its public url")
        if model is Source and not entry.get("kind"):
            raise ValueError("a source needs its kind (government, research_institute, ...)")
        if entry.get("binding") is not None:
            cited = {citation.get("source") for citation in entry.get("sources") or []}
            if entry.get("binding_source") not in cited:
                raise ValueError(
                    "binding needs binding_source: the key of a cited source that states it"
                )
        note = entry.get("note") or {}
        for name in ("start_date", "date_signed"):
            if not entry.get(f"{name}_inferred"):
                continue
            if not all(note.get(c) for c in LANGUAGE_CODES):
                raise ValueError(f"{name}_inferred needs a note, in both languages, saying how")
            if not entry.get(name):
                raise ValueError(f"{name}_inferred without a {name}")
        if entry.get("funding_qualifier") and entry.get("funding_amount") is None:
            raise ValueError("funding_qualifier without a funding_amount")
        if entry.get("funding_amount") is not None and not entry.get("funding_currency"):
            raise ValueError("funding_amount without a funding_currency")
        checked = entry.get("checked")
        if checked is not None:
            try:
                day = datetime.date.fromisoformat(str(checked))
            except ValueError as exc:
                raise ValueError(f"checked must be a day (YYYY-MM-DD), not {checked!r}") from exc
            if day > datetime.date.today():
                raise ValueError(f"checked is in the future: {checked}")

    def assign_fields(self, spec: Spec, record, entry: dict) -> None:
        renames = PLAIN_FIELD_NAMES.get(spec.model, {})
        for name in spec.translated:
            texts = entry.get(name) or {}
            empty = None if name == "slug" else ""
            for code in LANGUAGE_CODES:
                value = texts.get(code)
                setattr(record, f"{name}_{code}", str(value).strip() if value else empty)
        for name in spec.plain:
            value = entry.get(name)
            model_field = record._meta.get_field(renames.get(name, name))
            if value is None:
                value = None if model_field.null else model_field.get_default()
            elif isinstance(model_field, models.DecimalField):
                value = Decimal(str(value))
            setattr(record, model_field.name, value)
        for name, field_name in spec.dates.items():
            value = entry.get(name)
            if value is None:
                setattr(record, field_name, None)
                continue
            date, precision = parse_partial_date(value)
            setattr(record, field_name, date)
            precision_field = (
                "date_precision" if field_name == "date" else f"{field_name}_precision"
            )
            setattr(record, precision_field, precision)
        for name, target in spec.references.items():
            key = entry.get(name)
            setattr(record, name, self.lookup(target, key) if key else None)
        checked = entry.get("checked")
        record.checked = datetime.date.fromisoformat(str(checked)) if checked else None

    def assign_relations(self, spec: Spec, record, entry: dict) -> None:
        for name, target in spec.many.items():
            getattr(record, name).set([self.lookup(target, key) for key in entry.get(name) or []])
        if spec.roles:
            name, through = spec.roles
            record.participations.all().delete()
            bulk_create_with_history(
                [
                    through(
                        **{spec.model._meta.model_name: record},
                        organization=self.lookup(Organization, item["organization"]),
                        role=item["role"],
                    )
                    for item in entry.get(name) or []
                ],
                through,
                default_change_reason=Reason.LOADED,
            )
            for participation in record.participations.all():
                participation.full_clean()
        if spec.cited:
            name, model = spec.cited
            getattr(record, name).all().delete()
            for item in entry.get(name) or []:
                self.cited_fact(model, item, organization=record).save()
        record.citations.all().delete()
        for position, item in enumerate(entry.get("sources") or []):
            citation = Citation(
                content_object=record,
                source=self.lookup(Source, item["source"]),
                position=position,
            )
            for name, attribute in (("where", "location"), ("supports", "supports")):
                for code in LANGUAGE_CODES:
                    setattr(citation, f"{attribute}_{code}", (item.get(name) or {}).get(code, ""))
            citation.save()

    def lookup(self, model: type[models.Model], key: str):
        try:
            return model.objects.get(uuid=stable_id(model, key))
        except model.DoesNotExist as exc:
            raise LookupError(f"no {model._meta.model_name} with key {key!r}") from exc

    # -- Links (links.yaml) -------------------------------------------------------------------

    def cited_fact(self, model: type[models.Model], item: dict, **values):
        """A CitedFact (a former name, a link, a pillar) from its data-file item, checked."""
        item = dict(item)
        fact = model(source=self.lookup(Source, item.pop("source")), **values)
        for code in LANGUAGE_CODES:
            setattr(fact, f"location_{code}", (item.get("where") or {}).get(code, ""))
        item.pop("where", None)
        for name, value in item.items():
            if isinstance(value, dict):
                for code in LANGUAGE_CODES:
                    setattr(fact, f"{name}_{code}", str(value.get(code) or "").strip())
            elif name in {"date", "used_from", "used_until"}:
                date, precision = parse_partial_date(value)
                setattr(fact, name, date)
                setattr(
                    fact, "date_precision" if name == "date" else f"{name}_precision", precision
                )
            else:
                setattr(fact, name, value)
        fact.full_clean(validate_unique=False, validate_constraints=False)
        return fact

    def load_links(self, path: Path) -> None:
        """Every link and pillar of links.yaml, created or brought up to date (natural keys:
        the two ends and the kind; the plan and the pillar's number). Links staff added in the
        admin are left alone."""
        if not path.exists():
            raise CommandError(f"Missing content file: {path}")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(data) - {*LINK_SECTIONS, "pillars"}
        if unknown:
            raise CommandError(f"{path.name}: unknown sections {sorted(unknown)}")
        for section, (model, ends) in LINK_SECTIONS.items():
            entries = data.get(section) or []
            for item in entries:
                item = dict(item)
                label = f"{item.get('from')} {item.get('kind')} {item.get('to')}"
                try:
                    subject = self.lookup(ends, item.pop("from"))
                    target = self.lookup(ends, item.pop("to"))
                    self.replace(
                        model.objects.filter(subject=subject, kind=item["kind"], object=target),
                        self.cited_fact(model, item, subject=subject, object=target),
                    )
                except (ValidationError, ValueError, LookupError, KeyError) as error:
                    reasons = getattr(error, "messages", None) or [str(error)]
                    raise CommandError(f"{path.name}: {label}: {' '.join(reasons)}") from error
            self.stdout.write(f"{model._meta.verbose_name_plural}: {len(entries)} in {path.name}")
        pillars = data.get("pillars") or []
        for item in pillars:
            item = dict(item)
            label = f"{item.get('plan')} pillar {item.get('number')}"
            try:
                plan = self.lookup(Agreement, item.pop("plan"))
                agreements = [self.lookup(Agreement, k) for k in item.pop("agreements", [])]
                initiatives = [self.lookup(Initiative, k) for k in item.pop("initiatives", [])]
                self.replace(
                    Pillar.objects.filter(plan=plan, number=item["number"]),
                    self.cited_fact(Pillar, item, plan=plan),
                    agreements=agreements,
                    initiatives=initiatives,
                )
            except (ValidationError, ValueError, LookupError, KeyError) as error:
                reasons = getattr(error, "messages", None) or [str(error)]
                raise CommandError(f"{path.name}: {label}: {' '.join(reasons)}") from error
        self.stdout.write(f"{Pillar._meta.verbose_name_plural}: {len(pillars)} in {path.name}")

    @staticmethod
    def replace(existing: models.QuerySet, fact, **many) -> None:
        """Store `fact` in place of `existing` (0 or 1 row), unless that already says the same:
        a second load writes nothing, so it leaves the data version and the caches alone."""
        current = existing.first()
        if current is not None:
            names = [f.attname for f in fact._meta.concrete_fields if not f.primary_key]
            if all(getattr(current, n) == getattr(fact, n) for n in names) and all(
                {r.pk for r in getattr(current, name).all()} == {r.pk for r in records}
                for name, records in many.items()
            ):
                return
            current.delete()
        fact.save()
        for name, records in many.items():
            getattr(fact, name).set(records)
