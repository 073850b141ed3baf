"""The `treffpunkt` command, run as a real process the way a host runs it."""

import os
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request

import pytest


def run_cli(*args, env_extra=None, timeout=60, data_dir=None):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL"}
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if data_dir is not None:
        env["TREFFPUNKT_DATA_DIR"] = str(data_dir)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "treffpunkt", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_one_plain_sentence(result, *words):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_malformed_database_url_is_explained(tmp_path):
    result = run_cli("serve", data_dir=tmp_path, env_extra={"DATABASE_URL": "mysqlish:/nope"})
    assert_one_plain_sentence(result, "DATABASE_URL")


def test_unwritable_data_folder_is_explained(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("serve", data_dir=blocker / "data")
    assert_one_plain_sentence(result, "data folder", "TREFFPUNKT_DATA_DIR")


def test_database_that_does_not_answer_is_explained(tmp_path):
    url = f"postgres://nobody@127.0.0.1:{free_port()}/nothing"
    result = run_cli("serve", data_dir=tmp_path, env_extra={"DATABASE_URL": url})
    assert_one_plain_sentence(result, "database does not answer", "DATABASE_URL")


def test_port_in_use_is_explained(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), data_dir=tmp_path)
    assert_one_plain_sentence(result, str(port), "--port")


def test_several_server_processes_without_redis_are_explained(tmp_path):
    result = run_cli("serve", "--workers", "2", "--port", str(free_port()), data_dir=tmp_path)
    assert_one_plain_sentence(result, "--workers 2", "REDIS_URL")
    assert not (tmp_path / "treffpunkt.sqlite3").exists()  # before any setting up


def test_bad_language_setting_is_explained(tmp_path):
    result = run_cli("check", data_dir=tmp_path, env_extra={"TREFFPUNKT_LANGUAGE": "fr"})
    assert_one_plain_sentence(result, "TREFFPUNKT_LANGUAGE")


def test_serve_sets_up_on_first_run_and_prints_the_admin_link(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["TREFFPUNKT_DATA_DIR"] = str(tmp_path)
    env.pop("TREFFPUNKT_BASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "treffpunkt", "serve", "--port", str(port), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert '<html lang="de">' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/treffpunkt/css/site.css") as r:
            assert r.status == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)

    assert f"http://127.0.0.1:{port}/" in output
    assert f"http://127.0.0.1:{port}/accounts/setup/" in output
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with sqlite3.connect(tmp_path / "treffpunkt.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 10


def test_createadmin_demo_and_check(tmp_path):
    created = run_cli(
        "createadmin",
        "--email",
        "Chef@Example.org",
        "--name",
        "Chef",
        "--password",
        "a-long-test-pass-42",
        data_dir=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "chef@example.org" in created.stdout

    again = run_cli(
        "createadmin", "--email", "chef@example.org", "--name", "X", "--password", "x" * 20,
        data_dir=tmp_path,
    )  # fmt: skip
    assert_one_plain_sentence(again, "exists already")

    weak = run_cli(
        "createadmin", "--email", "b@example.org", "--name", "B", "--password", "123",
        data_dir=tmp_path,
    )  # fmt: skip
    assert weak.returncode != 0
    assert "Traceback" not in weak.stderr

    for _round in range(2):
        demo = run_cli("demo", data_dir=tmp_path)
        assert demo.returncode == 0, demo.stderr
    with sqlite3.connect(tmp_path / "treffpunkt.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM accounts_user").fetchone()[0] == 4
        assert db.execute("SELECT count(*) FROM core_legalpage").fetchone()[0] == 1
        # The demo's comments came through the pipeline: checked, and approved by a moderator.
        comments = db.execute("SELECT status, count(*) FROM comments_comment GROUP BY status")
        assert dict(comments.fetchall()) == {"approved": 8}
        checked = "SELECT count(*) FROM moderation_checkeditem WHERE kind = 'comment'"
        assert db.execute(checked).fetchone()[0] == 8
        # One post on the demo wall as if from the fediverse (marked as demo content).
        fediverse = "SELECT text FROM events_contribution WHERE source = 'fediverse'"
        (text,) = [row[0] for row in db.execute(fediverse)]
        assert text.startswith("Demo-Beitrag aus dem Fediverse")

    check = run_cli("check", data_dir=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "EMAIL_HOST" in check.stdout


def test_createadmin_without_a_terminal_asks_for_flags(tmp_path):
    result = run_cli("createadmin", data_dir=tmp_path)
    assert_one_plain_sentence(result, "--email")


@pytest.mark.parametrize("args", [["manage", "check"], ["worker", "--batch"]])
def test_manage_and_worker_run(tmp_path, args):
    run_cli("demo", data_dir=tmp_path)
    result = run_cli(*args, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
