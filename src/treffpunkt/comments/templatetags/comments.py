"""Template tags that put a post's comments on its page.

``{% comment_section post %}`` renders the thread and the "Leave a reply" form; the blog's
post template calls it, so the comments app owns its own queries and markup. Its number of
queries does not depend on the number of comments: one for the thread, and one for the
visitor's participant when they have a device cookie or are logged in.
"""

from typing import Any

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from treffpunkt.comments import actions, queries
from treffpunkt.comments.forms import CommentForm
from treffpunkt.comments.text import render_comment_text
from treffpunkt.core.inputs import parse_id
from treffpunkt.core.participants import current_participant

register = template.Library()
# How long a rendered thread is kept at most; any change to the thread replaces it at once.
THREAD_SECONDS = 600


def _count(comments: list[Any]) -> int:
    return sum((0 if comment.own_pending else 1) + _count(comment.children) for comment in comments)


def _find(comments: list[Any], pk: int) -> Any:
    for comment in comments:
        if comment.pk == pk:
            return comment
        found = _find(comment.children, pk)
        if found is not None:
            return found
    return None


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context: dict[str, Any], post: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    member = bool(user is not None and user.is_authenticated)
    current = current_participant(request) if request is not None else None
    participant_id = current.pk if current is not None else None
    max_depth = post.blog.comment_depth
    closed = actions.closed_reason(post)
    raw = request.GET.get("replytocom", "") if request is not None else ""
    reply_to_id = parse_id(raw)
    reply_to = None
    if participant_id is None and reply_to_id is None:
        # Every reader without a device cookie or login sees the same thread: render it once
        # per change of the thread (see queries.forget_thread) and language.
        key = ":".join(
            [
                "comments:html",
                str(post.pk),
                queries.thread_version(post.pk),
                get_language() or "",
                str(max_depth),
                "closed" if closed else "open",
            ]
        )
        cached = cache.get(key)
        if cached is None:
            roots = queries.thread(post)
            cached = (_render_thread(roots, closed, max_depth), _count(roots))
            cache.set(key, cached, THREAD_SECONDS)
        thread_html, count = cached
    else:
        roots = queries.thread(post, participant_id)
        if reply_to_id is not None:
            candidate = _find(roots, reply_to_id)
            if candidate is not None and not candidate.own_pending and candidate.depth < max_depth:
                reply_to = candidate
        thread_html, count = _render_thread(roots, closed, max_depth), _count(roots)
    initial: dict[str, Any] = {"parent": reply_to.pk if reply_to else None}
    if current is not None and not member:
        # A returning commenter on the same device finds the name they gave before (their
        # page alone: the page cache passes device cookies through). Not the email address:
        # no page ever carries one (the browser's autofill offers it instead).
        initial["author_name"] = current.display_name
    form = CommentForm(member=member, initial=initial)
    return {
        "post": post,
        "request": request,
        "user": user,
        "member": member,
        "thread_html": thread_html,
        "count": count,
        "max_depth": max_depth,
        "closed": closed,
        "form": form,
        "reply_to": reply_to,
    }


def _render_thread(roots: list[Any], closed: str | None, max_depth: int) -> SafeString:
    return mark_safe(  # noqa: S308 - rendered by our own template with autoescaping
        render_to_string(
            "comments/_thread.html", {"roots": roots, "closed": closed, "max_depth": max_depth}
        )
    )


@register.filter
def comment_text(text: str) -> SafeString:
    """A comment's plain text as safe HTML, with clickable links."""
    return render_comment_text(text)
