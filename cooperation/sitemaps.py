"""sitemap.xml: every published page in both languages, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Agreement, CooperationArea, Initiative, Organization, Recommendation


class PortalSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    languages = ["en", "fr"]


class PageSitemap(PortalSitemap):
    """The home page, the lists and the standard pages (About, Contact, ...)."""

    def items(self):
        return [
            "cooperation:home",
            "cooperation:area_list",
            "cooperation:initiative_list",
            "cooperation:agreement_list",
            "cooperation:organization_list",
            "cooperation:recommendation_list",
            "cooperation:source_list",
            "cooperation:open_data",
            "cooperation:about",
            "cooperation:contact",
            "cooperation:terms",
            "cooperation:privacy",
            "cooperation:accessibility",
        ]

    def location(self, item):
        return reverse(item)


class RecordSitemap(PortalSitemap):
    model = None

    def items(self):
        return (
            self.model.objects.published()
            .order_by("pk")
            .only("pk", "modified", "slug_en", "slug_fr")
        )

    def lastmod(self, item):
        return item.modified


def record_sitemap(model):
    return type(f"{model.__name__}Sitemap", (RecordSitemap,), {"model": model})


SITEMAPS = {
    "pages": PageSitemap,
    "areas": record_sitemap(CooperationArea),
    "initiatives": record_sitemap(Initiative),
    "agreements": record_sitemap(Agreement),
    "organizations": record_sitemap(Organization),
    "recommendations": record_sitemap(Recommendation),
}
