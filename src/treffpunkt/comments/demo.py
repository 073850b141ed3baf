"""Demo comments (German) on the demo blog's posts, once the blog demo has written them."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from treffpunkt.blog.models import Post
from treffpunkt.comments.models import Comment
from treffpunkt.core.actions import participant_for_guest

# (device key, name, email, text, index of the comment it answers or None)
THREAD = [
    (
        "demo-comment-1",
        "Jana Schulte",
        "jana.schulte@example.org",
        "Danke für den Beitrag! Bei uns im Team hat genau das geholfen: "
        "einmal im Monat eine offene Runde ohne Tagesordnung.",
        None,
    ),
    (
        "demo-comment-2",
        "Murat Yilmaz",
        "murat@example.org",
        "Wie habt ihr die Leute dazu gebracht, tatsächlich zu kommen? "
        "Bei uns bleiben solche Termine oft leer.",
        0,
    ),
    (
        "demo-comment-1",
        "Jana Schulte",
        "jana.schulte@example.org",
        "Kuchen. Ehrlich. Und die Zusage, dass nichts davon protokolliert wird.",
        1,
    ),
    (
        "demo-comment-3",
        "Birgit Hoffmann",
        "b.hoffmann@example.org",
        "Ich hätte gern mehr über die Erfahrungen mit der Hashtag-Wand gelesen. "
        "Gibt es dazu einen eigenen Beitrag?",
        None,
    ),
]


def load() -> list[str]:
    posts = list(Post.objects.visible().select_related("blog").order_by("published_at")[:3])
    if not posts or Comment.objects.filter(post__in=posts).exists():
        return []
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for post_index, post in enumerate(posts):
            made: list[Comment] = []
            thread = THREAD if post_index == 0 else THREAD[:2]
            for position, (device, name, email, text, parent_index) in enumerate(thread):
                parent = made[parent_index] if parent_index is not None else None
                participant = participant_for_guest(
                    f"{device}-{post_index}".replace("-", "")[:32].ljust(16, "0"),
                    display_name=name,
                    email=email,
                )
                # Demo data is written directly: the moderation check would hold every
                # first-time commenter, and the demo should show a lively thread.
                made.append(
                    Comment.objects.create(
                        post=post,
                        parent=parent,
                        depth=parent.depth + 1 if parent else 1,
                        participant=participant,
                        author_name=name,
                        email=email,
                        body=text,
                        status=Comment.Status.APPROVED,
                        created_at=now - timedelta(hours=10 - position),
                    )
                )
                count += 1
    return [f"Kommentare: {count} Kommentare unter {len(posts)} Beiträgen."]
