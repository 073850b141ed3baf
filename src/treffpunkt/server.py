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
from collections.abc import Callable
from types import FrameType

import uvicorn

from treffpunkt.core import live

logger = logging.getLogger("uvicorn.error")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
CHILD_STOP_SECONDS = 10  # a server process that has not stopped by then is killed
STARTUP_FAILURE = 3  # uvicorn's exit code for a server that could not start (not public API)


class Server(uvicorn.Server):
    """uvicorn's server, ending every live stream as soon as it is told to stop.

    ``on_stop`` runs in the signal handler too (``serve`` stops its background worker
    there, so that both stop at the same time rather than one after the other).
    """

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None] | None = None):
        super().__init__(config)
        self.on_stop = on_stop
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)

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
    """Several server processes sharing one listening socket; a process that dies is
    replaced. SIGTERM or Ctrl+C stops them all (Ctrl+C reaches them from the terminal too)."""
    sock = config.bind_socket()
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> multiprocessing.process.BaseProcess:
        process = spawn.Process(target=_serve_child, args=(config, sock), name="treffpunkt-serve")
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set() and on_stop is not None:
            on_stop()
        stopping.set()

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    processes = [start() for _ in range(config.workers)]
    try:
        while not stopping.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive() or stopping.is_set():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    logger.error("Server process [%s] could not start; stopping.", process.pid)
                    stopping.set()
                    break
                logger.warning("Server process [%s] ended; starting another.", process.pid)
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in processes:
            process.join(CHILD_STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()


def _serve_child(config: uvicorn.Config, sock: socket.socket) -> None:
    config.configure_logging()  # a spawned process starts with no logging set up
    # Ctrl+C reaches this process from the terminal too; it has shut down by then.
    with contextlib.suppress(KeyboardInterrupt):
        Server(config).run(sockets=[sock])
