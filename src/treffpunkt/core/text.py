"""Plain text that people write (wall posts, comments): cleaning, counting like Mastodon,
and the one linkifier that turns it into safe HTML.

Wall posts (``events.text``) and comments (``comments.text``) both go through ``linkify``;
what they add on top is explicit there: hashtag links and line breaks on the wall,
paragraphs in comments.
"""

import re
import unicodedata
from collections.abc import Callable

from django.utils.html import escape

# Mastodon counts every link as 23 characters, whatever its length.
LINK_LENGTH = 23
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
SCHEME_RE = re.compile(r"^https?://(www\.)?", re.IGNORECASE)
LINK_REL = "nofollow noopener ugc"
# Characters with no business in text people write: control characters (except line
# breaks and tabs), zero-width and direction-changing characters that can hide or reorder
# text.
INVISIBLE_RE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def without_control_characters(text: str) -> str:
    """Text with line breaks and tabs but no other control or invisible characters (feeds,
    XML and PostgreSQL cannot carry some of them); everything else is left as written, so
    Markdown keeps its meaning."""
    return INVISIBLE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


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


def shown_link(url: str, max_length: int = 40) -> str:
    """A link as people read it: without scheme and "www.", shortened with an ellipsis."""
    shown = SCHEME_RE.sub("", url)
    return shown if len(shown) <= max_length else shown[: max_length - 1] + "…"


def linkify(text: str, *, render_plain: Callable[[str], str] = escape) -> str:
    """Text as HTML: every character escaped, http(s) links as ``nofollow ugc`` links.

    ``render_plain`` renders the text between links (escaping it first); wall posts pass one
    that also links hashtags. The result is safe to mark as such.
    """
    parts: list[str] = []
    position = 0
    for match in URL_RE.finditer(text):
        parts.append(render_plain(text[position : match.start()]))
        url = match.group(0)
        parts.append(f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(shown_link(url))}</a>')
        position = match.end()
    parts.append(render_plain(text[position:]))
    return "".join(parts)


# Characters that start Markdown constructs (emphasis, links, images, code, HTML, tables,
# headings and lists at the start of a line); CommonMark lets a backslash make any ASCII
# punctuation plain.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~&])")
_LINE_START_MARKERS = re.compile(r"^(\s*)(\d*)([-+=.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Plain text (a guest's post or name) as Markdown that shows exactly that text: no
    link, heading, image or HTML that the writer did not mean to make as an author."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_START_MARKERS.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)
