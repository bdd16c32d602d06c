"""Atom feeds, one per language: newly published initiatives and agreements, newest first.

/en/feed/ and /fr/fil/ (the path is translated, like every public page). Each entry links to the
record's page in the feed's language; its id is the record's stable identifier, the same in both
feeds.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import Agreement, Initiative

#: How many records a feed holds.
FEED_SIZE = 50


class LatestRecordsFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Canada–Korea AI Co-operation Portal: newly published initiatives and agreements")

    def subtitle(self):
        return _(
            "Initiatives and agreements of Canada–Republic of Korea co-operation on artificial "
            "intelligence, as they are published on the portal."
        )

    def link(self):
        return reverse("cooperation:home")

    def feed_url(self):
        return reverse("cooperation:feed")

    def author_name(self):
        return _("Canada–Korea AI Co-operation Portal")

    def items(self):
        """The newest published records of both types: two bounded queries, merged."""
        records = []
        for model in (Initiative, Agreement):
            records.extend(
                model.objects.published()
                .filter(first_published__isnull=False)
                .only(
                    "uuid",
                    "first_published",
                    "modified",
                    "kind",
                    *(
                        f"{field}_{code}"
                        for field in ("title", "slug", "summary")
                        for code in ("en", "fr")
                    ),
                )
                .order_by("-first_published", "-pk")[:FEED_SIZE]
            )
        records.sort(key=lambda record: record.first_published, reverse=True)
        return records[:FEED_SIZE]

    def item_title(self, item):
        kind = _("Initiative") if isinstance(item, Initiative) else _("Agreement")
        return _("%(kind)s: %(title)s") % {"kind": kind, "title": item.title}

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published

    def item_updateddate(self, item):
        return item.modified

    def item_categories(self, item):
        return [item.get_kind_display()]
