from datetime import UTC, datetime, timedelta

import pytest

from treffpunkt.accounts.models import User
from treffpunkt.blog.models import Blog, Post
from treffpunkt.comments.models import Comment
from treffpunkt.core.actions import participant_for_guest, participant_for_member
from treffpunkt.core.models import Participant
from treffpunkt.events.actions import create_event
from treffpunkt.events.models import Contribution

PASSWORD = "a-long-test-pass-42"
START = datetime(2026, 3, 14, 9, tzinfo=UTC)


@pytest.fixture
def organizer(db):
    return User.objects.create_user(
        "orga@example.org", PASSWORD, display_name="Olga Organisatorin", is_organizer=True
    )


@pytest.fixture
def event(organizer):
    return create_event(
        organizer=organizer,
        title="Jahrestreffen 2026",
        hashtag="Jahrestreffen",
        starts_at=START,
        ends_at=START + timedelta(hours=8),
        place="Gemeindehaus",
        visibility="public",
        moderation="post",
        guiding_question="Was nehmen Sie mit?",
    )


@pytest.fixture
def guests(db):
    """Twelve guests with names that must never appear on an insights page."""
    return [
        participant_for_guest(f"{index:032x}", display_name=f"Gastname{index}")
        for index in range(1, 13)
    ]


@pytest.fixture
def post_on_wall():
    def post(event, participant, minutes, state=Contribution.State.VISIBLE):
        return Contribution.objects.create(
            event=event,
            participant=participant,
            text="Ein Gedanke",
            state=state,
            created_at=event.starts_at + timedelta(minutes=minutes),
        )

    return post


@pytest.fixture
def author(db):
    return User.objects.create_user(
        "autorin@example.org", PASSWORD, display_name="Anna Autorin", is_author=True
    )


@pytest.fixture
def blog(author):
    blog = Blog.objects.create(title="Aus der Werkstatt", slug="werkstatt")
    blog.authors.add(author)
    participant_for_member(author)
    return blog


@pytest.fixture
def make_post(blog, author):
    def make(title, published_at, **fields):
        values = {
            "blog": blog,
            "author": author,
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "body": "Ein Text.",
            "status": Post.Status.PUBLISHED,
            "published_at": published_at,
        }
        values.update(fields)
        return Post.objects.create(**values)

    return make


@pytest.fixture
def comment_on():
    def comment(post, participant, at, parent=None, status=Comment.Status.APPROVED, **fields):
        return Comment.objects.create(
            post=post,
            participant=participant,
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            author_name=participant.public_name if participant else "",
            body="Danke!",
            status=status,
            created_at=at,
            **fields,
        )

    return comment


def member_participant(user: User) -> Participant:
    return participant_for_member(user)
