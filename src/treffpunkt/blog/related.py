"""“You may also like”: related posts, computed locally from title, tags and text."""

from treffpunkt.blog.models import Post


def related_posts(post: Post, limit: int = 3) -> list[Post]:
    """The stored suggestions for a post that readers may see, best first."""
    return [
        link.related
        for link in post.related_links.filter(related__in=Post.objects.visible())
        .select_related("related__blog")
        .order_by("rank")[:limit]
    ]
