"""Shortcuts for tests that need a wall post or a comment: they build the Submission that
the join form or the comment form would build and hand it to the real actions."""

from datetime import datetime
from typing import Any

from treffpunkt.comments.actions import submit_comment
from treffpunkt.core.models import Participant
from treffpunkt.events.actions import submit_contribution
from treffpunkt.moderation.submissions import Origin, Submission


def post_to_wall(
    *,
    event: Any,
    participant: Participant,
    text: str,
    author_name: str = "",
    photo: Any = None,
    photo_alt: str = "",
    ip_address: str = "",
    created_at: datetime | None = None,
    **origin: Any,
) -> Any:
    return submit_contribution(
        event,
        Submission(
            participant=participant,
            text=text,
            author_name=author_name,
            photo=photo,
            photo_alt=photo_alt,
            origin=Origin(ip_address=ip_address, **origin),
            published_at=created_at,
        ),
    )


def comment_on_post(
    *,
    post: Any,
    participant: Participant,
    body: str,
    author_name: str = "",
    email: str = "",
    website: str = "",
    parent_id: int | None = None,
    subscribe: bool = False,
    ip_address: str = "",
    **origin: Any,
) -> Any:
    return submit_comment(
        post,
        Submission(
            participant=participant,
            text=body,
            author_name=author_name,
            email=email,
            website=website,
            origin=Origin(ip_address=ip_address, **origin),
        ),
        parent_id=parent_id,
        subscribe=subscribe,
    )


def flush_outbox() -> int:
    """Send every email waiting in the outbox now, as the worker would; how many went."""
    from treffpunkt.core.mail import send_queued_email
    from treffpunkt.core.models import OutgoingEmail

    waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.WAITING)
    return sum(send_queued_email(pk) for pk in waiting.values_list("pk", flat=True))
