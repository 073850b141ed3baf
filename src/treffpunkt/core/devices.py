"""Guests have no account: a random id in a signed cookie tells their device apart.

The id lets a guest see, edit and delete what they posted from the same phone; it carries
nothing else. The cookie is set by ``DeviceCookieMiddleware`` only once a guest acts.
"""

import secrets

from django.http import HttpRequest, HttpResponseBase

COOKIE_NAME = "tp_device"
COOKIE_SALT = "treffpunkt.device"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def current_device_id(request: HttpRequest) -> str | None:
    """The device id from the signed cookie, or None for a device not seen before."""
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    if value and 16 <= len(value) <= 64 and value.isalnum():
        return str(value)
    return None


def ensure_device_id(request: HttpRequest) -> str:
    """The device id, created (and later set as a cookie) if the device has none yet."""
    device_id = current_device_id(request) or getattr(request, "_new_device_id", None)
    if device_id is None:
        device_id = secrets.token_hex(16)
        request._new_device_id = device_id  # type: ignore[attr-defined]
    return device_id


class DeviceCookieMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        new_id = getattr(request, "_new_device_id", None)
        if new_id:
            response.set_signed_cookie(
                COOKIE_NAME,
                new_id,
                salt=COOKIE_SALT,
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
