"""The recap of an event as Markdown, for download or as the start of a blog post."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from treffpunkt.core.links import absolute_url
from treffpunkt.core.text import escape_markdown
from treffpunkt.events.models import Contribution, Event


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quote(contribution: Contribution) -> list[str]:
    """A guest's post as a quote. Guests' words are theirs, not the author's: their text,
    name and photo description are escaped, so nothing in them becomes a link, heading,
    image or HTML in a blog post made from the recap."""
    time = formats.time_format(timezone.localtime(contribution.created_at), "TIME_FORMAT")
    text = escape_markdown(contribution.text)
    lines = [f"> {line}" if line else ">" for line in text.splitlines()]
    # A paragraph of its own, so the name does not run on from the quoted words.
    lines.append(">")
    lines.append(f"> — {escape_markdown(_one_line(contribution.public_name))}, {time}")
    if contribution.photo:
        alt = escape_markdown(_one_line(contribution.photo_alt))
        lines.append(">")
        lines.append(f"> ![{alt}]({absolute_url(contribution.photo.url)})")
    return [*lines, ""]


def recap_markdown(event: Event, contributions: list[Contribution]) -> str:
    """A chronological story of the wall: numbers, highlights (pinned posts), then the
    other posts, each post once."""
    start = timezone.localtime(event.starts_at)
    people = len({c.participant_id for c in contributions})
    lines = [
        f"# {event.title}",
        "",
        f"#{event.hashtag} · {formats.date_format(start, 'DATE_FORMAT')}"
        + (f" · {event.place}" if event.place else ""),
        "",
        _("%(posts)s posts from %(people)s people.")
        % {"posts": len(contributions), "people": people},
        "",
    ]
    highlights = [c for c in contributions if c.pinned]
    if highlights:
        lines += ["## " + _("Highlights"), ""]
        for contribution in highlights:
            lines += _quote(contribution)
    timeline = [c for c in contributions if not c.pinned]
    if timeline:
        lines += ["## " + _("How it went"), ""]
    for contribution in timeline:
        lines += _quote(contribution)
    return "\n".join(lines).rstrip() + "\n"
