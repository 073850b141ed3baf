"""Template tags that put a post's comments on its page.

``{% comment_section post %}`` renders the thread and the "Leave a reply" form; the blog's
post template calls it, so the comments app owns its own queries and markup.
"""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context: dict[str, Any], post: Any) -> dict[str, Any]:
    return {"post": post, "request": context.get("request")}
