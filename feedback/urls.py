from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "feedback"

# Path segments are translated (locale/fr): /en/feedback/ ↔ /fr/retroaction/.
urlpatterns = [
    path(_("feedback/"), views.page_feedback, name="page"),
    path(_("feedback/<str:token>/"), views.feedback_comment, name="comment"),
    path(
        _("suggest-a-correction/<slug:record_type>/<uuid:uuid>/"),
        views.suggest_correction,
        name="correction",
    ),
]
