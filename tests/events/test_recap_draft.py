"""An organizer turns an event's recap into a blog draft."""

import pytest
from django.urls import reverse

from tests.submitting import post_to_wall
from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import create_blog
from treffpunkt.blog.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog(admin_user):
    return create_blog(title="Aus dem Verein", authors=[admin_user])


def test_the_recap_becomes_a_draft_with_the_posts_and_the_hashtag(admin_client, event, guest, blog):
    post_to_wall(event=event, participant=guest, text="Die Pause war zu kurz.")
    recap = admin_client.get(reverse("events:recap", args=[event.hashtag]))
    assert "Aus dem Verein" in recap.content.decode()

    response = admin_client.post(
        reverse("events:recap_to_draft", args=[event.hashtag]), {"blog": blog.pk}
    )

    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("blog:edit", args=[post.pk])
    assert post.state == "draft"
    assert post.title == event.title
    assert "Die Pause war zu kurz." in post.body
    assert not post.body.startswith("# ")  # the title is the post's own field
    assert [tag.name for tag in post.tags.all()] == [event.hashtag]

    # A second click opens the same draft instead of making another.
    again = admin_client.post(
        reverse("events:recap_to_draft", args=[event.hashtag]), {"blog": blog.pk}
    )
    assert again["Location"] == response["Location"]
    assert Post.objects.count() == 1


def test_only_organizers_who_write_in_that_blog_may(client, event, blog, password):
    organizer_elsewhere = User.objects.create_user(
        "orga@example.org", password, is_organizer=True, is_author=True
    )
    event.organizers.add(organizer_elsewhere)
    client.force_login(organizer_elsewhere)
    assert (
        "recap_to_draft"
        not in client.get(reverse("events:recap", args=[event.hashtag])).content.decode()
    )

    response = client.post(
        reverse("events:recap_to_draft", args=[event.hashtag]), {"blog": blog.pk}
    )

    assert response.status_code == 403
    assert not Post.objects.exists()


def test_a_reader_sees_no_draft_button_and_cannot_post(client, event, blog):
    page = client.get(reverse("events:recap", args=[event.hashtag]))
    assert reverse("events:recap_to_draft", args=[event.hashtag]) not in page.content.decode()
    response = client.post(
        reverse("events:recap_to_draft", args=[event.hashtag]), {"blog": blog.pk}
    )
    assert response.status_code == 403
    assert not Post.objects.exists()
