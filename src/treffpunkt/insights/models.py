from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treffpunkt.events.models import Event

# More people than this at one event is a typing mistake (the largest halls hold fewer).
MAX_ATTENDEES = 1_000_000


class EventAttendance(models.Model):
    """How many people attended an event, as its organizers counted them: with it the
    insights show contributors per attendee. A number only, nobody's name."""

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    attendees = models.PositiveIntegerField(_("attendees"))
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.attendees}"
