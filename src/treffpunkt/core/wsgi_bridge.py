"""Serve chosen requests with Django's WSGI handler on a fixed pool of threads.

Django's ASGI handler runs synchronous views in a new thread for every request (one
``ThreadSensitiveContext`` per request), hops between that thread and the event loop for
each synchronous middleware, and with it opens and closes a database connection per
request. For the guests' hot path, the join page where posts arrive, that costs more CPU
than the view itself. Here the request body is read on the event loop, and the whole
request (middleware, view, response) runs in one go on one of a few long-lived threads that
keep their database connection, exactly as under a WSGI server.

Only complete (non-streaming) responses are expected: a streaming response is collected
before it is sent.
"""

import asyncio
import logging
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db.backends.signals import connection_created

Scope = dict[str, Any]
logger = logging.getLogger(__name__)


THREAD_PREFIX = "treffpunkt-http"
# A POST with a body this large is an upload (a text post's form is a few kilobytes).
UPLOAD_BYTES = 64 * 1024


def keep_connection(connection: Any, **_kwargs: Any) -> None:
    """Let the bridge's threads keep their SQLite connection from request to request.

    SQLite connections are cheap to keep and costly to open (PRAGMAs and function
    registration on each), but without CONN_MAX_AGE Django closes them after every request.
    Broken connections are still closed by Django (``errors_occurred``). Other threads, and
    other databases (PostgreSQL has its own CONN_MAX_AGE), are left alone.
    """
    if connection.vendor == "sqlite" and threading.current_thread().name.startswith(THREAD_PREFIX):
        connection.close_at = None


def _environ(scope: Scope, body: IO[bytes], length: int) -> dict[str, Any]:
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    root_path = scope.get("root_path", "")
    path = scope["path"].removeprefix(root_path) if root_path else scope["path"]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root_path.encode("utf-8").decode("latin-1"),
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(length),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name == "CONTENT_LENGTH":
            continue  # the body as read decides
        if name == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
            continue
        key = f"HTTP_{name}"
        if key in environ:
            value = environ[key] + ("; " if name == "COOKIE" else ",") + value
        environ[key] = value
    return environ


async def _too_large(send: Any) -> None:
    body = "Die Daten sind zu groß. / The upload is too large.\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class WsgiBridge:
    """An ASGI app that runs Django's WSGI handler on ``threads`` long-lived threads."""

    def __init__(self, threads: int = 3) -> None:
        self.handler = WSGIHandler()
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix=THREAD_PREFIX)
        # On SQLite, POSTs one after the other: it takes one writer at a time anyway, and writers
        # that wait for each other inside SQLite sleep in its busy handler (milliseconds
        # each) instead of queueing here.
        # PostgreSQL takes concurrent writers, so there they get as many threads as readers.
        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        self.writer = ThreadPoolExecutor(
            1 if sqlite else threads, thread_name_prefix=THREAD_PREFIX + "-post"
        )
        # POSTs that carry a file (a photo) spend most of their time decoding it: they get a
        # thread of their own, so a guest's text post never waits behind someone's image
        # (core.images decodes one image at a time anyway).
        self.uploads = ThreadPoolExecutor(1, thread_name_prefix=THREAD_PREFIX + "-upload")
        connection_created.connect(keep_connection, dispatch_uid="treffpunkt-keep-connection")
        # Far above any upload a form takes (those get a friendly message from the form
        # itself), so only absurd bodies are cut off before they fill the disk.
        self.max_body = 4 * settings.MAX_UPLOAD_MB * 1024 * 1024 + 1024 * 1024

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        handed_over = False
        try:
            length = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client left before sending everything
                chunk = message.get("body", b"")
                body.write(chunk)
                length += len(chunk)
                if length > self.max_body:
                    await _too_large(send)
                    return
                if not message.get("more_body", False):
                    break
            body.seek(0)
            environ = _environ(scope, body, length)
            loop = asyncio.get_running_loop()
            pool = self._pool_for(scope, length)
            handed_over = True  # from now on the request's thread closes the body
            status, headers, content = await loop.run_in_executor(pool, self._run, environ)
        finally:
            if not handed_over:
                body.close()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def _pool_for(self, scope: Scope, length: int) -> ThreadPoolExecutor:
        if scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            return self.pool
        content_type = next(
            (value for name, value in scope.get("headers", []) if name == b"content-type"), b""
        )
        if length > UPLOAD_BYTES and content_type.startswith(b"multipart/form-data"):
            return self.uploads
        return self.writer

    def _run(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return lambda _data: None  # the legacy write() callable, unused by Django

        try:
            result = self.handler(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    try:
                        close()  # request_finished: Django's end-of-request clean-up
                    except Exception:
                        # The response is complete and its work committed: a failing
                        # clean-up (a database connection that broke meanwhile) must not
                        # turn it into an error page, or a guest sends the same post again.
                        logger.exception("Clean-up after a request failed")
        finally:
            environ["wsgi.input"].close()
        status, headers = started
        return (
            int(status.split(" ", 1)[0]),
            [
                (name.lower().encode("latin-1"), value.strip().encode("latin-1"))
                for name, value in headers
            ],
            content,
        )
