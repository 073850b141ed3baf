"""The pages for authors and moderators: followers, settings, reports, blocks."""

import pytest
from django.urls import reverse

from treffpunkt.accounts.models import User
from treffpunkt.federation.actors import actor_for_blog
from treffpunkt.federation.models import Activity, Follower, RemoteActor, Report, Server

from .conftest import PASSWORD


def _remote(number, host="social.example"):
    return RemoteActor.objects.create(
        url=f"https://{host}/users/u{number}",
        host=host,
        username=f"u{number}",
        name=f"Person {number}",
        inbox=f"https://{host}/users/u{number}/inbox",
        shared_inbox=f"https://{host}/inbox",
    )


@pytest.fixture
def moderator(db):
    return User.objects.create_user(
        "mod@example.org", PASSWORD, display_name="Mona", is_moderator=True
    )


def test_authors_see_approve_and_remove_followers(client, blog, author, django_assert_num_queries):
    actor = actor_for_blog(blog)
    waiting = Follower.objects.create(actor=actor, remote=_remote(1), status="pending")
    following = Follower.objects.create(actor=actor, remote=_remote(2))
    client.force_login(author)
    url = reverse("fediverse:blog", kwargs={"blog": blog.slug})
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Person 1" in text and "@u2@social.example" in text
    for number in range(3, 13):
        Follower.objects.create(actor=actor, remote=_remote(number))
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(13, 40):
        Follower.objects.create(actor=actor, remote=_remote(number))
    with django_assert_num_queries(len(few)):
        client.get(url)

    assert client.post(reverse("fediverse:approve", kwargs={"pk": waiting.pk})).status_code == 302
    assert Follower.objects.get(pk=waiting.pk).status == "accepted"
    assert Activity.objects.filter(kind="Accept").exists()
    assert client.post(reverse("fediverse:remove", kwargs={"pk": following.pk})).status_code == 302
    assert not Follower.objects.filter(pk=following.pk).exists()
    assert Activity.objects.filter(kind="Reject").exists()


def test_others_may_not(client, blog, moderator):
    follower = Follower.objects.create(actor=actor_for_blog(blog), remote=_remote(1))
    client.force_login(moderator)
    assert client.get(reverse("fediverse:blog", kwargs={"blog": blog.slug})).status_code == 403
    assert client.post(reverse("fediverse:remove", kwargs={"pk": follower.pk})).status_code == 403
    client.logout()
    assert client.get(reverse("fediverse:blog", kwargs={"blog": blog.slug})).status_code == 302


def test_the_blogs_fediverse_settings(client, blog, author):
    Follower.objects.create(actor=actor_for_blog(blog), remote=_remote(1))
    client.force_login(author)
    url = reverse("fediverse:blog", kwargs={"blog": blog.slug})
    response = client.post(url, {"actor_type": "Person", "manually_approves_followers": "on",
                                 "indexable": "on"})  # fmt: skip
    assert response.status_code == 302
    actor = actor_for_blog(blog)
    assert actor.actor_type == "Person"
    assert actor.manually_approves_followers is True
    assert actor.discoverable is False and actor.indexable is True
    update = Activity.objects.get(kind="Update")
    assert update.payload["object"]["type"] == "Person"
    assert update.deliveries.get().inbox == "https://social.example/inbox"
    bad = client.post(url, {"actor_type": "Group"})
    assert bad.status_code == 400


def test_the_dashboard_and_the_blog_page_show_the_follower_count(client, blog, author):
    actor = actor_for_blog(blog)
    Follower.objects.create(actor=actor, remote=_remote(1))
    Follower.objects.create(actor=actor, remote=_remote(2), status="pending")
    client.force_login(author)
    dashboard = client.get(reverse("blog:my_posts")).content.decode()
    assert "1 Follower" in dashboard and "1 wartet auf Bestätigung" in dashboard
    page = client.get(blog.get_absolute_url()).content.decode()
    assert "1 Follower im Fediverse" in page
    assert reverse("fediverse:blog", kwargs={"blog": blog.slug}) in page


def test_moderators_block_servers_and_see_reports(client, blog, post, moderator):
    Report.objects.create(server="social.example", post=post, text="Bitte prüfen")
    client.force_login(moderator)
    url = reverse("fediverse:moderation")
    page = client.get(url).content.decode()
    assert "Bitte prüfen" in page and post.title in page
    assert client.post(url, {"domain": "spam.example", "reason": "Spam"}).status_code == 302
    server = Server.objects.get(host="spam.example")
    assert server.blocked_at is not None
    assert client.post(url, {"domain": "kein server"}).status_code == 400
    report = Report.objects.get()
    client.post(reverse("fediverse:resolve", kwargs={"pk": report.pk}))
    assert Report.objects.get().resolved_at is not None
    client.post(reverse("fediverse:unblock", kwargs={"pk": server.pk}))
    assert Server.objects.get(pk=server.pk).blocked_at is None
    filter_page = client.get(reverse("moderation:filter")).content.decode()
    assert reverse("fediverse:moderation") in filter_page


def test_authors_cannot_block(client, blog, author):
    client.force_login(author)
    assert client.get(reverse("fediverse:moderation")).status_code == 403
    assert client.post(reverse("fediverse:moderation"), {"domain": "x.example"}).status_code == 403
