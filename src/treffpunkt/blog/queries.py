"""Reads of blogs and posts shared by pages, feeds, the sitemap and the home page."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q

from treffpunkt.blog.models import Blog, Post, PostRevision, Tag


def post_list(queryset: Any = None) -> Any:
    """The one queryset behind every list of posts: blog, author and tags in three queries
    however many posts there are."""
    queryset = Post.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("blog", "author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .defer("body", "body_html")
        .order_by("-published_at", "-id")
    )


def visible_posts() -> Any:
    """Published posts whose time has come, newest first, ready for a list."""
    return post_list(Post.objects.visible())


def recent_posts(limit: int = 6) -> list[Post]:
    """The newest posts readers may see, across all blogs (home page)."""
    return list(visible_posts()[:limit])


def with_comment_counts(posts: Iterable[Post]) -> list[Post]:
    """The posts as a list, each with ``comment_count`` (its approved comments), counted in
    one query for the whole list."""
    from treffpunkt.comments.queries import comment_counts

    posts = list(posts)
    counts = comment_counts(post.pk for post in posts)
    for post in posts:
        post.comment_count = counts.get(post.pk, 0)  # type: ignore[attr-defined]
    return posts


def blogs_with_counts() -> list[Blog]:
    """All blogs with the number of posts readers can see."""
    from django.utils import timezone

    visible = Q(posts__status=Post.Status.PUBLISHED, posts__published_at__lte=timezone.now())
    return list(Blog.objects.annotate(post_count=Count("posts", filter=visible)).order_by("title"))


def post_for_page(blog_slug: str, slug: str) -> Post | None:
    """A post by its blog's and its own address, with what its page shows, in one query
    (plus one for its tags)."""
    return (
        Post.objects.select_related("blog", "author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .filter(blog__slug=blog_slug, slug=slug)
        .first()
    )


def author_posts(user: Any) -> Any:
    """Every post an author's dashboard lists: theirs, or all posts for an admin."""
    queryset = Post.objects.all() if user.is_superuser else Post.objects.filter(author=user)
    return post_list(queryset)


def revisions_of(post: Post) -> list[PostRevision]:
    """The kept earlier versions of a post, newest first, with who saved them."""
    return list(post.revisions.select_related("editor").defer("body"))


def archive_months(blog: Blog) -> list[Any]:
    """The months in which a blog published something, newest first, with counts."""
    from django.db.models.functions import TruncMonth

    return list(
        Post.objects.visible()
        .filter(blog=blog)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )
