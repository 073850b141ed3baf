"""Short texts from guests: cleaning, counting like Mastodon, and safe HTML with links."""

import re
import unicodedata

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Mastodon counts every link as 23 characters, whatever its length.
LINK_LENGTH = 23
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
HASHTAG_RE = re.compile(r"(?<![\w/&])#(\w{1,60})", re.UNICODE)
# Characters with no business in a wall post: control characters (except line breaks and
# tabs), zero-width and direction-changing characters that can hide or reorder text.
INVISIBLE_RE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def clean_text(text: str) -> str:
    """NFC-normalized text without invisible or control characters, trimmed, with at most
    two consecutive empty lines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = INVISIBLE_RE.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def count_characters(text: str) -> int:
    """Length as Mastodon counts it: each link counts as 23 characters."""
    return len(URL_RE.sub("x" * LINK_LENGTH, text))


def _hashtag_url(tag: str) -> str:
    try:
        return reverse("events:join", args=[tag])
    except NoReverseMatch:
        return ""


def render_post_text(text: str) -> SafeString:
    """Escaped text with links, hashtags linked to their event page, and line breaks."""
    parts: list[str] = []
    position = 0
    for match in URL_RE.finditer(text):
        parts.append(_render_plain(text[position : match.start()]))
        url = match.group(0)
        shown = re.sub(r"^https?://(www\.)?", "", url)
        if len(shown) > 40:
            shown = shown[:39] + "…"
        parts.append(
            f'<a href="{escape(url)}" rel="nofollow noopener ugc" target="_blank">'
            f"{escape(shown)}</a>"
        )
        position = match.end()
    parts.append(_render_plain(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def _render_plain(chunk: str) -> str:
    html = escape(chunk)

    def link_tag(match: re.Match[str]) -> str:
        url = _hashtag_url(match.group(1))
        return f'<a href="{url}" class="hashtag">#{match.group(1)}</a>' if url else match.group(0)

    return HASHTAG_RE.sub(link_tag, html).replace("\n", "<br>")
