"""Demo comments (German) on the demo blog's posts, once the blog demo has written them."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from treffpunkt.accounts.models import User
from treffpunkt.blog.models import Post
from treffpunkt.comments.actions import moderate_comment, submit_comment
from treffpunkt.comments.models import Comment
from treffpunkt.core.actions import new_guest
from treffpunkt.core.models import Participant
from treffpunkt.moderation.submissions import Submission

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
    # The demo's comments arrive as readers' comments would, through the one pipeline; the
    # blog's moderator approves them (as she would: first-time commenters wait).
    moderator = User.objects.filter(is_moderator=True, is_active=True).order_by("pk").first()
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for post_index, post in enumerate(posts):
            made: list[Comment] = []
            thread = THREAD if post_index == 0 else THREAD[:2]
            for position, (device, name, email, text, parent_index) in enumerate(thread):
                parent = made[parent_index] if parent_index is not None else None
                guest = new_guest(f"{device}-{post_index}".replace("-", "")[:32].ljust(16, "0"))
                existing = Participant.objects.filter(
                    kind=Participant.Kind.GUEST, device_id=guest.device_id
                ).first()
                comment = submit_comment(
                    post,
                    Submission(
                        participant=existing or guest,
                        text=text,
                        author_name=name,
                        email=email,
                        published_at=now - timedelta(hours=10 - position),
                    ),
                    parent_id=parent.pk if parent else None,
                )
                if comment.status != Comment.Status.APPROVED:
                    moderate_comment(comment, "approve", moderator, "Demo")
                made.append(comment)
                count += 1
    return [f"Kommentare: {count} Kommentare unter {len(posts)} Beiträgen."]
