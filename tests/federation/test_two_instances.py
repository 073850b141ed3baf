"""Two Treffpunkt instances on loopback, each a real server with its own worker and data
folder, talking ActivityPub (TREFFPUNKT_FEDERATION_ALLOW_PRIVATE=127.0.0.0/8): one blog
follows the other's through WebFinger, a post arrives, a reply comes back as a comment, its
deletion removes it, and an Undo Follow stops delivery."""

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from ..test_cli import free_port, run_cli

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="each instance has its SQLite data folder"
)


class Instance:
    def __init__(self, tmp_path, name):
        self.name = name
        self.data = tmp_path / name
        self.data.mkdir()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            "TREFFPUNKT_BASE_URL": self.base,
            "TREFFPUNKT_FEDERATION_ALLOW_PRIVATE": "127.0.0.0/8",
            "TREFFPUNKT_PAGE_CACHE_SECONDS": "0",
        }
        self.processes = []

    def shell(self, code):
        result = run_cli("manage", "shell", "-c", code, data_dir=self.data, env_extra=self.env,
                         timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""

    def start(self):
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("REDIS_URL", None)
        env.update(TREFFPUNKT_DATA_DIR=str(self.data), **self.env)
        for args, log in (
            (["serve", "--port", str(self.port), "--no-worker", "--quiet"], "server.log"),
            (["worker", "--interval", "0.2"], "worker.log"),
        ):
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "treffpunkt", *args],
                    env=env,
                    stdout=(self.data / log).open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/nodeinfo/2.1", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start: {self.logs()}")

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def rows(self, sql, *params):
        with sqlite3.connect(self.data / "treffpunkt.sqlite3", timeout=20) as db:
            return db.execute(sql, params).fetchall()

    def logs(self):
        return "\n".join(
            (self.data / name).read_text()[-3000:] for name in ("server.log", "worker.log")
            if (self.data / name).exists()
        )  # fmt: skip


def wait_for(condition, what, instances, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(
        f"waited {seconds} s for {what}\n" + "\n".join(i.logs() for i in instances)
    )


SETUP = (
    "from treffpunkt.accounts.models import User; "
    "from treffpunkt.blog.actions import create_blog; "
    "u = User.objects.create_user('{email}', 'a-long-test-pass-42', display_name='{name}', "
    "is_author=True); "
    "create_blog(title='{title}', slug='{slug}', authors=[u])"
)
PUBLISH = (
    "from treffpunkt.accounts.models import User; "
    "from treffpunkt.blog.models import Blog; "
    "from treffpunkt.blog.actions import save_post, publish_post; "
    "u = User.objects.get(email='{email}'); "
    "p = save_post(editor=u, blog=Blog.objects.get(slug='{slug}'), title='{title}', "
    "body='Heute haben wir **gebaut**.'); "
    "p = publish_post(p, editor=u); print(p.pk)"
)


def test_two_instances_follow_publish_reply_delete_and_unfollow(tmp_path):
    a, b = Instance(tmp_path, "a"), Instance(tmp_path, "b")
    for instance, values in (
        (
            a,
            {
                "email": "anna@example.org",
                "name": "Anna",
                "title": "Werkstatt",
                "slug": "werkstatt",
            },
        ),
        (b, {"email": "bert@example.org", "name": "Bert", "title": "Nachbarn", "slug": "nachbarn"}),
    ):
        assert run_cli("manage", "migrate", "-v", "0", data_dir=instance.data,
                       env_extra=instance.env, timeout=180).returncode == 0  # fmt: skip
        instance.shell(SETUP.format(**values))
    try:
        a.start()
        b.start()
        handle = f"@werkstatt@127.0.0.1:{a.port}"

        # B's blog follows A's blog through WebFinger; A accepts.
        b.shell(
            "from treffpunkt.blog.models import Blog; "
            "from treffpunkt.federation.actions import follow; "
            f"follow(Blog.objects.get(slug='nachbarn'), '{handle}')"
        )
        wait_for(lambda: a.rows("SELECT status FROM federation_follower") == [("accepted",)],
                 "A to accept B's follow", [a, b])  # fmt: skip
        wait_for(lambda: b.rows("SELECT accepted FROM federation_following") == [(1,)],
                 "B to hear the Accept", [a, b])  # fmt: skip
        followers = json.loads(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{a.base}/ap/actors/1/followers",
                    headers={"Accept": "application/activity+json"},
                ),
                timeout=10,
            ).read()
        )
        assert followers["totalItems"] == 1

        # A publishes: the post arrives at B.
        post_id = int(a.shell(PUBLISH.format(email="anna@example.org", slug="werkstatt",
                                             title="Neue Hobelbank")))  # fmt: skip
        post_url = f"{a.base}/ap/posts/{post_id}"
        wait_for(
            lambda: (
                b.rows(
                    "SELECT status FROM federation_inboxitem"
                    " WHERE kind = 'Create' AND object_key = ?",
                    post_url,
                )
                == [("done",)]
            ),
            "the post to arrive at B",
            [a, b],
        )

        # B answers it: the reply becomes a comment under A's post (held: first time).
        b.shell(
            "from treffpunkt.blog.models import Blog; "
            "from treffpunkt.federation.actors import actor_for_blog; "
            "from treffpunkt.federation.actions import lookup, send_note; "
            "local = actor_for_blog(Blog.objects.get(slug='nachbarn')); "
            f"send_note(local, text_html='<p>Gratulation zur Hobelbank!</p>', "
            f"in_reply_to='{post_url}', mention=lookup('{handle}'), "
            f"note_id='{b.base}/ap/notes/1')"
        )
        wait_for(lambda: a.rows("SELECT body, status, email FROM comments_comment") ==
                 [("Gratulation zur Hobelbank!", "pending", "")], "the reply as a comment",
                 [a, b])  # fmt: skip
        assert a.rows("SELECT object_id FROM federation_remotecomment") == [
            (f"{b.base}/ap/notes/1",)
        ]

        # B takes it back: the comment is gone.
        b.shell(
            "from treffpunkt.blog.models import Blog; "
            "from treffpunkt.federation.actors import actor_for_blog; "
            "from treffpunkt.federation.actions import delete_note; "
            "print(delete_note(actor_for_blog(Blog.objects.get(slug='nachbarn')), "
            f"'{b.base}/ap/notes/1'))"
        )
        wait_for(lambda: a.rows("SELECT count(*) FROM comments_comment") == [(0,)],
                 "the comment to go", [a, b])  # fmt: skip

        # B unfollows: A delivers nothing to B any more.
        b.shell(
            "from treffpunkt.blog.models import Blog; "
            "from treffpunkt.federation.actions import unfollow; "
            f"unfollow(Blog.objects.get(slug='nachbarn'), '{handle}')"
        )
        wait_for(lambda: a.rows("SELECT count(*) FROM federation_follower") == [(0,)],
                 "A to forget the follower", [a, b])  # fmt: skip
        a.shell(PUBLISH.format(email="anna@example.org", slug="werkstatt", title="Noch eine"))
        time.sleep(2)
        creates = a.rows(
            "SELECT count(*) FROM federation_delivery d JOIN federation_activity x "
            "ON d.activity_id = x.id WHERE x.kind = 'Create'"
        )
        assert creates == [(1,)]
        assert b.rows("SELECT count(*) FROM federation_inboxitem WHERE kind = 'Create'") == [(1,)]
    finally:
        a.stop()
        b.stop()
