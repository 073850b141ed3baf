"""Markdown for everything people write, rendered by markdown-it-py and sanitized by nh3.

One configuration (CommonMark with tables and strikethrough, typographic quotes, no raw
HTML: markdown-it escapes it and nh3 then removes anything not on the allowed list, so no
script, event handler or javascript: link survives). What differs between kinds of text is
named in a ``MarkdownStyle``:

- ``SHORT_TEXT`` (event descriptions, legal pages, profiles): a line break in the source
  is a line break on the page, as people who write short texts expect; no images; links
  marked ``nofollow ugc`` (the text may come from anyone).
- the blog's ``ARTICLE`` style (``blog.rendering``): paragraphs as in any Markdown editor
  (a single line break is a space), headings from h2, images as the blog allows them, and
  links without ``nofollow`` (authors are members the site trusts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "li",
        "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

# markdown-it's renderer rule for images: (renderer, tokens, index, options, env) -> html
ImageRule = Callable[[Any, list[Any], int, Any, Any], str]
# nh3's attribute filter: (tag, attribute, value) -> value or None to drop it
AttributeFilter = Callable[[str, str, str], str | None]


@dataclass(frozen=True)
class MarkdownStyle:
    """The differences between kinds of text, in one place (see the module docstring)."""

    name: str
    line_breaks: bool
    link_rel: str
    # Headings written as h1 become h2 (the page's title is its only h1), h5 and h6 h4.
    shift_headings: bool = False
    image_rule: ImageRule | None = None
    extra_tags: frozenset[str] = frozenset()
    extra_attributes: dict[str, set[str]] = field(default_factory=dict)
    attribute_filter: AttributeFilter | None = None

    def __hash__(self) -> int:
        return hash(self.name)


SHORT_TEXT = MarkdownStyle(name="short-text", line_breaks=True, link_rel="nofollow noopener ugc")

_HEADING_SHIFT = {"h1": "h2", "h5": "h4", "h6": "h4"}


@cache
def _parser(style: MarkdownStyle) -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "typographer": True, "breaks": style.line_breaks},
    ).enable(["table", "strikethrough"])
    if style.image_rule is not None:
        parser.add_render_rule("image", style.image_rule)
    return parser


def render_markdown(text: str, style: MarkdownStyle = SHORT_TEXT) -> SafeString:
    """Safe HTML for Markdown written by a member or guest."""
    parser = _parser(style)
    env: dict[str, Any] = {}
    tokens = parser.parse(text or "", env)
    if style.shift_headings:
        for token in tokens:
            if token.type in {"heading_open", "heading_close"}:
                token.tag = _HEADING_SHIFT.get(token.tag, token.tag)
    html = parser.renderer.render(tokens, parser.options, env)
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    for tag, names in style.extra_attributes.items():
        attributes.setdefault(tag, set()).update(names)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS | style.extra_tags),
        attributes=attributes,
        url_schemes=set(URL_SCHEMES),
        link_rel=style.link_rel,
        attribute_filter=style.attribute_filter,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 just above
