"""Faults a real server meets, produced for real: the answer a sender gets is always the
truth (issue "Nothing lost, nothing leaked, no server error")."""

import http.cookiejar
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .events.test_two_servers import wait_until_up
from .test_cli import free_port, run_cli

POSTING = {
    "TREFFPUNKT_MIN_SECONDS_TO_SUBMIT": "0",
    "TREFFPUNKT_WALL_RATE_DEVICE": "100000/m",
    "TREFFPUNKT_WALL_RATE_IP": "1000000/m",
    "TREFFPUNKT_POSTS_TO_HOLD": "100000",
    "TREFFPUNKT_POSTS_PER_IP_TO_HOLD": "100000000",
}


def serve(data_dir, port, **extra):
    """`treffpunkt serve` in a process of its own; its log goes to ``data_dir/server.log``
    (a pipe nobody reads while the test runs would stall it once full)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({"TREFFPUNKT_DATA_DIR": str(data_dir), **POSTING, **extra})
    log = (data_dir / "server.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "treffpunkt", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def post_to_demo_wall(port, text):
    """One guest (no cookie yet) posts through the real form; the HTTP status of the answer
    (200 after the redirect to the join page)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"http://127.0.0.1:{port}/e/treffpunktdemo/"
    page = opener.open(url, timeout=10).read().decode()
    fields = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1],
        "started": re.search(r'name="started" value="([^"]+)"', page)[1],
        "text": text,
    }
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), headers={"Referer": url}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the SQLite data folder")
def test_a_full_disk_refuses_clearly_and_stores_nothing_it_refused(tmp_path):
    """Every file of the server may grow no further (as on a full disk): each guest is
    told the truth, a post answered as stored is stored and a refused one is not (it used
    to be a 500 page for posts that were stored, so guests sent them twice)."""
    assert run_cli("demo", data_dir=tmp_path).returncode == 0
    # A database larger than SQLite's log ever gets before it is copied back (4 MB), as on
    # a site that has run for a while: copying the log into it needs the file to grow.
    with sqlite3.connect(tmp_path / "treffpunkt.sqlite3") as db:
        db.execute("CREATE TABLE ballast (data BLOB)")
        db.execute("INSERT INTO ballast VALUES (zeroblob(6 * 1024 * 1024))")
    port = free_port()
    server = serve(tmp_path, port)
    answers: dict[str, int] = {}
    try:
        wait_until_up(port, time.monotonic() + 60)
        # No file of the server may grow beyond the database's size from now on: the disk
        # is "full" (the log still has room to grow up to that size).
        limit = (tmp_path / "treffpunkt.sqlite3").stat().st_size
        resource.prlimit(server.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
        refused_in_a_row = 0
        for number in range(400):
            text = f"Beitrag Nummer {number} bei vollem Datenträger." + " Viel Text." * 30
            status, body = post_to_demo_wall(port, text)
            answers[text] = status
            if status == 503:
                assert "Es wurde nichts gespeichert" in body
                refused_in_a_row += 1
                if refused_in_a_row == 10:
                    break
            else:
                refused_in_a_row = 0
        resource.prlimit(
            server.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = (tmp_path / "server.log").read_text()
    assert set(answers.values()) <= {200, 503}, answers
    assert 503 in answers.values(), "the limit was never reached: the test proves nothing"
    assert 200 in answers.values()
    with sqlite3.connect(tmp_path / "treffpunkt.sqlite3") as db:
        stored = {text for (text,) in db.execute("SELECT text FROM events_contribution")}
    told_stored = {text for text, status in answers.items() if status == 200}
    assert {text for text in stored if "vollem" in text} == told_stored
    assert "Traceback" not in output


@pytest.mark.django_db
def test_an_unwritable_uploads_folder_keeps_the_text_and_says_so(client, settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from treffpunkt.accounts.actions import create_member
    from treffpunkt.core.models import Participant
    from treffpunkt.events.actions import create_event
    from treffpunkt.events.models import Contribution

    from .core.test_images import image_upload

    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the uploads folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    now = timezone.now()
    organizer = create_member("orga@example.org", "Orga", ["organizer"])
    event = create_event(
        organizer=organizer,
        title="Fest",
        hashtag="Fest",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        visibility="public",
        moderation="post",
    )
    page = client.get(event.get_absolute_url()).content.decode()
    started = re.search(r'name="started" value="([^"]+)"', page)[1]
    response = client.post(
        event.get_absolute_url(),
        {
            "text": "Mein Foto vom Fest",
            "started": started,
            "photo": image_upload(),
            "photo_alt": "Bunte Girlanden",
        },
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "nichts gespeichert" in html
    assert "Mein Foto vom Fest" in html  # the guest's text is kept in the form
    assert not Contribution.objects.exists()
    assert not Participant.objects.filter(kind=Participant.Kind.GUEST).exists()


def worker(data_dir, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(TREFFPUNKT_DATA_DIR=str(data_dir), **extra)
    log = (data_dir / f"worker-{len(list(data_dir.glob('worker-*.log')))}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "treffpunkt", "worker", "--interval", "0.2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the SQLite data folder")
def test_a_task_killed_mid_run_runs_again_and_its_email_goes_out_once(tmp_path):
    """kill -9 of the worker while it sends an email: the task stays "running" in
    django-tasks-db; the next worker sees the first one is gone and runs it again."""
    from .core.test_mail import SilentMailServer

    assert run_cli("manage", "migrate", "-v", "0", data_dir=tmp_path).returncode == 0
    queued = run_cli(
        "manage",
        "shell",
        "-c",
        "from treffpunkt.core.mail import queue_email; "
        "queue_email(subject='Einladung zum Fest', body='Hallo', to=['neu@example.org'])",
        data_dir=tmp_path,
    )
    assert queued.returncode == 0, queued.stderr
    database = tmp_path / "treffpunkt.sqlite3"

    def one(sql):
        with sqlite3.connect(database) as db:
            return db.execute(sql).fetchone()

    silent = SilentMailServer()  # accepts and never answers: the first worker hangs in it
    try:
        first = worker(tmp_path, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(silent.port),
                       EMAIL_USE_TLS="off")  # fmt: skip
        wait_for(lambda: silent.connections, 60, "the first worker to reach the mail server")
        first.kill()
        first.wait(timeout=10)
    finally:
        silent.stop()
    assert one("SELECT status FROM django_tasks_database_dbtaskresult")[0] == "RUNNING"
    assert one("SELECT status FROM core_outgoingemail")[0] == "waiting"
    # A minute passes: the dead worker's last sign of life and its claim on the email age.
    with sqlite3.connect(database) as db:
        db.execute("UPDATE core_workerheartbeat SET last_seen = '2000-01-01 00:00:00'")
        db.execute("UPDATE core_outgoingemail SET claimed_until = '2000-01-01 00:00:00'")

    second = worker(tmp_path)  # no EMAIL_HOST: the email is printed to its log
    try:
        wait_for(
            lambda: one("SELECT status FROM core_outgoingemail")[0] == "sent",
            60,
            "the second worker to send the email",
        )
    finally:
        second.terminate()
        second.wait(timeout=20)
    log = (tmp_path / "worker-1.log").read_text()
    assert log.count("Subject: Einladung zum Fest") == 1
    assert (
        one("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status='RUNNING'")[0]
        == 0
    )


class OwnRedis:
    """A Redis server on a port of its own, to stop and start again in a test."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    def start(self):
        command = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port"]
        command += [str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_timeout=1)
        wait_for(lambda: _pings(client), 20, "Redis to start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _pings(client):
    try:
        return client.ping()
    except Exception:
        return False


@pytest.mark.django_db
def test_the_site_keeps_working_while_redis_is_down_and_uses_it_again_after(
    tmp_path, settings, client, admin_user
):
    import redis

    from treffpunkt.core import live

    own = OwnRedis(tmp_path)
    own.start()
    url = f"redis://127.0.0.1:{own.port}/0"
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "treffpunkt.core.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "treffpunkt",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    settings.LOGIN_RATE = "1000/m"
    live.reset_backend()
    raw = redis.Redis(port=own.port, socket_timeout=1)

    def visit():
        statuses = [
            client.get("/").status_code,
            client.get("/accounts/login/").status_code,
            client.get("/search/", {"q": "Garten"}).status_code,
            client.post(
                "/accounts/login/", {"username": "admin@example.org", "password": "falsch"}
            ).status_code,
        ]
        return statuses

    try:
        assert visit() == [200, 200, 200, 200]
        assert raw.dbsize() > 0  # the rate limits count in Redis
        own.stop()
        assert visit() == [200, 200, 200, 200]  # no 500 while Redis is gone
        own.start()
        raw.flushall()
        from treffpunkt.core import cache as resilient

        time.sleep(resilient.RETRY_SECONDS + 0.5)  # Redis is asked again after this pause
        assert visit() == [200, 200, 200, 200]
        assert raw.dbsize() > 0  # and used again
    finally:
        own.stop()
        live.reset_backend()


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except FileNotFoundError:
        return []


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the SQLite data folder")
def test_the_worker_ends_when_its_server_is_killed(tmp_path):
    """kill -9 of `treffpunkt serve` leaves no worker behind (each restart used to add one)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TREFFPUNKT_DATA_DIR"] = str(tmp_path)
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "treffpunkt", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(port, time.monotonic() + 60)
        wait_for(lambda: children_of(server.pid), 20, "the worker to start")
        (worker_pid,) = children_of(server.pid)
        server.kill()
        server.wait(timeout=10)
        wait_for(lambda: not alive(worker_pid), 30, "the orphaned worker to stop")
    finally:
        if server.poll() is None:
            server.kill()
        for pid in children_of(server.pid):
            os.kill(pid, 9)


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the SQLite data folder")
def test_a_client_cannot_choose_its_address_for_the_rate_limits(tmp_path):
    """Without a proxy configured, X-Forwarded-For is not believed, so one client cannot
    dodge the per-address limit by claiming to be many."""
    assert run_cli("demo", data_dir=tmp_path).returncode == 0
    port = free_port()
    server = serve(tmp_path, port, TREFFPUNKT_WALL_RATE_IP="2/m")
    try:
        wait_until_up(port, time.monotonic() + 60)
        statuses = []
        for number in range(4):
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            url = f"http://127.0.0.1:{port}/e/treffpunktdemo/"
            page = opener.open(url, timeout=10).read().decode()
            fields = {
                "csrfmiddlewaretoken": re.search(
                    r'name="csrfmiddlewaretoken" value="([^"]+)"', page
                )[1],
                "started": re.search(r'name="started" value="([^"]+)"', page)[1],
                "text": f"Beitrag {number}",
            }
            request = urllib.request.Request(
                url,
                data=urllib.parse.urlencode(fields).encode(),
                headers={"Referer": url, "X-Forwarded-For": f"203.0.113.{number + 1}"},
            )
            try:
                with opener.open(request, timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses == [200, 200, 429, 429]
