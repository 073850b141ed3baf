"""kill -9 of the worker in the middle of a delivery: nothing is lost. The delivery stays
claimed for a minute (here the test moves the clock of that one row), then the next worker
sends it; it is marked sent once, and the server sees the same activity id again."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ..test_cli import run_cli

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the SQLite data folder"
)


class Inbox:
    """Takes POSTs; the first one it never answers (the worker hangs there)."""

    def __init__(self):
        self.bodies = []
        self.first_arrived = threading.Event()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                inbox.bodies.append(json.loads(body))
                if len(inbox.bodies) == 1:
                    inbox.first_arrived.set()
                    time.sleep(30)  # longer than the test waits before the kill
                    return
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_delivery_interrupted_by_kill_9_is_sent_by_the_next_worker(tmp_path):
    inbox = Inbox()
    env = {"TREFFPUNKT_FEDERATION_ALLOW_PRIVATE": "127.0.0.0/8",
           "TREFFPUNKT_BASE_URL": "http://127.0.0.1:8999"}  # fmt: skip
    assert run_cli("manage", "migrate", "-v", "0", data_dir=tmp_path, env_extra=env,
                   timeout=180).returncode == 0  # fmt: skip
    setup = run_cli(
        "manage", "shell", "-c",
        "from treffpunkt.accounts.models import User; "
        "from treffpunkt.blog.actions import create_blog, save_post, publish_post; "
        "from treffpunkt.federation.actors import actor_for_blog; "
        "from treffpunkt.federation.models import Follower, RemoteActor; "
        "u = User.objects.create_user('a@example.org', 'a-long-test-pass-42', is_author=True); "
        "b = create_blog(title='Werkstatt', slug='werkstatt', authors=[u]); "
        f"r = RemoteActor.objects.create(url='http://127.0.0.1:{inbox.port}/users/x', "
        f"host='127.0.0.1:{inbox.port}', inbox='http://127.0.0.1:{inbox.port}/inbox'); "
        "Follower.objects.create(actor=actor_for_blog(b), remote=r); "
        "publish_post(save_post(editor=u, blog=b, title='Neu', body='Text'), editor=u)",
        data_dir=tmp_path, env_extra=env, timeout=120,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    database = tmp_path / "treffpunkt.sqlite3"

    def rows(sql):
        with sqlite3.connect(database, timeout=20) as db:
            return db.execute(sql).fetchall()

    def worker():
        full = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
        full.pop("DJANGO_SETTINGS_MODULE", None)
        full.update(TREFFPUNKT_DATA_DIR=str(tmp_path), **env)
        log = (tmp_path / f"worker-{len(list(tmp_path.glob('worker-*')))}.log").open("w")
        command = [sys.executable, "-m", "treffpunkt", "worker", "--interval", "0.2"]
        return subprocess.Popen(command, env=full, stdout=log, stderr=subprocess.STDOUT)

    first = worker()
    try:
        assert inbox.first_arrived.wait(90), "the first worker never delivered"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert rows("SELECT status FROM federation_delivery") == [("waiting",)]
    # The minute of the dead worker's claim passes.
    rows("UPDATE federation_delivery SET claimed_until = '2000-01-01 00:00:00'")
    second = worker()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if rows("SELECT status FROM federation_delivery") == [("sent",)]:
                break
            time.sleep(0.3)
    finally:
        second.terminate()
        second.wait(timeout=20)
        inbox.server.shutdown()
    assert rows("SELECT status FROM federation_delivery") == [("sent",)]
    assert len(inbox.bodies) == 2
    assert inbox.bodies[0]["id"] == inbox.bodies[1]["id"]  # the same activity, sent again
    assert inbox.bodies[0]["type"] == "Create"
