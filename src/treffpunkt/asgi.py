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

# Where guests' words arrive: the join page of an event and the "Leave a reply" form. These
# are the hot paths of a busy event or a much-read post (see core.wsgi_bridge); everything
# else goes through Django's own ASGI handler.
GUEST_WRITES = re.compile(r"^/(?:[a-z]{2}/)?(?:e/[^/]+/|comments/post/\d+/)$")
# Wall posts and their moderation change no page the page cache keeps, so they do not
# empty it (a busy wall would otherwise empty it many times a second).
WALL_WRITES = re.compile(r"^/(?:[a-z]{2}/)?e/[^/]+/(?:moderate/.*|posts/.*)?$")
guest_writes_application = WsgiBridge()
# Request threads give up the GIL for every SQL statement; with the default 5 ms switch
# interval each statement then waits up to 5 ms while the event loop writes to thousands
# of live viewers. 1 ms keeps a post's dozen statements from adding up to a wall's delay.
sys.setswitchinterval(0.001)


async def _route(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and GUEST_WRITES.match(scope["path"]):
        await guest_writes_application(scope, receive, send)
    else:
        await django_application(scope, receive, send)


# Readers without a session get repeated public pages from a short-lived cache
# (core.pagecache); writes through either handler empty it.
cached_application = PageCache(_route, keep_on_write=WALL_WRITES)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Django, except for the public wall stream (see events.stream_app); guests' posts and
    comments run on Django's WSGI handler (see core.wsgi_bridge)."""
    match = stream_app.matches(scope)
    if match is not None:
        await stream_app.wall_stream(scope, receive, send, match)
    else:
        await cached_application(scope, receive, send)
