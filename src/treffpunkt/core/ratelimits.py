"""Rate limits for submissions: per device (or member) and per IP address.

django-ratelimit keeps the counters in Django's cache (Redis when ``REDIS_URL`` is set, so
they hold across server processes).
"""

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from treffpunkt.core.devices import ensure_device_id


def _device_key(group: str, request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    # A device without a cookie gets one now; a bot that drops cookies meets the IP limit.
    return f"device:{ensure_device_id(request)}"


def flooding(request: HttpRequest, group: str, *, per_device: str, per_ip: str) -> bool:
    """Whether this device (or member) or this IP address sent more than its rate allows
    (``"6/m"``: six a minute); counts this request."""
    limited = False
    # Both counters count every request, also when the first one already says no.
    for scope, key, rate in (("device", _device_key, per_device), ("ip", "ip", per_ip)):
        if is_ratelimited(request, group=f"{group}-{scope}", key=key, rate=rate, increment=True):
            limited = True
    return limited
