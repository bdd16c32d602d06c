from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Canada–Korea AI co-operation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .caching import ensure_data_version

        post_migrate.connect(ensure_data_version, sender=self)
