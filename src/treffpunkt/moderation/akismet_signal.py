"""Akismet as one more signal, only when the admin set TREFFPUNKT_AKISMET_KEY.

Without a key nothing here runs and no request leaves the server. With a key, the text,
name, email, website, IP address and browser of each checked item are sent to Akismet
(Automattic, USA); the privacy page says so.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

COMMENT_TYPES = {"comment": "comment", "wall_post": "message", "remote_reply": "reply"}


def is_spam(
    *,
    text: str,
    kind: str,
    ip_address: str,
    author_name: str = "",
    author_email: str = "",
    author_url: str = "",
    user_agent: str = "",
    context_url: str = "",
) -> bool:
    """Akismet's opinion; False when it is off, does not answer or fails."""
    if not settings.AKISMET_API_KEY:
        return False
    try:
        import akismet
        import httpx

        config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.BASE_URL + "/")
        with httpx.Client(timeout=settings.AKISMET_TIMEOUT_SECONDS) as http_client:
            client = akismet.SyncClient(config=config, http_client=http_client)
            response = client.comment_check(
                ip_address or "127.0.0.1",
                comment_content=text[:10_000],
                comment_type=COMMENT_TYPES.get(kind, "comment"),
                comment_author=author_name,
                comment_author_email=author_email,
                comment_author_url=author_url,
                user_agent=user_agent,
                permalink=context_url,
            )
        return response != akismet.CheckResponse.HAM
    except Exception as error:  # an outside service must never stop a post
        logger.warning("Akismet did not answer (%s); the local filter decides alone.", error)
        return False
