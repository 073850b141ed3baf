from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import parse_tags, validate_blog_slug
from treffpunkt.blog.models import Blog, Post

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class PostForm(forms.Form):
    """The editor: text, address, tags, images and when it appears."""

    PUBLICATION_CHOICES = [
        ("draft", _("Draft: only you can see it")),
        ("now", _("Publish now")),
        ("schedule", _("Schedule for a later time")),
    ]

    blog = forms.ModelChoiceField(label=_("Blog"), queryset=Blog.objects.none(), empty_label=None)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Please give the post a title.")},
    )
    slug = forms.CharField(
        label=_("Address"),
        max_length=100,
        required=False,
        help_text=_("Part of the link. Leave it empty to make one from the title."),
    )
    excerpt = forms.CharField(
        label=_("Excerpt"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown in lists, feeds and link previews. Leave empty to use the first paragraph."
        ),
    )
    content_warning = forms.CharField(
        label=_("Content warning"),
        max_length=200,
        required=False,
        help_text=_(
            "Optional. In the fediverse the post then shows only this warning until readers "
            "open it, for example: Illness, death."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=600,
        required=False,
        help_text=_("Separated by commas, for example: Ehrenamt, Garten"),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text=_(
            "Markdown: **bold**, *italic*, ## heading, - list, [link](https://…), "
            "![image description](address)."
        ),
    )
    inline_image = forms.FileField(
        label=_("Image for the text"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("JPEG, PNG or WebP. Location data is removed."),
    )
    inline_alt = forms.CharField(
        label=_("Image description (alt text)"),
        max_length=300,
        required=False,
        help_text=_("What the image shows, for people who cannot see it. Required."),
    )
    cover_image = forms.FileField(
        label=_("Cover image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("Shown above the post and in link previews."),
    )
    cover_alt = forms.CharField(label=_("Cover image description"), max_length=300, required=False)
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)
    publication = forms.ChoiceField(
        label=_("Publication"), choices=PUBLICATION_CHOICES, widget=forms.RadioSelect
    )
    publish_at = forms.DateTimeField(
        label=_("Publication time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only for scheduled posts."),
    )
    comments_open = forms.BooleanField(label=_("Allow comments"), required=False, initial=True)

    def __init__(
        self, *args: Any, blogs: list[Blog], post: Post | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.post = post
        blog_field = self.fields["blog"]
        assert isinstance(blog_field, forms.ModelChoiceField)  # noqa: S101 - for mypy
        blog_field.queryset = Blog.objects.filter(pk__in=[b.pk for b in blogs])
        if post is not None:
            # A post stays in its blog; its address there is its permalink.
            del self.fields["blog"]
        else:
            self.fields["publication"].initial = "draft"
        if post is None or not post.cover_image:
            del self.fields["remove_cover"]

    def clean_tags(self) -> list[str]:
        try:
            return parse_tags(self.cleaned_data.get("tags", ""))
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("inline_image") and not (cleaned.get("inline_alt") or "").strip():
            self.add_error(
                "inline_alt", _("Please describe the image for people who cannot see it.")
            )
        has_cover = self.post is not None and bool(self.post.cover_image)
        wants_cover = cleaned.get("cover_image") or (has_cover and not cleaned.get("remove_cover"))
        if wants_cover and not (cleaned.get("cover_alt") or "").strip():
            self.add_error(
                "cover_alt", _("Please describe the cover image for people who cannot see it.")
            )
        if cleaned.get("publication") == "schedule":
            when = cleaned.get("publish_at")
            if when is None:
                self.add_error("publish_at", _("Please choose when the post should appear."))
            elif when <= timezone.now():
                self.add_error(
                    "publish_at",
                    _("This time has passed. Choose a later one, or publish now."),
                )
        return cleaned

    @classmethod
    def initial_for(cls, post: Post) -> dict[str, Any]:
        state = post.state
        return {
            "title": post.title,
            "slug": post.slug,
            "excerpt": post.excerpt,
            "content_warning": post.content_warning,
            "tags": ", ".join(tag.name for tag in post.tags.all()),
            "body": post.body,
            "cover_alt": post.cover_alt,
            "publication": {"draft": "draft", "scheduled": "schedule"}.get(state, "now"),
            "publish_at": timezone.localtime(post.published_at) if post.published_at else None,
            "comments_open": post.comments_open,
        }


class PreviewForm(forms.Form):
    body = forms.CharField(
        required=False,
        max_length=100_000,
        error_messages={"max_length": _("The text is too long for a preview.")},
    )


class InlineImageForm(forms.Form):
    """An image uploaded from the editor with JavaScript, inserted where the cursor is."""

    blog = forms.IntegerField()
    inline_image = forms.FileField(error_messages={"required": _("Please choose an image first.")})
    inline_alt = forms.CharField(
        max_length=300,
        error_messages={
            "required": _("Please describe the image for people who cannot see it."),
            "max_length": _("Please keep the description under 300 characters."),
        },
    )


class BlogForm(forms.ModelForm):
    authors = forms.ModelMultipleChoiceField(
        label=_("Authors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members with the author role. Give the role on the members page."),
    )

    class Meta:
        model = Blog
        fields = [
            "title",
            "slug",
            "description",
            "language",
            "authors",
            "comment_depth",
            "close_comments_after_days",
            "notify_authors",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authors = self.fields["authors"]
        assert isinstance(authors, forms.ModelMultipleChoiceField)  # noqa: S101 - for mypy
        authors.queryset = User.objects.filter(is_active=True).filter(models_q_author())
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Part of the link, e.g. /b/verein/. Leave it empty to make one from the title."
        )

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or self.cleaned_data.get("title") or ""
        if not slug:
            return ""
        try:
            return validate_blog_slug(slug, self.instance if self.instance.pk else None)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_comment_depth(self) -> int:
        depth = self.cleaned_data["comment_depth"]
        if not 1 <= depth <= 10:
            raise forms.ValidationError(_("Choose a depth from 1 to 10."))
        return int(depth)


def models_q_author() -> Any:
    from django.db.models import Q

    return Q(is_author=True) | Q(is_superuser=True)
