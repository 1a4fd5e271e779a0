"""sitemap.xml: the public list, the statistics and every listed pledge's page.

Revoked pledges stay on the public list (marked so) but their pages ask not to be indexed,
so they are left out. The framework pages the pledge section (``limit`` URLs per file) and
/sitemap.xml is the index of those files.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .selectors import sitemap_listings


class PublicPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["public:list", "public:stats"]

    def location(self, item):
        return reverse(item)


class PledgeSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000  # URLs per file: built in about a second (the protocol allows 50,000)

    def items(self):
        return sitemap_listings()

    def location(self, item):
        return reverse("public:pledge", args=[item.pk])

    def lastmod(self, item):
        return item.changed_at

    def get_latest_lastmod(self):
        # The framework would load every item for this; the database knows it at once.
        return sitemap_listings().aggregate(latest=Max("changed_at"))["latest"]


SITEMAPS = {"pages": PublicPagesSitemap, "pledges": PledgeSitemap}
