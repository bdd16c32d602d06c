from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views
from .feeds import LatestRecordsFeed

app_name = "cooperation"

# Path segments are translated (locale/fr): /en/agreements/ ↔ /fr/ententes/.
urlpatterns = [
    path("", views.home, name="home"),
    path(_("search/"), views.search, name="search"),
    path(_("areas/"), views.area_list, name="area_list"),
    path(_("areas/chart.csv"), views.area_chart_csv, name="area_chart_csv"),
    path(_("areas/<slug:slug>/"), views.area_detail, name="area_detail"),
    path(_("initiatives/"), views.initiative_list, name="initiative_list"),
    path(
        _("initiatives/results.<str:fmt>"),
        views.initiative_export,
        name="initiative_export",
    ),
    path(
        _("initiatives/by-start-year.csv"),
        views.initiative_year_chart_csv,
        name="initiative_year_chart_csv",
    ),
    path(_("initiatives/<slug:slug>/"), views.initiative_detail, name="initiative_detail"),
    path(_("agreements/"), views.agreement_list, name="agreement_list"),
    path(_("agreements/timeline.csv"), views.agreement_chart_csv, name="agreement_chart_csv"),
    path(_("agreements/<slug:slug>/"), views.agreement_detail, name="agreement_detail"),
    path(_("organizations/"), views.organization_list, name="organization_list"),
    path(_("organizations/<slug:slug>/"), views.organization_detail, name="organization_detail"),
    path(
        _("organizations/<slug:slug>/partners.csv"),
        views.organization_partners_csv,
        name="organization_partners_csv",
    ),
    path(_("recommendations/"), views.recommendation_list, name="recommendation_list"),
    path(
        _("recommendations/<slug:slug>/"),
        views.recommendation_detail,
        name="recommendation_detail",
    ),
    path(_("sources/"), views.source_list, name="source_list"),
    path(_("preview/<str:token>/"), views.preview, name="preview"),
    path(_("open-data/"), views.open_data, name="open_data"),
    path(_("feed/"), LatestRecordsFeed(), name="feed"),
    # The standard pages of a Government of Canada site (views.STANDARD_PAGES).
    path(_("about/"), views.standard_page, {"page": "about"}, name="about"),
    path(_("contact/"), views.standard_page, {"page": "contact"}, name="contact"),
    path(_("terms/"), views.standard_page, {"page": "terms"}, name="terms"),
    path(_("privacy/"), views.standard_page, {"page": "privacy"}, name="privacy"),
    path(
        _("accessibility/"), views.standard_page, {"page": "accessibility"}, name="accessibility"
    ),
]
