from django.urls import URLPattern, URLResolver, path

from treffpunkt.blog import search_views

app_name = "search"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", search_views.search, name="search"),
]
