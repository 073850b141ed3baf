"""Atom and RSS feeds of the whole site, of each blog and of each tag.

Links are absolute and built from TREFFPUNKT_BASE_URL, so a feed read through a proxy or
cached elsewhere still points at the real site. Authors appear by name only, never email.
"""

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from treffpunkt.blog import queries
from treffpunkt.blog.models import Blog, Post, Tag
from treffpunkt.core.links import absolute_url
from treffpunkt.core.models import SiteSettings

FEED_ITEMS = 20


class _PostFeed(Feed):
    feed_type: Any = Rss201rev2Feed
    url_name = "blog:feed_rss"

    def feed_url(self, obj: Any = None) -> str:
        kwargs = self.url_kwargs(obj)
        return absolute_url(reverse(self.url_name, kwargs=kwargs))

    def url_kwargs(self, obj: Any) -> dict[str, str]:
        return {}

    def posts(self, obj: Any) -> Any:
        return queries.visible_posts()

    def items(self, obj: Any = None) -> list[Post]:
        return list(self.posts(obj)[:FEED_ITEMS])

    def item_title(self, item: Post) -> str:
        return str(item.title)

    def item_link(self, item: Post) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Post) -> str:
        # Stays the same when the post's address changes, so readers see no duplicate.
        return f"{absolute_url(reverse('blog:index'))}#post-{item.pk}"

    item_guid_is_permalink = False

    def item_description(self, item: Post) -> str:
        return str(item.summary)

    def item_author_name(self, item: Post) -> str:
        return str(item.author.public_name)

    def item_author_email(self, item: Post) -> None:
        return None

    def item_author_link(self, item: Post) -> str:
        return absolute_url(reverse("blog:author", kwargs={"author": item.author_id}))

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> datetime:
        return max(item.updated_at, item.published_at or item.updated_at)

    def item_categories(self, item: Post) -> list[str]:
        return [tag.name for tag in item.tags.all()]


class SiteRssFeed(_PostFeed):
    def title(self) -> str:
        return _("%(site)s: blog posts") % {"site": SiteSettings.load().name}

    def description(self) -> str:
        return _("The newest posts from all blogs.")

    def link(self) -> str:
        return absolute_url(reverse("blog:index"))


class SiteAtomFeed(SiteRssFeed):
    feed_type = Atom1Feed
    url_name = "blog:feed_atom"
    subtitle = SiteRssFeed.description


class BlogRssFeed(_PostFeed):
    url_name = "blog:blog_feed_rss"

    def get_object(self, request: HttpRequest, blog: str) -> Blog:
        return get_object_or_404(Blog, slug=blog)

    def url_kwargs(self, obj: Blog) -> dict[str, str]:
        return {"blog": obj.slug}

    def posts(self, obj: Blog) -> Any:
        return queries.visible_posts().filter(blog=obj)

    def title(self, obj: Blog) -> str:
        return str(obj.title)

    def description(self, obj: Blog) -> str:
        return str(obj.description) or _("Posts of the blog %(blog)s.") % {"blog": obj.title}

    def link(self, obj: Blog) -> str:
        return absolute_url(obj.get_absolute_url())


class BlogAtomFeed(BlogRssFeed):
    feed_type = Atom1Feed
    url_name = "blog:blog_feed_atom"
    subtitle = BlogRssFeed.description


class TagRssFeed(_PostFeed):
    url_name = "blog:tag_feed_rss"

    def get_object(self, request: HttpRequest, tag: str) -> Tag:
        return get_object_or_404(Tag, slug=tag)

    def url_kwargs(self, obj: Tag) -> dict[str, str]:
        return {"tag": obj.slug}

    def posts(self, obj: Tag) -> Any:
        return queries.visible_posts().filter(tags=obj)

    def title(self, obj: Tag) -> str:
        return _("%(site)s: posts tagged “%(tag)s”") % {
            "site": SiteSettings.load().name,
            "tag": obj.name,
        }

    def description(self, obj: Tag) -> str:
        return _("Posts tagged “%(tag)s” from all blogs.") % {"tag": obj.name}

    def link(self, obj: Tag) -> str:
        return absolute_url(obj.get_absolute_url())


class TagAtomFeed(TagRssFeed):
    feed_type = Atom1Feed
    url_name = "blog:tag_feed_atom"
    subtitle = TagRssFeed.description
