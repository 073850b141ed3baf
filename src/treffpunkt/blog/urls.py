from django.urls import path

from treffpunkt.blog import feeds, views

app_name = "blog"

# Fixed words come first; actions.RESERVED_BLOG_SLUGS keeps blogs from taking them.
urlpatterns = [
    path("", views.index, name="index"),
    path("feed/atom/", feeds.SiteAtomFeed(), name="feed_atom"),
    path("feed/rss/", feeds.SiteRssFeed(), name="feed_rss"),
    path("tag/<slug:tag>/", views.tag_detail, name="tag"),
    path("tag/<slug:tag>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("tag/<slug:tag>/feed/rss/", feeds.TagRssFeed(), name="tag_feed_rss"),
    path("author/<int:author>/", views.author_detail, name="author"),
    path("write/", views.my_posts, name="my_posts"),
    path("write/new/", views.post_new, name="new"),
    path("write/preview/", views.preview, name="preview"),
    path("write/images/", views.upload_image, name="upload_image"),
    path("write/<int:pk>/", views.post_edit, name="edit"),
    path("write/<int:pk>/delete/", views.post_delete, name="delete"),
    path(
        "write/<int:pk>/revisions/<int:revision>/restore/", views.restore, name="restore_revision"
    ),
    path("manage/", views.manage_blogs, name="manage"),
    path("manage/new/", views.blog_form, name="blog_new"),
    path("manage/<slug:blog>/", views.blog_form, name="blog_edit"),
    path("<slug:blog>/", views.blog_detail, name="blog"),
    path(
        "<slug:blog>/feed/atom/",
        views.follow_moved_blog(feeds.BlogAtomFeed()),
        name="blog_feed_atom",
    ),
    path(
        "<slug:blog>/feed/rss/",
        views.follow_moved_blog(feeds.BlogRssFeed()),
        name="blog_feed_rss",
    ),
    path("<slug:blog>/<int:year>/<str:month>/", views.archive_month, name="archive"),
    path("<slug:blog>/<int:year>/<str:month>/<slug:slug>/", views.post_detail, name="post"),
]
