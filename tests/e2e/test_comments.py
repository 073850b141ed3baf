"""Comments in the browser: a reader comments from a phone as a guest and sees the comment
held; the author approves it in the queue, and then everyone sees it."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from tests.submitting import comment_on_post
from treffpunkt.accounts.models import User
from treffpunkt.blog.models import Blog, Post

from .helpers import VIEWPORTS, Browsing, Viewport

pytestmark = pytest.mark.e2e

PHONE = next(v for v in VIEWPORTS if v.name == "phone")
DESKTOP = next(v for v in VIEWPORTS if v.name == "desktop")
COMMENT = "Danke für die offenen Worte! Bei uns im Team hilft eine Runde ohne Tagesordnung."


@pytest.fixture
def viewport() -> Viewport:
    return PHONE


@pytest.fixture(autouse=True)
def _no_minimum_time(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0


@pytest.fixture
def author(db, password: str) -> User:
    return User.objects.create_user(
        "autorin@example.org", password, display_name="Anna Autorin", is_author=True
    )


@pytest.fixture
def post(author: User) -> Post:
    blog = Blog.objects.create(title="Aus der Werkstatt", slug="werkstatt")
    blog.authors.add(author)
    return Post.objects.create(
        blog=blog,
        author=author,
        title="Warum wir offene Runden eingeführt haben",
        slug="offene-runden",
        body="Seit einem Jahr treffen wir uns einmal im Monat ohne Tagesordnung.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=2),
    )


def english(path_maker) -> str:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        return str(path_maker())


def test_guest_comment_is_held_then_approved_by_the_author(
    browsing: Browsing, page: Page, author: User, password: str, post: Post
) -> None:
    url = english(post.get_absolute_url)

    # A reader on a phone leaves a comment.
    assert page.goto(url).status == 200  # type: ignore[union-attr]
    browsing.check(page, "post")
    form = page.locator("#respond")
    expect(form.get_by_role("heading", name="Leave a reply")).to_be_visible()
    expect(form).to_contain_text("Your email address will not be published.")
    form.get_by_role("textbox", name="Comment").fill(COMMENT)
    form.get_by_role("textbox", name="Name").fill("Jana Schulte")
    form.get_by_role("textbox", name="Email").fill("jana@example.org")
    form.get_by_label("Notify me of replies by email").check()
    form.get_by_role("button", name="Post comment").click()

    # Back on the post: the comment is there for them, marked as waiting.
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    held = page.locator(".comment--pending")
    expect(held).to_contain_text(COMMENT)
    expect(held).to_contain_text("Your comment is awaiting moderation")
    expect(page.get_by_role("status")).to_contain_text("awaiting moderation")
    assert "jana@example.org" not in page.content()
    browsing.check(page, "comment-held")

    # Another reader does not see it.
    stranger = browsing.new_page()
    stranger.goto(url)
    expect(stranger.get_by_text(COMMENT)).to_have_count(0)

    # The author logs in and approves it in the queue.
    desk = browsing.new_page(DESKTOP)
    desk.goto("/en/accounts/login/")
    main = desk.get_by_role("main")
    main.get_by_label("Email address").fill(author.email)
    main.get_by_label(re.compile("^Password")).fill(password)
    main.get_by_role("button", name="Log in").click()
    expect(desk).not_to_have_url(re.compile("/login/"))
    desk.goto("/en/comments/moderate/")
    item = desk.locator(".queue-item", has_text=COMMENT)
    expect(item).to_contain_text("first comment under this name and email address")
    expect(item).not_to_contain_text("jana@example.org")  # authors do not see addresses
    browsing.check(desk, "queue")
    item.get_by_role("button", name="Approve").click()
    expect(desk.get_by_role("status")).to_contain_text("1 comment changed.")
    expect(desk.locator(".queue-item", has_text=COMMENT)).to_have_count(0)
    browsing.check(desk, "queue-empty")

    # Now everyone sees it, and nobody is told it is waiting.
    stranger.reload()
    expect(stranger.locator(".comment", has_text=COMMENT)).to_be_visible()
    expect(stranger.get_by_text("awaiting moderation")).to_have_count(0)
    expect(stranger.get_by_role("heading", name="1 comment")).to_be_visible()

    # The reply link moves the form under the comment (JavaScript), and a reply works.
    stranger.get_by_role("link", name=re.compile("^Reply")).click()
    moved = stranger.locator(".comment #respond")
    expect(moved).to_be_visible()
    expect(moved.get_by_role("heading")).to_have_text("Reply to Jana Schulte")
    browsing.check(stranger, "reply-form")


def test_a_commenter_sees_and_erases_their_own_data(
    browsing: Browsing, page: Page, post: Post, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    from treffpunkt.core.actions import participant_for_guest

    comment_on_post(
        post=post,
        participant=participant_for_guest("c" * 32),
        body=COMMENT,
        author_name="Jana Schulte",
        email="jana@example.org",
    )
    # From the comment form to the page where a commenter asks for their data.
    page.goto(english(post.get_absolute_url))
    page.get_by_role("link", name="See, download or erase your comment data").click()
    expect(page.get_by_role("heading", name="Your comment data", level=1)).to_be_visible()
    browsing.check(page, "own-data-request")
    page.get_by_role("textbox", name="Your email address").fill("jana@example.org")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("status")).to_contain_text("an email with a link is on its way")

    link = re.search(r"https?://\S+/comments/my-data/\S+/", mailoutbox[-1].body)
    assert link is not None
    page.goto(urlsplit(link[0]).path)  # the emailed address, on this test server
    expect(page.get_by_text("1 comment and 0 reply subscriptions are stored")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(COMMENT[:40])
    browsing.check(page, "own-data")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as JSON").click()
    assert download.value.suggested_filename.startswith("personal-data-")

    page.get_by_label("Yes, erase my data. This cannot be undone.").check()
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("status")).to_contain_text("Your data is erased.")
    expect(page.get_by_text("Nothing is stored for your address (any more).")).to_be_visible()
    browsing.check(page, "own-data-erased")
