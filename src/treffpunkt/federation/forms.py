from django import forms
from django.utils.translation import gettext_lazy as _

from treffpunkt.federation.models import LocalActor


class ActorSettingsForm(forms.Form):
    """How a blog shows in the fediverse."""

    actor_type = forms.ChoiceField(
        label=_("Shown in the fediverse as"),
        choices=LocalActor.ActorType.choices,
        widget=forms.RadioSelect,
    )
    manually_approves_followers = forms.BooleanField(
        label=_("Approve each new follower"),
        required=False,
        help_text=_("When off, everyone who follows the blog is accepted at once."),
    )
    discoverable = forms.BooleanField(
        label=_("Fediverse servers may suggest the blog in their directories"), required=False
    )
    indexable = forms.BooleanField(
        label=_("Fediverse servers may include the posts in their full-text search"),
        required=False,
    )


class BlockForm(forms.Form):
    domain = forms.CharField(
        label=_("Server"), max_length=253, help_text=_("For example spam.example.")
    )
    reason = forms.CharField(label=_("Reason (for the moderators)"), max_length=500, required=False)
