"""``{% load walls %}``: a wall post's text as the wall shows it."""

from django import template
from django.utils.safestring import SafeString

from treffpunkt.events.text import post_size, render_post_text

register = template.Library()


@register.filter(name="post_text")
def post_text_filter(text: str) -> SafeString:
    return render_post_text(text)


@register.filter(name="post_size")
def post_size_filter(text: str) -> str:
    """``post--long`` or ``post--very-long`` for long posts (set smaller on the wall)."""
    size = post_size(text)
    return f"post--{size}" if size else ""
