"""Reads of blogs and posts shared by pages, feeds, the sitemap and the home page."""

from collections.abc import Callable, Iterable
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


# Other parts add figures to lists of posts (comments: ``comment_count``), so the blog
# needs to know nothing of them. Each takes the list and sets attributes on its posts, in
# a fixed number of queries however long the list.
PostListFigures = Callable[[list[Post]], None]
_post_list_figures: list[PostListFigures] = []


def register_post_list_figures(add_figures: PostListFigures) -> None:
    """Called by another app in its ``AppConfig.ready``."""
    if add_figures not in _post_list_figures:
        _post_list_figures.append(add_figures)


def with_list_figures(posts: Iterable[Post]) -> list[Post]:
    """The posts as a list, with every registered figure set on each (comment counts)."""
    posts = list(posts)
    for add_figures in _post_list_figures:
        add_figures(posts)
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


def blogs_for_author(user: Any) -> list[Blog]:
    """The blogs this member may write in (all of them for admins)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return list(Blog.objects.order_by("title"))
    if not user.has_role("author"):
        return []
    return list(Blog.objects.filter(authors=user).order_by("title"))


def counted_posts() -> Any:
    """The posts that count in the insights into who speaks: those readers may see, by
    authors who are participants (every member is one)."""
    return Post.objects.visible().filter(author__participant__isnull=False)
