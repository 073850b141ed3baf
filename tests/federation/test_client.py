"""The guarded outbound client against real HTTP servers on loopback (pytest-httpserver):
the address guard, https, redirects, size, content type, timeouts, signing."""

import json
import time

import pytest
from werkzeug import Response

from treffpunkt.federation import client, httpsig, keys

LOOPBACK = ["127.0.0.0/8"]


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def allow_loopback(settings):
    settings.FEDERATION_ALLOW_PRIVATE = LOOPBACK
    settings.BASE_URL = "https://treffpunkt.example"


@pytest.fixture
def no_private(settings):
    settings.FEDERATION_ALLOW_PRIVATE = []


def url_of(httpserver, path):
    return f"http://127.0.0.1:{httpserver.port}{path}"


ACTOR = {"id": "https://remote.example/users/alice", "type": "Person"}


# --- the address guard ---------------------------------------------------------------


def test_loopback_is_refused_without_the_setting(httpserver, no_private):
    httpserver.expect_request("/actor").respond_with_json(ACTOR)
    with pytest.raises(client.Refused, match="only https"):
        client.fetch_json(url_of(httpserver, "/actor"))
    with pytest.raises(client.Refused, match="Loopback"):
        client.fetch_json(f"https://127.0.0.1:{httpserver.port}/actor")
    assert httpserver.log == []


def test_a_name_is_checked_on_the_address_it_resolves_to(httpserver, no_private):
    with pytest.raises(client.Refused, match=r"127\.0\.0\.1 is not permitted"):
        client.fetch_json(f"https://localhost:{httpserver.port}/actor")
    assert httpserver.log == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/users/alice",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:8.8.8.8]/",  # IPv4-mapped: refused even for a public address
        "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
        "https://10.0.0.1/inbox",
        "https://172.16.5.4/",
        "https://192.168.1.1/",
        "https://100.64.0.1/",  # CGNAT
        "https://224.0.0.1/",  # multicast
        "https://[ff02::1]/",
        "https://0.0.0.0/",
        "https://[::]/",
        "https://[::1]/",
        "https://[fe80::1]/",
        "https://[fd00::1]/",
        "https://2130706433/",  # 127.0.0.1 as a number
        "https://0177.0.0.1/",  # ... and in octal
        "http://example.org/",  # plain http
        "ftp://example.org/file",
        "file:///etc/passwd",
        "not a url",
        "",
    ],
)
def test_forbidden_addresses_and_schemes_are_refused(url, no_private):
    with pytest.raises(client.Refused):
        client.fetch_json(url)


def test_the_setting_allows_its_ranges_and_plain_http_for_them(httpserver, allow_loopback):
    httpserver.expect_request("/actor").respond_with_json(
        ACTOR, content_type="application/activity+json; charset=utf-8"
    )
    assert client.fetch_json(url_of(httpserver, "/actor")) == ACTOR
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"] == "Treffpunkt/0.1.0 (+https://treffpunkt.example)"
    assert "application/activity+json" in request.headers["Accept"]


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/",  # private, outside the allowed range
        "http://93.184.216.34/",  # plain http to a public address
        "https://[::ffff:127.0.0.1]/",  # 127.0.0.0/8 allows no IPv6 form of it
        "https://169.254.169.254/",
    ],
)
def test_the_setting_allows_nothing_else(url, allow_loopback):
    with pytest.raises(client.Refused):
        client.fetch_json(url)


def test_a_closed_port_is_unreachable(allow_loopback):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(client.Unreachable) as caught:
        client.fetch_json(f"http://127.0.0.1:{port}/actor", timeout=2)
    assert caught.value.temporary


# --- redirects -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/actor",
        "http://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/",
        "https://192.168.0.1/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_into_refused_space_is_refused(httpserver, allow_loopback, target):
    httpserver.expect_request("/actor").respond_with_data(
        "", status=302, headers={"Location": target}
    )
    with pytest.raises(client.Refused):
        client.fetch_json(url_of(httpserver, "/actor"))
    assert len(httpserver.log) == 1


def test_three_redirects_are_followed_a_fourth_is_refused(httpserver, allow_loopback):
    for hop in range(4):
        httpserver.expect_request(f"/r{hop}").respond_with_data(
            "", status=301, headers={"Location": f"/r{hop + 1}"}
        )
    httpserver.expect_request("/r4").respond_with_json(ACTOR)
    assert client.fetch_json(url_of(httpserver, "/r1")) == ACTOR
    with pytest.raises(client.Refused, match="more than 3"):
        client.fetch_json(url_of(httpserver, "/r0"))


def test_each_hop_of_a_signed_fetch_is_signed_for_its_own_url(httpserver, allow_loopback):
    key = keys.generate_ed25519_key()
    signer = httpsig.Signer("https://treffpunkt.example/actor#ed25519-key", key, "rfc9421")
    httpserver.expect_request("/old").respond_with_data(
        "", status=308, headers={"Location": "/new?page=1"}
    )
    httpserver.expect_request("/new").respond_with_json(ACTOR)
    assert client.fetch_json(url_of(httpserver, "/old"), signer=signer) == ACTOR
    for request, _ in httpserver.log:
        assert signer.key_id == httpsig.verify_request(
            request.method,
            request.url,
            dict(request.headers),
            request.get_data(),
            resolve_key=lambda key_id, refresh: key.public_key(),
        )


# --- answers -------------------------------------------------------------------------


def test_more_than_a_megabyte_is_refused(httpserver, allow_loopback):
    big = json.dumps({"id": "x", "padding": "a" * client.MAX_RESPONSE_BYTES})
    httpserver.expect_request("/big").respond_with_data(big, content_type="application/json")

    def chunks():  # no Content-Length: the limit holds while streaming
        yield b'{"padding": "'
        for _ in range(200):
            yield b"a" * 10_000
        yield b'"}'

    httpserver.expect_request("/stream").respond_with_response(
        Response(chunks(), content_type="application/activity+json")
    )
    for path in ("/big", "/stream"):
        with pytest.raises(client.TooLarge):
            client.fetch_json(url_of(httpserver, path))
    small = {"id": "x", "padding": "a" * (client.MAX_RESPONSE_BYTES - 100)}
    httpserver.expect_request("/small").respond_with_json(small)
    assert client.fetch_json(url_of(httpserver, "/small")) == small


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/activity+json", True),
        ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
        ("application/json; charset=utf-8", True),
        ("application/jrd+json", True),
        ("text/html; charset=utf-8", False),
        ("image/png", False),
        ("", False),
    ],
)
def test_fetches_accept_json_only(httpserver, allow_loopback, content_type, ok):
    httpserver.expect_request("/doc").respond_with_data(
        json.dumps(ACTOR), content_type=content_type or None
    )
    if ok:
        assert client.fetch_json(url_of(httpserver, "/doc")) == ACTOR
    else:
        with pytest.raises(client.BadContentType):
            client.fetch_json(url_of(httpserver, "/doc"))


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"a string"', "[" * 100_000])
def test_json_that_is_no_object_is_refused(httpserver, allow_loopback, body):
    httpserver.expect_request("/doc").respond_with_data(body, content_type="application/json")
    with pytest.raises(client.BadJSON):
        client.fetch_json(url_of(httpserver, "/doc"))


@pytest.mark.parametrize(
    ("status", "kind", "temporary"),
    [
        (404, client.BadStatus, False),
        (401, client.BadStatus, False),
        (410, client.Gone, False),
        (429, client.BadStatus, True),
        (503, client.BadStatus, True),
    ],
)
def test_error_statuses(httpserver, allow_loopback, status, kind, temporary):
    httpserver.expect_request("/doc").respond_with_data("", status=status)
    with pytest.raises(kind) as caught:
        client.fetch_json(url_of(httpserver, "/doc"))
    assert caught.value.status_code == status
    assert caught.value.temporary is temporary


def test_a_slow_server_times_out(httpserver, allow_loopback):
    def slow(request):
        time.sleep(1.0)
        return Response(json.dumps(ACTOR), content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(client.Unreachable, match="in time"):
        client.fetch_json(url_of(httpserver, "/slow"), timeout=0.2)


# --- deliveries ----------------------------------------------------------------------


@pytest.mark.parametrize("scheme", httpsig.SCHEMES)
def test_post_activity_is_signed_at_send_time(httpserver, allow_loopback, scheme):
    key = keys.generate_rsa_key() if scheme == "cavage" else keys.generate_ed25519_key()
    signer = httpsig.Signer("https://treffpunkt.example/blogs/verein#key", key, scheme)
    activity = {"type": "Create", "object": {"type": "Note", "content": "Grüße"}}
    seen = []

    def inbox(request):
        seen.append(
            httpsig.verify_request(
                request.method,
                request.url,
                dict(request.headers),
                request.get_data(),
                resolve_key=lambda key_id, refresh: key.public_key(),
            )
        )
        assert json.loads(request.get_data()) == activity
        assert request.headers["Content-Type"] == "application/activity+json"
        return Response("", status=202)

    httpserver.expect_request("/inbox", method="POST").respond_with_handler(inbox)
    response = client.post_activity(url_of(httpserver, "/inbox"), activity, signer=signer)
    assert response.status_code == 202
    assert seen == [signer.key_id]


def test_post_activity_returns_errors_and_redirects_as_they_are(httpserver, allow_loopback):
    signer = httpsig.Signer("https://treffpunkt.example/a#key", keys.generate_rsa_key())
    httpserver.expect_request("/inbox", method="POST").respond_with_data(
        "no", status=401, content_type="text/plain"
    )
    httpserver.expect_request("/moved", method="POST").respond_with_data(
        "", status=301, headers={"Location": "http://10.0.0.1/inbox"}
    )
    response = client.post_activity(url_of(httpserver, "/inbox"), {"type": "Like"}, signer=signer)
    assert (response.status_code, response.text) == (401, "no")
    response = client.post_activity(url_of(httpserver, "/moved"), {"type": "Like"}, signer=signer)
    assert response.status_code == 301
    assert len(httpserver.log) == 2


def test_post_activity_to_a_refused_address_sends_nothing(no_private):
    signer = httpsig.Signer("https://treffpunkt.example/a#key", keys.generate_rsa_key())
    with pytest.raises(client.Refused):
        client.post_activity("https://169.254.169.254/inbox", {"type": "Like"}, signer=signer)


def test_an_answer_beyond_a_megabyte_to_a_delivery_is_refused(httpserver, allow_loopback):
    signer = httpsig.Signer("https://treffpunkt.example/a#key", keys.generate_rsa_key())
    httpserver.expect_request("/inbox", method="POST").respond_with_data(
        "x" * (client.MAX_RESPONSE_BYTES + 1), status=200
    )
    with pytest.raises(client.TooLarge):
        client.post_activity(url_of(httpserver, "/inbox"), {"type": "Like"}, signer=signer)


def test_a_refused_address_is_logged(no_private, caplog):
    with (
        caplog.at_level("WARNING", logger="treffpunkt.federation.client"),
        pytest.raises(client.Refused),
    ):
        client.fetch_json("https://169.254.169.254/latest/meta-data/")
    assert "refused to connect to https://169.254.169.254/latest/meta-data/" in caplog.text


def test_a_server_that_drips_its_answer_is_cut_off(httpserver, allow_loopback):
    def drip():
        yield b'{"id": "x", "padding": "'
        for _ in range(20):
            time.sleep(0.1)  # each read is quick, the whole answer is not
            yield b"a"
        yield b'"}'

    httpserver.expect_request("/drip").respond_with_response(
        Response(drip(), content_type="application/json")
    )
    with pytest.raises(client.Unreachable, match="too slowly"):
        client.fetch_json(url_of(httpserver, "/drip"), timeout=0.5)
