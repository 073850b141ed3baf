"""What `treffpunkt federation status` prints: per actor its followers and their servers,
and the deliveries queued and failed, and the servers marked unreachable or blocked."""

from __future__ import annotations

from django.db.models import Count, Q

from treffpunkt.federation.actors import handle
from treffpunkt.federation.models import Delivery, InboxItem, LocalActor, Server


def status_lines() -> list[str]:
    lines = []
    actors = (
        LocalActor.objects.filter(kind=LocalActor.Kind.BLOG)
        .select_related("blog")
        .annotate(
            following_here=Count("followers", filter=Q(followers__status="accepted")),
            waiting=Count("followers", filter=Q(followers__status="pending")),
            servers=Count("followers__remote__host", distinct=True),
        )
        .order_by("blog__slug")
    )
    lines.append("Actors:")
    for actor in actors:
        lines.append(
            f"  {handle(actor)}: {actor.following_here} followers on {actor.servers} servers"
            + (f", {actor.waiting} waiting for approval" if actor.waiting else "")
        )
    if not actors:
        lines.append("  none yet (a blog's actor is made when it is first looked up)")
    counts = dict(
        Delivery.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    lines.append(
        "Deliveries: "
        f"{counts.get(Delivery.Status.WAITING, 0)} queued, "
        f"{counts.get(Delivery.Status.SENT, 0)} sent, "
        f"{counts.get(Delivery.Status.FAILED, 0)} failed, "
        f"{counts.get(Delivery.Status.SKIPPED, 0)} skipped"
    )
    waiting = InboxItem.objects.filter(status=InboxItem.Status.WAITING).count()
    failed = InboxItem.objects.filter(status=InboxItem.Status.FAILED).count()
    lines.append(f"Inbox: {waiting} waiting, {failed} failed")
    unreachable = list(Server.objects.filter(unreachable=True).values_list("host", flat=True))
    lines.append(f"Unreachable servers: {', '.join(unreachable) or 'none'}")
    blocked = Server.objects.filter(blocked_at__isnull=False).count()
    lines.append(f"Blocked servers: {blocked}")
    return lines
