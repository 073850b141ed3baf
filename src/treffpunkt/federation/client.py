"""The one outbound HTTP client of federation: every actor, key, object and delivery goes
through here, and nowhere else opens a connection to another server.

What it guards (issue 11, item 13):

- **Addresses.** It refuses private, loopback, link-local, CGNAT (100.64/10), multicast,
  unspecified, documentation and reserved addresses, and IPv4-mapped, NAT64, 6to4 and
  Teredo addresses outright. The check runs on the address the socket actually connects
  to: ``ssrfguard``'s transport resolves a name once, checks every answer and connects to
  that address (TLS still verifies the certificate against the host name), so a DNS
  answer that changes between check and connection gains nothing. Redirects are followed
  here, at most 3, and every hop is checked again (and signed again).
- **https only**, except for the CIDR ranges in ``TREFFPUNKT_FEDERATION_ALLOW_PRIVATE``
  (``settings.FEDERATION_ALLOW_PRIVATE``, empty by default): addresses there may be
  reached, over https or plain http (local tests, private networks). Plain http to any
  other address is refused on the resolved address too.
- **Time and size.** 10 seconds per connect, read or write (and for the whole body), and
  at most 1 MB of response body, streamed and abandoned beyond that.
- **JSON only** for fetches: ``application/activity+json``, ``application/ld+json``,
  ``application/json``, ``application/jrd+json``.
- An honest ``User-Agent: Treffpunkt/<version> (+<TREFFPUNKT_BASE_URL>)``.

Every failure is a ``FetchError``: ``Refused`` (the guard said no), ``Unreachable`` (no
connection, a timeout, TLS), ``TooLarge``, ``BadContentType``, ``BadJSON``, ``BadStatus``
(``Gone`` for 410). ``error.temporary`` says whether trying again later may help.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import json
import logging
import threading
import time
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from ssrfguard import AddressTable, Block, Policy, Reach, SSRFGuardError
from ssrfguard.httpx import SafeTransport

import treffpunkt
from treffpunkt.federation import httpsig
from treffpunkt.federation.keys import PrivateKey

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
JSON_TYPES = frozenset(
    {
        "application/activity+json",
        "application/ld+json",
        "application/json",
        "application/jrd+json",
    }
)
ACTIVITY_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACTIVITY_CONTENT_TYPE = "application/activity+json"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


# --- errors --------------------------------------------------------------------------


class FetchError(Exception):
    """Any failure of an outbound request. ``url`` is the address it failed at (after
    redirects), ``temporary`` whether trying again later may succeed."""

    temporary = False

    def __init__(self, message: str, *, url: str = ""):
        super().__init__(message)
        self.url = url


class Refused(FetchError):
    """The guard refused: a private or otherwise forbidden address, plain http, another
    scheme, or more than 3 redirects. Nothing was sent to that address."""


class Unreachable(FetchError):
    """No answer: the name does not resolve, the connection failed or timed out, TLS failed."""

    temporary = True


class TooLarge(FetchError):
    """The response body is larger than 1 MB (the rest was not read)."""


class BadContentType(FetchError):
    """A fetch was answered with something other than JSON."""


class BadJSON(FetchError):
    """A fetch was answered with a JSON content type but no JSON object."""


class BadStatus(FetchError):
    """A fetch was answered with an error status (``status_code``); 429 and 5xx are
    temporary."""

    def __init__(self, message: str, *, url: str = "", status_code: int):
        super().__init__(message, url=url)
        self.status_code = status_code
        self.temporary = status_code == 429 or status_code >= 500


class Gone(BadStatus):
    """410 Gone: the object or actor was deleted."""


class SignsRequests(Protocol):
    """What signs our requests (``httpsig.Signer`` is one)."""

    key_id: str
    private_key: PrivateKey
    scheme: httpsig.Scheme


# --- the guarded httpx client --------------------------------------------------------


def _denied_table() -> AddressTable:
    """ssrfguard's IANA table, with every address that wraps an IPv4 address (mapped,
    NAT64, 6to4, Teredo, IPv4-compatible) refused outright instead of decoded: a
    fediverse server has a plain address."""
    from ssrfguard import DEFAULT_DENIED

    blocks = tuple(
        dataclasses.replace(block, reach=Reach.DENIED) if block.reach is Reach.TRANSLATED else block
        for block in DEFAULT_DENIED.blocks
    )
    return AddressTable(blocks)


def _deny_everything() -> AddressTable:
    return AddressTable(
        tuple(
            Block(
                network=ipaddress.ip_network(cidr), name="plain http", rfc="-", reach=Reach.DENIED
            )
            for cidr in ("0.0.0.0/0", "::/0")
        )
    )


def allowed_private_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The ranges of ``TREFFPUNKT_FEDERATION_ALLOW_PRIVATE``, parsed."""
    ranges = getattr(settings, "FEDERATION_ALLOW_PRIVATE", None) or []
    if isinstance(ranges, str):
        ranges = [part for part in ranges.replace(",", " ").split() if part]
    networks = []
    for cidr in ranges:
        try:
            networks.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TREFFPUNKT_FEDERATION_ALLOW_PRIVATE: {cidr!r} is not an address range "
                "like 127.0.0.0/8 or 10.0.0.0/8."
            ) from None
    return tuple(networks)


_clients_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _client_for(networks: tuple[Any, ...]) -> httpx.Client:
    # One pooled client per configuration, shared by threads (httpx.Client is thread-safe):
    # deliveries to the same server reuse connections, and TLS contexts are built once.
    every_port = frozenset(range(1, 65536))
    https = SafeTransport(
        policy=Policy(
            allowed_schemes=frozenset({"https"}),
            denied_networks=_denied_table(),
            allowed_networks=networks,
            allowed_ports=every_port,
        ),
        trust_env=False,
    )
    # Plain http reaches only the allowed ranges: every other address is denied.
    http = SafeTransport(
        policy=Policy(
            allowed_schemes=frozenset({"http"}),
            denied_networks=_deny_everything(),
            allowed_networks=networks,
            allowed_ports=every_port,
        ),
        trust_env=False,
    )
    return httpx.Client(
        transport=https,
        mounts={"http://": http},
        trust_env=False,
        follow_redirects=False,
    )


def _client() -> httpx.Client:
    networks = allowed_private_networks()
    with _clients_lock:
        return _client_for(networks)


def user_agent() -> str:
    """``Treffpunkt/<version> (+<TREFFPUNKT_BASE_URL>)``: who is asking, and where to look."""
    return f"Treffpunkt/{treffpunkt.__version__} (+{settings.BASE_URL})"


def _check_url(url: str, networks: tuple[Any, ...]) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise Refused(f"{url!r} is not a URL", url=str(url)) from None
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host:
        if networks:
            return parsed  # the http transport lets only the allowed ranges through
        raise Refused(
            f"{url} is refused: only https is allowed (plain http only for the ranges in "
            "TREFFPUNKT_FEDERATION_ALLOW_PRIVATE)",
            url=url,
        )
    raise Refused(f"{url!r} is refused: only https URLs are fetched", url=str(url))


def _send(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    try:
        return _client().send(request, stream=True)
    except SSRFGuardError as error:
        # Worth a line at warning level: a remote document pointed us at a place we must
        # not go (or the allowed ranges are set too narrowly for a local setup).
        logger.warning("federation: refused to connect to %s: %s", url, error)
        raise Refused(f"{url} is refused: {error}", url=url) from None
    except httpx.TimeoutException:
        raise Unreachable(f"{url} did not answer in time", url=url) from None
    except (httpx.TransportError, OSError) as error:
        raise Unreachable(f"{url} cannot be reached: {error}", url=url) from None


def _read(response: httpx.Response, deadline: float) -> bytes:
    """The body, at most 1 MB, read before the deadline; the connection is closed after."""
    url = str(response.request.url)
    try:
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_RESPONSE_BYTES:
            raise TooLarge(f"{url} answered {length} bytes, more than 1 MB", url=url)
        chunks = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise TooLarge(f"{url} answered more than 1 MB", url=url)
            if time.monotonic() > deadline:
                raise Unreachable(f"{url} answered too slowly", url=url)
            chunks.append(chunk)
        return b"".join(chunks)
    except httpx.TimeoutException:
        raise Unreachable(f"{url} stopped answering", url=url) from None
    except (httpx.TransportError, httpx.DecodingError, OSError) as error:
        raise Unreachable(f"{url} broke off its answer: {error}", url=url) from None
    finally:
        response.close()


def _signed_headers(
    method: str, url: str, headers: dict[str, str], body: bytes | None, signer: SignsRequests
) -> dict[str, str]:
    return {
        **headers,
        **httpsig.sign_request(
            method,
            url,
            headers,
            body,
            key_id=signer.key_id,
            private_key=signer.private_key,
            scheme=signer.scheme,
        ),
    }


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


# --- the two calls -------------------------------------------------------------------


def fetch_json(
    url: str,
    *,
    signer: SignsRequests | None = None,
    accept: str = ACTIVITY_ACCEPT,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """GET ``url`` and return its JSON object.

    With a ``signer`` (the instance actor's ``httpsig.Signer``) the GET is signed, and
    signed anew for each redirect hop, so servers in authorized-fetch mode answer. Up to 3
    redirects are followed, each checked by the guard. ``accept`` is sent as ``Accept``
    (ActivityPub's types by default; ``application/jrd+json`` for WebFinger). ``timeout``
    bounds each network step and the whole body (tests make it short).

    The caller still has to check that the document's ``id`` has the origin it expected
    (after a redirect it may not).

    Raises ``Refused``, ``Unreachable``, ``BadStatus`` / ``Gone``, ``TooLarge``,
    ``BadContentType`` or ``BadJSON``, all ``FetchError``.
    """
    networks = allowed_private_networks()
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        parsed = _check_url(current, networks)
        current = str(parsed)
        headers = {"Accept": accept, "User-Agent": user_agent(), "Accept-Encoding": "identity"}
        if signer is not None:
            headers = _signed_headers("GET", current, headers, None, signer)
        request = _client().build_request("GET", parsed, headers=headers, timeout=timeout)
        response = _send(request)
        status = response.status_code
        if status in REDIRECT_STATUSES and "location" in response.headers:
            location = response.headers["location"]
            response.close()
            try:
                current = str(parsed.join(location))
            except (httpx.InvalidURL, ValueError):
                raise Refused(f"{current} redirects to {location!r}", url=current) from None
            continue
        if not 200 <= status < 300:
            response.close()
            kind = Gone if status == 410 else BadStatus
            raise kind(f"{current} answered {status}", url=current, status_code=status)
        media_type = _media_type(response)
        if media_type not in JSON_TYPES:
            response.close()
            raise BadContentType(
                f"{current} answered {media_type or 'no content type'}, not JSON", url=current
            )
        body = _read(response, deadline)
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise BadJSON(f"{current} answered no valid JSON", url=current) from None
        if not isinstance(document, dict):
            raise BadJSON(f"{current} answered JSON that is not an object", url=current)
        return document
    raise Refused(f"{url} redirects more than {MAX_REDIRECTS} times", url=current)


def post_activity(
    url: str,
    activity: dict[str, Any],
    *,
    signer: SignsRequests,
    timeout: float = DEFAULT_TIMEOUT,
) -> httpx.Response:
    """POST an activity to an inbox, signed right now by ``signer``, and return the
    answer whatever its status (the caller decides: 2xx delivered, 401/400 perhaps the
    other signature scheme, 5xx later). Redirects are not followed (a 3xx comes back as
    it is). The answer's body is read (at most 1 MB) and available as ``response.content``.

    Raises ``Refused``, ``Unreachable`` or ``TooLarge``.
    """
    networks = allowed_private_networks()
    deadline = time.monotonic() + timeout
    parsed = _check_url(url, networks)
    body = json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": ACTIVITY_CONTENT_TYPE,
        "Accept": ACTIVITY_ACCEPT,
        "User-Agent": user_agent(),
        "Accept-Encoding": "identity",
    }
    headers = _signed_headers("POST", str(parsed), headers, body, signer)
    request = _client().build_request(
        "POST", parsed, headers=headers, content=body, timeout=timeout
    )
    response = _send(request)
    content = _read(response, deadline)
    # The body is decoded already: the copy must not claim an encoding any more.
    headers_in = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")
    ]
    return httpx.Response(
        response.status_code, headers=headers_in, content=content, request=request
    )
