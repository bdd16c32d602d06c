"""Review: nothing an editor does reaches the public site without a publisher.

- An editor's draft is saved as usual (drafts are never public) and *submitted* for
  publication: a `Revision` of kind PUBLICATION, waiting in the publishers' queue.
- An editor's change to a *published* record is not written to it: `capture()` turns the
  change form (its fields and its inlines: citations, participants...) into a `Revision` of
  kind CHANGE, and the published version stays online, unchanged, until a publisher
  approves; `apply()` then writes the change, through the model's own save, so the
  publishing rule holds, or nothing is written.
- A publisher publishes the piece of work or sends it back with a comment, which the
  editor sees on the desk and on the record's page.

Who may publish is one permission per record type (`publish_<model>`, the Publishers group);
every path that publishes (the list's action, the change page's button, the queue) checks it.
"""

import datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from cooperation.models import PublishingError

from .history import Reason
from .models import Revision

#: Form fields that are not the record's: never captured.
NOT_CAPTURED = {"id", "DELETE", "loaded_version", "status", "checked"}


def may_publish(user, record) -> bool:
    opts = record._meta
    return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def held_for_review(user, record) -> bool:
    """Whether a save of `record` by `user` waits for a publisher instead of going live."""
    return record.pk is not None and record.is_published and not may_publish(user, record)


def pending_for(record) -> Revision | None:
    if record.pk is None:
        return None
    return Revision.objects.pending().of(record).select_related("author").first()


# -- Capturing a change ------------------------------------------------------------------------


def _json(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple):
        return sorted(_json(item) for item in value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _model_fields(model) -> dict[str, models.Field]:
    return {field.name: field for field in model._meta.get_fields() if field.concrete}


def _form_changes(form, model, *, every=False) -> tuple[dict, dict]:
    """(fields, many-to-many) the form changes, as stored values; with `every`, all of its
    fields (a new row)."""
    known = _model_fields(model)
    names = form.fields if every else form.changed_data
    values, many = {}, {}
    for name in names:
        field = known.get(name)
        if field is None or name in NOT_CAPTURED or field.primary_key:
            continue
        value = form.cleaned_data.get(name)
        if field.many_to_many:
            many[name] = _json(list(value or []))
        else:
            values[field.attname] = _json(value)
    return values, many


def _link(formset) -> dict:
    """How an inline's rows hang from the record: the columns that name it."""
    record = formset.instance
    if hasattr(formset, "ct_field"):  # a generic inline (citations)
        return {
            formset.ct_field.attname: ContentType.objects.get_for_model(record).pk,
            formset.ct_fk_field.attname: record.pk,
        }
    return {formset.fk.attname: record.pk}


def capture(form, formsets) -> dict:
    """What saving this change form would do to the record, without doing it."""
    fields, many = _form_changes(form, form._meta.model)
    inlines = []
    for formset in formsets:
        rows = []
        skipped = set(_link(formset)) | {getattr(formset, "fk", None) and formset.fk.name}
        for row_form in formset.forms:
            if not hasattr(row_form, "cleaned_data"):
                continue
            pk = row_form.instance.pk
            if formset.can_delete and formset._should_delete_form(row_form):
                if pk:
                    rows.append({"id": pk, "delete": True, "label": str(row_form.instance)})
                continue
            if not row_form.has_changed():
                continue
            values, row_many = _form_changes(row_form, formset.model, every=pk is None)
            values = {k: v for k, v in values.items() if k not in skipped}
            if values or row_many:
                rows.append({"id": pk, "fields": values, "m2m": row_many})
        if rows:
            inlines.append(
                {"model": formset.model._meta.label_lower, "link": _link(formset), "rows": rows}
            )
    return {"fields": fields, "m2m": many, "inlines": inlines}


def merge(old: dict, new: dict) -> dict:
    """A second change added to one already waiting: the later value of each field wins;
    rows are matched by id (new rows are added)."""
    inlines = {inline["model"]: inline for inline in old.get("inlines", [])}
    for inline in new.get("inlines", []):
        kept = inlines.setdefault(inline["model"], {**inline, "rows": []})
        by_id = {row["id"]: row for row in kept["rows"] if row.get("id")}
        for row in inline["rows"]:
            if row.get("id") and row["id"] in by_id:
                by_id[row["id"]].update(row)
            else:
                kept["rows"].append(row)
    return {
        "fields": {**old.get("fields", {}), **new.get("fields", {})},
        "m2m": {**old.get("m2m", {}), **new.get("m2m", {})},
        "inlines": list(inlines.values()),
    }


def is_empty(changes: dict) -> bool:
    return not (changes.get("fields") or changes.get("m2m") or changes.get("inlines"))


@transaction.atomic
def keep_change(record, changes: dict, user) -> Revision:
    """The change waiting for review, added to the one already waiting if there is one."""
    waiting = Revision.objects.select_for_update().pending().of(record).first()
    if waiting is not None and waiting.kind == Revision.Kind.CHANGE:
        waiting.changes = merge(waiting.changes, changes)
        waiting.author = user
        waiting.save(update_fields=["changes", "author"])
        return waiting
    return Revision.objects.create(
        record=record,
        kind=Revision.Kind.CHANGE,
        changes=changes,
        author=user,
        based_on=record.modified,
    )


def submit(record, user) -> Revision:
    """A draft submitted for publication (once: submitting again changes nothing)."""
    waiting = pending_for(record)
    if waiting is not None:
        return waiting
    return Revision.objects.create(
        record=record, kind=Revision.Kind.PUBLICATION, author=user, based_on=record.modified
    )


# -- Applying it -------------------------------------------------------------------------------


def _set(obj, values: dict) -> None:
    fields = {f.attname: f for f in obj._meta.concrete_fields}
    for attname, value in values.items():
        field = fields.get(attname)
        if field is None:
            continue
        if isinstance(field, models.ForeignKey) or value is None:
            setattr(obj, attname, value)
        else:
            setattr(obj, attname, field.to_python(value))


def apply(record, changes: dict) -> None:
    """Write `changes` to `record` and its inlines, in one transaction, through each model's
    save: PublishingError (nothing written) if the result would break the publishing rule or
    a constraint."""
    try:
        with transaction.atomic():
            _set(record, changes.get("fields", {}))
            record._change_reason = Reason.REVIEWED
            record.full_clean(exclude=["status"])
            record.save()
            for name, ids in changes.get("m2m", {}).items():
                getattr(record, name).set(ids)
            for inline in changes.get("inlines", []):
                model = apps.get_model(inline["model"])
                rows = model._default_manager.filter(**inline["link"])
                for row in inline["rows"]:
                    obj = rows.filter(pk=row["id"]).first() if row.get("id") else None
                    if row.get("delete"):
                        if obj is not None:
                            obj._change_reason = Reason.REVIEWED
                            obj.delete()
                        continue
                    if obj is None:
                        obj = model(**inline["link"])
                    _set(obj, row.get("fields", {}))
                    obj._change_reason = Reason.REVIEWED
                    obj.save()
                    for name, ids in row.get("m2m", {}).items():
                        getattr(obj, name).set(ids)
            record.refresh_from_db()
            if record.is_published:
                problems = record.publication_problems()
                if problems:
                    raise PublishingError(problems)
    except IntegrityError as error:
        raise PublishingError(
            [
                gettext("The change clashes with the record as it is now: %(error)s")
                % {"error": error}
            ]
        ) from error
    except Exception as error:
        from django.core.exceptions import ValidationError

        if isinstance(error, ValidationError):
            raise PublishingError(error.messages) from error
        raise


class _DryRun(Exception):
    pass


def problems_of(record, changes: dict) -> list[str]:
    """What applying `changes` would break (nothing is written), [] if nothing."""
    try:
        with transaction.atomic():
            apply(type(record)._default_manager.get(pk=record.pk), changes)
            raise _DryRun
    except _DryRun:
        return []
    except PublishingError as error:
        return list(error.messages)


# -- Deciding ----------------------------------------------------------------------------------


def _close(revision: Revision, state: str, reviewer, comment: str = "") -> None:
    revision.state = state
    revision.reviewer = reviewer
    revision.decided = timezone.now()
    revision.comment = comment
    revision.save(update_fields=["state", "reviewer", "decided", "comment"])


@transaction.atomic
def publish(revision: Revision, reviewer) -> None:
    """Publish the draft or write the change: PermissionError without the right to publish,
    PublishingError (nothing changes) if the rule would break."""
    record = revision.record
    if not may_publish(reviewer, record):
        raise PermissionError
    if revision.kind == Revision.Kind.CHANGE:
        apply(record, revision.changes)
    elif not record.is_published:
        record._change_reason = Reason.PUBLISHED
        record.publish()
    _close(revision, Revision.State.PUBLISHED, reviewer)


def send_back(revision: Revision, reviewer, comment: str) -> None:
    if not may_publish(reviewer, revision.record):
        raise PermissionError
    _close(revision, Revision.State.SENT_BACK, reviewer, comment)


def withdraw(revision: Revision, user) -> None:
    _close(revision, Revision.State.WITHDRAWN, user)


# -- Showing it --------------------------------------------------------------------------------


def described(record, changes: dict) -> list[dict]:
    """The change as the reviewer reads it: each field, now → proposed (as shown), and each
    inline row added, changed or removed."""
    from .history import _change

    model = type(record)
    known = {f.attname: f for f in model._meta.concrete_fields}
    result = []
    for attname, value in changes.get("fields", {}).items():
        field = known.get(attname)
        if field is None:
            continue
        proposed = (
            value
            if isinstance(field, models.ForeignKey) or value is None
            else field.to_python(value)
        )
        result.append(_change(field, getattr(record, attname), proposed))
    for name, ids in changes.get("m2m", {}).items():
        field = model._meta.get_field(name)
        now = sorted(getattr(record, name).values_list("pk", flat=True))
        result.append(_change(field, now, ids))
    for inline in changes.get("inlines", []):
        child = apps.get_model(inline["model"])
        label = str(child._meta.verbose_name).capitalize()
        existing = child._default_manager.in_bulk(
            [row["id"] for row in inline["rows"] if row.get("id")]
        )
        for row in inline["rows"]:
            current = existing.get(row.get("id"))
            if row.get("delete"):
                result.append(_row(label, str(current or row.get("label", "")), "—"))
                continue
            proposed = current or child(**inline["link"])
            before = str(current) if current else "—"
            _set(proposed, row.get("fields", {}))
            try:
                after = str(proposed)
            except Exception:  # a row whose text needs what it links to, not yet loaded
                after = gettext("new row")
            if current is not None and after == before:
                after = gettext("%(row)s (details changed)") % {"row": after}
            result.append(_row(label, before, after))
    return result


def changed_labels(model, changes: dict) -> list[str]:
    """The names of what a change touches, without reading the database."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    labels = [
        str(fields[name].verbose_name) for name in changes.get("fields", {}) if name in fields
    ]
    labels += [str(model._meta.get_field(name).verbose_name) for name in changes.get("m2m", {})]
    for inline in changes.get("inlines", []):
        labels.append(str(apps.get_model(inline["model"])._meta.verbose_name_plural))
    return labels


def _row(label: str, before: str, after: str) -> dict:
    from .history import _parts

    old_parts, new_parts = _parts(before, after)
    return {
        "field": label,
        "old": before,
        "new": after,
        "old_parts": old_parts,
        "new_parts": new_parts,
    }
