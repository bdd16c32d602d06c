from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Visitors' page feedback and suggested corrections, and their moderation."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Visitor feedback")
