"""Searching the blogs in the browser, and the "You may also like" list under a post.

Visited in English (/en/) so the test does not depend on the German catalog; the posts are
German and English, from the bilingual fixture corpus.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.blog.corpus import build_corpus, publish
from treffpunkt.accounts.models import User
from treffpunkt.blog import related
from treffpunkt.blog.actions import create_blog
from treffpunkt.blog.models import Post

from .helpers import Browsing

pytestmark = pytest.mark.e2e


@pytest.fixture
def corpus(transactional_db: None, settings) -> dict[int, str]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    author = User.objects.create_user(
        "autorin@example.org", "a-long-test-pass-42", display_name="Ada Autorin"
    )
    author.set_roles(["author"])
    author.save()
    blog = create_blog(title="Nachbarschaft", slug="nachbarschaft", authors=[author])
    topics = build_corpus(author, blog)
    # Enough posts about beds for a second page of results.
    for number in range(1, 10):
        publish(
            author,
            blog,
            title=f"Beet Nummer {number}",
            body="Im <Hochbeet> wachsen Kräuter, Salat und Radieschen.",
            tags="Garten",
        )
    related.recompute_all()
    return topics


def test_a_reader_searches_and_finds_related_posts(
    browsing: Browsing, page: Page, corpus: dict[int, str]
) -> None:
    page.goto("/en/search/")
    browsing.check(page, "search-empty")
    main = page.get_by_role("main")
    main.get_by_label("Search for").fill("Kompost")
    main.get_by_role("button", name="Search").click()
    page.wait_for_url("**/en/search/?q=*")
    expect(main.get_by_role("status")).to_have_text("2 posts found")
    expect(main.locator("mark").first).to_be_visible()
    browsing.check(page, "search-results")

    main.get_by_label("Search for").fill("Garten")
    main.get_by_label("Search for").press("Enter")
    page.wait_for_url("**q=Garten")
    expect(main.get_by_role("status")).to_have_text("13 posts found")
    expect(main.get_by_text("Page 1 of 2")).to_be_visible()
    main.get_by_role("link", name="More results").click()
    page.wait_for_url("**page=2")
    expect(main.locator("article")).to_have_count(3)
    browsing.check(page, "search-page-2")

    page.evaluate("document.querySelector('#id_q').removeAttribute('maxlength')")
    main.get_by_label("Search for").fill("Garten " * 30)
    main.get_by_role("button", name="Search").click()
    expect(main.get_by_role("alert")).to_contain_text("at most 200 characters")
    browsing.check(page, "search-too-long")

    main.get_by_label("Search for").fill("Fahrradwerkstatt")
    main.get_by_role("button", name="Search").click()
    main.get_by_role("link", name="Offene Fahrradwerkstatt").click()
    suggestions = page.get_by_role("region", name="You may also like")
    expect(suggestions.get_by_role("link")).to_have_count(3)
    workshop = Post.objects.get(title="Offene Fahrradwerkstatt")
    for post in related.related_posts(workshop):
        assert corpus[post.id] == "bicycle"
        expect(suggestions.get_by_role("link", name=post.title)).to_be_visible()
    browsing.check(page, "post-with-suggestions")
