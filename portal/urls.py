from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cooperation import api
from cooperation.sitemaps import SITEMAPS
from cooperation.views import data_dictionary, data_dump, robots_txt
from portal.views import healthz

admin.site.site_header = _("Canada–Korea AI Co-operation Portal")
admin.site.site_title = _("Canada–Korea AI portal back office")
admin.site.index_title = _("Back office")

urlpatterns = [
    path("admin/", admin.site.urls),
    # set_language: the admin's language switch posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("healthz", healthz, name="healthz"),
    # Open data: stable, language-neutral addresses (every file holds both languages).
    path("data/dictionary.json", data_dictionary, name="data_dictionary"),
    path("data/<slug:name>.<str:fmt>", data_dump, name="data_dump"),
    path("api/", include((api.urlpatterns(), "api"))),
]

# Public pages under /en/ and /fr/; "/" redirects by Accept-Language (LocaleMiddleware).
urlpatterns += i18n_patterns(
    path("", include("cooperation.urls")),
    path("", include("feedback.urls")),
    prefix_default_language=True,
)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
