"""Delete what visitors sent once it has been kept long enough (settings.FEEDBACK_RETENTION,
six months by default): page-feedback comments (the Yes/No answers stay, for the statistics),
and the names and email addresses on suggestions a curator has dealt with. Also drops the
rate-limit counters of past periods. Run it daily (cron, a systemd timer, the platform's
scheduler)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from feedback.models import CorrectionSuggestion, PageFeedback, SubmissionCount


class Command(BaseCommand):
    help = "Delete visitors' comments and contact details older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted, delete nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        cutoff = now - settings.FEEDBACK_RETENTION
        longest = max(period for _limit, period in settings.FEEDBACK_RATE_LIMITS.values())
        comments = PageFeedback.objects.comments_older_than(cutoff)
        contacts = CorrectionSuggestion.objects.personal_data_older_than(cutoff)
        counters = SubmissionCount.objects.filter(
            period_start__lt=now - longest - datetime.timedelta(days=1)
        )
        if dry_run:
            counts = (comments.count(), contacts.count(), counters.count())
        else:
            with transaction.atomic():
                counts = (
                    comments.update(comment=""),
                    contacts.update(name="", email=""),
                    counters.delete()[0],
                )
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {counts[0]} comment(s) and the contact details of {counts[1]} "
            f"suggestion(s) received before {cutoff:%Y-%m-%d}, and {counts[2]} "
            "rate-limit counter(s)."
        )
