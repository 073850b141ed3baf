from django.urls import URLPattern, URLResolver, path

from treffpunkt.comments import feeds, views

app_name = "comments"

# Everything under comments/, so nothing here can shadow a blog address (b/...).
urlpatterns: list[URLPattern | URLResolver] = [
    path("comments/post/<int:post_id>/", views.submit, name="submit"),
    path("comments/post/<int:post_id>/feed/", feeds.PostCommentsRss(), name="feed_rss"),
    path("comments/post/<int:post_id>/feed/atom/", feeds.PostCommentsAtom(), name="feed_atom"),
    path("comments/moderate/", views.queue, name="queue"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("comments/confirm/<str:token>/", views.confirm, name="confirm"),
    path("comments/privacy/", views.privacy_tools, name="privacy"),
    path("comments/my-data/", views.own_data_request, name="own_data_request"),
    path("comments/my-data/<str:token>/", views.own_data, name="own_data"),
]
