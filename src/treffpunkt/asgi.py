import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treffpunkt.settings")

from treffpunkt.core.pagecache import PageCache

# Readers without a session get repeated public pages from a short-lived cache.
django_application = PageCache(get_asgi_application())

from treffpunkt.events import stream_app  # noqa: E402 - needs the apps loaded above


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Django, except for the public wall stream (see events.stream_app)."""
    match = stream_app.matches(scope)
    if match is not None:
        await stream_app.wall_stream(scope, receive, send, match)
    else:
        await django_application(scope, receive, send)
