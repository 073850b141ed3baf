"""Known XSS payloads in a post's Markdown render harmless, and remote images are only shown
from hosts the admin allows."""

import re
from html.parser import HTMLParser

import pytest

from treffpunkt.blog.actions import save_post
from treffpunkt.blog.rendering import render_post_body

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">klick</a>',
    "[klick](javascript:alert(1))",
    "[klick](JaVaScRiPt:alert(1))",
    "[klick](&#106;avascript:alert(1))",
    "[klick](javascript&colon;alert(1))",
    "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klick](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](/media/a.png)',
    '![x](/media/a.png "t\\" onerror=\\"alert(1)")',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '[a](https://example.org "title" onclick=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    '<form action="https://evil.example"><input type=submit></form>',
    "``<img src=x onerror=alert(1)>``",
]


class _Elements(HTMLParser):
    """The elements and attributes a browser would see (text stays text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_renders_harmless(payload):
    html = str(render_post_body(f"Vorher\n\n{payload}\n\nNachher"))
    elements = parse(html)
    assert elements.tags <= {"p", "a", "img", "code", "em", "strong", "br", "pre"}, html
    names = {name for name, _value in elements.attributes}
    assert names <= {"href", "rel", "title", "src", "alt", "loading", "decoding"}, html
    for name, value in elements.attributes:
        if name in {"href", "src"}:
            assert re.match(r"^(https?://|/[^/]|mailto:)", value), html


def test_post_saved_with_payloads_stores_only_safe_html(db, blog, author):
    post = save_post(editor=author, blog=blog, title="<script>x</script>",
                     body="\n\n".join(XSS_PAYLOADS))  # fmt: skip
    elements = parse(post.body_html)
    assert "script" not in elements.tags
    assert not [name for name, _value in elements.attributes if name.startswith("on")]


def test_uploaded_and_same_site_images_show(settings):
    html = str(render_post_body("![Ein Beet](/media/blog/images/a.webp)"))
    assert '<img src="/media/blog/images/a.webp" alt="Ein Beet" loading="lazy"' in html


def test_remote_images_become_links_unless_the_host_is_allowed(settings):
    settings.BLOG_EMBED_HOSTS = []
    html = str(render_post_body("![Logo](https://images.example.org/logo.png)"))
    assert "<img" not in html
    assert '<a href="https://images.example.org/logo.png" rel="noopener">Logo</a>' in html
    settings.BLOG_EMBED_HOSTS = ["images.example.org"]
    html = str(render_post_body("![Logo](https://images.example.org/logo.png)"))
    assert '<img src="https://images.example.org/logo.png" alt="Logo"' in html
    html = str(render_post_body("![Logo](https://other.example.org/logo.png)"))
    assert "<img" not in html


def test_protocol_relative_image_is_remote(settings):
    settings.BLOG_EMBED_HOSTS = []
    html = str(render_post_body("![x](//evil.example/a.png)"))
    assert "<img" not in html


def test_headings_start_below_the_post_title():
    html = str(render_post_body("# Eins\n\n## Zwei\n\n###### Sechs"))
    assert html.split("\n")[:3] == ["<h2>Eins</h2>", "<h2>Zwei</h2>", "<h4>Sechs</h4>"]
