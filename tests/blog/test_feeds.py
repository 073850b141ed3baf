"""Feeds parsed with a real feed parser (feedparser), as feed readers do."""

from datetime import timedelta
from urllib.parse import urlsplit

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from .conftest import make_post

pytestmark = pytest.mark.django_db

BASE = "https://treffpunkt.example.org"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = BASE


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.fixture
def posts(blog, author, other_author):
    now = timezone.now()
    first = make_post(blog, author, "Erntezeit im Garten", tags=["Garten", "Herbst"],
                      at=now - timedelta(days=2), body="Die **Kürbisse** sind reif.")  # fmt: skip
    second = make_post(blog, other_author, "Neue Ehrenamtliche", tags=["Ehrenamt"],
                       at=now - timedelta(days=1), body="Willkommen!")  # fmt: skip
    make_post(blog, author, "Noch geheim", published=False)
    return first, second


@pytest.mark.parametrize(
    ("name", "kwargs", "version"),
    [
        ("blog:feed_atom", {}, "atom10"),
        ("blog:feed_rss", {}, "rss20"),
        ("blog:blog_feed_atom", {"blog": "verein"}, "atom10"),
        ("blog:blog_feed_rss", {"blog": "verein"}, "rss20"),
    ],
)
def test_feeds_list_visible_posts_with_absolute_links_and_no_emails(
    client, posts, author, other_author, name, kwargs, version
):
    response, feed = parse(client, reverse(name, kwargs=kwargs))
    assert feed.version == version
    assert [entry.title for entry in feed.entries] == ["Neue Ehrenamtliche", "Erntezeit im Garten"]
    first = feed.entries[1]
    assert first.link == f"{BASE}{posts[0].get_absolute_url()}"
    assert first.author == "Ada Autorin" if version == "atom10" else True
    assert {tag.term for tag in first.tags} == {"Garten", "Herbst"}
    assert first.summary == "Die Kürbisse sind reif."
    assert first.published_parsed is not None
    assert urlsplit(feed.feed.link).netloc == "treffpunkt.example.org"
    body = response.content.decode()
    assert author.email not in body and other_author.email not in body
    assert "@" not in body.replace("@example.org", "")  # no address of anyone at all
    assert "Noch geheim" not in body
    for link in [entry.link for entry in feed.entries] + [feed.feed.link]:
        assert link.startswith(f"{BASE}/")


def test_atom_feed_names_authors_and_update_times(client, posts):
    _response, feed = parse(client, reverse("blog:feed_atom"))
    entry = feed.entries[0]
    assert entry.author_detail.name == "Ben Zweiter"
    assert "email" not in entry.author_detail
    assert entry.updated_parsed is not None
    assert entry.id != entry.link  # the id survives a changed address
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"{BASE}/b/feed/atom/"]


def test_tag_feed_lists_only_that_tag(client, posts):
    _response, feed = parse(client, reverse("blog:tag_feed_atom", kwargs={"tag": "ehrenamt"}))
    assert [entry.title for entry in feed.entries] == ["Neue Ehrenamtliche"]
    _response, feed = parse(client, reverse("blog:tag_feed_rss", kwargs={"tag": "garten"}))
    assert [entry.title for entry in feed.entries] == ["Erntezeit im Garten"]


def test_feed_of_unknown_blog_or_tag_is_not_found(client, blog):
    assert client.get(reverse("blog:blog_feed_atom", kwargs={"blog": "nichts"})).status_code == 404
    assert client.get(reverse("blog:tag_feed_rss", kwargs={"tag": "nichts"})).status_code == 404


def test_feed_query_count_does_not_grow(client, blog, author, django_assert_num_queries):
    make_post(blog, author, "Eins", tags=["A", "B"])
    client.get(reverse("blog:feed_atom"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("blog:feed_atom"))
    for number in range(15):
        make_post(blog, author, f"Mehr {number}", tags=["A", f"T{number}"])
    with django_assert_num_queries(len(one)):
        client.get(reverse("blog:feed_atom"))
