from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from treffpunkt.blog import actions
from treffpunkt.blog.models import Blog, Post, Tag
from treffpunkt.core.admin import ThroughActionsAdmin


class BlogAdminForm(forms.ModelForm):
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
            "created_at",
        ]

    def clean_slug(self) -> str:
        try:
            return actions.validate_blog_slug(
                self.cleaned_data["slug"], self.instance if self.instance.pk else None
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


BLOG_FIELDS = [name for name in BlogAdminForm.Meta.fields if name != "authors"]


@admin.register(Blog)
class BlogAdmin(ThroughActionsAdmin):
    form = BlogAdminForm
    list_display = ["title", "slug", "language", "created_at"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["authors"]

    def save_model(self, request: HttpRequest, obj: Blog, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in BLOG_FIELDS}
        if change:
            # The stored row still has the old address, from which update_blog redirects.
            actions.update_blog(self.stored(obj), authors=data["authors"], **fields)
        else:
            obj.pk = actions.create_blog(authors=data["authors"], **fields).pk

    def delete_model(self, request: HttpRequest, obj: Blog) -> None:
        actions.delete_blog(obj, editor=request.user)  # type: ignore[arg-type]


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name"]

    def clean_name(self) -> str:
        try:
            return actions.clean_tag_name(self.cleaned_data["name"], self.instance)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


@admin.register(Tag)
class TagAdmin(ThroughActionsAdmin):
    # Tags are made when a post names them (blog.actions.save_post), so there is no adding
    # here. Renaming keeps the address: links to the tag page and its feed keep working.
    form = TagAdminForm
    list_display = ["name", "slug"]
    search_fields = ["name"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        actions.rename_tag(self.stored(obj), form.cleaned_data["name"])

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        actions.delete_tag(obj)


@admin.register(Post)
class PostAdmin(ThroughActionsAdmin):
    # Posts are written in the site's editor (it renders the text, keeps revisions and
    # redirects old addresses); here admins find, inspect and delete them.
    list_display = ["title", "blog", "author", "status", "published_at", "edit_link"]
    list_filter = ["status", "blog"]
    list_select_related = ["blog", "author"]
    search_fields = ["title", "slug", "excerpt"]
    date_hierarchy = "published_at"
    exclude = ["body_html", "summary"]

    @admin.display(description=_("editor"))
    def edit_link(self, obj: Post) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("blog:edit", kwargs={"pk": obj.pk}), _("Edit")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        actions.delete_post(obj, editor=request.user)  # type: ignore[arg-type]
