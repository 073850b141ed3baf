"""Keeps search and "You may also like" up to date when posts change.

Blog actions call these after their transaction commits (``transaction.on_commit``);
they pass ids, never instances.

Every post is indexed, drafts and scheduled ones too: a scheduled post becomes visible by
itself when its time comes, with no write that could index it then. Searches and
suggestions filter on ``Post.objects.visible()`` when they read, so nothing unpublished
ever shows.
"""

import html
import logging

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from treffpunkt.blog import words
from treffpunkt.blog.models import Post

logger = logging.getLogger(__name__)

# PostgreSQL's text search configuration for each post language.
POSTGRES_CONFIGS = {"de": "german", "en": "english"}


def post_changed(post_id: int) -> None:
    """A post was created, edited, published or unpublished: refresh its search entry and
    the related-post suggestions that may include it."""
    from treffpunkt.blog import tasks

    index_post(post_id)
    tasks.recompute_related_posts.enqueue()
    # A scheduled post appears by itself later; suggestions are worked out again then.
    published_at = (
        Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED)
        .values_list("published_at", flat=True)
        .first()
    )
    if published_at is not None and published_at > timezone.now():
        task = tasks.recompute_related_posts
        if task.get_backend().supports_defer:
            task.using(run_after=published_at).enqueue()


def post_removed(post_id: int) -> None:
    """A post was deleted: drop it from search and from other posts' suggestions."""
    from treffpunkt.blog import tasks

    unindex_post(post_id)
    # Its own suggestion rows went with it; others that pointed to it now have one fewer.
    tasks.recompute_related_posts.enqueue()


def rebuild_all() -> int:
    """Index every post afresh and work out all suggestions now, in this process.

    For the demo, the ``rebuild_blog_index`` command and after restoring a backup.
    Returns the number of posts indexed.
    """
    from treffpunkt.blog import related

    with transaction.atomic():
        _clear_index()
        count = 0
        for post in Post.objects.prefetch_related("tags").iterator(chunk_size=200):
            _write_entry(post)
            count += 1
    related.recompute_all()
    return count


def plain_body(post: Post) -> str:
    """A post's text without markup, as readers see it."""
    if post.body_html:
        return html.unescape(strip_tags(post.body_html))
    return post.body


def index_post(post_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write (or replace) one post's search entry; drop it if the post is gone."""
    post = Post.objects.using(using).prefetch_related("tags").filter(pk=post_id).first()
    if post is None:
        unindex_post(post_id, using=using)
        return
    with transaction.atomic(using=using):
        _write_entry(post, using=using)


def unindex_post(post_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove one post's search entry."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM blog_search_fts WHERE rowid = %s", [post_id])
        elif connection.vendor == "postgresql":
            cursor.execute("DELETE FROM blog_search_entry WHERE post_id = %s", [post_id])


def _clear_index(using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM blog_search_fts")
        elif connection.vendor == "postgresql":
            cursor.execute("DELETE FROM blog_search_entry")


def _write_entry(post: Post, using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    language = words.language_of(post.language)
    tags = " ".join(tag.name for tag in post.tags.all())
    body = plain_body(post)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Each post is stemmed in its own language only: German stems of English text
            # (and the other way round) are noise that would match unrelated words. The
            # search stems the visitor's words in both languages and matches each post
            # with the stems of its own language, as PostgreSQL does with its configs.
            cursor.execute("DELETE FROM blog_search_fts WHERE rowid = %s", [post.pk])
            cursor.execute(
                "INSERT INTO blog_search_fts (rowid, title, tags, excerpt, body, language) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    post.pk,
                    " ".join(words.terms(post.title, language)),
                    " ".join(words.terms(tags, language)),
                    " ".join(words.terms(post.excerpt, language)),
                    " ".join(words.terms(body, language)),
                    language,
                ],
            )
        elif connection.vendor == "postgresql":
            config = POSTGRES_CONFIGS[language]
            cursor.execute(
                """
                INSERT INTO blog_search_entry (post_id, language, document)
                VALUES (%(id)s, %(language)s,
                    setweight(to_tsvector(%(config)s::regconfig, %(title)s), 'A')
                    || setweight(to_tsvector(%(config)s::regconfig, %(tags)s), 'A')
                    || setweight(to_tsvector(%(config)s::regconfig, %(excerpt)s), 'B')
                    || setweight(to_tsvector(%(config)s::regconfig, %(body)s), 'C'))
                ON CONFLICT (post_id) DO UPDATE
                SET language = EXCLUDED.language, document = EXCLUDED.document
                """,
                {
                    "id": post.pk,
                    "language": language,
                    "config": config,
                    "title": post.title,
                    "tags": tags,
                    "excerpt": post.excerpt,
                    "body": body,
                },
            )
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            logger.warning("No blog search index for the %s database", connection.vendor)
