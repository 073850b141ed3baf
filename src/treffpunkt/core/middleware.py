"""Middleware of the site's own."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _

from treffpunkt.core.inputs import has_nul


class RefuseNulMiddleware:
    """Answer 400 to an address or query that carries a NUL byte, before any view (or the
    admin's filters) hands it to the database: PostgreSQL cannot compare text with NUL and
    would answer with an error, which would be a 500 for anyone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if has_nul(request.path) or any(
            has_nul(key) or any(has_nul(value) for value in values)
            for key, values in request.GET.lists()
        ):
            from treffpunkt.core.views import bad_request

            # Before LocaleMiddleware: answer in the language the address names.
            language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
            with translation.override(language):
                reason = _(
                    "This address contains a character that cannot be used (a null character)."
                )
                return bad_request(request, ValueError("NUL in the address"), reason)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send ``PERMISSIONS_POLICY`` with every response (Django has no setting for it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def preferred_language(accept_language: str) -> str | None:
    """The site language a browser's Accept-Language header prefers, if it names one."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        base = code.lower().split("-")[0]
        if base in supported:
            return base
    return None


class ChosenLanguageMiddleware:
    """The language a visitor chose sticks: an address without a language prefix (which
    means the site's default language) sends someone whose language cookie names another
    language to that language's address. The home page does the same on a first visit for
    a browser that prefers another language (Accept-Language). Only addresses that exist in
    the other language are redirected; pages stay cacheable per address (``core.pagecache``
    passes such requests through)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        target = self._other_language_address(request)
        if target is None:
            return self.get_response(request)
        from django.http import HttpResponseRedirect
        from django.utils.cache import patch_vary_headers

        response = HttpResponseRedirect(target)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def _other_language_address(self, request: HttpRequest) -> str | None:
        from django.urls import is_valid_path

        if request.method not in ("GET", "HEAD") or get_language_from_path(request.path_info):
            return None
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in supported else None
        if language is None and request.path_info == "/":
            language = preferred_language(request.headers.get("Accept-Language", ""))
        if not language or language == settings.LANGUAGE_CODE:
            return None
        path = f"/{language}{request.path_info}"
        # The language prefix in addresses is that of the active language.
        with translation.override(language):
            if not is_valid_path(path, getattr(request, "urlconf", None)):
                return None
        query = request.META.get("QUERY_STRING", "")
        return f"{request.META.get('SCRIPT_NAME', '')}{path}" + (f"?{query}" if query else "")
