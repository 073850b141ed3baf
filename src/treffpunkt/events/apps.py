from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "treffpunkt.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from treffpunkt.core import home_sections, live, schedule, usernames
        from treffpunkt.events import actions, feeds
        from treffpunkt.events.home import upcoming_events_section
        from treffpunkt.events.models import Event, hashtag_key

        home_sections.register("events", upcoming_events_section, order=10)
        # A stopping server ends the open wall streams at once (see core.live.shut_down).
        live.on_shutdown(feeds.end_all_streams)
        # Photos kept for a refused post's next try live two hours.
        schedule.every(3600, "remove kept photos", actions.delete_old_kept_photos)
        # An event's hashtag is its fediverse username (its actor comes with issue 12).
        usernames.register(
            "event",
            lambda name: Event.objects.filter(hashtag_key=hashtag_key(name)).values_list(
                "pk", flat=True
            ),
        )
