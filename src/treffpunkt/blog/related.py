"""“You may also like”: related posts, computed locally from title, tags and text.

Each visible post becomes a bag of stemmed words (blog.words, in the post's own language,
common words dropped), with the title and the tags counted several times because they say
most about what a post is about. TF-IDF weighs words that few posts share above words that
many use; the cosine of two posts' vectors says how alike they are. A post in the other
language counts less, so readers are offered posts they can read first. The three best are
stored in RelatedPost; the post page only reads them.

The whole set is worked out again in the background (blog.tasks) after any post changes.
That is quick up to a few thousand posts (three seconds for 2,000 posts of 300 words); the
similarities are computed a block of rows at a time so memory stays small, but the time
grows with the square of the number of posts. Beyond some ten thousand posts, recompute
only the changed post's row and column instead.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from treffpunkt.blog import words
from treffpunkt.blog.models import Post, RelatedPost

SUGGESTIONS = 3
# How often the title's words, each tag as a whole and the tags' words count, against once
# for the text. Tags are the author's own word for the topic and the one thing posts in two
# languages often share, so a tag counts most.
TITLE_WEIGHT = 3
TAG_WEIGHT = 5
TAG_WORD_WEIGHT = 2
# A post in another language than the one it is suggested under counts this much less.
OTHER_LANGUAGE_FACTOR = 0.7
# Below this similarity two posts have too little in common to be suggested.
MIN_SCORE = 0.02
# Rows of the similarity matrix computed at once.
BLOCK = 500
# Any constant works; it names the lock that keeps two recomputations from interleaving.
_LOCK_KEY = 4_711_004


def related_posts(post: Post, limit: int = SUGGESTIONS) -> list[Post]:
    """The stored suggestions for a post that readers may see, best first."""
    return [
        link.related
        for link in post.related_links.filter(related__in=Post.objects.visible())
        .select_related("related__blog")
        .order_by("rank")[:limit]
    ]


def post_features(post: Post) -> list[str]:
    """The words a post is compared by: stems of title, tags and text in its language,
    plus each tag as a whole (so posts under the same tag match across languages)."""
    from treffpunkt.blog.indexing import plain_body

    language = words.language_of(post.language)
    tags = list(post.tags.all())
    features = words.terms(post.title, language) * TITLE_WEIGHT
    for tag in tags:
        features += [f"#{tag.slug}"] * TAG_WEIGHT
        features += words.terms(tag.name, language) * TAG_WORD_WEIGHT
    features += words.terms(post.excerpt, language)
    features += words.terms(plain_body(post), language)
    return features


def suggestions(posts: list[Post]) -> dict[int, list[tuple[int, float]]]:
    """For each post's id, up to three (related post id, score) pairs, best first."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(posts) < 2:
        return {post.pk: [] for post in posts}
    documents = [post_features(post) for post in posts]
    identity: Callable[[Any], Any] = lambda document: document  # noqa: E731 - already tokenized
    vectorizer = TfidfVectorizer(analyzer=identity, sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)  # rows are L2-normalized
    languages = np.array([words.language_of(post.language) for post in posts])
    ids = [post.pk for post in posts]
    result: dict[int, list[tuple[int, float]]] = {}
    for start in range(0, len(posts), BLOCK):
        block = (matrix[start : start + BLOCK] @ matrix.T).toarray()
        same_language = languages[start : start + BLOCK, None] == languages[None, :]
        block = np.where(same_language, block, block * OTHER_LANGUAGE_FACTOR)
        for offset, row in enumerate(block):
            index = start + offset
            row[index] = -1.0  # never the post itself
            best = np.argsort(-row, kind="stable")[:SUGGESTIONS]
            result[ids[index]] = [
                (ids[other], float(row[other])) for other in best if row[other] >= MIN_SCORE
            ]
    return result


def recompute_all() -> int:
    """Work out and store the suggestions of every visible post; returns how many were
    stored. Drafts and scheduled posts get none and are nobody's suggestion."""
    posts = list(
        Post.objects.visible()
        .only("id", "title", "excerpt", "body", "body_html", "language")
        .prefetch_related("tags")
        .order_by("id")
    )
    found = suggestions(posts)
    links = [
        RelatedPost(post_id=post_id, related_id=related_id, rank=rank, score=score)
        for post_id, pairs in found.items()
        for rank, (related_id, score) in enumerate(pairs, start=1)
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two workers recomputing at once would both delete, then both insert.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        # A post deleted meanwhile must not be written back.
        existing = set(Post.objects.filter(pk__in=found).values_list("id", flat=True))
        links = [link for link in links if {link.post_id, link.related_id} <= existing]
        RelatedPost.objects.all().delete()
        RelatedPost.objects.bulk_create(links)
    return len(links)
