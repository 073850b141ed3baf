from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.i18n import set_language

from treffpunkt.blog.sitemaps import sitemaps
from treffpunkt.core.views import media_file
from treffpunkt.events.views import short_link

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/setlang/", set_language, name="set_language"),
    # Uploaded files. A reverse proxy may serve MEDIA_ROOT itself in front of this.
    re_path(r"^media/(?P<path>.*)$", media_file, name="media"),
    # The short link on posters and QR codes: language-neutral, redirects to the join page.
    path("j/<str:code>", short_link, name="short_link"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    # The fediverse: WebFinger, NodeInfo, actors, inboxes (no language prefix).
    path("", include("treffpunkt.federation.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("treffpunkt.core.urls")),
    path("accounts/", include("treffpunkt.accounts.urls")),
    path("", include("treffpunkt.events.urls")),
    path("", include("treffpunkt.comments.urls")),
    path("b/", include("treffpunkt.blog.urls")),
    path("search/", include("treffpunkt.blog.search_urls")),
    path("moderation/", include("treffpunkt.moderation.urls")),
    path("fediverse/", include("treffpunkt.federation.site_urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "treffpunkt.core.views.bad_request"
handler403 = "treffpunkt.core.views.permission_denied"
handler404 = "treffpunkt.core.views.page_not_found"
handler500 = "treffpunkt.core.views.server_error"
