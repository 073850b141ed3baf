"""Markdown of blog posts: the site's sanitized Markdown, plus images.

Images may come from this site (uploads under MEDIA_URL, or any same-site path) or from a
host the admin allows in ``BLOG_EMBED_HOSTS``; any other remote image is rendered as a plain
link, so a post never makes readers' browsers ask a third party.
"""

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from treffpunkt.core.markdown import MarkdownStyle, render_markdown

WORDS_PER_MINUTE = 200
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def image_allowed(src: str) -> bool:
    """Same-site images always; remote ones only from the hosts the admin allows."""
    parts = urlsplit(src)
    if not parts.scheme and not parts.netloc:
        return src.startswith("/")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return False
    allowed = {host.lower() for host in settings.BLOG_EMBED_HOSTS}
    return parts.hostname.lower() in allowed


def _render_image(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if not image_allowed(src):
        # A remote image the admin has not allowed: a link the reader may follow, no request.
        label = alt or src
        return f'<a href="{escape(src)}">{escape(label)}</a>'
    title = token.attrGet("title")
    title_attr = f' title="{escape(title)}"' if title else ""
    return (
        f'<img src="{escape(src)}" alt="{escape(alt)}"{title_attr} loading="lazy" decoding="async">'
    )


def _keep_allowed_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not image_allowed(value):
        return None
    return value


# A blog post: paragraphs as in any Markdown editor, headings from h2 (the title is the
# page's h1), images from this site or the allowed hosts, and links that count (authors are
# members the site trusts, unlike guests). See core.markdown for what all texts share.
ARTICLE = MarkdownStyle(
    name="article",
    line_breaks=False,
    link_rel="noopener",
    shift_headings=True,
    image_rule=_render_image,
    extra_tags=frozenset({"img", "figure", "figcaption"}),
    extra_attributes={"img": {"src", "alt", "title", "loading", "decoding"}},
    attribute_filter=_keep_allowed_images,
)


def render_post_body(text: str) -> SafeString:
    """Safe HTML for a post's Markdown: no script, no event handlers, no javascript: links,
    no remote images from hosts the admin has not allowed."""
    return render_markdown(text, ARTICLE)


def reading_minutes(text: str) -> int:
    """Minutes an adult needs to read ``text`` (about 200 words a minute), at least one."""
    words = len((text or "").split())
    return max(1, round(words / WORDS_PER_MINUTE))


def summarize(excerpt: str, body_html: str, max_chars: int = 300) -> str:
    """Plain text for lists and feeds: the excerpt, else the first paragraph of the text,
    shortened at a word boundary."""
    text = " ".join((excerpt or "").split())
    if not text:
        for paragraph in _PARAGRAPH.findall(body_html):
            text = " ".join(strip_tags(paragraph).split())
            if text:
                break
    return Truncator(text).chars(max_chars)
