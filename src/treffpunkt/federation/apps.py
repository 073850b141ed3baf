from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "treffpunkt.federation"
    label = "federation"
    verbose_name = _("Fediverse")

    def ready(self) -> None:
        from treffpunkt.core import changes, page_parts, schedule
        from treffpunkt.federation import backfill, delivery, inbox, listeners, pages, remote

        # Blogs and comments announce their changes; the fediverse hears them here and
        # queues what goes out (docs/architecture.md, "Change announcements").
        changes.listen(listeners.heard)
        # Rows a task lost (a worker killed mid-way) are picked up again by these sweeps.
        schedule.every(30, "federation-deliveries", delivery.queue_due_deliveries)
        schedule.every(30, "federation-inbox", inbox.queue_waiting_items)
        schedule.every(3600, "federation-actor-cache", remote.forget_unneeded_actors)
        schedule.every(1800, "federation-backfill", backfill.backfill_replies)
        page_parts.register("blog_aside", "fediverse-follow", pages.follow_box)
        from treffpunkt.federation import event_pages, hashtags

        # Event walls: hashtag timelines read while events run, the relay followed.
        schedule.every(1, "hashtag-feeds", hashtags.queue_due_feeds)
        event_pages.register()
        page_parts.register("post_footer", "fediverse-reactions", pages.reaction_counts)
        page_parts.register("author_dashboard", "fediverse", pages.author_dashboard)
        page_parts.register("filter_page", "fediverse", pages.filter_page)
        page_parts.register("privacy_policy", "fediverse", pages.privacy_note)
