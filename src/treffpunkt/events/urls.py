from django.urls import path

from treffpunkt.events import views

app_name = "events"

urlpatterns = [
    path("events/", views.my_events, name="mine"),
    path("events/new/", views.create_event, name="create"),
    path("events/accent/<str:color>.css", views.accent_css, name="accent_css"),
    path("e/<str:hashtag>/", views.join, name="join"),
    path("e/<str:hashtag>/edit/", views.edit_event, name="edit"),
    path("e/<str:hashtag>/wall/", views.wall, name="wall"),
    # Served by events.stream_app in front of Django; the view only names the address.
    path("e/<str:hashtag>/stream", views.stream_outside_asgi, name="stream"),
    path("e/<str:hashtag>/qr.svg", views.qr_code, name="qr"),
    path("e/<str:hashtag>/poster/", views.poster, name="poster"),
    path("e/<str:hashtag>/recap/", views.recap, name="recap"),
    path("e/<str:hashtag>/recap.md", views.recap_export, name="recap_export"),
    path("e/<str:hashtag>/recap/draft/", views.recap_to_draft, name="recap_to_draft"),
    path("e/<str:hashtag>/moderate/", views.moderate, name="moderate"),
    path("e/<str:hashtag>/moderate/<int:pk>/", views.moderation_item, name="moderation_item"),
    path("e/<str:hashtag>/moderate/stream", views.moderation_stream, name="moderation_stream"),
    path(
        "e/<str:hashtag>/moderate/<int:pk>/<str:action>/",
        views.moderate_action,
        name="moderate_action",
    ),
    path("e/<str:hashtag>/posts/<int:pk>/edit/", views.edit_contribution, name="edit_contribution"),
    path(
        "e/<str:hashtag>/posts/<int:pk>/delete/",
        views.delete_contribution,
        name="delete_contribution",
    ),
]
