"""Federation under load, on loopback: publishing to many followers, and the inbox.

    .venv/bin/python benchmarks/federation.py                  # both, a few minutes
    .venv/bin/python benchmarks/federation.py --publish --followers 10000 --servers 500
    .venv/bin/python benchmarks/federation.py --inbox --activities 3000

Each scenario makes a fresh data folder, migrates it, and starts the server as a host
would (`python -m treffpunkt serve --no-worker --quiet`, SQLite) plus `--workers` background
workers (`python -m treffpunkt worker`), with TREFFPUNKT_FEDERATION_ALLOW_PRIVATE=127.0.0.0/8
and the page cache off (so page timings are Django's own). A stand-in fediverse server
runs in a process of its own: an asyncio HTTP server listening on one loopback port per
"server", which verifies every delivery's draft-cavage signature with the blog's public
key and answers 202 after `--delay` milliseconds; it also serves the remote actors whose
signed activities the inbox scenario sends.

Publishing: `--followers` followers spread over `--servers` servers (each with a shared
inbox) are written straight into the database; then one post is published with
`blog.actions.publish_post`. It prints the time from the publication to the last delivery
the stand-in verified, and the post page's p50/p99 from one reader while idle and while the
deliveries run.

Inbox: `--activities` replies (Create of a Note in reply to the post, from 20 remote
actors whose keys the server has fetched in a warm-up) are signed beforehand and POSTed by
16 keep-alive connections; it prints the accepted (202) per second, then waits for the
workers to turn them into comments and prints comments per second. Every run stops by
itself (`--timeout`).
"""

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the stand-in server ---------------------------------------------------------------


def stand_in(ports_out, ready, stats, servers, delay, public_key_pem, actor_names):
    """Runs in its own process: `servers` listening ports on 127.0.0.1."""
    from treffpunkt.federation import httpsig, keys

    blog_key = keys.load_public_key(public_key_pem.value.decode()) if public_key_pem else None
    remote_keys = {}

    def actor_document(name, port):
        key = remote_keys.setdefault(name, keys.generate_rsa_key())
        url = f"http://127.0.0.1:{port}/users/{name}"
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": url,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "inbox": f"{url}/inbox",
            "endpoints": {"sharedInbox": f"http://127.0.0.1:{port}/inbox"},
            "publicKey": {
                "id": f"{url}#main-key",
                "owner": url,
                "publicKeyPem": keys.public_key_to_pem(key),
            },
        }

    async def handle(reader, writer, port):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip()] = value.strip()
                length = int(headers.get("Content-Length", headers.get("content-length", "0")))
                body = await reader.readexactly(length) if length else b""
                if method == "GET" and target.startswith("/users/"):
                    document = json.dumps(actor_document(target.split("/")[2], port)).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n"
                        + f"Content-Length: {len(document)}\r\n\r\n".encode()
                        + document
                    )
                    await writer.drain()
                    continue
                if method == "GET" and target == "/keys":
                    # The inbox scenario's sender asks for the keys to sign with.
                    pems = {n: keys.private_key_to_pem(k) for n, k in remote_keys.items()}
                    document = json.dumps(pems).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(document)}\r\n\r\n".encode()
                        + document
                    )
                    await writer.drain()
                    continue
                status = b"202 Accepted"
                if blog_key is not None:
                    try:
                        httpsig.verify_request(
                            "POST",
                            f"http://127.0.0.1:{port}{target}",
                            headers,
                            body,
                            resolve_key=lambda key_id, refresh: blog_key,
                        )
                        stats["verified"] += 1
                        stats["last"] = time.time()
                    except httpsig.SignatureError:
                        stats["refused"] += 1
                        status = b"401 Unauthorized"
                await asyncio.sleep(delay)
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def main():
        listeners = []
        for _ in range(servers):
            server = await asyncio.start_server(
                lambda r, w: handle(r, w, w.get_extra_info("sockname")[1]),
                "127.0.0.1",
                0,
                backlog=512,
            )
            listeners.append(server)
            ports_out.append(server.sockets[0].getsockname()[1])
        for name in actor_names:
            remote_keys[name] = keys.generate_rsa_key()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


# --- the site --------------------------------------------------------------------------


class Site:
    def __init__(self, workers):
        self.data = Path(tempfile.mkdtemp(prefix="treffpunkt-bench-fed-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.update(
            TREFFPUNKT_DATA_DIR=str(self.data),
            TREFFPUNKT_BASE_URL=self.base,
            TREFFPUNKT_FEDERATION_ALLOW_PRIVATE="127.0.0.0/8",
            TREFFPUNKT_PAGE_CACHE_SECONDS="0",
            TREFFPUNKT_LOG_LEVEL="WARNING",
            TREFFPUNKT_POSTS_TO_HOLD="1000000",
        )
        self.workers = workers
        self.processes = []

    def run(self, *args, timeout=600):
        result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [PYTHON, "-m", "treffpunkt", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise SystemExit(result.stderr[-3000:])
        return result.stdout

    def shell(self, code):
        script = self.data / "script.py"
        script.write_text(code)
        out = self.run("manage", "shell", "-c", f"exec(open({str(script)!r}).read())")
        return out.strip().splitlines()[-1] if out.strip() else ""

    def start(self):
        log = (self.data / "server.log").open("w")
        self.processes.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    PYTHON,
                    "-m",
                    "treffpunkt",
                    "serve",
                    "--port",
                    str(self.port),
                    "--no-worker",
                    "--quiet",
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        for number in range(self.workers):
            wlog = (self.data / f"worker-{number}.log").open("w")
            self.processes.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                    [PYTHON, "-m", "treffpunkt", "worker", "--interval", "0.1"],
                    env=self.env,
                    stdout=wlog,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/nodeinfo/2.1")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start")

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def rows(self, sql):
        with sqlite3.connect(self.data / "treffpunkt.sqlite3", timeout=30) as db:
            return db.execute(sql).fetchall()


SETUP = """
from django.utils import timezone
from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import create_blog, save_post, publish_post
from treffpunkt.federation.actors import actor_for_blog
u = User.objects.create_user('anna@example.org', 'a-long-bench-pass-42', display_name='Anna',
                             is_author=True)
b = create_blog(title='Werkstatt', slug='werkstatt', authors=[u])
actor = actor_for_blog(b)
p = save_post(editor=u, blog=b, title='Erster Beitrag', body='Ein Text über die Werkstatt. ' * 40)
p = publish_post(p, editor=u)
print(json.dumps({'post': p.get_absolute_url(), 'post_id': p.pk, 'actor': actor.pk,
                  'pem': actor.public_key_pem}))
"""

FOLLOWERS = """
from treffpunkt.federation.models import Follower, LocalActor, RemoteActor
ports = {ports!r}
per = {per}
actor = LocalActor.objects.get(pk={actor})
remotes = []
for port in ports:
    for n in range(per):
        url = f'http://127.0.0.1:{{port}}/users/u{{n}}'
        remotes.append(RemoteActor(url=url, host=f'127.0.0.1:{{port}}', username=f'u{{n}}',
                       inbox=url + '/inbox', shared_inbox=f'http://127.0.0.1:{{port}}/inbox'))
RemoteActor.objects.bulk_create(remotes, batch_size=1000)
ids = RemoteActor.objects.values_list('pk', flat=True)
Follower.objects.bulk_create([Follower(actor=actor, remote_id=i) for i in ids], batch_size=1000)
print(Follower.objects.count())
"""

PUBLISH = """
from treffpunkt.accounts.models import User
from treffpunkt.blog.models import Blog
from treffpunkt.blog.actions import save_post, publish_post
u = User.objects.get(email='anna@example.org')
p = save_post(editor=u, blog=Blog.objects.get(slug='werkstatt'), title='An alle',
              body='Heute haben wir **gebaut**. ' * 30, tags='Werkstatt')
p = publish_post(p, editor=u)
print(p.pk)
"""


def page_times(port, path, seconds, stop=None):
    """One reader fetching ``path`` again and again: the times in milliseconds."""
    times = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (stop and stop.is_set()):
        started = time.monotonic()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        times.append((time.monotonic() - started) * 1000)
    return times


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def publish_scenario(options):
    print(
        f"== publishing: {options.followers} followers on {options.servers} servers, "
        f"stand-in answers after {options.delay} ms, {options.workers} workers =="
    )
    site = Site(options.workers)
    site.run("manage", "migrate", "-v", "0")
    setup = json.loads(site.shell("import json\n" + SETUP))
    manager = multiprocessing.Manager()
    ports, stats = manager.list(), manager.dict(verified=0, refused=0, last=0.0)
    pem = manager.Value(bytes, setup["pem"].encode())
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=stand_in,
        args=(ports, ready, stats, options.servers, options.delay / 1000, pem, []),
        daemon=True,
    )
    server.start()
    ready.wait(60)
    per = max(1, options.followers // options.servers)
    print(
        "followers written:",
        site.shell(FOLLOWERS.format(ports=list(ports), per=per, actor=setup["actor"])),
    )
    try:
        site.start()
        page_times(site.port, setup["post"], 2)  # warm-up
        idle = page_times(site.port, setup["post"], 5)
        stop = threading.Event()
        busy = []
        reader = threading.Thread(
            target=lambda: busy.extend(page_times(site.port, setup["post"], options.timeout, stop))
        )
        started = time.monotonic()
        site.shell(PUBLISH)
        published = time.monotonic()
        reader.start()
        expected = options.servers
        while time.monotonic() - started < options.timeout and stats["verified"] < expected:
            time.sleep(0.2)
        stop.set()
        reader.join()
        done = stats["verified"]
        last = stats["last"] or time.time()
        from datetime import datetime

        created = site.rows("SELECT created_at FROM federation_activity WHERE kind = 'Create'")
        queued = datetime.fromisoformat(created[0][0]).timestamp() if created else last
        print(f"load average {os.getloadavg()[0]:.2f}")
        print(
            f"deliveries verified by the stand-in: {done} of {expected} "
            f"(refused {stats['refused']})"
        )
        print(f"publish command took {published - started:.1f} s (Django start-up included)")
        print(
            f"all deliveries done {last - queued:.1f} s after the post was published "
            "(its Create activity and delivery rows written)"
        )
        states = site.rows("SELECT status, count(*) FROM federation_delivery GROUP BY status")
        print("delivery rows:", dict(states))
        print(
            f"post page idle: p50 {statistics.median(idle):.1f} ms, "
            f"p99 {percentile(idle, 0.99):.1f} ms ({len(idle)} requests)"
        )
        print(
            f"post page during delivery: p50 {statistics.median(busy):.1f} ms, "
            f"p99 {percentile(busy, 0.99):.1f} ms ({len(busy)} requests)"
        )
    finally:
        site.stop()
        server.terminate()


def inbox_scenario(options):
    print(
        f"== inbox: {options.activities} signed replies over 16 connections, "
        f"{options.workers} workers =="
    )
    from treffpunkt.federation import httpsig, keys

    site = Site(options.workers)
    site.run("manage", "migrate", "-v", "0")
    setup = json.loads(site.shell("import json\n" + SETUP))
    manager = multiprocessing.Manager()
    ports, stats = manager.list(), manager.dict(verified=0, refused=0, last=0.0)
    names = [f"r{n}" for n in range(20)]
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=stand_in, args=(ports, ready, stats, 1, 0, None, names), daemon=True
    )
    server.start()
    ready.wait(60)
    remote_port = ports[0]
    connection = http.client.HTTPConnection("127.0.0.1", remote_port)
    connection.request("GET", "/keys")
    private = {
        n: keys.load_private_key(p) for n, p in json.loads(connection.getresponse().read()).items()
    }
    try:
        site.start()
        inbox = f"{site.base}/ap/inbox"
        post_id = f"{site.base}/ap/posts/{setup['post_id']}"

        def signed(number):
            name = names[number % len(names)]
            actor = f"http://127.0.0.1:{remote_port}/users/{name}"
            note_id = f"{actor}/statuses/{number}"
            activity = {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{note_id}/activity",
                "type": "Create",
                "actor": actor,
                "object": {
                    "id": note_id,
                    "type": "Note",
                    "attributedTo": actor,
                    "inReplyTo": post_id,
                    "to": ["https://www.w3.org/ns/activitystreams#Public"],
                    "content": f"<p>Danke für den Beitrag, Nummer {number}!</p>",
                },
            }
            body = json.dumps(activity).encode()
            headers = httpsig.sign_request(
                "POST",
                inbox,
                {},
                body,
                key_id=f"{actor}#main-key",
                private_key=private[name],
                scheme="cavage",
            )
            headers["Content-Type"] = "application/activity+json"
            headers.pop("Host", None)
            return body, headers

        # Warm-up: each remote actor's key is fetched once (then it is cached).
        for number in range(len(names)):
            body, headers = signed(10_000_000 + number)
            c = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
            c.request("POST", "/ap/inbox", body=body, headers=headers)
            assert c.getresponse().status == 202
        requests = [signed(number) for number in range(options.activities)]
        counts = {"accepted": 0, "other": 0}
        lock = threading.Lock()

        def send(chunk):
            c = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
            for body, headers in chunk:
                c.request("POST", "/ap/inbox", body=body, headers=headers)
                response = c.getresponse()
                response.read()
                with lock:
                    counts["accepted" if response.status == 202 else "other"] += 1

        chunks = [requests[i::16] for i in range(16)]
        threads = [threading.Thread(target=send, args=(chunk,)) for chunk in chunks]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        print(f"load average {os.getloadavg()[0]:.2f}")
        print(
            f"accepted {counts['accepted']} (other answers {counts['other']}) in {elapsed:.1f} s: "
            f"{counts['accepted'] / elapsed:.0f} activities/s"
        )
        target = options.activities + len(names)
        while options.workers and time.monotonic() - started < options.timeout:
            done = site.rows("SELECT count(*) FROM comments_comment")[0][0]
            if done >= target:
                break
            time.sleep(0.5)
        total = time.monotonic() - started
        done = site.rows("SELECT count(*) FROM comments_comment")[0][0]
        print(
            f"comments made: {done} of {target} in {total:.1f} s from the first POST: "
            f"{done / total:.0f} comments/s"
        )
        print(
            "inbox rows:",
            dict(site.rows("SELECT status, count(*) FROM federation_inboxitem GROUP BY status")),
        )
    finally:
        site.stop()
        server.terminate()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--publish", action="store_true")
    parser.add_argument("--inbox", action="store_true")
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--servers", type=int, default=500)
    parser.add_argument("--delay", type=float, default=50, help="stand-in answer delay, ms")
    parser.add_argument("--activities", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=180)
    options = parser.parse_args()
    both = not options.publish and not options.inbox
    if options.publish or both:
        publish_scenario(options)
    if options.inbox or both:
        inbox_scenario(options)


if __name__ == "__main__":
    main()
