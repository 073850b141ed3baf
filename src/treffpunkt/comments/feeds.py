"""The comments feed of a post (RSS and Atom): approved comments only, never an email."""

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from treffpunkt.blog.models import Post
from treffpunkt.comments import queries
from treffpunkt.comments.models import Comment
from treffpunkt.comments.text import render_comment_text
from treffpunkt.core.links import absolute_url


class PostCommentsRss(Feed):
    def get_object(self, request: HttpRequest, post_id: int) -> Post:
        post = Post.objects.select_related("blog").filter(pk=post_id).first()
        if post is None or not post.is_visible:
            raise Http404(_("This post is not published."))
        return post

    def title(self, obj: Post) -> str:
        return _("Comments on “%(title)s”") % {"title": obj.title}

    # Links come from TREFFPUNKT_BASE_URL, as in the blog's feeds, never from the request.
    def link(self, obj: Post) -> str:
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj: Post) -> str:
        name = "comments:feed_atom" if self.feed_type is Atom1Feed else "comments:feed_rss"
        return absolute_url(reverse(name, args=[obj.pk]))

    def description(self, obj: Post) -> str:
        return _("The newest comments on “%(title)s” in %(blog)s.") % {
            "title": obj.title,
            "blog": obj.blog.title,
        }

    def items(self, obj: Post) -> list[Comment]:
        comments = list(queries.feed_comments(obj))
        for comment in comments:
            comment.post = obj  # one post for all, no query per item
        return comments

    def item_title(self, item: Comment) -> str:
        return _("%(name)s on “%(title)s”") % {
            "name": item.author_name or _("Anonymous"),
            "title": item.post.title,
        }

    def item_description(self, item: Comment) -> SafeString:
        return render_comment_text(item.body)

    def item_link(self, item: Comment) -> str:
        return absolute_url(item.get_absolute_url())

    def item_author_name(self, item: Comment) -> str:
        return str(item.author_name or _("Anonymous"))

    def item_pubdate(self, item: Comment) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Comment) -> datetime:
        return item.edited_at or item.created_at


class PostCommentsAtom(PostCommentsRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Post) -> str:
        return self.description(obj)
