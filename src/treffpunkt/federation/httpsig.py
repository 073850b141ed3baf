"""HTTP signatures of the fediverse, both kinds: signing what we send, checking what arrives.

Two schemes are in use:

- **draft-cavage** (``scheme="cavage"``): the ``Signature`` header of draft-cavage-http-
  signatures-12 that every ActivityPub server reads. We sign ``(request-target) host date``
  and, for a body, ``digest`` (``Digest: SHA-256=…``); with an RSA key as ``rsa-sha256``,
  with an Ed25519 key as ``hs2019``. Written on ``cryptography``: no maintained library
  for it exists on PyPI (docs/decisions.md).
- **RFC 9421** (``scheme="rfc9421"``): ``Signature-Input`` / ``Signature``, covering
  ``@method`` ``@target-uri`` and, for a body, ``content-digest`` (RFC 9530 ``sha-256``),
  with ``created``, ``keyid`` and ``alg`` (``rsa-v1_5-sha256`` or ``ed25519``). Built and
  checked with pyauth's ``http-message-signatures``.

The rules for incoming signatures (issue 11, item 10), applied by ``verify_request``:

- cavage: ``(request-target)`` must be signed and is checked with and without the query
  string (servers differ); a body needs a signed ``Digest`` that matches it; a GET needs a
  signed ``host``; the time comes from a signed ``date`` or, with ``hs2019`` only,
  ``(created)``; ``(expires)`` likewise only with ``hs2019``.
- RFC 9421: exactly one signature; ``created`` and ``keyid`` required; ``@method`` and
  ``@target-uri`` covered; a body needs a covered ``Content-Digest``, recomputed.
- Both: a signature is good for 5 minutes after its ``Date`` / ``created``, or until its
  explicit expiry, but never longer than 12 hours after its creation; one hour of clock
  skew is forgiven either way.
- The key comes from ``resolve_key(key_id, refresh)``; when the signature does not verify
  with it, the key is fetched once more (``refresh=True``: the actor may have rotated it).

The ``host`` and ``@target-uri`` checked are those of the ``url`` given, which the inbox
rebuilds from ``TREFFPUNKT_BASE_URL``: behind a TLS proxy the remote signed the public
address, not the one the proxy forwards to.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.utils
import hashlib
import hmac
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import http_sf
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from http_message_signatures import (
    ContentDigest,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from treffpunkt.federation.keys import (
    KeyFormatError,
    PrivateKey,
    PublicKey,
    load_stored_public_key,
    same_public_key,
)

Scheme = Literal["cavage", "rfc9421"]
SCHEMES: tuple[Scheme, ...] = ("cavage", "rfc9421")

# A signature without an expiry is good this long after it was made ...
VALIDITY = dt.timedelta(minutes=5)
# ... an explicit expiry may extend that, but never beyond this ...
MAX_VALIDITY = dt.timedelta(hours=12)
# ... and clocks may be this far apart, either way.
CLOCK_SKEW = dt.timedelta(hours=1)

RFC9421_LABEL = "sig1"
# Longer header values are not parsed at all (a signature header is a few hundred bytes).
MAX_SIGNATURE_HEADER = 8192


class SignatureError(Exception):
    """A signature is missing, malformed, stale, or does not verify. ``reason`` says
    which, in a sentence fit for a log line and a 401 answer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Signer:
    """Who signs an outgoing request: the key id published in the actor document (the
    RSA ``publicKey`` id for cavage, the Ed25519 Multikey id for RFC 9421), its private
    key, and the scheme. ``client.fetch_json`` and ``client.post_activity`` take one."""

    key_id: str
    private_key: PrivateKey = field(repr=False)
    scheme: Scheme = "cavage"


# resolve_key(key_id, refresh) -> a public key, its stored text (PEM or multibase), or None
ResolveKey = Callable[[str, bool], "PublicKey | str | None"]


# --- shared helpers ------------------------------------------------------------------


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names in lower case; repeated names (from a list of pairs) joined by ", "."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        result[key] = f"{result[key]}, {value}" if key in result else str(value)
    return result


def _authority(url: str) -> str:
    """The Host a client sends for ``url``: host and port, the default port left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = parts.port
    return host if port is None or port == default else f"{host}:{port}"


def _request_targets(method: str, url: str) -> list[str]:
    """``(request-target)`` values: with the query string first, then without it."""
    parts = urlsplit(url)
    path = parts.path or "/"
    targets = [f"{method.lower()} {path}?{parts.query}"] if parts.query else []
    targets.append(f"{method.lower()} {path}")
    return targets


def _to_datetime(now: dt.datetime | float | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(now, int | float):
        return dt.datetime.fromtimestamp(now, dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def _check_time(created: float, expires: float | None, now: dt.datetime, what: str) -> None:
    """Issue 11's window: 5 minutes after creation (or the explicit expiry, at most 12
    hours after creation), with one hour of skew either way. Times in seconds since the
    epoch, so that no value, however absurd, overflows a date."""
    moment = now.timestamp()
    skew = CLOCK_SKEW.total_seconds()
    if created - skew > moment:
        raise SignatureError(f"the signature's {what} is in the future")
    longest = created + MAX_VALIDITY.total_seconds()
    end = created + VALIDITY.total_seconds() if expires is None else min(expires, longest)
    if moment > end + skew:
        raise SignatureError(f"the signature has expired (its {what} is too old)")


def _timestamp(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise SignatureError(f"the signature's {name} is not a time") from None
    if not math.isfinite(number):
        raise SignatureError(f"the signature's {name} is not a time")
    return number


def _verify_with(key: PublicKey, algorithm: str, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` over ``message`` is good for ``key`` under a cavage
    ``algorithm``; hs2019 takes the algorithm from the key, as the fediverse does."""
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algorithm not in ("rsa-sha256", "hs2019"):
                return False
            try:
                key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
                return True
            except CryptoInvalidSignature:
                if algorithm != "hs2019":
                    raise
                # hs2019 with RSA meant RSASSA-PSS with SHA-512 in the draft.
                key.verify(
                    signature,
                    message,
                    padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64),
                    hashes.SHA512(),
                )
                return True
        if isinstance(key, ed25519.Ed25519PublicKey):
            if algorithm not in ("hs2019", "ed25519"):
                return False
            key.verify(signature, message)
            return True
    except (CryptoInvalidSignature, ValueError):
        return False
    return False


def _resolve(resolve_key: ResolveKey, key_id: str, refresh: bool) -> PublicKey:
    key: Any = resolve_key(key_id, refresh)
    if key is None:
        raise SignatureError(f"the key {key_id} is unknown")
    if isinstance(key, str):
        try:
            key = load_stored_public_key(key)
        except KeyFormatError as error:
            raise SignatureError(f"the key {key_id} cannot be read: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise SignatureError(f"the key {key_id} is of a type we do not verify")
    return key


def _with_rotation(
    resolve_key: ResolveKey, key_id: str, attempt: Callable[[PublicKey], str | None]
) -> str:
    """Verify with the known key, and once more with a refetched one when that fails.
    ``attempt`` returns ``None`` when the signature verifies, else the reason it does not."""
    key = _resolve(resolve_key, key_id, False)
    reason = attempt(key)
    if reason is None:
        return key_id
    fresh = _resolve(resolve_key, key_id, True)
    if same_public_key(fresh, key):
        raise SignatureError(reason)
    reason = attempt(fresh)
    if reason is not None:
        raise SignatureError(reason)
    return key_id


# --- draft-cavage --------------------------------------------------------------------

_CAVAGE_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([0-9]+(?:\.[0-9]+)?))\s*(?:,|$)')


def _parse_cavage(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    position = 0
    value = value.strip()
    while position < len(value):
        match = _CAVAGE_PARAM.match(value, position)
        if match is None or match.end() == position:
            raise SignatureError("the Signature header is malformed")
        name = match.group(1)
        if name in params:
            raise SignatureError(f"the Signature header names {name} twice")
        params[name] = match.group(2) if match.group(2) is not None else match.group(3)
        position = match.end()
    return params


def _digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def _check_digest(value: str, body: bytes) -> None:
    """A ``Digest`` header (RFC 3230) must name SHA-256 or SHA-512, and every such entry
    must match the body."""
    checked = False
    for entry in value.split(","):
        name, _, encoded = entry.strip().partition("=")
        hasher = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}.get(name.lower())
        if hasher is None:
            continue
        try:
            digest = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError("the Digest header is malformed") from None
        if not hmac.compare_digest(digest, hasher(body).digest()):
            raise SignatureError("the Digest header does not match the body")
        checked = True
    if not checked:
        raise SignatureError("the Digest header has no SHA-256 or SHA-512 digest")


def _sign_cavage(
    method: str, url: str, body: bytes | None, key_id: str, key: PrivateKey, now: dt.datetime
) -> dict[str, str]:
    added = {
        "Host": _authority(url),
        "Date": email.utils.format_datetime(now.astimezone(dt.UTC), usegmt=True),
    }
    values = {
        "(request-target)": _request_targets(method, url)[0],
        "host": added["Host"],
        "date": added["Date"],
    }
    if body is not None:
        added["Digest"] = values["digest"] = _digest_header(body)
    signing_string = "\n".join(f"{name}: {value}" for name, value in values.items()).encode()
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm = "rsa-sha256"
        signature = key.sign(signing_string, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        algorithm = "hs2019"
        signature = key.sign(signing_string)
    else:
        raise TypeError("sign with an RSA or Ed25519 private key")
    added["Signature"] = (
        f'keyId="{key_id}",algorithm="{algorithm}",headers="{" ".join(values)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"'
    )
    return added


def _verify_cavage(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    signature_header: str,
    resolve_key: ResolveKey,
    now: dt.datetime,
) -> str:
    if len(signature_header) > MAX_SIGNATURE_HEADER:
        raise SignatureError("the Signature header is too long")
    params = _parse_cavage(signature_header)
    key_id = params.get("keyId")
    if not key_id:
        raise SignatureError("the signature has no keyId")
    if "signature" not in params:
        raise SignatureError("the Signature header carries no signature")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("the signature is not base64") from None
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ("rsa-sha256", "hs2019", "ed25519"):
        raise SignatureError(f"the algorithm {algorithm} is not supported")
    covered = params.get("headers", "date").lower().split()
    if len(set(covered)) != len(covered):
        raise SignatureError("the signature names a header twice")
    if "(request-target)" not in covered:
        raise SignatureError("the signature does not cover (request-target)")
    if method.upper() == "GET" and "host" not in covered:
        raise SignatureError("a signed GET must cover host")
    if body and "digest" not in covered:
        raise SignatureError("the signature does not cover the Digest of the body")
    uses_created = "(created)" in covered or "(expires)" in covered
    if uses_created and algorithm != "hs2019":
        raise SignatureError("(created) and (expires) are allowed with hs2019 only")

    if "(created)" in covered:
        if "created" not in params:
            raise SignatureError("the signature covers (created) but gives no created")
        created = _timestamp(params["created"], "created")
    elif "date" in covered:
        date = headers.get("date")
        if not date:
            raise SignatureError("the signed Date header is missing")
        try:
            parsed = email.utils.parsedate_to_datetime(date)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            created = parsed.timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            raise SignatureError("the Date header is not a date") from None
    else:
        raise SignatureError("the signature covers neither date nor (created)")
    expires = None
    if "(expires)" in covered:
        if "expires" not in params:
            raise SignatureError("the signature covers (expires) but gives no expires")
        expires = _timestamp(params["expires"], "expires")
    _check_time(created, expires, now, "date" if "(created)" not in covered else "created")

    if "digest" in covered:
        if "digest" not in headers:
            raise SignatureError("the signed Digest header is missing")
        _check_digest(headers["digest"], body)

    authority, targets = _authority(url), _request_targets(method, url)
    candidates = []
    for target in targets:
        lines = []
        for name in covered:
            if name == "(request-target)":
                value = target
            elif name in ("(created)", "(expires)"):
                value = params[name[1:-1]]
            elif name == "host":
                value = authority
            elif name in headers:
                value = headers[name].strip()
            else:
                raise SignatureError(f"the signed header {name} is missing")
            lines.append(f"{name}: {value}")
        candidates.append("\n".join(lines).encode("utf-8", "surrogateescape"))

    def attempt(key: PublicKey) -> str | None:
        for candidate in candidates:
            if _verify_with(key, algorithm, signature, candidate):
                return None
        return f"the signature does not verify with the key {key_id}"

    return _with_rotation(resolve_key, key_id, attempt)


# --- RFC 9421 ------------------------------------------------------------------------


@dataclass
class _Message:
    """The request shape ``http-message-signatures`` reads (method, url, headers)."""

    method: str
    url: str
    headers: dict[str, str]


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key: PublicKey | PrivateKey):
        self.key = key

    def resolve_public_key(self, key_id: str) -> Any:
        return self.key

    def resolve_private_key(self, key_id: str) -> Any:
        return self.key


class _Verifier(HTTPMessageVerifier):
    # The time window is issue 11's, checked before the key is fetched, with the clock the
    # caller gives; the library's own check (5 s of skew, its own clock) is not used.
    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


def _algorithm_for(key: PublicKey | PrivateKey) -> type[algorithms.HTTPSignatureAlgorithm]:
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return algorithms.RSA_V1_5_SHA256
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return algorithms.ED25519
    raise TypeError("sign with an RSA or Ed25519 key")


def sign_rfc9421(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    key_id: str,
    private_key: PrivateKey,
    created: dt.datetime | None = None,
    covered: tuple[str, ...] = ("@method", "@target-uri"),
    label: str = RFC9421_LABEL,
    include_alg: bool = True,
) -> dict[str, str]:
    """The RFC 9421 headers (``Signature-Input``, ``Signature`` and, for a body,
    ``Content-Digest``) for a request; the lower level of ``sign_request`` that also lets
    tests choose the covered components, label and time (RFC 9421 Appendix B)."""
    message = _Message(method.upper(), url, dict(headers))
    before = set(message.headers)
    signer = HTTPMessageSigner(
        signature_algorithm=_algorithm_for(private_key), key_resolver=_OneKey(private_key)
    )
    signer.sign(
        message,
        key_id=key_id,
        created=created or dt.datetime.now(dt.UTC),
        label=label,
        include_alg=include_alg,
        covered_component_ids=covered,
        body=body,
    )
    names = {"signature-input": "Signature-Input", "signature": "Signature"}
    names["content-digest"] = "Content-Digest"
    return {
        names.get(name.lower(), name): value
        for name, value in message.headers.items()
        if name not in before or name.lower() in names
    }


def _verify_rfc9421(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    resolve_key: ResolveKey,
    now: dt.datetime,
) -> str:
    if "signature" not in headers:
        raise SignatureError("Signature-Input comes without a Signature header")
    if max(len(headers["signature-input"]), len(headers["signature"])) > MAX_SIGNATURE_HEADER:
        raise SignatureError("the signature headers are too long")
    inputs: Any
    signatures: Any
    try:
        inputs = http_sf.parse(headers["signature-input"].encode(), tltype="dictionary")
        signatures = http_sf.parse(headers["signature"].encode(), tltype="dictionary")
    except (ValueError, TypeError, UnicodeEncodeError):
        raise SignatureError("the signature headers are malformed") from None
    if len(inputs) != 1 or len(signatures) != 1:
        raise SignatureError("exactly one signature is accepted, this request has several")
    label = next(iter(inputs))
    if label not in signatures:
        raise SignatureError("Signature-Input and Signature name different signatures")
    members: Any
    params: Any
    members, params = inputs[label]
    if not isinstance(members, list) or not isinstance(params, dict):
        raise SignatureError("the Signature-Input is not a list of components")
    components = [value for value, _ in members if isinstance(value, str)]
    if "created" not in params:
        raise SignatureError("the signature has no created time")
    key_id = params.get("keyid")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("the signature has no keyid")
    for component in ("@method", "@target-uri"):
        if component not in components:
            raise SignatureError(f"the signature does not cover {component}")
    alg: Any = params.get("alg")
    if alg is not None and alg not in ("rsa-v1_5-sha256", "ed25519"):
        raise SignatureError(f"the algorithm {alg} is not supported")
    if type(params["created"]) is not int:
        raise SignatureError("the signature's created is not a time")
    expires = None
    if "expires" in params:
        if type(params["expires"]) is not int:
            raise SignatureError("the signature's expires is not a time")
        expires = _timestamp(params["expires"], "expires")
    _check_time(_timestamp(params["created"], "created"), expires, now, "created")
    if body or "content-digest" in headers:
        if "content-digest" not in components:
            raise SignatureError("the signature does not cover the Content-Digest of the body")
        if "content-digest" not in headers:
            raise SignatureError("the signed Content-Digest header is missing")
        try:
            ContentDigest.verify(headers["content-digest"], body)
        except HTTPMessageSignaturesException as error:
            raise SignatureError(f"Content-Digest: {error}") from None

    message = _Message(method.upper(), url, headers)
    required = ("@method", "@target-uri", "content-digest") if body else ("@method", "@target-uri")

    def attempt(key: PublicKey) -> str | None:
        algorithm = _algorithm_for(key)
        if alg is not None and alg != algorithm.algorithm_id:
            return f"the key {key_id} does not fit the algorithm {alg}"
        verifier = _Verifier(signature_algorithm=algorithm, key_resolver=_OneKey(key))
        try:
            # The Content-Digest was recomputed above, and its value is part of the
            # signature base, so the library need not hash the body again.
            verifier.verify(message, max_age=None, require_components=required)
        except HTTPMessageSignaturesException as error:
            return f"the signature does not verify with the key {key_id} ({error})"
        return None

    return _with_rotation(resolve_key, key_id, attempt)


# --- the two entry points ------------------------------------------------------------


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str] | None,
    body: bytes | None,
    *,
    key_id: str,
    private_key: PrivateKey,
    scheme: Scheme,
    now: dt.datetime | float | None = None,
) -> dict[str, str]:
    """The headers to add to a request so that it is signed; call it right before sending.

    ``url`` is the full URL as sent; ``body`` the exact bytes sent (``None`` for a GET);
    ``headers`` the request's other headers (only read). ``scheme="cavage"`` gives
    ``Host``, ``Date``, ``Signature`` and, with a body, ``Digest`` (RSA keys sign as
    ``rsa-sha256``, Ed25519 keys as ``hs2019``); ``scheme="rfc9421"`` gives
    ``Signature-Input``, ``Signature`` and, with a body, ``Content-Digest``.
    """
    if scheme == "cavage":
        return _sign_cavage(method, url, body, key_id, private_key, _to_datetime(now))
    if scheme == "rfc9421":
        return sign_rfc9421(
            method,
            url,
            headers or {},
            body,
            key_id=key_id,
            private_key=private_key,
            created=_to_datetime(now),
            covered=("@method", "@target-uri"),
        )
    raise ValueError(f"unknown signature scheme {scheme!r}")


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    resolve_key: ResolveKey,
    now: dt.datetime | float | None = None,
) -> str:
    """Check the signature of an incoming request; return the key id that signed it.

    ``url`` is the public URL the request was sent to (rebuilt from
    ``TREFFPUNKT_BASE_URL`` and the path with its query string); ``headers`` the request's
    headers (any case); ``body`` its raw bytes. The scheme is recognized by its headers
    (``Signature-Input`` for RFC 9421, ``Signature`` or ``Authorization: Signature …`` for
    draft-cavage).

    ``resolve_key(key_id, refresh)`` returns the public key for ``key_id`` (``keys.
    actor_public_keys`` reads them from an actor document; its stored text, PEM or
    ``publicKeyMultibase``, will do as well) or ``None`` when there is none; with
    ``refresh=True`` it must fetch the actor again. It is called only after the shape, the
    time and the digest passed, and with ``refresh=True`` at most once, when the signature
    does not verify with the known key. Whatever it raises (a fetch
    that failed for now, say) passes through unchanged, so the caller can answer 503.

    Raises ``SignatureError(reason)`` for anything else. The caller must still check that
    the key belongs to the actor of the activity.
    """
    try:
        if not urlsplit(url).hostname:
            raise ValueError(url)
        _authority(url)
    except ValueError:
        raise SignatureError(f"the request URL {url!r} is malformed") from None
    lower = _lower_headers(headers)
    moment = _to_datetime(now)
    data = body or b""
    if "signature-input" in lower:
        return _verify_rfc9421(method, url, lower, data, resolve_key, moment)
    signature = lower.get("signature")
    if signature is None:
        authorization = lower.get("authorization", "")
        if authorization[:10].lower() == "signature ":
            signature = authorization[10:]
    if not signature:
        raise SignatureError("the request is not signed")
    return _verify_cavage(method, url, lower, data, signature, resolve_key, moment)
