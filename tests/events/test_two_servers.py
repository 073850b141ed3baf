"""Two real server processes share one wall through Redis: a post sent to one appears on a
stream opened on the other."""

import http.client
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from ..test_cli import free_port, run_cli


def wait_until_up(port, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on port {port} did not start")


def post_contribution(port, text):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/e/treffpunktdemo/", timeout=10).read().decode()
    fields = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1],
        "started": re.search(r'name="started" value="([^"]+)"', page)[1],
        "text": text,
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/e/treffpunktdemo/",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": f"http://127.0.0.1:{port}/e/treffpunktdemo/"},
    )
    with opener.open(request, timeout=10) as response:
        assert response.status == 200  # after the redirect


def test_a_post_on_one_server_reaches_a_viewer_on_the_other(tmp_path, redis_url):
    env_extra = {"REDIS_URL": redis_url, "TREFFPUNKT_MIN_SECONDS_TO_SUBMIT": "0"}
    assert run_cli("demo", data_dir=tmp_path, env_extra=env_extra).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(env_extra, TREFFPUNKT_DATA_DIR=str(tmp_path))
    env.pop("TREFFPUNKT_BASE_URL", None)
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "treffpunkt",
                "serve",
                "--port",
                str(port),
                "--no-worker",
                "--quiet",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for port in ports:
            wait_until_up(port, deadline)
        viewer = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=10)
        viewer.request("GET", "/e/treffpunktdemo/stream?after=1000000")
        stream = viewer.getresponse()
        assert stream.status == 200
        assert stream.readline() == b"retry: 2000\n"

        post_contribution(ports[1], "Hello from server B 4711")

        received = b""
        until = time.monotonic() + 5
        while b"Hello from server B 4711" not in received:
            assert time.monotonic() < until, received
            received += stream.readline()
        assert b"event: upsert" in received
        viewer.close()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
