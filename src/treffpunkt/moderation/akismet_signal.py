"""Akismet as one more signal, only when the admin set TREFFPUNKT_AKISMET_KEY.

Without a key nothing here runs and no request leaves the server. With a key, the text,
name, email, website, IP address and browser of each checked item, and the address of the
page it was sent to, are sent to Akismet (Automattic, USA); the privacy page says so.

One HTTP client is kept for the process (connections are reused), with a short timeout:
the check runs before the write transaction, but a guest still waits for it.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

COMMENT_TYPES = {"comment": "comment", "wall_post": "message"}

_client: httpx.Client | None = None
_client_lock = threading.Lock()


def http_client() -> httpx.Client:
    """The process's client for Akismet, made on first use."""
    global _client
    with _client_lock:
        if _client is None:
            import httpx

            _client = httpx.Client(
                timeout=httpx.Timeout(settings.AKISMET_TIMEOUT_SECONDS),
                limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
                headers={"User-Agent": f"Treffpunkt ({settings.BASE_URL})"},
            )
        return _client


def is_spam(
    *,
    text: str,
    kind: str,
    ip_address: str,
    source: str = "form",
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

        config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.BASE_URL + "/")
        client = akismet.SyncClient(config=config, http_client=http_client())
        comment_type = "reply" if source != "form" else COMMENT_TYPES.get(kind, "comment")
        fields: dict[str, Any] = {
            "comment_content": text[:10_000],
            "comment_type": comment_type,
            "comment_author": author_name,
            "comment_author_email": author_email,
            "comment_author_url": author_url,
            "user_agent": user_agent,
            "permalink": context_url,
        }
        response = client.comment_check(ip_address or "127.0.0.1", **fields)
        return bool(response != akismet.CheckResponse.HAM)
    except Exception as error:  # an outside service must never stop a post
        logger.warning("Akismet did not answer (%s); the local filter decides alone.", error)
        return False
