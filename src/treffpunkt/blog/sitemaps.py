"""The sitemap at /sitemap.xml: blogs and their published posts."""

from django.contrib.sitemaps import Sitemap

sitemaps: dict[str, type[Sitemap]] = {}
