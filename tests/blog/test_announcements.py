"""What blog actions announce (core.changes), which the page cache and the fediverse hear."""

from datetime import timedelta

import pytest
from django.utils import timezone

from treffpunkt.blog import actions, tasks
from treffpunkt.blog.models import Post
from treffpunkt.core import changes

from .conftest import make_post


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """Every announcement made in the test, as (subject, verb, id) after its commit."""
    seen: list[changes.Change] = []
    changes.listen(seen.append)
    yield seen
    changes._listeners.remove(seen.append)


def said(heard, subject="post"):
    return [(c.verb, c.object_id) for c in heard if c.subject == subject]


@pytest.mark.django_db
def test_a_post_announces_publication_edits_and_removal(
    blog, author, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = actions.save_post(editor=author, blog=blog, title="Entwurf", body="Noch geheim.")
    assert said(heard) == []  # a draft changes nothing readers see

    with django_capture_on_commit_callbacks(execute=True):
        post = actions.publish_post(draft, editor=author)
        actions.save_post(editor=author, post=post, title="Entwurf", body="Jetzt öffentlich.")
        actions.unpublish_post(post, editor=author)
        actions.publish_post(post, editor=author)
        actions.delete_post(Post.objects.get(pk=post.pk), editor=author)
    assert said(heard) == [
        ("published", post.pk),
        ("updated", post.pk),
        ("unpublished", post.pk),
        ("published", post.pk),
        ("deleted", post.pk),
    ]
    assert all(change.public_pages and change.data == {"blog": blog.pk} for change in heard)


@pytest.mark.django_db
def test_a_scheduled_post_is_announced_when_its_time_comes(
    blog, author, heard, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(blog, author, "Später", at=later)
    assert said(heard) == []
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get(task_path=tasks.announce_scheduled_post.module_path)
    assert queued.run_after == later
    # Too early (or moved meanwhile): nothing; at its time: announced once.
    with django_capture_on_commit_callbacks(execute=True):
        assert not actions.announce_scheduled_post(post.pk, later.isoformat())
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    post.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert not actions.announce_scheduled_post(post.pk, later.isoformat())  # moved
        assert actions.announce_scheduled_post(post.pk, post.published_at.isoformat())
    assert said(heard) == [("published", post.pk)]


@pytest.mark.django_db
def test_blogs_announce_their_changes(blog, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_blog(blog, slug="neu")
    assert said(heard, "blog") == [("updated", blog.pk)]
    assert heard[-1].data == {"old_slug": "verein"}
