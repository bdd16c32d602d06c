"""The curator's desk on the admin home: the work waiting, each count a link to its list."""

import datetime

from django import template
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.admin import PublishableAdmin, changed_by, missing_in
from cooperation.models import Status

register = template.Library()

#: How far back "recently changed by others" looks, and how many changes it lists.
RECENT_DAYS = 14
RECENT_CHANGES = 8


def _record_admins(user):
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, PublishableAdmin) and user.has_perm(
            f"{model._meta.app_label}.view_{model._meta.model_name}"
        ):
            yield model, model_admin


@register.inclusion_tag("admin/curation/desk.html", takes_context=True)
def curation_desk(context):
    """For the signed-in curator, per record type: my drafts, drafts missing a language,
    published records never checked against their sources; then the latest changes others
    made. Counts are one query each (EXISTS on the history, SQL for the translations), so
    the desk does not load any list."""
    user = context["request"].user
    rows, recent = [], []
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    for model, _model_admin in _record_admins(user):
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        drafts = model.objects.filter(status=Status.DRAFT)
        rows.append(
            {
                "label": opts.verbose_name_plural,
                "cells": [
                    (
                        drafts.filter(changed_by(model, user)).count(),
                        f"{changelist}?status__exact=draft&changed_by=me",
                    ),
                    (
                        drafts.filter(missing_in(model, "en") | missing_in(model, "fr")).count(),
                        f"{changelist}?status__exact=draft&translation=missing_any",
                    ),
                    (
                        model.objects.filter(
                            status=Status.PUBLISHED, checked__isnull=True
                        ).count(),
                        f"{changelist}?status__exact=published&checked=never",
                    ),
                ],
            }
        )
        changes = (
            model.history.filter(history_date__gte=since, history_user__isnull=False)
            .exclude(history_user=user)
            .select_related("history_user")
            .order_by("-history_date")[:RECENT_CHANGES]
        )
        for change in changes:
            recent.append(
                {
                    "when": change.history_date,
                    "who": change.history_user.get_username(),
                    "label": str(change.instance),
                    "kind": opts.verbose_name,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_history", args=[change.id]
                    ),
                }
            )
    recent.sort(key=lambda c: c["when"], reverse=True)
    return {
        "rows": rows,
        "recent": recent[:RECENT_CHANGES],
        "days": RECENT_DAYS,
        "review": _review_counts(user),
    }


def _review_counts(user) -> list[tuple[str, int, str]]:
    """The review queue's lines for this curator: all that waits (a publisher's work), what
    of mine waits, what was sent back to me. One query for the three."""
    from django.db.models import Count, Q

    from curation.models import Revision

    if not user.has_perm("curation.view_revision"):
        return []
    mine = Q(author=user)
    counts = Revision.objects.aggregate(
        waiting=Count("pk", filter=Q(state=Revision.State.PENDING)),
        mine=Count("pk", filter=mine & Q(state=Revision.State.PENDING)),
        sent_back=Count("pk", filter=mine & Q(state=Revision.State.SENT_BACK)),
    )
    queue = reverse("admin:curation_revision_changelist")
    return [
        (_("Waiting for review"), counts["waiting"], queue),
        (_("Mine, waiting for review"), counts["mine"], f"{queue}?author=me"),
        (_("Sent back to me"), counts["sent_back"], f"{queue}?author=me&state=sent_back"),
    ]
