"""The fediverse's addresses: language-neutral, outside the /en/ prefix, as servers expect."""

from django.urls import URLPattern, path

from treffpunkt.federation import views

app_name = "federation"

urlpatterns: list[URLPattern] = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/host-meta", views.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("ap/inbox", views.inbox, name="shared_inbox"),
    path("ap/actors/<int:pk>", views.actor, name="actor"),
    path("ap/actors/<int:pk>/inbox", views.inbox, name="inbox"),
    path("ap/actors/<int:pk>/outbox", views.outbox, name="outbox"),
    path("ap/actors/<int:pk>/followers", views.followers, name="followers"),
    path("ap/actors/<int:pk>/following", views.following, name="following"),
    path("ap/actors/<int:pk>/featured", views.featured, name="featured"),
    path("ap/posts/<int:pk>", views.post_object, name="post"),
    path("ap/posts/<int:pk>/replies", views.replies, name="replies"),
    path("ap/posts/<int:pk>/likes", views.reactions, {"kind": "like"}, name="likes"),
    path("ap/posts/<int:pk>/shares", views.reactions, {"kind": "announce"}, name="shares"),
    path("ap/comments/<int:pk>", views.comment_object, name="comment"),
    path("ap/activities/<int:pk>", views.activity, name="activity"),
    path(
        "ap/quote-authorizations/<int:pk>",
        views.quote_authorization,
        name="quote_authorization",
    ),
]
