from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurationConfig(AppConfig):
    """The back office's own records about the records: their change history.

    The historical tables live here, not in `cooperation`, so that writing history never
    raises the public data version (cooperation's tables carry the triggers that do).
    """

    name = "curation"
    verbose_name = _("Curation")
