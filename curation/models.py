"""The back office's records about the records.

The historical models are made by django-simple-history, registered in
cooperation/translation.py (after django-modeltranslation has added the `_en`/`_fr` fields, so
every version holds both languages): see `curation.history.TRACKED`.

`Revision` is a piece of work waiting for a publisher (curation/review.py): a draft submitted
for publication, or a change to a published record, kept aside while the published version
stays online.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Revision.State.PENDING)

    def of(self, record):
        return self.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )


class Revision(models.Model):
    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Draft to publish")
        CHANGE = "change", _("Change to a published record")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        SENT_BACK = "sent_back", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    #: What a change would do, as curation.review.capture() wrote it: the fields changed (as
    #: stored values) and the rows added, changed or removed in each inline.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="revisions_written",
        verbose_name=_("author"),
    )
    submitted = models.DateTimeField(_("submitted"), auto_now_add=True)
    #: The record's `modified` when the change was written: a later one means someone changed
    #: the published record since, and the reviewer is told.
    based_on = models.DateTimeField(_("based on the version of"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions_reviewed",
        verbose_name=_("reviewer"),
    )
    decided = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("reviewer's comment"), blank=True, max_length=5000)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["submitted", "pk"]
        verbose_name = _("piece of work for review")
        verbose_name_plural = _("review queue")
        indexes = [models.Index(fields=["content_type", "object_id", "state"])]
        constraints = [
            # One piece of work waiting per record: a second change is added to the first.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state="pending"),
                name="one_pending_revision_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.record}"
