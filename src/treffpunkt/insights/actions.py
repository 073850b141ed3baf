"""The one write of the insights: the number of attendees an organizer counted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treffpunkt.events.models import Event
from treffpunkt.insights.models import MAX_ATTENDEES, EventAttendance


@transaction.atomic
def set_attendees(event: Event, attendees: int | None) -> EventAttendance | None:
    """Remember how many people attended the event (None forgets the number)."""
    if attendees is None:
        EventAttendance.objects.filter(event=event).delete()
        return None
    if not 1 <= attendees <= MAX_ATTENDEES:
        raise ValidationError(_("Enter a number of attendees between 1 and 1,000,000."))
    attendance, _created = EventAttendance.objects.update_or_create(
        event=event, defaults={"attendees": attendees, "updated_at": timezone.now()}
    )
    return attendance
