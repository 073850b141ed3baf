"""The fediverse's pages for people: a blog's followers and settings, and the moderators'
reports and blocks (in the site's languages, unlike the ActivityPub addresses)."""

from django.urls import path

from treffpunkt.federation import site_views, views

app_name = "fediverse"

urlpatterns = [
    path("blog/<slug:blog>/", site_views.blog_followers, name="blog"),
    path("follow/<slug:blog>/", views.remote_follow, name="remote_follow"),
    path("followers/<int:pk>/approve/", site_views.approve, name="approve"),
    path("followers/<int:pk>/remove/", site_views.remove, name="remove"),
    path("moderation/", site_views.moderation, name="moderation"),
    path("reports/<int:pk>/resolve/", site_views.resolve, name="resolve"),
    path("servers/<int:pk>/unblock/", site_views.unblock, name="unblock"),
]
