"""Writing a blog post in the browser: an author logs in, writes a post with an inline image
(uploaded with its description), watches the live preview, publishes, and finds the post on
the blog's front page and in its Atom feed. Every page is screenshotted and checked with axe.

The pages are visited in English (/en/): the test follows the English interface strings, so
it does not depend on the German catalog being complete.
"""

import io
import re

import feedparser
import pytest
from playwright.sync_api import Page, expect

from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import create_blog
from treffpunkt.blog.models import Post

from .helpers import Browsing

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-pass-42"


def label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(text)}:?$")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (40, 130, 110)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def author(transactional_db: None) -> User:
    user = User.objects.create_user("autorin@example.org", PASSWORD, display_name="Ada Autorin")
    user.set_roles(["author"])
    user.save()
    return user


def log_in(page: Page, user: User, next_path: str) -> None:
    response = page.goto(f"/en/accounts/login/?next={next_path}")
    assert response is not None and response.status == 200
    main = page.get_by_role("main")
    main.get_by_label("Email address").fill(user.email)
    main.get_by_label(label("Password")).fill(PASSWORD)
    with page.expect_navigation():
        main.get_by_role("button", name="Log in").click()


def test_author_writes_and_publishes_a_post_with_an_image(
    browsing: Browsing, page: Page, author: User
) -> None:
    blog = create_blog(
        title="Aus dem Verein",
        slug="verein",
        description="Berichte aus unserer Arbeit.",
        authors=[author],
    )
    log_in(page, author, "/en/b/write/")
    expect(page).to_have_url(f"{browsing.base_url}/en/b/write/")
    expect(page.get_by_role("heading", name="My posts", level=1)).to_be_visible()
    browsing.check(page, "dashboard")

    with page.expect_navigation():
        page.get_by_role("link", name="Write a new post").click()
    expect(page.get_by_role("heading", name="New post", level=1)).to_be_visible()

    page.get_by_label(label("Title")).fill("Unser Garten im Herbst")
    # The address follows the title (German letters spelled out).
    expect(page.get_by_label(label("Address"))).to_have_value("unser-garten-im-herbst")
    body = page.get_by_label(label("Text"))
    body.fill("Die **Kürbisse** sind reif.\n\nWir ernten am Samstag gemeinsam.")
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_text("Kürbisse")

    # The formatting buttons write Markdown: a heading from a chosen line, a link by keys.
    body.press("Control+End")
    body.press_sequentially("\n\nErnteplan")
    body.press("Shift+Home")
    page.get_by_role("button", name="Heading").click()
    expect(body).to_have_value(re.compile(r"gemeinsam\.\n\n## Ernteplan$"))
    expect(preview.get_by_role("heading", name="Ernteplan", level=2)).to_be_visible()
    body.press("Control+End")
    body.press_sequentially(" im Kalender")
    for _ in range(len("Kalender")):
        body.press("Shift+ArrowLeft")
    body.press("Control+k")
    expect(body).to_have_value(re.compile(r"## Ernteplan im \[Kalender\]\(https://\)$"))
    body.press_sequentially("https://verein.example/kalender")  # over the chosen address
    expect(preview.get_by_role("link", name="Kalender")).to_have_attribute(
        "href", "https://verein.example/kalender"
    )

    # An image inserted at the cursor, with its description.
    body.press("End")
    page.get_by_label(label("Image for the text")).set_input_files(
        {"name": "kuerbis.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_label(label("Image description (alt text)")).fill("Orange Kürbisse im Beet")
    page.get_by_role("button", name="Insert image at the cursor").click()
    expect(page.locator("[data-image-status]")).to_have_text(
        "The image is in the text. Check the preview."
    )
    expect(body).to_have_value(re.compile(r"!\[Orange Kürbisse im Beet\]\(/media/blog/images/"))
    image = preview.get_by_role("img", name="Orange Kürbisse im Beet")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    page.get_by_label(label("Tags")).fill("Garten, Herbst")
    browsing.check(page, "editor")

    page.get_by_label("Publish now").check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    assert navigation.value is not None and navigation.value.status == 200
    post = Post.objects.get(title="Unser Garten im Herbst")
    assert post.is_visible
    expect(page).to_have_url(re.compile(r"/en/b/verein/\d{4}/\d{2}/unser-garten-im-herbst/$"))
    expect(page.get_by_role("heading", name="Unser Garten im Herbst", level=1)).to_be_visible()
    expect(
        page.get_by_role("main").get_by_role("img", name="Orange Kürbisse im Beet")
    ).to_be_visible()
    browsing.check(page, "post")

    # A reader (no session) finds it on the blog's front page and in the Atom feed.
    reader = browsing.new_page()
    response = reader.goto("/en/b/verein/")
    assert response is not None and response.status == 200
    link = reader.get_by_role("link", name="Unser Garten im Herbst")
    expect(link).to_be_visible()
    browsing.check(reader, "blog-front-page")

    feed_response = reader.request.get(f"{browsing.base_url}/b/verein/feed/atom/")
    assert feed_response.status == 200
    feed = feedparser.parse(feed_response.body())
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == ["Unser Garten im Herbst"]
    assert feed.entries[0].link.endswith(post.get_absolute_url())
    assert blog.title in feed.feed.title


def test_reader_pages_of_the_demo_blog(browsing: Browsing, page: Page, transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The demo blog as a reader sees it: all blogs, one blog, a post, a tag, an author."""
    from treffpunkt.accounts import demo as accounts_demo
    from treffpunkt.blog import demo

    accounts_demo.load()
    demo.load()
    post = Post.objects.visible().select_related("blog", "author").first()
    assert post is not None

    for path, step, heading in [
        ("/b/", "all-blogs", "Blogs"),
        (f"/b/{demo.BLOG_SLUG}/", "demo-blog", "Aus dem Verein"),
        (post.get_absolute_url(), "demo-post", post.title),
        ("/b/tag/garten/", "demo-tag", None),
        (f"/b/author/{post.author_id}/", "demo-author", None),
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        browsing.check(page, step)

    # Suggestions exist as soon as the demo is loaded, without a worker.
    page.goto(post.get_absolute_url())
    expect(page.locator(".related-posts__list > li")).to_have_count(3)

    # The search form on the blog's front page leads to the results.
    page.goto(f"/b/{demo.BLOG_SLUG}/")
    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill("Wurmkiste")
    search.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=Wurmkiste$"))
    expect(page.get_by_role("link", name=re.compile("Kompost ist kein Abfall"))).to_be_visible()
    browsing.check(page, "search-from-blog")
