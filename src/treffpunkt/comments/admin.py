from django.contrib import admin

from treffpunkt.comments.models import Comment, Subscription


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "post", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["author_name", "email", "body"]
    list_select_related = ["post"]
    raw_id_fields = ["post", "parent", "participant"]
    readonly_fields = ["depth", "moderation_score", "moderation_reasons", "created_at"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "comment", "created_at"]
    search_fields = ["email"]
    raw_id_fields = ["comment"]
