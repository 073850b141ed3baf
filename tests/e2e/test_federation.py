"""The fediverse in the browser: a reader finds the handle and the way to follow from their
own server; an author approves a follower and sets how the blog shows there."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import create_blog
from treffpunkt.federation.actors import actor_for_blog, domain
from treffpunkt.federation.models import Follower, RemoteActor

from .helpers import Browsing
from .test_spam_filter import logged_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def blog(transactional_db: None, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    author = User.objects.create_user(
        "autorin@example.org", "a-long-test-pass-42", display_name="Ada Autorin"
    )
    author.set_roles(["author"])
    author.save()
    blog = create_blog(title="Werkstatt", slug="werkstatt", authors=[author])
    actor = actor_for_blog(blog)
    actor.manually_approves_followers = True
    actor.save()
    remote = RemoteActor.objects.create(
        url="https://social.example/users/mia", host="social.example", username="mia",
        name="Mia", profile_url="https://social.example/@mia",
        inbox="https://social.example/users/mia/inbox",
    )  # fmt: skip
    Follower.objects.create(actor=actor, remote=remote, status="pending")
    return blog


def test_a_reader_follows_from_their_server(browsing: Browsing, page: Page, blog) -> None:
    page.goto("/en/b/werkstatt/")
    box = page.get_by_role("region", name="Follow from the fediverse")
    expect(box).to_contain_text("@werkstatt@")
    box.get_by_label("Or enter your server").fill("mastodon.example")
    browsing.check(page, "blog-follow-box")
    box.get_by_role("button", name="Follow").click()
    page.wait_for_url("**/en/fediverse/follow/werkstatt/?server=*")
    link = page.get_by_role("link", name="Continue on mastodon.example")
    account = quote(f"werkstatt@{domain()}")  # the site's public address, not the test's port
    expect(link).to_have_attribute(
        "href", f"https://mastodon.example/authorize_interaction?uri={account}"
    )
    browsing.check(page, "remote-follow")


def test_an_author_approves_a_follower(browsing: Browsing, page: Page, blog) -> None:
    author = User.objects.get(email="autorin@example.org")
    logged_in(browsing, page, author)
    page.goto("/en/fediverse/blog/werkstatt/")
    waiting = page.get_by_role("region", name="Waiting for approval")
    expect(waiting).to_contain_text("Mia")
    browsing.check(page, "followers")
    waiting.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("region", name=re.compile(r"^Followers"))).to_contain_text("Mia")
    page.get_by_label("Person").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Changes saved")
    assert actor_for_blog(blog).actor_type == "Person"
    browsing.check(page, "followers-saved")
