"""Markdown for everything people write, rendered by markdown-it-py and sanitized by nh3.

Raw HTML in the source is escaped by markdown-it ("html": False); nh3 then removes anything
that is not on the short list below, so no script, event handler or javascript: link survives.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}

_md = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": True, "breaks": True}
).enable(["table", "strikethrough"])


def render_markdown(text: str) -> SafeString:
    """Safe HTML for Markdown written by a member or guest."""
    html = _md.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 just above
