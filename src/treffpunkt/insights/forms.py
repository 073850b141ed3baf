from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treffpunkt.insights.models import MAX_ATTENDEES
from treffpunkt.insights.queries import Period

# Nothing on the site is older or newer (events keep to the same years).
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


class PeriodForm(forms.Form):
    """The time range chooser, read from the query string; empty dates are open ends."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    team = forms.BooleanField(
        label=_("Leave out what the team wrote (organizers, moderators, the blog's authors)"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                self.add_error(
                    name,
                    _("Choose a date between the years %(first)s and %(last)s.")
                    % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
                )
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end lies before the start. Swap the two dates."))
        return data

    def period(self) -> Period:
        """The chosen days in the site's time zone, the end day included."""
        data = self.cleaned_data
        return Period(
            start=_midnight(data["start"]) if data.get("start") else None,
            end=_midnight(data["end"] + timedelta(days=1)) if data.get("end") else None,
        )


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AttendanceForm(forms.Form):
    attendees = forms.IntegerField(
        label=_("How many people attended?"),
        required=False,
        min_value=1,
        max_value=MAX_ATTENDEES,
        help_text=_("Counted at the door or estimated. Leave empty to forget the number."),
    )
