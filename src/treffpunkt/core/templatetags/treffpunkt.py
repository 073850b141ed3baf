"""Filters every template may use (registered as builtins in settings)."""

from typing import Any

from django import template
from django.urls import translate_url
from django.utils.safestring import SafeString

from treffpunkt.core import page_links as page_links_registry
from treffpunkt.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def translated_url(context: dict[str, Any], language: str) -> str:
    """The current page in another language (the language is part of the address)."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag(takes_context=True)
def page_links(context: dict[str, Any], place: str, subject: Any = None) -> list[Any]:
    """The links other apps add at this place of the page (``core.page_links``)."""
    return page_links_registry.links_for(place, context.get("request"), subject)


@register.simple_tag(takes_context=True)
def page_parts(context: dict[str, Any], place: str, obj: Any = None) -> SafeString:
    """What other apps show at this place of the page (core.page_parts)."""
    from treffpunkt.core.page_parts import render_parts

    return SafeString(render_parts(place, context.get("request"), obj))
