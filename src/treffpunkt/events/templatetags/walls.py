"""``{% load walls %}``: a wall post's text as the wall shows it."""

from django import template
from django.utils.safestring import SafeString

from treffpunkt.events.text import render_post_text

register = template.Library()


@register.filter(name="post_text")
def post_text_filter(text: str) -> SafeString:
    return render_post_text(text)
