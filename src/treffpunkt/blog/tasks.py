"""Background work for blogs, run by `treffpunkt worker` (or inside `treffpunkt serve`)."""

from django_tasks import task

from treffpunkt.blog import related


@task()
def recompute_related_posts() -> int:
    """Work out "You may also like" for every visible post again; returns the number of
    suggestions stored."""
    return related.recompute_all()
