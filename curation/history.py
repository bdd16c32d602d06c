"""Every record's change history, with what changed and a way back.

django-simple-history keeps one historical row per save of every tracked model (the records
and what hangs from them: citations, participants, parties, links, former names, pillars), in
the `curation` app's tables. Chosen over django-reversion (which stores versions as serialized
JSON, so a version cannot be queried or diffed in SQL and a renamed field breaks old versions)
and django-pghistory (triggers: it would see the loader's and the search index's writes too,
and needs its own admin). simple-history is tested on PostgreSQL, supports Django 5.2, and
django-modeltranslation's documented recipe is to register in translation.py, after the
`_en`/`_fr` fields exist, so every version holds both languages.

Why a change was made is stored as a code (`Reason`), never as a sentence: the history page
shows it in the reader's language, whoever wrote it.
"""

import datetime
import difflib
import re

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

from cooperation.models import (
    Agreement,
    AgreementLink,
    AgreementParty,
    Citation,
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    OrganizationLink,
    OrganizationName,
    Pillar,
    PublishingError,
    Recommendation,
    Source,
)


class Reason(models.TextChoices):
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    REVERTED = "reverted", _("Reverted to an earlier version")
    LOADED = "loaded", _("Loaded from the shipped content")
    REVIEWED = "reviewed", _("Published after review")


#: What each history row's type means, in the reader's language.
ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}

#: Columns kept by the database or the loader, not by curators: no history of them.
UNTRACKED = (
    "content_hash",
    "content_loaded_at",
    "search_title",
    "search_related",
    "search_admin",
    "search_vector_en",
    "search_vector_fr",
)

#: Every tracked model, with its many-to-many fields without a through model of their own
#: (those with one, participants and parties, are tracked as models).
TRACKED = {
    Source: [],
    CooperationArea: [],
    Organization: [],
    Agreement: ["areas"],
    Initiative: ["areas"],
    Recommendation: ["areas", "initiatives"],
    Citation: [],
    InitiativeParticipant: [],
    AgreementParty: [],
    AgreementLink: [],
    OrganizationLink: [],
    OrganizationName: [],
    Pillar: ["agreements", "initiatives"],
}


def register_all() -> None:
    """Called from cooperation/translation.py, once modeltranslation has added its fields."""
    from simple_history import register

    for model, m2m in TRACKED.items():
        names = {f.name for f in model._meta.get_fields()}
        register(
            model,
            app="curation",
            m2m_fields=m2m,
            excluded_fields=[name for name in UNTRACKED if name in names],
        )


def children(record) -> list[tuple[type[models.Model], dict]]:
    """The tracked rows that hang from `record`, as (model, lookup): they are part of its
    history, shown with it and restored with it."""
    found: list[tuple[type[models.Model], dict]] = []
    if record.requires_citation:
        found.append(
            (
                Citation,
                {
                    "content_type": ContentType.objects.get_for_model(record),
                    "object_id": record.pk,
                },
            )
        )
    if isinstance(record, Organization):
        found += [
            (OrganizationName, {"organization": record}),
            (OrganizationLink, {"subject": record}),
        ]
    if isinstance(record, Agreement):
        found += [
            (AgreementParty, {"agreement": record}),
            (AgreementLink, {"subject": record}),
            (Pillar, {"plan": record}),
        ]
    if isinstance(record, Initiative):
        found.append((InitiativeParticipant, {"initiative": record}))
    return found


def _lookup_ids(lookup: dict) -> dict:
    """A lookup on a historical table, where foreign keys are plain ids."""
    return {
        (f"{key}_id" if isinstance(value, models.Model) else key): (
            value.pk if isinstance(value, models.Model) else value
        )
        for key, value in lookup.items()
    }


# -- Showing a change --------------------------------------------------------------------------


def _shown(field, value) -> str:
    """A stored value as a curator reads it: a choice's label, a related record's name."""
    if value in (None, ""):
        return "—"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(field, models.ManyToManyField):
        names = [str(obj) for obj in field.related_model._default_manager.filter(pk__in=value)]
        return ", ".join(sorted(names)) or "—"
    return str(value)


def _m2m_ids(rows, field) -> list:
    target = field.m2m_reverse_field_name()
    return sorted(row[target] for row in rows)


#: Texts of at least this many words are compared word by word, and long unchanged runs in
#: them are cut to a few words either side of each change.
WORD_DIFF_FROM = 12
CONTEXT_WORDS = 8
_WORDS = re.compile(r"\S+|\s+")


def _parts(old: str, new: str) -> tuple[list, list]:
    """Both sides of a change as [(changed, text), ...]: whole values when short, the words
    that differ when long, so that one word changed in a paragraph is seen at once."""
    if old == "—" or new == "—" or min(len(old.split()), len(new.split())) < WORD_DIFF_FROM:
        return [(old != "—", old)], [(new != "—", new)]
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    before: list = []
    after: list = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            # Tokens alternate words and spaces: twice as many tokens as words kept.
            keep_head = 0 if first else 2 * CONTEXT_WORDS
            keep_tail = 0 if last else 2 * CONTEXT_WORDS
            if len(words) > keep_head + keep_tail + 6:
                head = "".join(words[:keep_head]).rstrip()
                tail = "".join(words[len(words) - keep_tail :]).lstrip()
                text = (f"{head} " if head else "") + "…" + (f" {tail}" if tail else "")
            else:
                text = "".join(words)
            before.append((False, text))
            after.append((False, text))
            continue
        if i2 > i1:
            before.append((True, "".join(a[i1:i2])))
        if j2 > j1:
            after.append((True, "".join(b[j1:j2])))
    return before, after


def _translated_originals(model) -> set[str]:
    """django-modeltranslation keeps the untranslated column (`title`) beside `title_en` and
    `title_fr`, a copy of one of them: not shown, the language columns say it all."""
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def _change(field, old, new) -> dict:
    shown_old, shown_new = _shown(field, old), _shown(field, new)
    old_parts, new_parts = _parts(shown_old, shown_new)
    return {
        "field": str(field.verbose_name),
        "old": shown_old,
        "new": shown_new,
        "old_parts": old_parts,
        "new_parts": new_parts,
    }


def changes(new, old, skip=()) -> list[dict]:
    """Which fields a version changed, each with its label (language included) and its old
    and new values, as shown; against nothing (a creation), every field that is filled.
    `skip`: fields not worth showing (a citation's link to the record whose history it is)."""
    model = new.instance_type
    hidden = _translated_originals(model) | set(skip) | set(UNTRACKED)
    result = []
    if old is None:
        for field in model._meta.concrete_fields:
            if not field.editable or field.name in hidden or field.primary_key:
                continue
            value = getattr(new, field.attname, None)
            if value not in (None, ""):
                result.append(_change(field, None, value))
        return result
    delta = new.diff_against(old)
    for change in delta.changes:
        if change.field in hidden:
            continue
        field = model._meta.get_field(change.field)
        if isinstance(field, models.ManyToManyField):
            old_value, new_value = _m2m_ids(change.old, field), _m2m_ids(change.new, field)
        else:
            old_value, new_value = change.old, change.new
        result.append(_change(field, old_value, new_value))
    return result


def _entry(version, previous, part=None, skip=()) -> dict:
    reason = version.history_change_reason
    return {
        "version": version,
        "when": version.history_date,
        "who": version.history_user,
        "action": ACTIONS.get(version.history_type, version.history_type),
        "reason": Reason(reason).label if reason in Reason.values else "",
        "part": part,
        "changes": changes(version, previous, skip) if version.history_type != "-" else [],
    }


def timeline(record) -> list[dict]:
    """The record's history, newest first: its own versions and those of what hangs from it
    (a citation added, a participant removed), each with what changed."""
    entries = []
    versions = list(record.history.order_by("history_date", "history_id"))
    for previous, version in zip([None, *versions], versions, strict=False):
        entry = _entry(version, previous)
        if entry["changes"] or version.history_type == "+" or entry["reason"]:
            entries.append(entry)
    for model, lookup in children(record):
        rows = model.history.filter(**_lookup_ids(lookup)).order_by("history_date", "history_id")
        last: dict = {}
        for version in rows:
            previous = last.get(version.id)
            entry = _entry(version, previous, part=model._meta.verbose_name, skip=lookup)
            entry["label"] = str(version.instance)
            last[version.id] = version
            if entry["changes"] or version.history_type != "~":
                entries.append(entry)
    entries.sort(key=lambda e: (e["when"], e["version"].history_id), reverse=True)
    return entries


# -- Going back --------------------------------------------------------------------------------

#: Never restored: what the record is, and its place in the publishing workflow.
KEPT = {"id", "uuid", "status", "first_published", "created", "modified", *UNTRACKED}


def revert(record, version, user) -> None:
    """Put `record` back as it was in `version` (its texts in both languages, its areas, its
    citations, participants and links), keeping its status: one transaction, through the
    model's own save, so the publishing rule holds (a published record is reverted only to a
    version that may be published) or nothing changes (PublishingError)."""
    when: datetime.datetime = version.history_date
    with transaction.atomic():
        past = version.instance
        for field in type(record)._meta.concrete_fields:
            if field.name not in KEPT and field.editable:
                setattr(record, field.attname, getattr(past, field.attname))
        record._change_reason = Reason.REVERTED
        record.save()
        for name in TRACKED[type(record)]:
            field = type(record)._meta.get_field(name)
            getattr(record, name).set(_m2m_ids(getattr(version, name).values(), field))
        for model, lookup in children(record):
            ids = _lookup_ids(lookup)
            then = {obj.pk: obj for obj in model.history.as_of(when).filter(**ids)}
            # A row with no history at all (written in bulk, say) is left as it is.
            known = set(model.history.filter(**ids).values_list("id", flat=True))
            for current in model.objects.filter(**lookup):
                if current.pk in known and current.pk not in then:
                    current._change_reason = Reason.REVERTED
                    current.delete()
            for obj in then.values():
                obj._change_reason = Reason.REVERTED
                obj.save()
                for name in TRACKED[model]:
                    field = model._meta.get_field(name)
                    past_row = (
                        model.history.filter(id=obj.pk, history_date__lte=when)
                        .order_by("-history_date", "-history_id")
                        .first()
                    )
                    if past_row is not None:
                        rows = getattr(past_row, name).values()
                        getattr(obj, name).set(_m2m_ids(rows, field))
        record.refresh_from_db()
        if record.is_published:
            problems = record.publication_problems()
            if problems:
                raise PublishingError(problems)
