"""Running the ASGI application under uvicorn, in one process or several, and stopping fast.

uvicorn's graceful shutdown waits for every open response, and live streams never end by
themselves: a stopping server used to wait out its timeout, cancel each stream (one
``CancelledError`` traceback per viewer in the log) and cut the connections. Here a signal
first ends every open stream (``core.live.shut_down``): each viewer gets the response's
final chunk, the graceful shutdown finds nothing left to wait for, and browsers reconnect
after the ``retry:`` pause, to the next server.

uvicorn's own supervisor for several processes starts uvicorn's plain ``Server`` in each
child, so this module has a small one of its own that starts ``Server`` below instead.
"""

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn

from treffpunkt.core import live

logger = logging.getLogger("uvicorn.error")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
CHILD_STOP_SECONDS = 10  # a server process that has not stopped by then is killed
REPLACE_SECONDS = 60  # on SIGHUP, how long the new server processes may take to start
STARTUP_FAILURE = 3  # uvicorn's exit code for a server that could not start (not public API)


class Server(uvicorn.Server):
    """uvicorn's server, ending every live stream as soon as it is told to stop.

    ``on_stop`` runs in the signal handler too (``serve`` stops its background worker
    there, so that both stop at the same time rather than one after the other).
    """

    def __init__(
        self,
        config: uvicorn.Config,
        on_stop: Callable[[], None] | None = None,
        on_started: Callable[[], None] | None = None,
    ):
        super().__init__(config)
        self.on_stop = on_stop
        self.on_started = on_started
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)
        if self.started and self.on_started is not None:
            self.on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        first = not self.should_exit
        super().handle_exit(sig, frame)
        if not first:
            return
        if self.on_stop is not None:
            self.on_stop()
        loop = self.loop
        if loop is not None and not loop.is_closed():
            # A signal handler may interrupt the loop anywhere: hand the work to the loop.
            loop.call_soon_threadsafe(live.shut_down)


def serve(config: uvicorn.Config, on_stop: Callable[[], None] | None = None) -> None:
    """Serve until SIGTERM or Ctrl+C, in ``config.workers`` processes."""
    if config.workers > 1:
        _serve_in_processes(config, on_stop)
        return
    # Ctrl+C ends in KeyboardInterrupt once the server has shut down, as SIGTERM would.
    with contextlib.suppress(KeyboardInterrupt):
        Server(config, on_stop).run()


def _serve_in_processes(config: uvicorn.Config, on_stop: Callable[[], None] | None) -> None:
    """Several server processes sharing one listening socket. SIGTERM or Ctrl+C stops them
    all (Ctrl+C reaches them from the terminal too); SIGHUP replaces them, the old ones
    once the new ones serve, as uvicorn's own supervisor does; one that dies is replaced."""
    sock = config.bind_socket()
    requested: list[int] = []
    wake = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        first_stop = signum in STOP_SIGNALS and not _stop_requested(requested)
        requested.append(signum)
        wake.set()
        if first_stop and on_stop is not None:
            on_stop()

    handled = (*STOP_SIGNALS, signal.SIGHUP)
    previous = {signum: signal.signal(signum, on_signal) for signum in handled}
    children = [_Child(config, sock) for _ in range(config.workers)]
    try:
        while not _stop_requested(requested):
            if signal.SIGHUP in requested:
                requested.remove(signal.SIGHUP)
                children = _replace(children, config, sock, requested)
            for index, child in enumerate(children):
                if child.process.is_alive():
                    continue
                if child.process.exitcode == STARTUP_FAILURE:
                    logger.error("Server process [%s] could not start; stopping.", child.pid)
                    return
                logger.warning("Server process [%s] ended; starting another.", child.pid)
                children[index] = _Child(config, sock)
            wake.wait(0.5)
            wake.clear()
    finally:
        _stop(children)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()


class _Child:
    """One server process and the event it sets once it serves."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.serving = spawn.Event()
        self.process = spawn.Process(
            target=_serve_child, args=(config, sock, self.serving), name="treffpunkt-serve"
        )
        self.process.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid


def _serve_child(config: uvicorn.Config, sock: socket.socket, serving: Any) -> None:
    config.configure_logging()  # a spawned process starts with no logging set up
    # Ctrl+C reaches this process from the terminal too; it has shut down by then.
    with contextlib.suppress(KeyboardInterrupt):
        Server(config, on_started=serving.set).run(sockets=[sock])


def _stop_requested(requested: list[int]) -> bool:
    return any(signum in STOP_SIGNALS for signum in requested)


def _replace(
    old: list[_Child], config: uvicorn.Config, sock: socket.socket, requested: list[int]
) -> list[_Child]:
    """New server processes; the old ones stop once every new one serves (their streams
    end, and the browsers reconnect to the new ones). If the new ones do not start, the
    old ones stay."""
    new = [_Child(config, sock) for _ in old]
    deadline = time.monotonic() + REPLACE_SECONDS
    while not all(child.serving.is_set() for child in new):
        failed = any(not child.process.is_alive() for child in new)
        if failed or time.monotonic() > deadline or _stop_requested(requested):
            if not _stop_requested(requested):
                logger.error("The new server processes did not start; the old ones go on.")
            _stop(new)
            return old
        time.sleep(0.1)
    _stop(old)
    return new


def _stop(children: list[_Child]) -> None:
    for child in children:
        if child.process.is_alive() and child.pid is not None:
            os.kill(child.pid, signal.SIGTERM)
    for child in children:
        child.process.join(CHILD_STOP_SECONDS)
        if child.process.is_alive():
            child.process.kill()
            child.process.join()
