import os
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from treffpunkt.accounts.models import User
from treffpunkt.blog import actions
from treffpunkt.blog.actions import (
    REVISIONS_KEPT,
    create_blog,
    delete_post,
    publish_post,
    restore_revision,
    save_post,
    set_cover_image,
    unpublish_post,
    upload_post_image,
)
from treffpunkt.blog.models import Post, PostRevision, SlugRedirect, Tag

from .conftest import image_upload, make_post

pytestmark = pytest.mark.django_db


def test_save_post_renders_markdown_and_estimates_reading_time(blog, author):
    body = "## Erntezeit\n\n" + " ".join(["Wort"] * 600)
    post = save_post(editor=author, blog=blog, title="Über den Garten", body=body)
    assert post.slug == "ueber-den-garten"
    assert post.body_html.startswith("<h2>Erntezeit</h2>")
    assert post.reading_minutes == 3
    assert post.state == "draft"
    assert post.summary.startswith("Wort Wort")
    assert not Post.objects.visible().exists()


def test_tags_are_created_once_by_name_case_insensitively(blog, author):
    Tag.objects.create(name="Garten", slug="garten")
    post = save_post(
        editor=author, blog=blog, title="T", body="x", tags="garten, Ehrenamt,  ehrenamt , #Digital"
    )
    assert sorted(tag.name for tag in post.tags.all()) == ["Digital", "Ehrenamt", "Garten"]
    assert Tag.objects.count() == 3
    assert Tag.objects.get(name="Ehrenamt").slug == "ehrenamt"


def test_a_taken_slug_is_refused_and_an_automatic_one_numbered(blog, author):
    make_post(blog, author, "Herbst")
    second = save_post(editor=author, blog=blog, title="Herbst", body="x")
    assert second.slug == "herbst-2"
    with pytest.raises(ValidationError) as error:
        save_post(editor=author, blog=blog, title="Anders", slug="herbst", body="x")
    assert "slug" in error.value.message_dict


def test_only_the_last_revisions_are_kept(blog, author):
    post = make_post(blog, author, "Version 0", body="Text 0")
    for number in range(1, REVISIONS_KEPT + 5):
        post = save_post(editor=author, post=post, title=f"Version {number}", body=f"Text {number}")
    revisions = list(post.revisions.all())
    assert len(revisions) == REVISIONS_KEPT
    # Newest first; the oldest versions were dropped.
    assert revisions[0].title == f"Version {REVISIONS_KEPT + 3}"
    assert revisions[-1].title == "Version 4"


def test_saving_unchanged_text_keeps_no_revision(blog, author):
    post = make_post(blog, author, "Gleich", body="Text")
    save_post(editor=author, post=post, title="Gleich", body="Text", tags=["Neu"])
    assert PostRevision.objects.count() == 0


def test_restore_revision_brings_back_text_and_keeps_the_current_one(blog, author):
    post = make_post(blog, author, "Erste Fassung", body="Alt")
    post = save_post(editor=author, post=post, title="Zweite Fassung", body="Neu")
    old = post.revisions.get()
    post = restore_revision(old, editor=author)
    assert (post.title, post.body) == ("Erste Fassung", "Alt")
    assert post.revisions.first().title == "Zweite Fassung"


def test_changed_slug_of_published_post_leaves_a_redirect(blog, author):
    post = make_post(blog, author, "Alter Titel")
    post = save_post(editor=author, post=post, title="Neuer Titel", slug="neuer-titel", body="x")
    redirect = SlugRedirect.objects.get()
    assert (redirect.old_slug, redirect.post_id) == ("alter-titel", post.pk)
    # Going back to the old slug removes the redirect: the post itself lives there again.
    save_post(editor=author, post=post, title="Alter Titel", slug="alter-titel", body="x")
    assert list(SlugRedirect.objects.values_list("old_slug", flat=True)) == ["neuer-titel"]


def test_changed_slug_of_a_draft_leaves_no_redirect(blog, author):
    post = make_post(blog, author, "Entwurf", published=False)
    save_post(editor=author, post=post, title="Entwurf", slug="anders", body="x")
    assert not SlugRedirect.objects.exists()


def test_scheduled_post_appears_when_its_time_comes(blog, author):
    post = make_post(blog, author, published=False)
    later = timezone.now() + timedelta(hours=2)
    post = publish_post(post, editor=author, at=later)
    assert post.state == "scheduled"
    assert not Post.objects.visible().exists()
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert list(Post.objects.visible()) == [post]


def test_publish_now_turns_a_scheduled_post_into_a_published_one(blog, author):
    post = make_post(blog, author, at=timezone.now() + timedelta(days=1))
    post = publish_post(post, editor=author)
    assert post.state == "published"
    assert post.published_at <= timezone.now()


def test_republishing_keeps_the_original_date(blog, author):
    post = make_post(blog, author, at=timezone.now() - timedelta(days=3))
    first = post.published_at
    post = unpublish_post(post, editor=author)
    assert post.state == "draft"
    post = publish_post(post, editor=author)
    assert post.published_at == first


def test_actions_tell_search_after_commit(blog, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = make_post(blog, author)
    indexing = [c for c in callbacks if hasattr(c, "func")]  # the rest are announcements
    assert indexing, "saving and publishing must notify search and suggestions"
    assert all(callback.args == (post.pk,) for callback in indexing)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete_post(post, editor=author)
    assert [c.func.__name__ for c in callbacks if hasattr(c, "func")] == ["post_removed"]


# --- permissions -----------------------------------------------------------------------


def test_members_without_author_role_cannot_write(blog, member):
    blog.authors.add(member)
    with pytest.raises(PermissionDenied):
        save_post(editor=member, blog=blog, title="T", body="x")


def test_authors_write_only_in_their_blogs(author, other_author):
    foreign = create_blog(title="Fremd", authors=[other_author])
    with pytest.raises(PermissionDenied):
        save_post(editor=author, blog=foreign, title="T", body="x")


def test_authors_edit_only_their_own_posts_admins_all(blog, author, other_author, admin_user):
    post = make_post(blog, other_author)
    with pytest.raises(PermissionDenied):
        save_post(editor=author, post=post, title="Übernommen", body="x")
    with pytest.raises(PermissionDenied):
        unpublish_post(post, editor=author)
    with pytest.raises(PermissionDenied):
        delete_post(post, editor=author)
    save_post(editor=admin_user, post=post, title="Vom Admin", body="x")
    assert Post.objects.get(pk=post.pk).title == "Vom Admin"


def test_author_removed_from_blog_loses_access(blog, author):
    post = make_post(blog, author)
    blog.authors.remove(author)
    with pytest.raises(PermissionDenied):
        save_post(editor=author, post=post, title="Noch da?", body="x")


def test_inactive_author_cannot_write(blog, author):
    author.is_active = False
    author.save()
    with pytest.raises(PermissionDenied):
        save_post(editor=User.objects.get(pk=author.pk), blog=blog, title="T", body="x")


# --- blogs ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["tag", "feed", "author", "write", "manage", "archive"])
def test_reserved_blog_addresses_are_refused(slug):
    with pytest.raises(ValidationError):
        create_blog(title="Blog", slug=slug)


def test_blog_address_must_be_unique(blog):
    with pytest.raises(ValidationError):
        create_blog(title="Noch einer", slug=blog.slug)


# --- images ---------------------------------------------------------------------------


def test_upload_post_image_reencodes_and_needs_a_description(blog, author):
    with pytest.raises(ValidationError):
        upload_post_image(blog=blog, uploader=author, image=image_upload(), alt_text="  ")
    image = upload_post_image(
        blog=blog, uploader=author, image=image_upload(fmt="JPEG"), alt_text="Ein Beet"
    )
    assert image.image.name.endswith(".webp")
    assert actions.image_markdown(image) == f"![Ein Beet]({image.image.url})"


def test_images_nobody_used_are_removed_with_their_files(blog, author):
    from treffpunkt.blog.models import PostImage

    def upload(alt):
        return upload_post_image(blog=blog, uploader=author, image=image_upload(), alt_text=alt)

    unused, mentioned, fresh, attached = (upload(n) for n in ("weg", "im Text", "neu", "dran"))
    post = make_post(blog, author, body=f"Text {actions.image_markdown(mentioned)}")
    PostImage.objects.filter(pk=attached.pk).update(post=post)
    two_days_ago = timezone.now() - timedelta(days=2, minutes=1)
    PostImage.objects.exclude(pk=fresh.pk).update(created_at=two_days_ago)
    PostImage.objects.filter(pk=mentioned.pk).update(post=None)  # e.g. pasted into a post
    unused_file = unused.image.path

    assert actions.remove_unused_images() == 1
    assert set(PostImage.objects.values_list("alt_text", flat=True)) == {"im Text", "neu", "dran"}
    assert not os.path.exists(unused_file)
    assert os.path.exists(fresh.image.path) and os.path.exists(attached.image.path)
    assert actions.remove_unused_images() == 0


def test_upload_refuses_what_is_not_an_image(blog, author):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError):
        upload_post_image(blog=blog, uploader=author, image=fake, alt_text="Bild")


def test_cover_image_set_and_removed(blog, author):
    post = make_post(blog, author)
    post = set_cover_image(post, editor=author, image=image_upload(), alt_text="Kürbisse")
    assert post.cover_image.name.startswith("blog/covers/")
    assert post.cover_alt == "Kürbisse"
    post = set_cover_image(post, editor=author, image=None)
    assert not post.cover_image
    assert post.cover_alt == ""


def test_editor_save_is_all_or_nothing(blog, author):
    """A bad cover image after a good text: nothing of the text is saved either."""
    post = make_post(blog, author, "Vorher", body="Vorher")
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = SimpleUploadedFile("c.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        actions.save_from_editor(
            editor=author,
            blog=None,
            post=post,
            fields={"title": "Nachher", "body": "Nachher"},
            publication="now",
            cover_image=broken,
            cover_alt="Titelbild",
        )
    assert "cover_image" in error.value.message_dict
    post.refresh_from_db()
    assert (post.title, post.body) == ("Vorher", "Vorher")
    assert not PostRevision.objects.exists()
