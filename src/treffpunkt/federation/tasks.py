"""Background work of the fediverse, run by `treffpunkt worker` (or inside `treffpunkt serve`).
Tasks get ids, never rows; each one is safe to run twice."""

from django_tasks import task

from treffpunkt.federation import delivery, inbox


@task()
def deliver(delivery_id: int) -> bool:
    """Send one delivery (federation.delivery); True when the server took it now."""
    return delivery.deliver(delivery_id)


@task()
def process_inbox_item(item_id: int) -> str:
    """Process one received activity (federation.inbox); what became of it."""
    return inbox.process_item(item_id)
