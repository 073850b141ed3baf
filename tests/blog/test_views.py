import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from treffpunkt.blog.actions import create_blog, save_post, update_blog
from treffpunkt.blog.models import Post, PostImage

from .conftest import image_upload, make_post

pytestmark = pytest.mark.django_db


def test_blog_pages_answer(client, blog, author):
    post = make_post(blog, author, "Herbst im Garten", tags=["Garten"])
    month = timezone.localtime(post.published_at)
    for url in [
        reverse("blog:index"),
        blog.get_absolute_url(),
        post.get_absolute_url(),
        reverse("blog:tag", kwargs={"tag": "garten"}),
        reverse("blog:author", kwargs={"author": author.pk}),
        reverse(
            "blog:archive",
            kwargs={"blog": blog.slug, "year": month.year, "month": f"{month.month:02d}"},
        ),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Herbst im Garten" in response.content.decode(), url


@pytest.mark.parametrize(
    "url",
    [
        "/b/nicht-da/",
        "/b/tag/nicht-da/",
        "/b/author/999999/",
        "/b/verein/2026/13/",
        "/b/verein/2026/xx/",
        "/b/verein/2026/01/nicht-da/",
        "/b/?page=99",
        "/b/?page=abc",
    ],
)
def test_missing_things_answer_not_found(client, blog, url):
    assert client.get(url).status_code == 404


def test_drafts_and_scheduled_posts_are_hidden_from_readers(client, blog, author):
    draft = make_post(blog, author, "Geheimer Entwurf", published=False)
    scheduled = make_post(blog, author, "Kommt später", at=timezone.now() + timedelta(days=2))
    for post in (draft, scheduled):
        assert client.get(post.get_absolute_url()).status_code == 404
    page = client.get(blog.get_absolute_url()).content.decode()
    assert "Geheimer Entwurf" not in page and "Kommt später" not in page
    feed = client.get(reverse("blog:feed_atom")).content.decode()
    assert "Geheimer Entwurf" not in feed and "Kommt später" not in feed


def test_author_previews_own_draft_but_not_others(client, blog, author, other_author):
    draft = make_post(blog, author, "Mein Entwurf", published=False)
    client.force_login(author)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    client.force_login(other_author)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_old_slug_redirects_permanently(client, blog, author):
    post = make_post(blog, author, "Alter Titel")
    old_url = post.get_absolute_url()
    post = save_post(editor=author, post=post, title="Neuer Titel", slug="neuer-titel", body="x")
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert client.get(post.get_absolute_url()).status_code == 200


def test_a_changed_blog_address_redirects_old_links(client, blog, author, other_author):
    post = make_post(blog, author, "Alter Titel")
    old_post, old_front = post.get_absolute_url(), f"/b/{blog.slug}/"
    old_feed = reverse("blog:blog_feed_atom", kwargs={"blog": blog.slug})
    update_blog(blog, slug="gartenverein")
    post.refresh_from_db()
    assert "/b/gartenverein/" in post.get_absolute_url()
    for old, new in (
        (old_post, post.get_absolute_url()),
        (old_front + "?page=1", "/b/gartenverein/?page=1"),
        (old_feed, "/b/gartenverein/feed/atom/"),
    ):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new
        assert client.get(new).status_code == 200
    # An unknown post under the old address is still "not found" after the redirect.
    missing = client.get("/b/verein/2020/01/gibt-es-nicht/", follow=True)
    assert missing.status_code == 404
    # A new blog may take the freed address; then it is that blog's.
    newcomer = create_blog(title="Neu", slug="verein", authors=[other_author])
    assert client.get(old_front).status_code == 200
    assert client.get(old_front).context["blog"] == newcomer


def test_wrong_month_in_link_redirects_to_the_permalink(client, blog, author):
    post = make_post(blog, author, "Datum", at=timezone.now() - timedelta(days=400))
    response = client.get(f"/b/{blog.slug}/2001/01/{post.slug}/")
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()


def test_pagination_ten_posts_a_page(client, blog, author):
    now = timezone.now()
    for number in range(12):
        make_post(
            blog, author, f"Beitrag Nummer {number:02d}", at=now - timedelta(hours=number + 1)
        )
    first = client.get(blog.get_absolute_url()).content.decode()
    second = client.get(blog.get_absolute_url() + "?page=2").content.decode()
    assert first.count('class="post-card__title"') == 10
    assert second.count('class="post-card__title"') == 2
    assert "Beitrag Nummer 00" in first and "Beitrag Nummer 11" in second
    assert 'rel="next" href="?page=2"' in first


def test_post_page_metadata_uses_absolute_urls(client, blog, author, settings):
    settings.BASE_URL = "https://treffpunkt.example.org"
    post = make_post(blog, author, "Mit Bild")
    from treffpunkt.blog.actions import set_cover_image

    set_cover_image(post, editor=author, image=image_upload(), alt_text="Ein Beet im Herbst")
    html = client.get(post.get_absolute_url()).content.decode()
    canonical = f"https://treffpunkt.example.org{post.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert re.search(
        r'<meta property="og:image" content="https://treffpunkt\.example\.org/media/blog/covers/\w+\.webp">',
        html,
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'alt="Ein Beet im Herbst"' in html
    assert 'type="application/atom+xml"' in html
    assert author.email not in html


def test_related_section_hidden_without_suggestions(client, blog, author):
    post = make_post(blog, author)
    assert "related-heading" not in client.get(post.get_absolute_url()).content.decode()


def test_related_section_shows_stored_suggestions(client, blog, author):
    from treffpunkt.blog.models import RelatedPost

    post = make_post(blog, author, "Hauptbeitrag")
    other = make_post(blog, author, "Verwandter Beitrag")
    hidden = make_post(blog, author, "Noch Entwurf", published=False)
    RelatedPost.objects.create(post=post, related=other, rank=1, score=0.9)
    RelatedPost.objects.create(post=post, related=hidden, rank=2, score=0.8)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "related-heading" in html
    assert "Verwandter Beitrag" in html
    assert "Noch Entwurf" not in html


# --- query counts ---------------------------------------------------------------------


def _posts(blog, author, count):
    now = timezone.now()
    for number in range(count):
        make_post(blog, author, f"Beitrag {number}", at=now - timedelta(minutes=number + 1),
                  tags=["Garten", f"Tag {number % 5}"])  # fmt: skip


@pytest.mark.parametrize("url_name", ["blog:index", "blog"])
def test_front_pages_query_count_does_not_grow(client, blog, author, django_assert_num_queries,
                                               url_name):  # fmt: skip
    url = reverse("blog:index") if url_name == "blog:index" else blog.get_absolute_url()
    _posts(blog, author, 1)
    client.get(url)  # warm up (site settings)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _posts(blog, author, 49)
    with django_assert_num_queries(len(one)):
        assert client.get(url).status_code == 200


def test_home_page_query_count_does_not_grow(client, blog, author, django_assert_num_queries):
    _posts(blog, author, 1)
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        response = client.get("/")
    assert "Beitrag 0" in response.content.decode()
    _posts(blog, author, 20)
    with django_assert_num_queries(len(one)):
        client.get("/")


def test_post_page_query_count_is_fixed(client, blog, author, django_assert_num_queries):
    post = make_post(blog, author, "Viele Tags", tags=[f"Tag {n}" for n in range(10)])
    client.get(post.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(post.get_absolute_url())
    assert len(first) <= 8, [q["sql"] for q in first]
    count = len(first)  # read now: the next request empties the connection's query log
    many = make_post(blog, author, "Noch mehr Tags", tags=[f"Tag {n}" for n in range(12)])
    client.get(many.get_absolute_url())  # its comment thread rendered once, as for the first
    with django_assert_num_queries(count):
        client.get(many.get_absolute_url())


# --- writing --------------------------------------------------------------------------


def test_dashboard_groups_posts_by_state(author_client, blog, author):
    make_post(blog, author, "Ein Entwurf", published=False)
    make_post(blog, author, "Geplant", at=timezone.now() + timedelta(days=1))
    make_post(blog, author, "Erschienen")
    html = author_client.get(reverse("blog:my_posts")).content.decode()
    drafts = html.index('id="drafts-heading"')
    scheduled = html.index('id="scheduled-heading"')
    published = html.index('id="published-heading"')
    assert drafts < html.index("Ein Entwurf") < scheduled < html.index("Geplant") < published
    assert html.index("Erschienen") > published


def test_writing_pages_need_the_author_role(member_client, blog):
    from django.test import Client

    response = Client().get(reverse("blog:new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert member_client.get(reverse("blog:new")).status_code == 403
    assert member_client.post(reverse("blog:preview"), {"body": "x"}).status_code == 403


def test_author_cannot_open_someone_elses_post_in_the_editor(author_client, blog, other_author):
    post = make_post(blog, other_author)
    assert author_client.get(reverse("blog:edit", kwargs={"pk": post.pk})).status_code == 403


def _editor_data(**overrides):
    data = {
        "title": "Neuer Beitrag",
        "slug": "",
        "excerpt": "",
        "tags": "Garten, Herbst",
        "body": "Ein *Text*.",
        "publication": "draft",
        "publish_at": "",
        "comments_open": "on",
        "cover_alt": "",
        "inline_alt": "",
    }
    data.update(overrides)
    return data


def test_editor_creates_a_draft_then_publishes_it(author_client, blog):
    response = author_client.post(reverse("blog:new"), _editor_data(blog=blog.pk))
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("blog:edit", kwargs={"pk": post.pk})
    assert post.state == "draft" and post.slug == "neuer-beitrag"
    response = author_client.post(
        reverse("blog:edit", kwargs={"pk": post.pk}), _editor_data(publication="now")
    )
    post.refresh_from_db()
    assert post.state == "published"
    assert response["Location"] == post.get_absolute_url()


def test_editor_schedules_and_refuses_a_past_time(author_client, blog):
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = author_client.post(
        reverse("blog:new"), _editor_data(blog=blog.pk, publication="schedule", publish_at=past)
    )
    assert response.status_code == 400
    assert not Post.objects.exists()
    # What was typed stays in the form.
    assert "Neuer Beitrag" in response.content.decode()
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    author_client.post(
        reverse("blog:new"), _editor_data(blog=blog.pk, publication="schedule", publish_at=future)
    )
    assert Post.objects.get().state == "scheduled"


def test_editor_needs_alt_text_for_images(author_client, blog):
    response = author_client.post(
        reverse("blog:new"), {**_editor_data(blog=blog.pk), "inline_image": image_upload()}
    )
    assert response.status_code == 400
    assert not Post.objects.exists() and not PostImage.objects.exists()


def test_editor_without_javascript_appends_the_image(author_client, blog):
    author_client.post(
        reverse("blog:new"),
        {**_editor_data(blog=blog.pk, inline_alt="Kürbis"), "inline_image": image_upload()},
    )
    post = Post.objects.get()
    image = PostImage.objects.get()
    assert post.body.endswith(f"![Kürbis]({image.image.url})")
    assert f'<img src="{image.image.url}" alt="Kürbis"' in post.body_html
    assert image.post == post


def test_editor_refuses_blog_of_someone_else(author_client, blog, other_author):
    from treffpunkt.blog.actions import create_blog

    foreign = create_blog(title="Fremd", slug="fremd", authors=[other_author])
    response = author_client.post(reverse("blog:new"), _editor_data(blog=foreign.pk))
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_preview_button_without_javascript_saves_nothing(author_client, blog):
    response = author_client.post(
        reverse("blog:new"), {**_editor_data(blog=blog.pk, body="**fett**"), "preview": "1"}
    )
    assert response.status_code == 200
    assert "<strong>fett</strong>" in response.content.decode()
    assert not Post.objects.exists()


def test_preview_endpoint_returns_sanitized_html(author_client):
    response = author_client.post(
        reverse("blog:preview"), {"body": "# Hallo\n\n<script>alert(1)</script> **x**"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>x</strong>" in html and "<script>" not in html


def test_image_upload_endpoint(author_client, blog):
    url = reverse("blog:upload_image")
    response = author_client.post(url, {"blog": blog.pk, "inline_image": image_upload()})
    assert response.status_code == 400
    # The message in English, or German once the catalog has it.
    assert re.search(r"describe|beschreiben", response.json()["error"])
    response = author_client.post(
        url, {"blog": blog.pk, "inline_image": image_upload(), "inline_alt": "Ein Beet"}
    )
    assert response.status_code == 201
    assert response.json()["markdown"].startswith("![Ein Beet](/media/blog/images/")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"GIF89a....", content_type="image/png")
    response = author_client.post(url, {"blog": blog.pk, "inline_image": bad, "inline_alt": "x"})
    assert response.status_code == 400 and response.json()["error"]


def test_restore_and_delete_from_the_editor(author_client, blog, author):
    post = make_post(blog, author, "Erste", body="Eins")
    post = save_post(editor=author, post=post, title="Zweite", body="Zwei")
    revision = post.revisions.get()
    edit = author_client.get(reverse("blog:edit", kwargs={"pk": post.pk})).content.decode()
    assert "Erste" in edit
    author_client.post(
        reverse("blog:restore_revision", kwargs={"pk": post.pk, "revision": revision.pk})
    )
    post.refresh_from_db()
    assert post.title == "Erste"
    assert author_client.get(reverse("blog:delete", kwargs={"pk": post.pk})).status_code == 200
    author_client.post(reverse("blog:delete", kwargs={"pk": post.pk}))
    assert not Post.objects.exists()


def test_admin_creates_a_blog_and_reserved_address_is_refused(admin_client, author):
    response = admin_client.post(
        reverse("blog:blog_new"),
        {"title": "Feed", "slug": "", "description": "", "language": "de",
         "authors": [author.pk], "comment_depth": 3},
    )  # fmt: skip
    assert response.status_code == 400
    response = admin_client.post(
        reverse("blog:blog_new"),
        {"title": "Team Garten", "slug": "", "description": "", "language": "de",
         "authors": [author.pk], "comment_depth": 3},
    )  # fmt: skip
    assert response.status_code == 302
    from treffpunkt.blog.models import Blog

    created = Blog.objects.get(slug="team-garten")
    assert list(created.authors.all()) == [author]


def test_sitemap_lists_blogs_and_visible_posts_only(client, blog, author, settings):
    settings.BASE_URL = "https://treffpunkt.example.org"
    visible = make_post(blog, author, "Sichtbar")
    draft = make_post(blog, author, "Entwurf", published=False)
    xml = client.get("/sitemap.xml").content.decode()
    assert f"<loc>https://treffpunkt.example.org{blog.get_absolute_url()}</loc>" in xml
    assert f"<loc>https://treffpunkt.example.org{visible.get_absolute_url()}</loc>" in xml
    assert draft.slug not in xml


def test_demo_is_idempotent(db):
    from treffpunkt.accounts import demo as accounts_demo
    from treffpunkt.blog import demo

    accounts_demo.load()
    demo.load()
    demo.load()
    assert Post.objects.visible().count() == len(demo.DEMO_POSTS) == 12
    topics = {tag.name for post in Post.objects.all() for tag in post.tags.all()}
    assert {"Ehrenamt", "Digitalisierung", "Garten"} <= topics


# --- polish: comment counts, search form, author names, demo ---------------------------


def _comment(post, number, status="approved"):
    from treffpunkt.comments.models import Comment
    from treffpunkt.core.actions import participant_for_guest

    participant = participant_for_guest(
        f"testdevice{number:06d}", display_name="Gast", email=f"gast{number}@example.org"
    )
    return Comment.objects.create(
        post=post,
        depth=1,
        participant=participant,
        author_name="Gast",
        email=f"gast{number}@example.org",
        body="Danke!",
        status=status,
    )


def _comment_links(html, post):
    """The "N comments" links to a post's comments, as (number, word) pairs."""
    pattern = rf'href="{re.escape(post.get_absolute_url())}#comments">\s*(\d+) (\w+)\s*</a>'
    return re.findall(pattern, html)


def test_lists_and_post_page_show_the_number_of_approved_comments(client, blog, author):
    busy = make_post(blog, author, "Viel besprochen", tags=["Garten"])
    single = make_post(blog, author, "Einmal besprochen", tags=["Garten"])
    quiet = make_post(blog, author, "Noch still", tags=["Garten"])
    for number in range(3):
        _comment(busy, number)
    _comment(busy, 10, status="pending")  # held comments are not counted
    _comment(busy, 11, status="spam")
    _comment(single, 12)
    month = timezone.localtime(busy.published_at)
    lists = [
        reverse("blog:index"),
        blog.get_absolute_url(),
        reverse("blog:tag", kwargs={"tag": "garten"}),
        reverse("blog:author", kwargs={"author": author.pk}),
        reverse(
            "blog:archive",
            kwargs={"blog": blog.slug, "year": month.year, "month": f"{month.month:02d}"},
        ),
    ]
    for url in lists:
        html = client.get(url).content.decode()
        assert _comment_links(html, busy) in ([("3", "Kommentare")], [("3", "comments")]), url
        assert _comment_links(html, single) in ([("1", "Kommentar")], [("1", "comment")]), url
        assert _comment_links(html, quiet) in ([("0", "Kommentare")], [("0", "comments")]), url
    html = client.get(busy.get_absolute_url()).content.decode()
    start = html.index('class="blog-post__header"')
    header = html[start : html.index("</header>", start)]
    assert re.search(r'<a href="#comments">\s*3 (Kommentare|comments)\s*</a>', header)


def test_closed_post_without_comments_shows_no_count(client, blog, author):
    post = make_post(blog, author, "Ohne Gespräch")
    save_post(editor=author, post=post, title=post.title, body=post.body, comments_open=False)
    html = client.get(blog.get_absolute_url()).content.decode()
    assert "#comments" not in html


def test_list_query_count_stays_fixed_with_comments(
    client, blog, author, django_assert_num_queries
):
    _posts(blog, author, 1)
    client.get(blog.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(blog.get_absolute_url())
    _posts(blog, author, 9)
    for number, post in enumerate(Post.objects.all()):
        _comment(post, number)
    with django_assert_num_queries(len(one)):
        html = client.get(blog.get_absolute_url()).content.decode()
    assert html.count("#comments") == 10


@pytest.mark.parametrize("page", ["index", "blog", "tag"])
def test_blog_pages_offer_the_search_form(client, blog, author, page):
    make_post(blog, author, "Herbst im Garten", tags=["Garten"])
    url = {
        "index": reverse("blog:index"),
        "blog": blog.get_absolute_url(),
        "tag": reverse("blog:tag", kwargs={"tag": "garten"}),
    }[page]
    html = client.get(url).content.decode()
    form = re.search(r'<form class="blog-search"[^>]*>.*?</form>', html, re.S)
    assert form, url
    form_html = form.group(0)
    assert f'action="{reverse("search:search")}"' in form_html
    assert 'method="get"' in form_html and 'role="search"' in form_html
    assert '<label class="blog-search__label" for="blog-search-q">' in form_html
    assert 'type="search" name="q" id="blog-search-q"' in form_html
    assert '<button type="submit"' in form_html
    # The form leads to the search page, which answers the query.
    response = client.get(reverse("search:search"), {"q": "Garten"})
    assert response.status_code == 200


def test_author_without_display_name_is_named_but_never_by_email(client, blog, author):
    post = make_post(blog, author, "Namenlos geschrieben")
    author.display_name = ""
    author.save()
    author_url = reverse("blog:author", kwargs={"author": author.pk})
    for url in [post.get_absolute_url(), blog.get_absolute_url(), author_url]:
        html = client.get(url).content.decode()
        assert author.email not in html, url
        assert re.search(r"\b(von|by) (<a [^>]*>)?(Mitglied|Member)\b", html), url
    html = client.get(post.get_absolute_url()).content.decode()
    link = re.search(rf'<a href="{re.escape(author_url)}">([^<]*)</a>', html)
    assert link and link.group(1).strip() in ("Mitglied", "Member")
    assert '<meta name="author" content="">' not in html


def test_demo_has_four_posts_per_topic_with_suggestions_at_once(client):
    from treffpunkt.accounts import demo as accounts_demo
    from treffpunkt.blog import demo
    from treffpunkt.blog.related import related_posts

    accounts_demo.load()
    demo.load()
    posts = list(Post.objects.visible().prefetch_related("tags"))
    topics = {"Ehrenamt": [], "Digitalisierung": [], "Garten": []}
    for post in posts:
        names = {tag.name for tag in post.tags.all()}
        (topic,) = names & topics.keys()
        topics[topic].append(post)
    assert {topic: len(group) for topic, group in topics.items()} == dict.fromkeys(topics, 4)
    for group in topics.values():
        for post in group:
            # Suggestions are computed during load, without a worker, and stay on topic.
            assert {p.pk for p in related_posts(post)} == {p.pk for p in group} - {post.pk}
    # Search works at once too.
    html = client.get(reverse("search:search"), {"q": "Wurmkiste"}).content.decode()
    assert "Kompost ist kein Abfall" in html


def test_demo_adds_missing_posts_to_an_existing_demo_blog(db):
    from treffpunkt.accounts import demo as accounts_demo
    from treffpunkt.blog import demo

    accounts_demo.load()
    demo.load()
    Post.objects.filter(title=demo.DEMO_POSTS[-1][2]).delete()
    lines = demo.load()
    assert "1" in lines[0]
    assert Post.objects.visible().count() == len(demo.DEMO_POSTS)
    assert Post.objects.filter(title=demo.DEMO_POSTS[-1][2]).count() == 1


@pytest.mark.parametrize(("year", "month"), [(9999, "12"), (99999999, "01"), (2026, "13")])
def test_a_month_that_cannot_exist_is_not_found(client, blog, year, month):
    url = reverse("blog:archive", kwargs={"blog": blog.slug, "year": year, "month": month})
    assert client.get(url).status_code == 404
