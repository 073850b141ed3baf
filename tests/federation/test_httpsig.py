"""HTTP signatures: both schemes signed and verified, every rule for incoming signatures,
key rotation, an independent draft-cavage implementation, and the RFC 9421 test vector."""

import base64
import datetime as dt
import email.utils
import hashlib

import httpsig as independent  # ahknight/httpsig: draft-cavage on pycryptodome
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding

from treffpunkt.federation import httpsig, keys

KEY_ID = "https://remote.example/users/alice#main-key"
URL = "https://treffpunkt.example/blogs/verein/inbox"
BODY = b'{"type": "Create", "actor": "https://remote.example/users/alice"}'
T0 = 1_796_000_000  # a fixed moment of signing, seconds since the epoch
MINUTE = 60
HOUR = 3600


@pytest.fixture(scope="module")
def rsa_key():
    return keys.generate_rsa_key()


@pytest.fixture(scope="module")
def ed_key():
    return keys.generate_ed25519_key()


class Keys:
    """A resolve_key that records its calls; a second key comes back on refresh."""

    def __init__(self, key, fresh=None):
        self.key = key
        self.fresh = fresh if fresh is not None else key
        self.calls = []

    def __call__(self, key_id, refresh):
        self.calls.append((key_id, refresh))
        return (self.fresh if refresh else self.key).public_key()


def sign(key, scheme, method="POST", url=URL, body=BODY, now=T0):
    return httpsig.sign_request(
        method, url, {}, body, key_id=KEY_ID, private_key=key, scheme=scheme, now=now
    )


def verify(headers, key, method="POST", url=URL, body=BODY, now=T0, resolve=None):
    return httpsig.verify_request(
        method, url, headers, body, resolve_key=resolve or Keys(key), now=now
    )


def cavage(key, covered, *, method="POST", url=URL, body=BODY, algorithm=None, **params):
    """A draft-cavage signature written here, independently of the module under test,
    for shapes our signer never makes ((created), (expires), other header sets)."""
    headers = {
        "Host": url.split("/")[2],
        "Date": email.utils.formatdate(T0, usegmt=True),
        "Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body or b"").digest()).decode(),
    }
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    lines = []
    for name in covered:
        if name == "(request-target)":
            lines.append(f"{name}: {method.lower()} /{params.pop('target', path)}")
        elif name in ("(created)", "(expires)"):
            lines.append(f"{name}: {params[name[1:-1]]}")
        else:
            lines.append(f"{name}: {headers[name.title()]}")
    message = "\n".join(lines).encode()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(message)
        algorithm = algorithm or "hs2019"
    else:
        signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        algorithm = algorithm or "rsa-sha256"
    extra = "".join(f",{name}={value}" for name, value in params.items())
    headers["Signature"] = (
        f'keyId="{KEY_ID}",algorithm="{algorithm}",headers="{" ".join(covered)}"'
        f'{extra},signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


# --- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("scheme", httpsig.SCHEMES)
@pytest.mark.parametrize("key_type", ["rsa", "ed25519"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_signed_requests_verify(scheme, key_type, method, rsa_key, ed_key):
    key = rsa_key if key_type == "rsa" else ed_key
    body = BODY if method == "POST" else None
    headers = sign(key, scheme, method=method, url=URL + "?page=2", body=body)
    resolve = Keys(key)
    assert verify(headers, key, method=method, url=URL + "?page=2", body=body, resolve=resolve)
    assert resolve.calls == [(KEY_ID, False)]


def test_cavage_headers_look_like_mastodons(rsa_key):
    headers = sign(rsa_key, "cavage")
    assert headers["Host"] == "treffpunkt.example"
    assert headers["Date"] == "Mon, 30 Nov 2026 00:53:20 GMT"
    assert (
        headers["Digest"] == "SHA-256=" + base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    )
    assert headers["Signature"].startswith(
        f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",'
    )


def test_rfc9421_headers_cover_method_target_and_digest(ed_key):
    headers = sign(ed_key, "rfc9421")
    assert headers["Content-Digest"] == (
        "sha-256=:" + base64.b64encode(hashlib.sha256(BODY).digest()).decode() + ":"
    )
    assert headers["Signature-Input"] == (
        f'sig1=("@method" "@target-uri" "content-digest");created={T0};keyid="{KEY_ID}";'
        'alg="ed25519"'
    )
    assert headers["Signature"].startswith("sig1=:")


def test_a_port_in_the_url_is_part_of_host(rsa_key):
    url = "http://127.0.0.1:8001/inbox"
    headers = sign(rsa_key, "cavage", url=url)
    assert headers["Host"] == "127.0.0.1:8001"
    assert verify(headers, rsa_key, url=url)
    with pytest.raises(httpsig.SignatureError):
        verify(headers, rsa_key, url="http://127.0.0.1:8002/inbox")


# --- an independent implementation and the RFC's test vector ---------------------------


def test_a_signature_by_the_httpsig_package_verifies(rsa_key):
    pem = keys.private_key_to_pem(rsa_key)
    date = email.utils.formatdate(T0, usegmt=True)
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    for sign_header in ("signature", "authorization"):
        signer = independent.HeaderSigner(
            KEY_ID,
            pem,
            algorithm="rsa-sha256",
            headers=["(request-target)", "host", "date", "digest"],
            sign_header=sign_header,
        )
        signed = signer.sign(
            {"Date": date, "Digest": digest, "Host": "treffpunkt.example"},
            method="POST",
            path="/blogs/verein/inbox",
        )
        assert verify(dict(signed.items()), rsa_key) == KEY_ID


def test_our_cavage_signature_verifies_with_the_httpsig_package(rsa_key):
    headers = sign(rsa_key, "cavage", url=URL + "?a=1")
    verifier = independent.HeaderVerifier(
        headers,
        keys.public_key_to_pem(rsa_key),
        required_headers=["(request-target)", "host", "date", "digest"],
        method="POST",
        path="/blogs/verein/inbox?a=1",
        sign_header="signature",
    )
    assert verifier.verify()


# RFC 9421 Appendix B.1.4 (test-key-ed25519, as JWK) and B.2.6 (the signature it gives).
RFC_ED25519_D = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"
RFC_ED25519_X = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = (
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPp"
    "BKRCw==:"
)
B2_REQUEST_HEADERS = {
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Length": "18",
}


def _b64url(value):
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_rfc9421_b26_ed25519_signature_is_reproduced_exactly():
    private = ed25519.Ed25519PrivateKey.from_private_bytes(_b64url(RFC_ED25519_D))
    public = ed25519.Ed25519PublicKey.from_public_bytes(_b64url(RFC_ED25519_X))
    assert keys.same_public_key(private.public_key(), public)
    added = httpsig.sign_rfc9421(
        "POST",
        "http://example.com/foo?param=Value&Pet=dog",
        B2_REQUEST_HEADERS,
        None,
        key_id="test-key-ed25519",
        private_key=private,
        created=dt.datetime.fromtimestamp(1618884473, dt.UTC),
        covered=("date", "@method", "@path", "@authority", "content-type", "content-length"),
        label="sig-b26",
        include_alg=False,
    )
    assert added == {"Signature-Input": B26_INPUT, "Signature": B26_SIGNATURE}


def test_the_b26_signature_is_refused_for_not_covering_the_target_uri():
    public = ed25519.Ed25519PublicKey.from_public_bytes(_b64url(RFC_ED25519_X))
    headers = {**B2_REQUEST_HEADERS, "Signature-Input": B26_INPUT, "Signature": B26_SIGNATURE}
    with pytest.raises(httpsig.SignatureError, match="does not cover @target-uri"):
        httpsig.verify_request(
            "POST",
            "http://example.com/foo?param=Value&Pet=dog",
            headers,
            None,
            resolve_key=lambda key_id, refresh: public,
            now=1618884473,
        )


# --- the time window -----------------------------------------------------------------


@pytest.mark.parametrize("scheme", httpsig.SCHEMES)
def test_a_signature_is_good_for_five_minutes_plus_an_hour_of_skew(scheme, rsa_key):
    headers = sign(rsa_key, scheme)
    assert verify(headers, rsa_key, now=T0 + 5 * MINUTE + HOUR - 1)
    assert verify(headers, rsa_key, now=T0 - HOUR + 1)
    with pytest.raises(httpsig.SignatureError, match="expired"):
        verify(headers, rsa_key, now=T0 + 5 * MINUTE + HOUR + 1)
    with pytest.raises(httpsig.SignatureError, match="future"):
        verify(headers, rsa_key, now=T0 - HOUR - 1)


def test_cavage_created_and_expires_with_hs2019(ed_key, rsa_key):
    covered = ["(request-target)", "(created)", "(expires)", "host", "digest"]
    headers = cavage(ed_key, covered, created=T0, expires=T0 + 6 * HOUR)
    assert verify(headers, ed_key, now=T0 + 6 * HOUR + HOUR - 1)
    with pytest.raises(httpsig.SignatureError, match="expired"):
        verify(headers, ed_key, now=T0 + 7 * HOUR + 1)
    # hs2019 with an RSA key: the fediverse means rsa-sha256 by it
    headers = cavage(rsa_key, covered, algorithm="hs2019", created=T0, expires=T0 + HOUR)
    assert verify(headers, rsa_key, now=T0 + 90 * MINUTE)


def test_an_explicit_expiry_counts_for_twelve_hours_at_most(ed_key):
    covered = ["(request-target)", "(created)", "(expires)", "host", "digest"]
    headers = cavage(ed_key, covered, created=T0, expires=T0 + 48 * HOUR)
    assert verify(headers, ed_key, now=T0 + 12 * HOUR + HOUR - 1)
    with pytest.raises(httpsig.SignatureError, match="expired"):
        verify(headers, ed_key, now=T0 + 13 * HOUR + 1)

    later = dt.datetime.fromtimestamp(T0 + 48 * HOUR, dt.UTC)
    rfc = sign_rfc9421_at(ed_key, expires=later)
    assert verify(rfc, ed_key, now=T0 + 12 * HOUR + HOUR - 1)
    with pytest.raises(httpsig.SignatureError, match="expired"):
        verify(rfc, ed_key, now=T0 + 13 * HOUR + 1)


def sign_rfc9421_at(key, *, expires=None, covered=("@method", "@target-uri"), body=BODY):
    """An RFC 9421 signature made at T0 with the library directly (for an expiry)."""
    from http_message_signatures import HTTPMessageSigner, algorithms

    message = httpsig._Message("POST", URL, {})
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=httpsig._OneKey(key)
    )
    signer.sign(
        message,
        key_id=KEY_ID,
        created=dt.datetime.fromtimestamp(T0, dt.UTC),
        expires=expires,
        label="sig1",
        covered_component_ids=covered,
        body=body,
    )
    return message.headers


@pytest.mark.parametrize("name", ["(created)", "(expires)"])
def test_created_and_expires_only_with_hs2019(rsa_key, name):
    headers = cavage(
        rsa_key, ["(request-target)", name, "host", "digest"], created=T0, expires=T0 + 60
    )
    with pytest.raises(httpsig.SignatureError, match="hs2019 only"):
        verify(headers, rsa_key)


def test_a_stale_date_is_refused_even_with_a_good_signature(rsa_key):
    headers = sign(rsa_key, "cavage", now=T0 - 3 * HOUR)
    with pytest.raises(httpsig.SignatureError, match="expired"):
        verify(headers, rsa_key)


# --- draft-cavage rules --------------------------------------------------------------


def test_cavage_wrong_digest_is_refused_before_any_key_is_fetched(rsa_key):
    headers = sign(rsa_key, "cavage")
    resolve = Keys(rsa_key)
    with pytest.raises(httpsig.SignatureError, match="Digest header does not match"):
        verify(headers, rsa_key, body=BODY + b" ", resolve=resolve)
    assert resolve.calls == []


def test_cavage_body_needs_a_signed_digest(rsa_key):
    headers = cavage(rsa_key, ["(request-target)", "host", "date"])
    with pytest.raises(httpsig.SignatureError, match="does not cover the Digest"):
        verify(headers, rsa_key)


def test_cavage_get_needs_host(rsa_key):
    headers = cavage(rsa_key, ["(request-target)", "date"], method="GET", body=None)
    with pytest.raises(httpsig.SignatureError, match="must cover host"):
        verify(headers, rsa_key, method="GET", body=None)


def test_cavage_needs_request_target(rsa_key):
    headers = cavage(rsa_key, ["host", "date", "digest"])
    with pytest.raises(httpsig.SignatureError, match=r"\(request-target\)"):
        verify(headers, rsa_key)


def test_cavage_needs_date_or_created(rsa_key):
    headers = cavage(rsa_key, ["(request-target)", "host", "digest"])
    with pytest.raises(httpsig.SignatureError, match="neither date nor"):
        verify(headers, rsa_key)


def test_cavage_request_target_with_and_without_query_string(rsa_key):
    covered = ["(request-target)", "host", "date", "digest"]
    # signed without the query string, sent with one: accepted (some servers do so)
    headers = cavage(rsa_key, covered)
    assert verify(headers, rsa_key, url=URL + "?x=1")
    # signed with the query string: accepted with it ...
    headers = cavage(rsa_key, covered, target="blogs/verein/inbox?x=1")
    assert verify(headers, rsa_key, url=URL + "?x=1")
    # ... refused for another query string or none
    for url in (URL + "?x=2", URL):
        with pytest.raises(httpsig.SignatureError, match="does not verify"):
            verify(headers, rsa_key, url=url)


def test_cavage_signature_for_another_path_or_method_is_refused(rsa_key):
    headers = sign(rsa_key, "cavage")
    with pytest.raises(httpsig.SignatureError, match="does not verify"):
        verify(headers, rsa_key, url=URL.replace("verein", "andere"))
    with pytest.raises(httpsig.SignatureError, match="does not verify"):
        verify(headers, rsa_key, method="PUT")


def test_cavage_foreign_key_is_refused_after_one_refetch(rsa_key):
    other = keys.generate_rsa_key()
    headers = sign(other, "cavage")
    resolve = Keys(rsa_key)
    with pytest.raises(httpsig.SignatureError, match="does not verify"):
        verify(headers, rsa_key, resolve=resolve)
    assert resolve.calls == [(KEY_ID, False), (KEY_ID, True)]


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "garbage",
        'keyId="a",keyId="b",signature="AAAA"',
        'algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AA=="',
        f'keyId="{KEY_ID}",headers="(request-target) host date digest"',
        f'keyId="{KEY_ID}",headers="(request-target) host date digest",signature="not base64!"',
        f'keyId="{KEY_ID}",algorithm="hmac-sha256",headers="(request-target)",signature="AA=="',
        f'keyId="{KEY_ID}",headers="(request-target) host host date digest",signature="AA=="',
        "x" * 10_000,
    ],
)
def test_malformed_cavage_headers_are_refused(signature, rsa_key):
    headers = sign(rsa_key, "cavage")
    headers["Signature"] = signature
    resolve = Keys(rsa_key)
    with pytest.raises(httpsig.SignatureError):
        verify(headers, rsa_key, resolve=resolve)
    assert resolve.calls == []


def test_an_unsigned_request_is_refused(rsa_key):
    with pytest.raises(httpsig.SignatureError, match="not signed"):
        verify({"Date": "x"}, rsa_key)


def test_a_missing_signed_header_is_refused(rsa_key):
    headers = sign(rsa_key, "cavage")
    del headers["Date"]
    with pytest.raises(httpsig.SignatureError, match="Date header is missing"):
        verify(headers, rsa_key)


# --- RFC 9421 rules ------------------------------------------------------------------


def test_rfc9421_two_signatures_are_refused(ed_key):
    headers = sign(ed_key, "rfc9421")
    headers["Signature-Input"] += ", " + headers["Signature-Input"].replace("sig1=", "sig2=")
    headers["Signature"] += ", " + headers["Signature"].replace("sig1=", "sig2=")
    with pytest.raises(httpsig.SignatureError, match="exactly one signature"):
        verify(headers, ed_key)


@pytest.mark.parametrize(
    ("param", "reason"), [(f";created={T0}", "no created"), (f';keyid="{KEY_ID}"', "no keyid")]
)
def test_rfc9421_needs_created_and_keyid(ed_key, param, reason):
    headers = sign(ed_key, "rfc9421")
    headers["Signature-Input"] = headers["Signature-Input"].replace(param, "")
    resolve = Keys(ed_key)
    with pytest.raises(httpsig.SignatureError, match=reason):
        verify(headers, ed_key, resolve=resolve)
    assert resolve.calls == []


@pytest.mark.parametrize(
    ("covered", "missing"),
    [
        (("@target-uri",), "@method"),
        (("@method", "@authority", "@path", "@query"), "@target-uri"),
    ],
)
def test_rfc9421_must_cover_method_and_target_uri(ed_key, covered, missing):
    headers = httpsig.sign_rfc9421(
        "POST",
        URL,
        {},
        BODY,
        key_id=KEY_ID,
        private_key=ed_key,
        created=dt.datetime.fromtimestamp(T0, dt.UTC),
        covered=covered,
    )
    with pytest.raises(httpsig.SignatureError, match=f"does not cover {missing}"):
        verify(headers, ed_key)


def test_rfc9421_wrong_content_digest_is_refused(ed_key):
    headers = sign(ed_key, "rfc9421")
    with pytest.raises(httpsig.SignatureError, match="Content-Digest"):
        verify(headers, ed_key, body=BODY + b"x")


def test_rfc9421_body_needs_a_covered_content_digest(ed_key):
    headers = sign(ed_key, "rfc9421", body=None)
    with pytest.raises(httpsig.SignatureError, match="does not cover the Content-Digest"):
        verify(headers, ed_key)
    # a Content-Digest added on the way, uncovered, is no better
    headers["Content-Digest"] = sign(ed_key, "rfc9421")["Content-Digest"]
    with pytest.raises(httpsig.SignatureError, match="does not cover the Content-Digest"):
        verify(headers, ed_key)


def test_rfc9421_signature_for_another_target_is_refused(ed_key):
    headers = sign(ed_key, "rfc9421", url=URL + "?a=1")
    for url in (URL, URL + "?a=2", URL.replace("https:", "http:")):
        with pytest.raises(httpsig.SignatureError, match="does not verify"):
            verify(headers, ed_key, url=url)


@pytest.mark.parametrize("alg", ["hmac-sha256", "rsa-pss-sha512"])
def test_rfc9421_unsupported_algorithms_are_refused(ed_key, alg):
    headers = sign(ed_key, "rfc9421")
    headers["Signature-Input"] = headers["Signature-Input"].replace("ed25519", alg)
    with pytest.raises(httpsig.SignatureError, match="not supported"):
        verify(headers, ed_key)


def test_rfc9421_alg_must_fit_the_key(ed_key, rsa_key):
    headers = sign(ed_key, "rfc9421")
    with pytest.raises(httpsig.SignatureError, match="does not fit"):
        verify(headers, rsa_key)


@pytest.mark.parametrize(
    ("signature_input", "signature"),
    [
        ("sig1=bad", "sig1=:AAAA:"),
        ("sig1=()", "sig2=:AAAA:"),
        ("((((", "sig1=:AAAA:"),
        ('sig1=("@method" "@target-uri");created="x";keyid="k"', "sig1=:AAAA:"),
    ],
)
def test_malformed_rfc9421_headers_are_refused(ed_key, signature_input, signature):
    headers = {"Signature-Input": signature_input, "Signature": signature}
    with pytest.raises(httpsig.SignatureError):
        verify(headers, ed_key)


# --- keys: rotation and failures -----------------------------------------------------


@pytest.mark.parametrize("scheme", httpsig.SCHEMES)
def test_a_rotated_key_is_fetched_once_more(scheme, ed_key, rsa_key):
    new = keys.generate_ed25519_key() if scheme == "rfc9421" else keys.generate_rsa_key()
    old = ed_key if scheme == "rfc9421" else rsa_key
    headers = sign(new, scheme)
    resolve = Keys(old, fresh=new)
    assert verify(headers, old, resolve=resolve) == KEY_ID
    assert resolve.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_an_unknown_key_is_refused(rsa_key):
    headers = sign(rsa_key, "cavage")
    with pytest.raises(httpsig.SignatureError, match="unknown"):
        verify(headers, rsa_key, resolve=lambda key_id, refresh: None)


def test_errors_of_resolve_key_pass_through(rsa_key):
    class NotNow(Exception):
        pass

    def unavailable(key_id, refresh):
        raise NotNow(key_id)

    for scheme in httpsig.SCHEMES:
        with pytest.raises(NotNow):
            verify(sign(rsa_key, scheme), rsa_key, resolve=unavailable)


@pytest.mark.parametrize("created", ["-62135596800", "253402300000", "99999999999999999999", "0"])
def test_absurd_times_are_refused_not_crashed_on(ed_key, created):
    # (too long for a structured-field integer, or negative for cavage: malformed)
    headers = sign(ed_key, "rfc9421")
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        f"created={T0}", f"created={created}"
    )
    with pytest.raises(httpsig.SignatureError, match=r"expired|future|malformed"):
        verify(headers, ed_key)
    covered = ["(request-target)", "(created)", "(expires)", "host", "digest"]
    headers = cavage(ed_key, covered, created=created, expires=created)
    with pytest.raises(httpsig.SignatureError, match=r"expired|future|malformed"):
        verify(headers, ed_key)


@pytest.mark.parametrize(
    "date", ["Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 -2359", "gestern"]
)
def test_absurd_dates_are_refused(rsa_key, date):
    headers = sign(rsa_key, "cavage")
    headers["Date"] = date
    with pytest.raises(httpsig.SignatureError):
        verify(headers, rsa_key)


# draft-cavage-http-signatures Appendix C: its test key (RSA 1024, too weak for an actor,
# so handed over directly) and request, and the "all headers" signature of C.3.
CAVAGE_TEST_PUBLIC_PEM = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
"""
CAVAGE_TEST_HEADERS = {
    "Host": "example.com",
    "Date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
}
CAVAGE_C3 = (
    'keyId="Test",algorithm="rsa-sha256",'
    'headers="(request-target) host date content-type digest content-length",'
    'signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bE'
    "KBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE"
    '="'
)
CAVAGE_C2 = (
    'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",'
    'signature="qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndm'
    "w2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0"
    '="'
)


def test_the_draft_cavage_c3_test_vector_verifies():
    from cryptography.hazmat.primitives import serialization

    public = serialization.load_pem_public_key(CAVAGE_TEST_PUBLIC_PEM.encode())
    with pytest.raises(keys.KeyFormatError, match="too weak"):
        keys.load_public_key(CAVAGE_TEST_PUBLIC_PEM)
    url = "https://example.com/foo?param=value&pet=dog"
    body = b'{"hello": "world"}'
    headers = {**CAVAGE_TEST_HEADERS, "Signature": CAVAGE_C3}
    when = dt.datetime(2014, 1, 5, 21, 31, 40, tzinfo=dt.UTC)
    assert (
        httpsig.verify_request(
            "POST", url, headers, body, resolve_key=lambda key_id, refresh: public, now=when
        )
        == "Test"
    )
    # C.2 signs no digest: it verifies, but not for an inbox with a body
    headers["Signature"] = CAVAGE_C2
    assert httpsig.verify_request(
        "POST", url, headers, None, resolve_key=lambda key_id, refresh: public, now=when
    )
    with pytest.raises(httpsig.SignatureError, match="Digest"):
        httpsig.verify_request(
            "POST", url, headers, body, resolve_key=lambda key_id, refresh: public, now=when
        )


@pytest.mark.parametrize("scheme", httpsig.SCHEMES)
def test_resolve_key_may_answer_with_the_stored_text_of_a_key(scheme, rsa_key, ed_key):
    key = rsa_key if scheme == "cavage" else ed_key
    stored = keys.stored_form(key.public_key())
    assert stored.startswith("-----BEGIN PUBLIC KEY" if scheme == "cavage" else "z6Mk")
    headers = sign(key, scheme)
    assert verify(headers, key, resolve=lambda key_id, refresh: stored) == KEY_ID
    with pytest.raises(httpsig.SignatureError, match="cannot be read"):
        verify(headers, key, resolve=lambda key_id, refresh: "zNotAKey")


@pytest.mark.parametrize("scheme", httpsig.SCHEMES)
def test_a_malformed_url_is_a_signature_error(scheme, rsa_key):
    headers = sign(rsa_key, scheme)
    resolve = Keys(rsa_key)
    for url in ("https://treffpunkt.example:port/inbox", "/inbox"):
        with pytest.raises(httpsig.SignatureError, match="malformed"):
            verify(headers, rsa_key, url=url, resolve=resolve)
    assert resolve.calls == []
