"""What the live streams send about a contribution: data only, rendered by the page's JS.

The public payload never carries anything the wall must not show (no state, no reasons,
no participant id); the moderators' payload only says which post changed.
"""

from typing import Any

from django.utils import timezone

from treffpunkt.events.models import Contribution
from treffpunkt.events.text import post_size, render_post_text


def public_payload(contribution: Contribution, contributors: int) -> dict[str, Any]:
    return {
        "id": contribution.pk,
        "author": contribution.public_name,
        "html": str(render_post_text(contribution.text)),
        "photo": contribution.photo.url if contribution.photo else None,
        "alt": contribution.photo_alt,
        "pinned": contribution.pinned,
        "created": contribution.created_at.isoformat(),
        # In the site's time zone, as the server-rendered posts show it (not the browser's).
        "time": timezone.localtime(contribution.created_at).strftime("%H:%M"),
        "size": post_size(contribution.text),
        "edited": contribution.edited_at is not None,
        "source": contribution.source,
        # A fediverse author's handle and the post on its server (issue 12).
        "handle": contribution.participant.handle if contribution.source == "fediverse" else "",
        "link": contribution.remote_url if contribution.source == "fediverse" else "",
        "contributors": contributors,
    }


def moderation_payload(contribution: Contribution, contributors: int) -> dict[str, Any]:
    """Moderators' pages fetch the post's own HTML (in their language) when told it changed."""
    return {"id": contribution.pk, "state": contribution.state, "contributors": contributors}
