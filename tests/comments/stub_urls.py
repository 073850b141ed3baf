"""The site's addresses with a minimal post page, for as long as the blog app has none."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path

from treffpunkt.blog.models import Post
from treffpunkt.urls import urlpatterns as site_patterns

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% load comments %}'
    "{% block content %}<h1>{{ post.title }}</h1>{% comment_section post %}{% endblock %}"
)


def post_page(request: HttpRequest, blog: str, year: int, month: str, slug: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("blog"), blog__slug=blog, slug=slug)
    return HttpResponse(PAGE.render({"post": post}, request))


blog_patterns = (
    [
        path("<slug:blog>/", post_page, name="blog"),
        path("<slug:blog>/<int:year>/<str:month>/<slug:slug>/", post_page, name="post"),
    ],
    "blog",
)

urlpatterns = site_patterns[:4] + i18n_patterns(
    path("", include("treffpunkt.core.urls")),
    path("accounts/", include("treffpunkt.accounts.urls")),
    path("", include("treffpunkt.events.urls")),
    path("admin/", admin.site.urls),
    path("", include("treffpunkt.comments.urls")),
    path("b/", include(blog_patterns)),
    prefix_default_language=False,
)
