"""Blogs, their posts and tags.

A post is visible to readers when it is published and its publication time has come; a
published post with a future time is "scheduled" and appears by itself, no task needed.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Blog(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True, allow_unicode=False)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="de",
        help_text=_("The language most posts are written in; search and suggestions use it."),
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("authors"), related_name="blogs", blank=True
    )
    comment_depth = models.PositiveSmallIntegerField(
        _("reply depth"),
        default=3,
        help_text=_("How deeply replies to comments may nest (1: no replies)."),
    )
    close_comments_after_days = models.PositiveIntegerField(
        _("close comments after days"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep comments open."),
    )
    notify_authors = models.BooleanField(_("email authors about new comments"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("blog")
        verbose_name_plural = _("blogs")
        ordering = ["title"]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("blog:blog", kwargs={"blog": self.slug})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("address"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", kwargs={"tag": self.slug})


class PostQuerySet(models.QuerySet["Post"]):
    def visible(self) -> "PostQuerySet":
        """Posts readers may see: published, and their time has come."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    blog = models.ForeignKey(
        Blog, verbose_name=_("blog"), on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="blog_posts",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=100)
    excerpt = models.TextField(
        _("excerpt"),
        max_length=600,
        blank=True,
        help_text=_("Shown in lists and feeds. Leave empty to use the first paragraph."),
    )
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    content_warning = models.CharField(
        _("content warning"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional. In the fediverse the post then shows only this warning until readers "
            "open it, for example: Illness, death."
        ),
    )
    # The sanitized HTML of ``body``, rendered when the post is saved, not on every view.
    body_html = models.TextField(editable=False, blank=True)
    # Plain text for lists and feeds: the excerpt, or the start of the text without one.
    summary = models.TextField(editable=False, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="posts", blank=True)
    cover_image = models.ImageField(_("cover image"), upload_to="blog/covers/", blank=True)
    cover_alt = models.CharField(_("cover image description"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    comments_open = models.BooleanField(_("comments open"), default=True)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blog", "slug"], name="post_slug_unique_per_blog")
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        when = timezone.localtime(self.published_at or self.created_at)
        return reverse(
            "blog:post",
            kwargs={
                "blog": self.blog.slug,
                "year": when.year,
                "month": f"{when.month:02d}",
                "slug": self.slug,
            },
        )

    @property
    def state(self) -> str:
        """draft, scheduled or published, as the author sees it."""
        if self.status == self.Status.DRAFT or self.published_at is None:
            return "draft"
        return "scheduled" if self.published_at > timezone.now() else "published"

    @property
    def is_visible(self) -> bool:
        return self.state == "published"


class PostRevision(models.Model):
    """An earlier version of a post; the last few are kept."""

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField(_("title"), max_length=200)
    excerpt = models.TextField(_("excerpt"), blank=True)
    body = models.TextField(_("text"), blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.post} ({self.created_at:%Y-%m-%d %H:%M})"


class PostImage(models.Model):
    """An image uploaded for use inside a post's text; re-encoded, with a required alt text."""

    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="images")
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="images"
    )
    image = models.ImageField(_("image"), upload_to="blog/images/")
    alt_text = models.CharField(_("image description"), max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return str(self.alt_text)


class SlugRedirect(models.Model):
    """An earlier address of a post, so old links keep working after the slug changes."""

    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="+")
    old_slug = models.SlugField(max_length=100)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_slugs")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blog", "old_slug"], name="slug_redirect_unique")
        ]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.post_id}"


class BlogSlugRedirect(models.Model):
    """An earlier address of a blog, so links to it and its posts keep working."""

    old_slug = models.SlugField(max_length=80, unique=True)
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.blog_id}"


class RelatedPost(models.Model):
    """A "You may also like" suggestion, computed in the background (blog.related)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        ordering = ["post", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["post", "related"], name="related_post_unique")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.related_id}"
