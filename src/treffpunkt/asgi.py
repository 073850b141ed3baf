import os
import re
import sys
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treffpunkt.settings")

django_application = get_asgi_application()

from treffpunkt.core.pagecache import PageCache  # noqa: E402 - needs the apps loaded above
from treffpunkt.core.wsgi_bridge import WsgiBridge  # noqa: E402
from treffpunkt.events import stream_app  # noqa: E402

# The moderators' live stream is an async Django view and stays with Django's ASGI handler.
# Every other request (pages, forms, guests' posts and comments) runs on Django's WSGI
# handler on a few kept threads (see core.wsgi_bridge): no thread and no new database
# connection per request, which costs more than most views themselves.
ASYNC_VIEWS = re.compile(r"^/(?:[a-z]{2}/)?e/[^/]+/(?:moderate/)?stream$")
wsgi_application = WsgiBridge()
# Request threads give up the GIL for every SQL statement; with the default 5 ms switch
# interval each statement then waits up to 5 ms while the event loop writes to thousands
# of live viewers. 1 ms keeps a post's dozen statements from adding up to a wall's delay.
sys.setswitchinterval(0.001)


async def _route(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and not ASYNC_VIEWS.match(scope["path"]):
        await wsgi_application(scope, receive, send)
    else:
        await django_application(scope, receive, send)


# Readers without a session get repeated public pages from a short-lived cache
# (core.pagecache), emptied when an action announces a change to a public page.
cached_application = PageCache(_route)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The public wall stream (events.stream_app), the moderators' stream (Django's ASGI
    handler), and everything else on Django's WSGI handler (core.wsgi_bridge)."""
    match = stream_app.matches(scope)
    if match is not None:
        await stream_app.wall_stream(scope, receive, send, match)
    else:
        await cached_application(scope, receive, send)
