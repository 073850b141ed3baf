"""A server that is stopped ends its open streams cleanly, and the wall carries on with the
next server: real `treffpunkt serve` processes, stopped with SIGTERM and with Ctrl+C."""

import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from ..test_cli import free_port, run_cli
from .test_two_servers import post_contribution, wait_until_up

HASHTAG = "treffpunktdemo"
ENV = {"TREFFPUNKT_MIN_SECONDS_TO_SUBMIT": "0", "TREFFPUNKT_LANGUAGE": "en"}
ADMIN = ("chef@example.org", "a-long-test-pass-42")


def start_server(data_dir, port, log_path, *options, env_extra=None):
    """`treffpunkt serve` as a host starts it, in a process group of its own (for Ctrl+C)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.pop("TREFFPUNKT_BASE_URL", None)
    env.update(ENV, TREFFPUNKT_DATA_DIR=str(data_dir), **(env_extra or {}))
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "treffpunkt", "serve", "--port", str(port), *options],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop(server, signum):
    if signum == signal.SIGINT:
        os.killpg(server.pid, signum)  # Ctrl+C: the terminal signals the whole group
    else:
        os.kill(server.pid, signum)  # kill PID, systemd, docker stop
    return server.wait(timeout=30)


def open_stream(port, path, headers=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    assert response.status == 200
    assert response.readline() == b"retry: 2000\n"
    return response


def reconnect(port, path):
    """Open a stream as a wall does after its old server process ended: a connection that an
    old process accepted just before it stopped is reset, and the wall simply tries again."""
    for _ in range(20):
        try:
            return open_stream(port, path)
        except (ConnectionResetError, http.client.RemoteDisconnected):
            time.sleep(0.25)
    return open_stream(port, path)


def read_until(response, text):
    """The stream's lines up to and including the frame that contains ``text``."""
    lines = []
    while not any(text in line for line in lines):
        line = response.readline().decode()
        assert line, f"the stream ended before {text!r} arrived: {lines}"
        lines.append(line)
    lines.append(response.readline().decode())  # the blank line that ends the frame
    return lines


def frame_id(lines, text):
    last_id = None
    for line in lines:
        if line.startswith("id: "):
            last_id = line.removeprefix("id: ").strip()
        if text in line:
            return last_id
    raise AssertionError(f"{text!r} not in {lines}")


def ends_cleanly(response):
    """The rest of the stream, read to the response's final (empty) chunk; http.client
    raises IncompleteRead for a connection cut without it, ConnectionResetError for a reset."""
    rest = response.read()
    assert response.isclosed()
    return rest


def moderator_session(port):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"http://127.0.0.1:{port}/accounts/login/"
    page = opener.open(login, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    fields = {"csrfmiddlewaretoken": token, "username": ADMIN[0], "password": ADMIN[1]}
    request = urllib.request.Request(
        login, data=urllib.parse.urlencode(fields).encode(), headers={"Referer": login}
    )
    opener.open(request, timeout=10).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def assert_clean_log(path):
    log = path.read_text(errors="replace")
    assert "Shutting down" in log  # it did stop through uvicorn's shutdown
    assert "Traceback" not in log, log
    assert "Exception in ASGI application" not in log, log


def test_a_stopped_servers_streams_end_cleanly_and_the_wall_continues_on_the_next(tmp_path):
    assert run_cli("demo", data_dir=tmp_path, env_extra=ENV).returncode == 0
    created = run_cli(
        "createadmin", "--email", ADMIN[0], "--name", "Chef", "--password", ADMIN[1],
        data_dir=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    port = free_port()
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    first = start_server(tmp_path, port, first_log)
    try:
        wait_until_up(port, deadline=_deadline())
        wall = open_stream(port, f"/e/{HASHTAG}/stream")
        moderators = open_stream(
            port,
            f"/e/{HASHTAG}/moderate/stream",
            {"Cookie": moderator_session(port)},
        )
        post_contribution(port, "Before the restart 1111")
        seen = frame_id(read_until(wall, "1111"), "1111")
        read_until(moderators, '"state":"visible"')  # replayed: the stream is attached

        assert stop(first, signal.SIGTERM) == 0
        assert b"1111" not in ends_cleanly(wall)
        ends_cleanly(moderators)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert_clean_log(first_log)

    # The wall reconnects to the next server on the same address and gets what it missed.
    second = start_server(tmp_path, port, second_log, "--no-worker")
    try:
        wait_until_up(port, deadline=_deadline())
        post_contribution(port, "While the wall was away 2222")
        wall = open_stream(port, f"/e/{HASHTAG}/stream", {"Last-Event-ID": seen})
        replayed = read_until(wall, "2222")
        assert not any("1111" in line for line in replayed)

        assert stop(second, signal.SIGINT) == 0
        ends_cleanly(wall)
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()
    assert_clean_log(second_log)


def test_several_server_processes_end_their_streams_cleanly_when_stopped_or_replaced(
    tmp_path, redis_url
):
    env = {"REDIS_URL": redis_url}
    assert run_cli("demo", data_dir=tmp_path, env_extra={**ENV, **env}).returncode == 0
    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(tmp_path, port, log, "--workers", "2", "--no-worker", env_extra=env)
    try:
        wait_until_up(port, deadline=_deadline())
        # (a long timeout: the new processes after SIGHUP must start before these end)
        walls = [open_stream(port, f"/e/{HASHTAG}/stream", timeout=90) for _ in range(4)]
        post_contribution(port, "To every process 3333")
        for wall in walls:
            read_until(wall, "3333")

        os.kill(server.pid, signal.SIGHUP)  # new server processes, then the old ones stop
        for wall in walls:
            ends_cleanly(wall)
        assert server.poll() is None
        wall = reconnect(port, f"/e/{HASHTAG}/stream")
        post_contribution(port, "To the new processes 4444")
        for _ in range(5):
            try:
                read_until(wall, "4444")
                break
            except AssertionError:
                # The connection went to an old process in its last moment, which ended the
                # stream cleanly: a wall connects again, and the new stream replays the post.
                wall = reconnect(port, f"/e/{HASHTAG}/stream")
        else:
            raise AssertionError("no new server process served the post 4444")

        assert stop(server, signal.SIGTERM) == 0
        ends_cleanly(wall)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert_clean_log(log)


def _deadline():
    return time.monotonic() + 90
