"""“You may also like”: suggestions from a small bilingual corpus on three topics."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.blog.corpus import POSTS, build_corpus, publish
from treffpunkt.blog import actions
from treffpunkt.blog.models import Post, RelatedPost
from treffpunkt.blog.related import related_posts
from treffpunkt.blog.tasks import recompute_related_posts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inside the call that enqueues them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def blog(admin_user):
    return actions.create_blog(title="Nachbarschaft", authors=[admin_user])


@pytest.fixture
def corpus(admin_user, blog, django_capture_on_commit_callbacks, settings):
    # Publishing 21 posts would work out all suggestions 42 times; the background runs
    # once at the end instead, as a worker catching up would.
    immediate = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        topics = build_corpus(admin_user, blog)
    settings.TASKS = immediate
    recompute_related_posts.enqueue()
    return topics


def suggested_ids(post_id):
    return list(
        RelatedPost.objects.filter(post_id=post_id)
        .order_by("rank")
        .values_list("related_id", flat=True)
    )


def test_each_post_gets_three_suggestions_on_its_topic(corpus):
    assert len(corpus) == len(POSTS)
    for post_id, topic in corpus.items():
        suggestions = suggested_ids(post_id)
        title = Post.objects.get(pk=post_id).title
        assert len(suggestions) == 3, title
        assert post_id not in suggestions
        assert [corpus[other] for other in suggestions] == [topic] * 3, title


def test_the_best_suggestion_is_in_the_posts_language(corpus):
    for post in Post.objects.filter(pk__in=corpus):
        assert related_posts(post)[0].language == post.language, post.title


def test_of_two_equally_close_posts_the_one_in_the_same_language_wins(
    admin_user, blog, django_capture_on_commit_callbacks
):
    # Names stem alike in both languages, so the two candidates differ only in language.
    text = {"body": "Velothon Zwickau Kettenblatt Speichenrad", "tags": "Velothon"}
    with django_capture_on_commit_callbacks(execute=True):
        english = publish(admin_user, blog, title="Velothon Zwickau", language="en", **text)
        german = publish(admin_user, blog, title="Velothon Zwickau", language="de", **text)
        post = publish(admin_user, blog, title="Velothon Zwickau", language="de", **text)
    assert related_posts(post) == [german, english]
    first, second = RelatedPost.objects.filter(post=post).order_by("rank")
    assert second.score < first.score


def test_scores_are_stored_best_first(corpus):
    post_id = next(iter(corpus))
    scores = list(
        RelatedPost.objects.filter(post_id=post_id).order_by("rank").values_list("score", flat=True)
    )
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)


def test_drafts_and_scheduled_posts_are_never_suggested(
    admin_user, blog, corpus, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = actions.save_post(
            editor=admin_user,
            blog=blog,
            title="Gemeinschaftsgarten: Beete, Tomaten und Kompost",
            body="Entwurf über den Gemeinschaftsgarten, die Beete, Tomaten und Bohnen.",
            tags="Garten, Urban Gardening",
        )
        scheduled = publish(
            admin_user,
            blog,
            title="Gärten, Beete und Kompost im Gemeinschaftsgarten",
            body="Geplant: Tomaten, Bohnen und Zucchini in den Beeten im Garten.",
            tags="Garten, Urban Gardening",
            at=timezone.now() + timedelta(days=3),
        )
    hidden = {draft.id, scheduled.id}
    assert not RelatedPost.objects.filter(related_id__in=hidden).exists()
    assert not RelatedPost.objects.filter(post_id__in=hidden).exists()
    garden_post = Post.objects.get(title="Unser Gemeinschaftsgarten wächst")
    assert not hidden & {p.id for p in related_posts(garden_post)}


def test_suggestions_follow_when_a_post_is_unpublished_or_changed(
    admin_user, corpus, django_capture_on_commit_callbacks
):
    garden = Post.objects.get(title="Unser Gemeinschaftsgarten wächst")
    before = suggested_ids(garden.id)
    gone = Post.objects.get(pk=before[0])

    with django_capture_on_commit_callbacks(execute=True):
        actions.unpublish_post(gone, editor=admin_user)
    after = suggested_ids(garden.id)
    assert gone.id not in after
    assert not RelatedPost.objects.filter(related_id=gone.id).exists()
    assert not RelatedPost.objects.filter(post_id=gone.id).exists()
    assert len(after) == 3
    assert {corpus[other] for other in after} == {corpus[garden.id]}

    # Rewritten to be about bicycles, a post moves to that topic's suggestions.
    workshop = Post.objects.get(title="Offene Fahrradwerkstatt")
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_post(
            editor=admin_user,
            post=garden,
            title="Fahrräder reparieren in der Werkstatt",
            body="Wir flicken Schläuche, stellen Bremsen ein und ölen die Kette am Fahrrad.",
            tags="Fahrrad, Werkstatt",
        )
    assert workshop.id in suggested_ids(garden.id)
    assert {corpus[other] for other in suggested_ids(garden.id)} == {"bicycle"}


def test_a_deleted_post_leaves_the_suggestions(
    admin_user, corpus, django_capture_on_commit_callbacks
):
    garden = Post.objects.get(title="Unser Gemeinschaftsgarten wächst")
    first = Post.objects.get(pk=suggested_ids(garden.id)[0])
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_post(first, editor=admin_user)
    assert first.id not in suggested_ids(garden.id)
    assert len(suggested_ids(garden.id)) == 3


def test_a_single_post_has_no_suggestions(admin_user, blog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(admin_user, blog, title="Allein", body="Der erste Beitrag.")
    assert related_posts(post) == []


def test_rebuild_command_works_everything_out_again(corpus):
    RelatedPost.objects.all().delete()
    call_command("rebuild_blog_index", stdout=open(__import__("os").devnull, "w"))  # noqa: SIM115
    assert RelatedPost.objects.count() == 3 * len(corpus)


def test_changes_queue_one_background_recomputation_that_does_the_work(
    admin_user, blog, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """With the database backend the work waits for the worker; of several runs queued by
    several changes, only the last one works out the suggestions."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        first = publish(admin_user, blog, title="Beete", body="Tomaten und Bohnen im Garten.")
        second = publish(admin_user, blog, title="Gartenbeete", body="Bohnen im Garten.")
    queued = DBTaskResult.objects.filter(task_path=recompute_related_posts.module_path)
    assert queued.count() == 4  # saved and published, twice
    assert not RelatedPost.objects.exists()

    # The worker recycles database connections between tasks, which would end the test's
    # transaction on PostgreSQL.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert sorted(queued.values_list("status", "return_value")) == [
        ("SUCCESSFUL", 0),
        ("SUCCESSFUL", 0),
        ("SUCCESSFUL", 0),
        ("SUCCESSFUL", 2),
    ]
    assert related_posts(first) == [second]
    assert related_posts(second) == [first]


def test_a_scheduled_post_queues_a_recomputation_for_its_publication_time(
    admin_user, blog, settings, django_capture_on_commit_callbacks
):
    """It appears by itself; the worker works out suggestions again when it does."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        publish(admin_user, blog, title="Bald", body="Erntefest im Garten.", at=at)
    queued = DBTaskResult.objects.filter(task_path=recompute_related_posts.module_path)
    # Now (for the draft being saved and the publishing) and at the publication time.
    deferred = queued.exclude(pk__in=queued.ready())
    assert set(deferred.values_list("run_after", flat=True)) == {at}
    assert queued.ready().exists()


def test_a_post_that_is_gone_already_is_simply_dropped(admin_user, blog):
    from treffpunkt.blog import indexing

    post = publish(admin_user, blog, title="Kurz da", body="Weg.")
    post_id = post.id
    post.delete()
    indexing.post_changed(post_id)  # the hook of an edit that lost the race with a delete
    assert not RelatedPost.objects.exists()
