from datetime import timedelta

import pytest
from django.utils import timezone

from treffpunkt.accounts.models import User
from treffpunkt.blog.models import Blog, Post
from treffpunkt.core.actions import participant_for_guest, participant_for_member

PASSWORD = "a-long-test-pass-42"


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    # Tasks run at once, so the emails are in mail.outbox when the request returns.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TREFFPUNKT_BASE_URL = "https://treffpunkt.example.org"
    settings.BASE_URL = "https://treffpunkt.example.org"


@pytest.fixture
def author(db):
    return User.objects.create_user(
        "autorin@example.org", PASSWORD, display_name="Anna Autorin", is_author=True
    )


@pytest.fixture
def blog(author):
    blog = Blog.objects.create(title="Aus der Werkstatt", slug="werkstatt")
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
            "status": Post.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(days=1),
        }
        values.update(fields)
        return Post.objects.create(**values)

    return make


@pytest.fixture
def post(make_post):
    return make_post()


@pytest.fixture
def guest(db):
    return participant_for_guest("a" * 32, display_name="Gerda Gast", email="gerda@example.org")


@pytest.fixture
def other_guest(db):
    return participant_for_guest("b" * 32, display_name="Otto", email="otto@example.org")


@pytest.fixture
def author_participant(author):
    return participant_for_member(author)


@pytest.fixture
def moderator(db):
    return User.objects.create_user(
        "moderator@example.org", PASSWORD, display_name="Mona Moderatorin", is_moderator=True
    )
