"""The admin changes blogs, tags and posts only through blog.actions."""

from pathlib import Path

import pytest

from tests.admin_forms import (
    admin_url,
    change,
    delete,
    delete_selected,
    form_data,
    post_form,
)
from treffpunkt.blog import actions
from treffpunkt.blog.models import Blog, BlogSlugRedirect, Post, PostImage, Tag
from treffpunkt.blog.search import parse_query, search_posts

from .conftest import image_upload, make_post

COVERED_MODELS = {Blog, Tag, Post}


@pytest.fixture(autouse=True)
def _no_suggestions(settings):
    """Suggestions are not under test here; their background work is left out."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def said(heard, subject):
    return [(change.verb, change.object_id) for change in heard if change.subject == subject]


def found(text):
    return [hit.post.title for hit in search_posts(parse_query(text)).hits]


def test_a_blog_added_in_the_admin_is_created_by_the_action(
    admin_client, author, heard, django_capture_on_commit_callbacks
):
    BlogSlugRedirect.objects.create(
        old_slug="garten", blog=actions.create_blog(title="Alt", slug="alt")
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            admin_client,
            admin_url(Blog, "add"),
            {
                "title": "Garten",
                "slug": "garten",
                "language": "de",
                "authors": [author.pk],
                "comment_depth": "3",
                "created_at_0": "01.03.2026",
                "created_at_1": "10:00:00",
            },
        )
    blog = Blog.objects.get(slug="garten")
    assert list(blog.authors.all()) == [author]
    # The address is this blog's now, also where it was another blog's earlier one.
    assert not BlogSlugRedirect.objects.filter(old_slug="garten").exists()
    assert ("created", blog.pk) in said(heard, "blog")


def test_a_changed_blog_address_redirects_from_the_old_one(
    admin_client, blog, author, heard, django_capture_on_commit_callbacks
):
    post = make_post(blog, author, "Hallo")
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, blog, slug="vereinsblog", authors=[str(author.pk)])
    blog.refresh_from_db()
    assert blog.slug == "vereinsblog"
    assert list(blog.authors.all()) == [author]
    assert BlogSlugRedirect.objects.get(old_slug="verein").blog == blog
    assert heard[-1].subject == "blog" and heard[-1].data == {"old_slug": "verein"}
    old_link = post.get_absolute_url()
    response = admin_client.get(old_link)
    assert response.status_code == 301
    assert response["Location"] == Post.objects.get(pk=post.pk).get_absolute_url()

    url = admin_url(Blog, "change", blog.pk)
    response = admin_client.post(url, {**form_data(admin_client, url), "slug": "feed"})
    assert response.context["adminform"].form.errors["slug"]  # the site's own address


def test_a_blog_deleted_in_the_admin_takes_its_posts_and_files(
    admin_client, blog, author, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(blog, author, "Kompostgeschichten")
        post = actions.set_cover_image(post, editor=author, image=image_upload(), alt_text="Beet")
        image = actions.upload_post_image(
            blog=blog, uploader=author, image=image_upload(), alt_text="Beet", post=post
        )
    files = [Path(post.cover_image.path), Path(image.image.path)]
    assert found("Kompostgeschichten") == ["Kompostgeschichten"]
    with django_capture_on_commit_callbacks(execute=True):
        delete(admin_client, blog)
    assert not Blog.objects.exists() and not Post.objects.exists()
    assert not PostImage.objects.exists()
    assert not any(path.exists() for path in files)
    assert said(heard, "post")[-1] == ("deleted", post.pk)
    assert said(heard, "blog")[-1] == ("deleted", blog.pk)
    assert found("Kompostgeschichten") == []


def test_bulk_deleting_blogs_uses_the_action(
    admin_client, blog, heard, django_capture_on_commit_callbacks
):
    other = actions.create_blog(title="Zweiter Blog")
    with django_capture_on_commit_callbacks(execute=True):
        delete_selected(admin_client, Blog, [blog, other])
    assert not Blog.objects.exists()
    assert sorted(said(heard, "blog")[-2:]) == sorted([("deleted", blog.pk), ("deleted", other.pk)])


def test_a_tag_renamed_in_the_admin_keeps_its_address_and_is_found_by_its_new_name(
    admin_client, blog, author, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_post(blog, author, "Beete", tags=["Garten"])
        make_post(blog, author, "Wege", tags=["Wiese"])
    tag = Tag.objects.get(name="Garten")
    assert admin_client.get(admin_url(Tag, "add")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, tag, name="Gemüsegarten", slug="anders")
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Gemüsegarten", "garten")
    assert said(heard, "tag") == [("updated", tag.pk)]
    assert found("Gemüsegarten") == ["Beete"]  # the post's search entry was renewed

    url = admin_url(Tag, "change", tag.pk)
    response = admin_client.post(url, {"name": "wiese"})
    assert response.context["adminform"].form.errors["name"]  # another tag's name


def test_a_tag_deleted_in_the_admin_leaves_its_posts(
    admin_client, blog, author, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(blog, author, "Beete", tags=["Garten", "Kompost"])
    tag = Tag.objects.get(name="Kompost")
    with django_capture_on_commit_callbacks(execute=True):
        delete(admin_client, tag)
    assert [t.name for t in post.tags.all()] == ["Garten"]
    assert said(heard, "tag") == [("deleted", tag.pk)]
    assert found("Kompost") == []
    with django_capture_on_commit_callbacks(execute=True):
        delete_selected(admin_client, Tag, list(Tag.objects.all()))
    assert not Tag.objects.exists() and Post.objects.filter(pk=post.pk).exists()


def test_posts_are_read_in_the_admin_and_deleted_through_the_action(
    admin_client, blog, author, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_post(blog, author, "Erster")
        first = actions.set_cover_image(first, editor=author, image=image_upload(), alt_text="Hof")
        second, third = make_post(blog, author, "Zweiter"), make_post(blog, author, "Dritter")
    url = admin_url(Post, "change", first.pk)
    assert 'name="title"' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"title": "Anders"}).status_code == 403
    assert admin_client.get(admin_url(Post, "add")).status_code == 403

    cover = Path(first.cover_image.path)
    with django_capture_on_commit_callbacks(execute=True):
        delete(admin_client, first)
    assert not cover.exists()
    assert said(heard, "post")[-1] == ("deleted", first.pk)
    assert found("Erster") == []
    with django_capture_on_commit_callbacks(execute=True):
        delete_selected(admin_client, Post, [second, third])
    assert not Post.objects.exists()
    assert sorted(said(heard, "post")[-2:]) == sorted(
        [("deleted", second.pk), ("deleted", third.pk)]
    )
