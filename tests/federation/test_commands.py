"""`treffpunkt federation block|import-blocks|status` and blocks as actions."""

import os

import pytest

from treffpunkt.federation.actions import block_actor, block_domain, import_blocks
from treffpunkt.federation.models import Follower, RemoteActor, Server
from treffpunkt.federation.remote import is_blocked_host

from ..test_cli import run_cli

MASTODON_EXPORT = """#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate
spam.example,suspend,true,true,Spam wave,false
quiet.example,silence,false,false,,false
noop.example,noop,false,false,,false
"""


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the SQLite data folder")
def test_the_command_line(tmp_path):
    assert run_cli("manage", "migrate", "-v", "0", data_dir=tmp_path, timeout=180).returncode == 0
    blocked = run_cli("federation", "block", "Bad.Example", "--reason", "Hass", data_dir=tmp_path)
    assert blocked.returncode == 0, blocked.stderr
    assert "bad.example" in blocked.stdout
    export = tmp_path / "domain_blocks.csv"
    export.write_text(MASTODON_EXPORT)
    imported = run_cli("federation", "import-blocks", str(export), data_dir=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "Blocked 2 servers" in imported.stdout
    status = run_cli("federation", "status", data_dir=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "Blocked servers: 3" in status.stdout
    assert "Deliveries: 0 queued" in status.stdout
    missing = run_cli("federation", "import-blocks", str(tmp_path / "nope.csv"), data_dir=tmp_path)
    assert missing.returncode != 0
    assert "Traceback" not in missing.stderr
    bad = run_cli("federation", "block", "not a domain", data_dir=tmp_path)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_a_blocked_domain_loses_its_followers_and_subdomains_are_blocked(blog):
    from treffpunkt.federation.actors import actor_for_blog

    remote = RemoteActor.objects.create(
        url="https://social.bad.example/users/x",
        host="social.bad.example",
        inbox="https://social.bad.example/i",
    )
    Follower.objects.create(actor=actor_for_blog(blog), remote=remote)
    block_domain("bad.example")
    assert Follower.objects.count() == 0
    assert is_blocked_host("social.bad.example")
    assert not is_blocked_host("good.example")


def test_import_skips_noop_rows_and_takes_plain_lists(db):
    assert import_blocks(MASTODON_EXPORT) == ["spam.example", "quiet.example"]
    assert Server.objects.get(host="spam.example").block_reason == "Spam wave"
    assert import_blocks("one.example\ntwo.example\n") == ["one.example", "two.example"]


def test_a_blocked_account_is_a_blocked_participant(blog):
    remote = block_actor("https://social.example/users/troll")
    assert RemoteActor.objects.get(pk=remote.pk).blocked_at is not None
