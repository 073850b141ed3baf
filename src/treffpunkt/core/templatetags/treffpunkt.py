"""Filters every template may use (registered as builtins in settings)."""

from django import template
from django.utils.safestring import SafeString

from treffpunkt.core.markdown import render_markdown
from treffpunkt.core.text import render_post_text

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter(name="post_text")
def post_text_filter(text: str) -> SafeString:
    return render_post_text(text)
