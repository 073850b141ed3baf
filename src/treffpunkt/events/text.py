"""Wall posts as HTML: escaped text with links (``core.text.linkify``), hashtags linked to
their event's page, and line breaks kept."""

import re

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from treffpunkt.core.text import linkify

HASHTAG_RE = re.compile(r"(?<![\w/&])#(\w{1,60})", re.UNICODE)


def _hashtag_url(tag: str) -> str:
    try:
        return reverse("events:join", args=[tag])
    except NoReverseMatch:
        return ""


def _render_plain(chunk: str) -> str:
    html = escape(chunk)

    def link_tag(match: re.Match[str]) -> str:
        url = _hashtag_url(match.group(1))
        return f'<a href="{url}" class="hashtag">#{match.group(1)}</a>' if url else match.group(0)

    return HASHTAG_RE.sub(link_tag, html).replace("\n", "<br>")


def render_post_text(text: str) -> SafeString:
    """A wall post's text as safe HTML: links, hashtag links and line breaks."""
    return mark_safe(linkify(text, render_plain=_render_plain))  # noqa: S308 - escaped in linkify


# Where a post's text starts to be set smaller on the wall, so every post fits whole.
LONG_POST = 160
VERY_LONG_POST = 320


def post_size(text: str) -> str:
    """The wall's size class for a post: "" (short), "long" or "very-long"."""
    length = len(text)
    if length > VERY_LONG_POST:
        return "very-long"
    if length > LONG_POST:
        return "long"
    return ""
