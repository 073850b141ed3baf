from datetime import timedelta

import pytest
from django.utils import timezone

from treffpunkt.accounts.models import User
from treffpunkt.blog.models import Blog, Post

PASSWORD = "a-long-test-pass-42"
BASE = "https://treffpunkt.example.org"
AP = "application/activity+json"


@pytest.fixture
def fed_settings(settings):
    settings.BASE_URL = BASE
    settings.BASE_HOST = "treffpunkt.example.org"
    settings.ALLOWED_HOSTS = ["treffpunkt.example.org", "testserver", "127.0.0.1", "localhost"]
    settings.FEDERATION = True
    settings.FEDERATION_AUTHORIZED_FETCH = False
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings


@pytest.fixture
def author(db):
    return User.objects.create_user(
        "autorin@example.org", PASSWORD, display_name="Anna Autorin", is_author=True
    )


@pytest.fixture
def blog(author, fed_settings):
    blog = Blog.objects.create(
        title="Aus der Werkstatt", slug="werkstatt", description="Was wir *bauen*."
    )
    blog.authors.add(author)
    return blog


@pytest.fixture
def make_post(blog, author):
    def make(title="Offene Runden", slug=None, **fields):
        values = {
            "blog": blog,
            "author": author,
            "title": title,
            "slug": slug or title.lower().replace(" ", "-"),
            "body": "Ein Text.",
            "body_html": "<p>Ein Text.</p>",
            "summary": "Ein Text.",
            "status": Post.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(days=1),
        }
        values.update(fields)
        return Post.objects.create(**values)

    return make


@pytest.fixture
def post(make_post):
    return make_post()


@pytest.fixture(autouse=True)
def _fresh_block_list():
    """Each process keeps the blocked servers for a few seconds; tests start afresh."""
    from treffpunkt.federation.remote import forget_blocked_hosts

    forget_blocked_hosts()
    yield
    forget_blocked_hosts()


@pytest.fixture
def remote(fed_settings):
    """Another fediverse server on loopback (tests/federation/fake_remote.py)."""
    from . import fake_remote

    fed_settings.FEDERATION_ALLOW_PRIVATE = ["127.0.0.0/8"]
    fake = fake_remote.start()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def send(client, remote, django_capture_on_commit_callbacks):
    """POST a signed activity to the shared inbox; the worker's task runs on commit."""

    def post(activity, path="/ap/inbox", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return remote.signed_post(client, path, activity, base=BASE, **kwargs)

    return post
