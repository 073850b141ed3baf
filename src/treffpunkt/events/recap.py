"""The recap of an event as Markdown, for download or as the start of a blog post."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from treffpunkt.core.links import absolute_url
from treffpunkt.events.models import Contribution, Event


def _quote(contribution: Contribution) -> list[str]:
    time = formats.time_format(timezone.localtime(contribution.created_at), "TIME_FORMAT")
    lines = [f"> {line}" if line else ">" for line in contribution.text.splitlines()]
    lines.append(f"> — {contribution.public_name}, {time}")
    if contribution.photo:
        alt = contribution.photo_alt.replace("]", ")").replace("[", "(")
        lines.append(">")
        lines.append(f"> ![{alt}]({absolute_url(contribution.photo.url)})")
    return [*lines, ""]


def recap_markdown(event: Event, contributions: list[Contribution]) -> str:
    """A chronological story of the wall: numbers, highlights, then every post."""
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
    lines += ["## " + _("All posts"), ""]
    for contribution in contributions:
        lines += _quote(contribution)
    return "\n".join(lines).rstrip() + "\n"
