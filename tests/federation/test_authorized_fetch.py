"""TREFFPUNKT_AUTHORIZED_FETCH=on: only signed GETs get posts and full actors."""

import json

from treffpunkt.federation import httpsig
from treffpunkt.federation.actors import actor_for_blog

from .conftest import AP, BASE


def _signed_get(client, remote, path):
    headers = httpsig.sign_request(
        "GET", BASE + path, {}, None, key_id=remote.key_id(), private_key=remote.key,
        scheme="cavage",
    )  # fmt: skip
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Host"}
    return client.get(path, HTTP_ACCEPT=AP, **meta)


def test_unsigned_fetches_get_a_minimal_actor_and_no_posts(client, blog, post, remote, settings):
    settings.FEDERATION_AUTHORIZED_FETCH = True
    path = f"/ap/actors/{actor_for_blog(blog).pk}"
    minimal = client.get(path, HTTP_ACCEPT=AP)
    assert minimal.status_code == 200
    document = json.loads(minimal.content)
    assert "publicKey" in document and "name" not in document and "summary" not in document
    assert "Signature" in minimal["Vary"]
    refused = client.get(f"/ap/posts/{post.pk}", HTTP_ACCEPT=AP)
    assert refused.status_code == 401
    assert "Signature" in refused["Vary"]
    assert client.get(post.get_absolute_url(), HTTP_ACCEPT=AP).status_code == 401
    # The page itself is for everyone.
    assert client.get(post.get_absolute_url()).status_code == 200

    full = json.loads(_signed_get(client, remote, path).content)
    assert full["name"] == "Aus der Werkstatt"
    signed = _signed_get(client, remote, f"/ap/posts/{post.pk}")
    assert signed.status_code == 200
    assert json.loads(signed.content)["type"] == "Article"


def test_without_the_option_everyone_reads(client, blog, post):
    assert client.get(f"/ap/posts/{post.pk}", HTTP_ACCEPT=AP).status_code == 200
