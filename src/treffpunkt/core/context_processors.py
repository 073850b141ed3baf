from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from treffpunkt.core.queries import site_settings


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_info": SimpleLazyObject(site_settings),
        "base_url": settings.BASE_URL,
    }
