import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.static import serve

from treffpunkt.core.home_sections import home_sections
from treffpunkt.core.markdown import render_markdown
from treffpunkt.core.models import LegalPage
from treffpunkt.core.queries import legal_page

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    # The parts of the site (events, blogs) register their sections in core.home_sections.
    return render(request, "core/home.html", {"sections": home_sections(request)})


def legal(request: HttpRequest, kind: str) -> HttpResponse:
    page = legal_page(kind, get_language())
    context: dict[str, Any] = {
        "kind": kind,
        "title": LegalPage.Kind(kind).label,
        "page": page,
        "body": render_markdown(page.body) if page else None,
        "default_template": f"core/legal/{kind}_default.html",
    }
    return render(request, "core/legal.html", context)


def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file from MEDIA_ROOT (read when asked, so a changed setting counts)."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "429.html", status=429)


def bad_request(request: HttpRequest, exception: Exception, reason: str = "") -> HttpResponse:
    return render(request, "400.html", {"reason": reason}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@never_cache
def server_error(request: HttpRequest) -> HttpResponse:
    # The site layout needs the database (site name); if that is what failed, fall back to a
    # page that needs nothing.
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("Could not render the 500 page in the site layout")
        return HttpResponse(loader.render_to_string("500_plain.html"), status=500)


def switch_language(request: HttpRequest, language: str) -> HttpResponse:
    """The language switch: remembers the choice in the language cookie (so addresses
    without a language prefix follow it, see ``ChosenLanguageMiddleware``) and goes to the
    page in that language (``next``, an address on this site)."""
    from django.http import Http404, HttpResponseRedirect
    from django.urls import translate_url
    from django.utils.http import url_has_allowed_host_and_scheme

    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    from django.utils import translation

    # The address resolves in the language it names (no prefix: the site's default).
    current = translation.get_language_from_path(target.split("?", 1)[0])
    with translation.override(current or settings.LANGUAGE_CODE):
        response = HttpResponseRedirect(translate_url(target, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
    return response
