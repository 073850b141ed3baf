"""Comment text as HTML: paragraphs and line breaks kept, links made clickable by the site's
one linkifier (``core.text.linkify``)."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from treffpunkt.core.text import linkify


def _render_plain(chunk: str) -> str:
    return escape(chunk).replace("\n", "<br>")


def render_comment_text(text: str) -> SafeString:
    """Plain text to safe HTML: every character escaped, http(s) links as nofollow links,
    blank lines as paragraphs."""
    paragraphs = [part for part in re.split(r"\n{2,}", text.strip()) if part.strip()]
    return mark_safe(  # noqa: S308 - every piece is escaped in linkify
        "".join(f"<p>{linkify(part, render_plain=_render_plain)}</p>" for part in paragraphs)
    )
