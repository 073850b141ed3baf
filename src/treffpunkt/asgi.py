import os
import re
import sys
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treffpunkt.settings")

from treffpunkt.core.pagecache import PageCache

# Readers without a session get repeated public pages from a short-lived cache
# (core.pagecache); keep this wrapper when changing the routing below.
django_application = PageCache(get_asgi_application())

from treffpunkt.core.wsgi_bridge import WsgiBridge  # noqa: E402 - needs the apps loaded above
from treffpunkt.events import stream_app  # noqa: E402

# The join page, where guests' posts arrive: the hot path of a busy event (see
# core.wsgi_bridge). Everything else goes through Django's own ASGI handler.
JOIN_PAGE = re.compile(r"^/(?:[a-z]{2}/)?e/[^/]+/$")
join_application = WsgiBridge()
# Request threads give up the GIL for every SQL statement; with the default 5 ms switch
# interval each statement then waits up to 5 ms while the event loop writes to thousands
# of live viewers. 1 ms keeps a post's dozen statements from adding up to a wall's delay.
sys.setswitchinterval(0.001)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Django, except for the public wall stream (see events.stream_app) and the join
    page (see core.wsgi_bridge)."""
    match = stream_app.matches(scope)
    if match is not None:
        await stream_app.wall_stream(scope, receive, send, match)
    elif scope["type"] == "http" and JOIN_PAGE.match(scope["path"]):
        await join_application(scope, receive, send)
    else:
        await django_application(scope, receive, send)
