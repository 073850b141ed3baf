"""Background work for blogs, run by `treffpunkt worker` (or inside `treffpunkt serve`)."""

from django_tasks import TaskContext, task

from treffpunkt.blog import related


@task(takes_context=True)
def recompute_related_posts(context: TaskContext) -> int:
    """Work out "You may also like" for every visible post again; returns the number of
    suggestions stored (0 when a run still waiting will do it)."""
    if _another_run_waits(context):
        return 0
    return related.recompute_all()


def _another_run_waits(context: TaskContext) -> bool:
    """True when another run of this task is queued and due: it starts later, so it sees
    every change this one would, and this one can step aside. Publishing a dozen posts (or
    renaming a blog) then costs one recomputation, not a dozen. Only the database backend
    can be asked; with others every run works."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(recompute_related_posts.get_backend(), DatabaseBackend):
        return False
    return (
        DBTaskResult.objects.ready()
        .filter(task_path=recompute_related_posts.module_path)
        .exclude(id=context.task_result.id)
        .exists()
    )


@task()
def announce_scheduled_post(post_id: int, published_at: str) -> bool:
    """A post scheduled for later appears now: tell the site (page cache, fediverse)."""
    from treffpunkt.blog.actions import announce_scheduled_post as announce

    return announce(post_id, published_at)
