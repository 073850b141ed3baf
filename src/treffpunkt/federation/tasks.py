"""Background work of the fediverse, run by `treffpunkt worker` (or inside `treffpunkt serve`).
Tasks get ids, never rows; each one is safe to run twice."""

from django_tasks import task

from treffpunkt.federation import delivery, hashtags, inbox


@task()
def deliver(delivery_id: int) -> bool:
    """Send one delivery (federation.delivery); True when the server took it now."""
    return delivery.deliver(delivery_id)


@task()
def process_inbox_item(item_id: int) -> str:
    """Process one received activity (federation.inbox); what became of it."""
    return inbox.process_item(item_id)


@task()
def read_hashtag_feed(feed_id: int) -> str:
    """Read one event's hashtag timeline on one server once (federation.hashtags)."""
    return hashtags.read_feed(feed_id)
