"""What visitors tell us: page feedback, suggested corrections, and the rate-limit counters.

Nothing here touches the records: a suggestion is only ever read by a curator, who makes the
change (or not) in the record's own form. These tables are outside `cooperation`, so a
visitor's post never changes the data version and never empties the page cache.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: How long a page-feedback comment may be (the form and the column agree).
COMMENT_MAX_LENGTH = 300
#: How long a suggested correction may be.
SUGGESTION_MAX_LENGTH = 2000


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class PageFeedbackQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(created__gte=start, created__lt=end)

    def per_page(self):
        """One row per page: answers, yes, no, and the share of no (0 to 1), most "no" first."""
        return (
            self.order_by()
            .values("page", "language")
            .annotate(
                answers=models.Count("pk"),
                yes=models.Count("pk", filter=models.Q(answer=Answer.YES)),
                no=models.Count("pk", filter=models.Q(answer=Answer.NO)),
                comments=models.Count("pk", filter=~models.Q(comment="")),
            )
            .annotate(
                share_no=models.ExpressionWrapper(
                    models.F("no") * 1.0 / models.F("answers"), output_field=models.FloatField()
                )
            )
            .order_by("-no", "-answers", "page")
        )

    def with_comments(self):
        return self.exclude(comment="")

    def comments_older_than(self, moment):
        return self.filter(created__lt=moment).exclude(comment="")


class PageFeedback(models.Model):
    """One visitor's answer to "Did you find what you were looking for?" on one page."""

    page = models.CharField(_("page"), max_length=500, help_text=_("The page's path."))
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    answer = models.CharField(_("answer"), max_length=3, choices=Answer.choices)
    comment = models.TextField(
        _("comment"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_("Personal information is masked before it is stored."),
    )
    created = models.DateTimeField(_("received"), default=timezone.now)

    objects = PageFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("page feedback")
        verbose_name_plural = _("page feedback")
        indexes = [models.Index(fields=["created", "page"])]

    def __str__(self) -> str:
        return f"{self.page} · {self.get_answer_display()}"


class SuggestionState(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")


class CorrectionSuggestionQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(state=SuggestionState.NEW)

    def personal_data_older_than(self, moment):
        """Closed suggestions older than `moment` that still hold a name or an email."""
        return (
            self.filter(created__lt=moment)
            .exclude(state=SuggestionState.NEW)
            .exclude(name="", email="")
        )


class CorrectionSuggestion(models.Model):
    """A visitor's proposed correction to one field of one published record.

    It waits in the moderation queue; a curator accepts it (and makes the change in the
    record's form), rejects it or marks it as spam. It never changes the record itself.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    record_title = models.CharField(
        _("record title"), max_length=300, help_text=_("As the visitor saw it.")
    )
    page = models.CharField(_("page"), max_length=500)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    field = models.CharField(_("field"), max_length=40)
    value_seen = models.TextField(
        _("value the visitor saw"), blank=True, help_text=_("The field's value when suggested.")
    )
    suggestion = models.TextField(_("what it should say"), max_length=SUGGESTION_MAX_LENGTH)
    source_url = models.URLField(_("source address"), max_length=500)
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SuggestionState.choices,
        default=SuggestionState.NEW,
        db_index=True,
    )
    curator_note = models.TextField(_("curator's note"), blank=True)
    created = models.DateTimeField(_("received"), default=timezone.now)
    moderated = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )

    objects = CorrectionSuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("suggested correction")
        verbose_name_plural = _("suggested corrections")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.record_title} · {self.field_label}"

    @property
    def field_label(self) -> str:
        from .records import field_label

        return field_label(self.content_type.model_class(), self.field)

    def moderate(self, state: str, user) -> None:
        self.state = state
        self.moderated = timezone.now()
        self.moderated_by = user
        self.save(update_fields=["state", "moderated", "moderated_by"])


class SubmissionCount(models.Model):
    """How many forms one address has posted in one period, for the rate limit.

    The address is kept only as a keyed hash (see feedback/guards.py); rows older than a
    day are removed by `manage.py purge_feedback`.
    """

    address_key = models.CharField(max_length=64)
    period_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address_key", "period_start"], name="submission_count_once"
            )
        ]
        indexes = [models.Index(fields=["period_start"])]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d %H:%M} · {self.count}"

    @classmethod
    def add_one(cls, address_key: str, period_start) -> int:
        """Count one more post for `address_key` in the period from `period_start`; the new
        count. One atomic query, correct under any number of concurrent workers."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (address_key, period_start, count) VALUES (%s, %s, 1) "
                f"ON CONFLICT (address_key, period_start) DO UPDATE SET count = {table}.count + 1 "
                "RETURNING count",
                [address_key, period_start],
            )
            return cursor.fetchone()[0]
