"""Middleware of the site's own."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
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

            reason = _("This address contains a character that cannot be used (a null character).")
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
