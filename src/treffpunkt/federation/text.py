"""Remote HTML as the plain text comments keep: paragraphs and line breaks stay, links keep
their address, everything else (scripts, styles, attributes) is gone. Comments are rendered
from plain text (``comments.text``), so nothing a remote server sends can run here."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "ul", "ol"}
SKIPPED = {"script", "style", "template", "iframe", "object", "svg", "math", "head", "title"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.links: list[tuple[str, int]] = []
        self.invisible = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in SKIPPED:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            self.links.append((attributes.get("href") or "", len(self.parts)))
        elif tag == "span" and "invisible" in (attributes.get("class") or "").split():
            # Mastodon hides the scheme and the tail of long links in such spans.
            self.invisible += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            shown = "".join(self.parts[start:])
            if href.startswith(("https://", "http://")) and not shown.startswith(("@", "#")):
                # The address itself, so the comment's linkifier makes it a (nofollow) link.
                del self.parts[start:]
                self.parts.append(href)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str, *, strip_mentions_of: str = "") -> str:
    """Plain text of remote HTML; leading mentions of our own accounts (``@blog`` or
    ``@blog@our.domain``) are dropped: under the post they say nothing."""
    parser = _Text()
    try:
        parser.feed(html or "")
        parser.close()
    except (AssertionError, ValueError):
        return ""
    text = "".join(parser.parts).replace("\r", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if strip_mentions_of:
        pattern = r"^(?:@[\w.-]+(?:@" + re.escape(strip_mentions_of) + r")?\s+)+"
        first_line, sep, rest = text.partition("\n")
        first_line = re.sub(pattern, "", first_line + " ").rstrip()
        text = (first_line + sep + rest).strip()
    return text
