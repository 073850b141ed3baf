"""Comment text as HTML: escaped, links made clickable, paragraphs and line breaks kept."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from treffpunkt.core.text import URL_RE


def render_comment_text(text: str) -> SafeString:
    """Plain text to safe HTML: every character escaped, http(s) links as nofollow links."""
    paragraphs = [part for part in re.split(r"\n{2,}", text.strip()) if part.strip()]
    return mark_safe(  # noqa: S308 - every piece is escaped in _render_paragraph
        "".join(f"<p>{_render_paragraph(part)}</p>" for part in paragraphs)
    )


def _render_paragraph(text: str) -> str:
    parts: list[str] = []
    position = 0
    for match in URL_RE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        url = match.group(0)
        shown = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
        if len(shown) > 50:
            shown = shown[:49] + "…"
        parts.append(f'<a href="{escape(url)}" rel="nofollow ugc noopener">{escape(shown)}</a>')
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts).replace("\n", "<br>")
