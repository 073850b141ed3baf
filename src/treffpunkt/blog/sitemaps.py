"""The sitemap at /sitemap.xml: blogs and their published posts.

Addresses are built from TREFFPUNKT_BASE_URL, not from the host a request came in by.
"""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from treffpunkt.blog.models import Blog, Post


class _BaseUrlSitemap(Sitemap):
    limit = 5000

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.BASE_URL).netloc

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.BASE_URL).scheme


class BlogSitemap(_BaseUrlSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> Any:
        from django.db.models import Q
        from django.utils import timezone

        visible = Q(posts__status=Post.Status.PUBLISHED, posts__published_at__lte=timezone.now())
        return Blog.objects.annotate(last_post=Max("posts__published_at", filter=visible)).order_by(
            "slug"
        )

    def lastmod(self, item: Blog) -> datetime | None:
        return item.last_post  # type: ignore[attr-defined]


class PostSitemap(_BaseUrlSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> Any:
        return (
            Post.objects.visible()
            .select_related("blog")
            .only("slug", "published_at", "created_at", "updated_at", "blog__slug")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Post) -> datetime:
        return max(item.updated_at, item.published_at or item.updated_at)


sitemaps: dict[str, type[Sitemap]] = {"blogs": BlogSitemap, "posts": PostSitemap}
