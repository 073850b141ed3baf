from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from treffpunkt.blog import actions
from treffpunkt.blog.models import Blog, Post, Tag


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


@admin.register(Blog)
class BlogAdmin(admin.ModelAdmin):
    form = BlogAdminForm
    list_display = ["title", "slug", "language", "created_at"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["authors"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    # Posts are written in the site's editor (it renders the text, keeps revisions and
    # redirects old addresses); here admins find, inspect and delete them.
    list_display = ["title", "blog", "author", "status", "published_at", "edit_link"]
    list_filter = ["status", "blog"]
    list_select_related = ["blog", "author"]
    search_fields = ["title", "slug", "excerpt"]
    date_hierarchy = "published_at"
    readonly_fields = [
        field.name for field in Post._meta.fields if field.name not in {"body_html", "summary"}
    ] + ["tags"]
    exclude = ["body_html", "summary"]

    @admin.display(description=_("editor"))
    def edit_link(self, obj: Post) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("blog:edit", kwargs={"pk": obj.pk}), _("Edit")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        actions.delete_post(obj, editor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            actions.delete_post(post, editor=request.user)  # type: ignore[arg-type]

    def get_actions(self, request: HttpRequest) -> Any:
        return super().get_actions(request)
