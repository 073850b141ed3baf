"""Writes for blogs and posts. Views, the admin, the demo and tests call these.

Every change readers can see tells search and "You may also like" after the commit
(``indexing.post_changed`` / ``post_removed``), with the post's id.
"""

import re
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from treffpunkt.accounts.models import User
from treffpunkt.blog import indexing
from treffpunkt.blog.models import (
    Blog,
    BlogSlugRedirect,
    Post,
    PostImage,
    PostRevision,
    SlugRedirect,
    Tag,
)
from treffpunkt.blog.permissions import can_edit_post, can_manage_blogs, can_write_in
from treffpunkt.blog.rendering import reading_minutes, render_post_body, summarize
from treffpunkt.core import changes, usernames
from treffpunkt.core.images import reencode_image
from treffpunkt.core.text import clean_text, without_control_characters

# How many earlier versions of a post are kept.
REVISIONS_KEPT = 10
# Path segments under /b/ that belong to the site, so no blog may take them as its address.
RESERVED_BLOG_SLUGS = frozenset(
    {"tag", "tags", "feed", "feeds", "author", "authors", "archive", "write", "manage", "new",
     "search", "preview", "images", "rss", "atom"}
)  # fmt: skip
MAX_TAGS = 12
_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe",
                                 "Ü": "Ue", "ß": "ss"})  # fmt: skip


def make_slug(text: str, max_length: int = 100) -> str:
    """An ASCII address from a title or name: "Über Grün" → "ueber-gruen"."""
    return slugify(text.translate(_GERMAN_LETTERS))[:max_length].strip("-")


# --- permissions ----------------------------------------------------------------------


# --- blogs ----------------------------------------------------------------------------


def _cleaned_text_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Text fields without control characters (feeds cannot carry them)."""
    return {
        name: without_control_characters(value) if isinstance(value, str) else value
        for name, value in fields.items()
    }


def validate_blog_slug(slug: str, blog: Blog | None = None) -> str:
    slug = make_slug(slug, 80)
    if not slug:
        raise ValidationError(_("Please give the blog an address."), code="required")
    if slug in RESERVED_BLOG_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself. Please choose another address.")
            % {"slug": slug},
            code="reserved",
        )
    taken = Blog.objects.filter(slug=slug)
    if blog is not None:
        taken = taken.exclude(pk=blog.pk)
    if taken.exists():
        raise ValidationError(_("Another blog has this address already."), code="taken")
    usernames.check_free(slug, kind="blog", object_id=blog.pk if blog is not None else None)
    return slug


@transaction.atomic
def create_blog(*, title: str, slug: str = "", authors: Any = (), **fields: Any) -> Blog:
    """A new blog; its address comes from the title unless one is given."""
    title = clean_text(title)
    if not title:
        raise ValidationError(_("Please give the blog a title."), code="required")
    fields = _cleaned_text_fields(fields)
    blog = Blog(title=title, slug=validate_blog_slug(slug or title), **fields)
    blog.full_clean()
    blog.save()
    blog.authors.set(authors)
    # The address is this blog's now, also where it was another blog's earlier address.
    BlogSlugRedirect.objects.filter(old_slug=blog.slug).delete()
    changes.announce("blog", "created", blog.pk)
    return blog


@transaction.atomic
def update_blog(blog: Blog, *, authors: Any = None, **fields: Any) -> Blog:
    """Change a blog's details and, if given, its authors. Post addresses follow a new
    blog address; links with the old one redirect to the new (blog.views)."""
    old_slug = blog.slug
    fields = _cleaned_text_fields(fields)
    if "slug" in fields:
        fields["slug"] = validate_blog_slug(fields["slug"], blog)
    for name, value in fields.items():
        setattr(blog, name, value)
    blog.full_clean()
    blog.save()
    if blog.slug != old_slug:
        BlogSlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"blog": blog})
        BlogSlugRedirect.objects.filter(old_slug=blog.slug).delete()
    if authors is not None:
        blog.authors.set(authors)
    # Search entries and suggestions hold nothing of the blog itself, so its posts need no
    # new index entries here.
    changes.announce("blog", "updated", blog.pk, old_slug=old_slug)
    return blog


@transaction.atomic
def delete_blog(blog: Blog, *, editor: User) -> None:
    """Delete a blog with everything in it: its posts (each as ``delete_post`` does, so
    search, suggestions and the site hear of it), their comments, the blog's images with
    their files (after the commit) and its old addresses."""
    if not can_manage_blogs(editor):
        raise PermissionDenied
    for post in blog.posts.select_related("blog"):
        delete_post(post, editor=editor)
    images = [(image.image.storage, image.image.name) for image in blog.images.all()]
    blog_id, slug = blog.pk, blog.slug
    blog.delete()
    transaction.on_commit(partial(_delete_files, images))
    changes.announce("blog", "deleted", blog_id, slug=slug)


# --- tags -----------------------------------------------------------------------------


def clean_tag_name(name: str, tag: Tag | None = None) -> str:
    """A tag name as ``parse_tags`` makes it; ValidationError if empty or if another tag
    has it already (in any case: posts find their tags by name regardless of case)."""
    name = " ".join(clean_text(name or "").lstrip("#").split())[:60]
    if not name:
        raise ValidationError(_("Please give the tag a name."), code="required")
    others = Tag.objects.filter(name__iexact=name)
    if tag is not None:
        others = others.exclude(pk=tag.pk)
    if others.exists():
        raise ValidationError(_("Another tag has this name already."), code="taken")
    return name


@transaction.atomic
def rename_tag(tag: Tag, name: str) -> Tag:
    """Give a tag another name. Its address stays, so links to the tag page and its feed
    keep working; its posts' search entries and suggestions are renewed after the commit."""
    tag.name = clean_tag_name(name, tag)
    tag.save(update_fields=["name"])
    _tag_changed(tag, "updated")
    return tag


@transaction.atomic
def delete_tag(tag: Tag) -> None:
    """Remove a tag from every post and delete it (its page and feed are gone)."""
    _tag_changed(tag, "deleted")
    tag.delete()


def _tag_changed(tag: Tag, verb: str) -> None:
    for post_id in tag.posts.values_list("id", flat=True):
        transaction.on_commit(partial(indexing.post_changed, post_id))
    changes.announce("tag", verb, tag.pk, slug=tag.slug)


# --- posts ----------------------------------------------------------------------------


def parse_tags(value: str | list[str]) -> list[str]:
    """Tag names from "Garten, Ehrenamt, garten": trimmed, without duplicates, in order."""
    names = value.split(",") if isinstance(value, str) else value
    seen: dict[str, str] = {}
    for raw in names:
        name = " ".join(clean_text(raw).lstrip("#").split())[:60]
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    if len(seen) > MAX_TAGS:
        raise ValidationError(
            _("Please use at most %(max)s tags.") % {"max": MAX_TAGS}, code="too_many_tags"
        )
    return list(seen.values())


def _tags_for(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            base = make_slug(name, 70) or "tag"
            slug, number = base, 1
            while Tag.objects.filter(slug=slug).exists():
                number += 1
                slug = f"{base}-{number}"
            tag = Tag.objects.create(name=name, slug=slug)
        tags.append(tag)
    return tags


def _free_slug(blog: Blog, wanted: str, post: Post | None) -> str:
    """``wanted`` if no other post of the blog has it, else wanted-2, wanted-3 …"""
    others = Post.objects.filter(blog=blog)
    if post is not None and post.pk:
        others = others.exclude(pk=post.pk)
    slug, number = wanted, 1
    while others.filter(slug=slug).exists():
        number += 1
        slug = f"{wanted[:95]}-{number}"
    return slug


def _keep_revision(post: Post, editor: User | None) -> None:
    PostRevision.objects.create(
        post=post, title=post.title, excerpt=post.excerpt, body=post.body, editor=editor
    )
    old = post.revisions.order_by("-created_at", "-id").values_list("id", flat=True)[
        REVISIONS_KEPT:
    ]
    PostRevision.objects.filter(id__in=list(old)).delete()


def _changed(post: Post, verb: str | None) -> None:
    """After a change of a post: its search entry and suggestions are renewed, and, when
    readers see the change (``verb``: published, updated, unpublished, deleted), it is
    announced (core.changes) to the page cache and the fediverse."""
    transaction.on_commit(partial(indexing.post_changed, post.id))
    if verb is not None:
        changes.announce("post", verb, post.pk, blog=post.blog_id)


def _schedule_publication(post: Post) -> None:
    """A post published for a later time is announced when that time comes."""
    from treffpunkt.blog import tasks

    task = tasks.announce_scheduled_post
    if post.published_at is None or not task.get_backend().supports_defer:
        return
    when = post.published_at
    post_id = post.pk
    transaction.on_commit(lambda: task.using(run_after=when).enqueue(post_id, when.isoformat()))


def announce_scheduled_post(post_id: int, published_at: str) -> bool:
    """The time of a scheduled post has come: announce it, unless it was taken back or
    moved meanwhile (then another task, or none, stands for it)."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None or not post.is_visible or post.published_at is None:
        return False
    if post.published_at.isoformat() != published_at:
        return False
    with transaction.atomic():
        changes.announce("post", "published", post.pk, blog=post.blog_id)
    return True


@transaction.atomic
def save_post(
    *,
    editor: User,
    blog: Blog | None = None,
    post: Post | None = None,
    title: str,
    body: str,
    slug: str = "",
    excerpt: str = "",
    tags: str | list[str] = "",
    comments_open: bool = True,
    language: str | None = None,
    content_warning: str = "",
) -> Post:
    """Create a post (``blog`` given) or edit one (``post`` given).

    Renders the Markdown once, estimates the reading time, keeps the previous version as a
    revision (the last ten), turns tag names into tags, and remembers the old address of a
    published post whose slug changes, so old links redirect.
    """
    if post is None:
        if blog is None:
            raise ValueError("save_post needs a blog or a post")
        if not can_write_in(editor, blog):
            raise PermissionDenied
        post = Post(blog=blog, author=editor, language=language or blog.language)
    else:
        post = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
        if not can_edit_post(editor, post):
            raise PermissionDenied
    title = clean_text(title)
    if not title:
        raise ValidationError({"title": _("Please give the post a title.")}, code="required")
    body = without_control_characters(body or "").strip()
    excerpt = without_control_characters(excerpt or "")
    wanted_slug = make_slug(slug) or make_slug(title) or "beitrag"
    new_slug = _free_slug(post.blog, wanted_slug, post)
    if slug and make_slug(slug) and new_slug != make_slug(slug):
        raise ValidationError(
            {"slug": _("Another post of this blog has this address already.")}, code="taken"
        )
    tag_names = parse_tags(tags)

    if post.pk:
        if (post.title, post.excerpt, post.body) != (title, excerpt.strip(), body):
            _keep_revision(post, editor)
        old_slug = post.slug
        if old_slug != new_slug and post.status == Post.Status.PUBLISHED:
            SlugRedirect.objects.update_or_create(
                blog=post.blog, old_slug=old_slug, defaults={"post": post}
            )
    # The post's own address wins over an old address another post left behind.
    SlugRedirect.objects.filter(blog=post.blog, old_slug=new_slug).delete()

    post.title = title
    post.slug = new_slug
    post.excerpt = excerpt.strip()
    post.body = body
    post.body_html = str(render_post_body(body))
    post.summary = summarize(post.excerpt, post.body_html)
    post.reading_minutes = reading_minutes(body)
    post.comments_open = comments_open
    post.content_warning = " ".join(clean_text(content_warning or "").split())[:200]
    if language:
        post.language = language
    post.updated_at = timezone.now()
    post.full_clean(exclude=["author", "blog"])
    post.save()
    post.tags.set(_tags_for(tag_names))
    _changed(post, "updated" if post.is_visible else None)
    return post


@transaction.atomic
def restore_revision(revision: PostRevision, *, editor: User) -> Post:
    """Bring back an earlier version; the current one becomes a revision itself."""
    post = revision.post
    return save_post(
        editor=editor,
        post=post,
        title=revision.title,
        excerpt=revision.excerpt,
        body=revision.body,
        slug=post.slug,
        tags=[tag.name for tag in post.tags.all()],
        comments_open=post.comments_open,
    )


@transaction.atomic
def publish_post(post: Post, *, editor: User, at: datetime | None = None) -> Post:
    """Publish now, or schedule for ``at`` (it appears by itself when the time comes).

    A post that was published before keeps its date unless a new time is given.
    """
    post = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
    if not can_edit_post(editor, post):
        raise PermissionDenied
    was_visible = post.is_visible
    now = timezone.now()
    if at is not None:
        post.published_at = at
    elif post.published_at is None or post.published_at > now:
        # First publication, or a scheduled post brought forward. A post taken back to
        # draft keeps its earlier date when it returns.
        post.published_at = now
    post.status = Post.Status.PUBLISHED
    post.save(update_fields=["status", "published_at"])
    if post.is_visible:
        _changed(post, "updated" if was_visible else "published")
    else:
        _changed(post, "unpublished" if was_visible else None)
        _schedule_publication(post)
    return post


@transaction.atomic
def unpublish_post(post: Post, *, editor: User) -> Post:
    """Back to draft: readers no longer see it (its address answers "not found")."""
    post = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
    if not can_edit_post(editor, post):
        raise PermissionDenied
    was_visible = post.is_visible
    post.status = Post.Status.DRAFT
    post.save(update_fields=["status"])
    _changed(post, "unpublished" if was_visible else None)
    return post


@transaction.atomic
def delete_post(post: Post, *, editor: User) -> None:
    """Delete a post with its revisions, old addresses, suggestions and cover image file.
    Its inline images stay a while (a revision elsewhere may show them) and are removed
    with the other unused ones (``remove_unused_images``)."""
    if not can_edit_post(editor, post):
        raise PermissionDenied
    post_id, blog_id, was_visible = post.id, post.blog_id, post.is_visible
    cover = (post.cover_image.storage, post.cover_image.name) if post.cover_image else None
    post.delete()
    transaction.on_commit(partial(indexing.post_removed, post_id))
    if cover is not None:
        transaction.on_commit(partial(_delete_files, [cover]))
    if was_visible:
        changes.announce("post", "deleted", post_id, blog=blog_id)


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def _checked_alt(alt_text: str) -> str:
    alt_text = " ".join(clean_text(alt_text or "").split())
    if not alt_text:
        raise ValidationError(
            _("Please describe the image for people who cannot see it."), code="alt_required"
        )
    if len(alt_text) > 300:
        raise ValidationError(
            _("Please keep the description under 300 characters."), code="alt_too_long"
        )
    return alt_text


@transaction.atomic
def upload_post_image(
    *, blog: Blog, uploader: User, image: UploadedFile, alt_text: str, post: Post | None = None
) -> PostImage:
    """Store an image for use inside a post: checked, re-encoded (EXIF dropped), with a
    description. Returns it; ``image.url`` goes into the Markdown."""
    if not can_write_in(uploader, blog):
        raise PermissionDenied
    alt_text = _checked_alt(alt_text)
    content = reencode_image(image)
    return PostImage.objects.create(
        blog=blog, post=post, image=content, alt_text=alt_text, uploaded_by=uploader
    )


@transaction.atomic
def set_cover_image(
    post: Post, *, editor: User, image: UploadedFile | None, alt_text: str = ""
) -> Post:
    """Set (or, with ``image=None``, remove) the cover image shown above the post and in
    link previews. The description is required with an image."""
    post = Post.objects.select_for_update().select_related("blog").get(pk=post.pk)
    if not can_edit_post(editor, post):
        raise PermissionDenied
    if image is None:
        if post.cover_image:
            post.cover_image.delete(save=False)
        post.cover_image = ""
        post.cover_alt = ""
    else:
        alt_text = _checked_alt(alt_text)
        content = reencode_image(image, max_side=1600)
        post.cover_image.save(content.name or "cover.webp", content, save=False)
        post.cover_alt = alt_text
    post.save(update_fields=["cover_image", "cover_alt"])
    _changed(post, "updated" if post.is_visible else None)
    return post


@transaction.atomic
def set_cover_alt(post: Post, *, editor: User, alt_text: str) -> Post:
    """Change the description of the cover image already there."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not can_edit_post(editor, post):
        raise PermissionDenied
    post.cover_alt = _checked_alt(alt_text)
    post.save(update_fields=["cover_alt"])
    if post.is_visible:
        changes.announce("post", "updated", post.pk, blog=post.blog_id)
    return post


@transaction.atomic
def save_from_editor(
    *,
    editor: User,
    blog: Blog | None,
    post: Post | None,
    fields: dict[str, Any],
    publication: str,
    publish_at: datetime | None = None,
    cover_image: UploadedFile | None = None,
    cover_alt: str = "",
    remove_cover: bool = False,
    inline_image: UploadedFile | None = None,
    inline_alt: str = "",
) -> Post:
    """Everything the editor page sends, in one transaction: an inline image (appended to
    the text as Markdown when sent without JavaScript), the text, the cover image and the
    publication choice ("draft", "now", "schedule"). Nothing is half-saved."""
    if inline_image is not None:
        target_blog = post.blog if post is not None else blog
        if target_blog is None:
            raise ValueError("save_from_editor needs a blog or a post")
        try:
            image = upload_post_image(
                blog=target_blog,
                uploader=editor,
                image=inline_image,
                alt_text=inline_alt,
                post=post,
            )
        except ValidationError as error:
            raise ValidationError({"inline_image": error.messages}) from None
        fields["body"] = (fields.get("body") or "").rstrip() + f"\n\n{image_markdown(image)}\n"
    post = save_post(editor=editor, blog=blog, post=post, **fields)
    if remove_cover:
        post = set_cover_image(post, editor=editor, image=None)
    elif cover_image is not None:
        try:
            post = set_cover_image(post, editor=editor, image=cover_image, alt_text=cover_alt)
        except ValidationError as error:
            raise ValidationError({"cover_image": error.messages}) from None
    elif post.cover_image and cover_alt.strip() != post.cover_alt:
        post = set_cover_alt(post, editor=editor, alt_text=cover_alt)
    if publication == "draft":
        if post.status != Post.Status.DRAFT:
            post = unpublish_post(post, editor=editor)
    elif publication == "schedule":
        if publish_at is None:
            raise ValidationError(
                {"publish_at": _("Please choose when the post should appear.")}, code="required"
            )
        post = publish_post(post, editor=editor, at=publish_at)
    else:
        post = publish_post(post, editor=editor)
    PostImage.objects.filter(blog=post.blog, post__isnull=True, uploaded_by=editor).filter(
        image__in=_image_names_in(post.body)
    ).update(post=post)
    return post


# An image uploaded in the editor but never saved into a post is removed after this long.
UNUSED_IMAGE_AGE = timedelta(days=2)


def remove_unused_images(older_than: timedelta = UNUSED_IMAGE_AGE) -> int:
    """Delete inline images that belong to no post (never saved into one, or their post was
    deleted) and that no post or kept revision mentions, files included; returns how many.

    ``treffpunkt worker`` runs this every hour.
    """
    candidates = PostImage.objects.filter(
        post__isnull=True, created_at__lt=timezone.now() - older_than
    )
    removed = 0
    for image in candidates.iterator():
        name = image.image.name
        mentioned = (
            Post.objects.filter(body__contains=name).exists()
            or PostRevision.objects.filter(body__contains=name).exists()
        )
        if mentioned:
            continue
        with transaction.atomic():
            deleted, _detail = PostImage.objects.filter(pk=image.pk, post__isnull=True).delete()
        if deleted:
            image.image.delete(save=False)
            removed += 1
    return removed


def image_markdown(image: PostImage) -> str:
    """The Markdown that shows an uploaded image: ![description](address)."""
    alt = image.alt_text.replace("[", "(").replace("]", ")")
    return f"![{alt}]({image.image.url})"


def _image_names_in(body: str) -> list[str]:
    prefix = re.escape(settings.MEDIA_URL)
    return re.findall(rf"{prefix}(blog/images/[\w.-]+)", body)
