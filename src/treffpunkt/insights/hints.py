"""Short, friendly hints for organizers when a few voices dominate: a small set written
for people who run events and blogs, never advice about a person."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from treffpunkt.insights.measures import Summary

HINTS: dict[str, list[Promise]] = {
    "event": [
        _(
            "Ask the quiet ones on purpose: an opening question on the poster, cards to fill"
            " in at the tables."
        ),
        _(
            "Give everybody a minute to write before anyone speaks: more people put their"
            " thought on the wall."
        ),
        _(
            "Read out a post from someone who writes for the first time: it tells everyone"
            " that every contribution counts."
        ),
    ],
    "blog": [
        _("Answer first-time commenters soon and warmly: people who get a reply come back."),
        _("End a post with one concrete question that anyone can answer from their own work."),
        _(
            "Invite colleagues who rarely write to comment on a topic they know well, or to"
            " write a guest post."
        ),
    ],
    "site": [
        _(
            "Invite people who have not spoken yet to a small event with a guiding question:"
            " new voices often start there."
        ),
        _(
            "Ask the few most active people to hold back for a while and to answer others"
            " instead of starting new threads."
        ),
    ],
}


def hint_for(place: str, summary: Summary) -> Promise | None:
    """A hint when concentration is high (see ``Summary.concentrated``), else None. The
    same figures give the same hint, so a reload does not change it."""
    if not summary.concentrated:
        return None
    choices = HINTS[place]
    return choices[summary.contributions % len(choices)]
