"""What the live stream sends about a contribution: data only, rendered by the page's JS.

The public payload never carries anything the wall must not show (no state, no reasons,
no participant id); the moderators' payload adds what they need to decide.
"""

from typing import Any

from treffpunkt.core.text import render_post_text
from treffpunkt.events.models import Contribution


def public_payload(contribution: Contribution, contributors: int) -> dict[str, Any]:
    return {
        "id": contribution.pk,
        "author": contribution.public_name,
        "html": str(render_post_text(contribution.text)),
        "photo": contribution.photo.url if contribution.photo else None,
        "alt": contribution.photo_alt,
        "pinned": contribution.pinned,
        "created": contribution.created_at.isoformat(),
        "edited": contribution.edited_at is not None,
        "source": contribution.source,
        "contributors": contributors,
    }


def moderation_payload(contribution: Contribution, contributors: int) -> dict[str, Any]:
    from treffpunkt.moderation.templatetags.moderation_tags import reason_text

    payload = public_payload(contribution, contributors)
    participant = contribution.participant
    payload.update(
        state=contribution.state,
        state_label=str(Contribution.State(contribution.state).label),
        reasons=[reason_text(reason) for reason in contribution.moderation_reasons],
        score=contribution.moderation_score,
        participant=participant.pk,
        participant_kind=participant.kind,
        blocked=participant.is_blocked,
    )
    return payload
