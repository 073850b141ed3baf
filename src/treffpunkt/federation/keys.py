"""Key pairs of our actors and the public keys of remote ones.

Every actor has two key pairs: RSA 2048 for draft-cavage HTTP signatures (what every
fediverse server reads, published as ``publicKey``) and Ed25519 for RFC 9421 HTTP Message
Signatures (published as a FEP-521a ``Multikey`` in ``assertionMethod``). Keys are stored as
PEM text (PKCS#8 for private keys, SubjectPublicKeyInfo for public ones); the Ed25519 public
key also travels as ``publicKeyMultibase``: ``z`` + base58btc(0xed 0x01 + 32 key bytes).

Only this module turns key material into ``cryptography`` key objects, so the rest of the
app (and ``httpsig``) handles ``PrivateKey`` / ``PublicKey`` objects and nothing else.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey

RSA_KEY_SIZE = 2048
# Smaller RSA keys are refused from remote actors: 2048 is what Mastodon, Misskey,
# GoToSocial, Pixelfed and WordPress generate.
MIN_REMOTE_RSA_BITS = 2048
# The multicodec prefix of an Ed25519 public key (varint 0xed), FEP-521a.
ED25519_MULTICODEC = b"\xed\x01"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: index for index, char in enumerate(_BASE58)}


class KeyFormatError(ValueError):
    """Key material that cannot be read, or a key type or size Treffpunkt does not use."""


# --- generating and storing ----------------------------------------------------------


def generate_rsa_key() -> rsa.RSAPrivateKey:
    """A new RSA 2048 private key (public exponent 65537), for draft-cavage signatures."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)


def generate_ed25519_key() -> ed25519.Ed25519PrivateKey:
    """A new Ed25519 private key, for RFC 9421 signatures."""
    return ed25519.Ed25519PrivateKey.generate()


def private_key_to_pem(key: PrivateKey) -> str:
    """The private key as unencrypted PKCS#8 PEM text (the database holds it; the data
    folder's backups must be kept as safe as the secret key)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_key_to_pem(key: PublicKey | PrivateKey) -> str:
    """The public key (of a public or private key) as SubjectPublicKeyInfo PEM text, the
    form of ``publicKey.publicKeyPem`` in an actor document."""
    if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_private_key(pem: str | bytes) -> PrivateKey:
    """Read a PEM private key (RSA or Ed25519). Raises ``KeyFormatError`` for anything else.

    Only our own keys, from our database, are loaded here, so OpenSSL's RSA consistency
    check is skipped (it cost 120 ms a key, once per delivery), and keys are kept in
    memory by their PEM text: signing a thousand deliveries loads the key once.
    """
    text = pem.decode("ascii", "replace") if isinstance(pem, bytes) else pem
    return _load_private_key(text)


@functools.lru_cache(maxsize=256)
def _load_private_key(pem: str) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(
            pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
        )
    except (ValueError, TypeError, UnsupportedAlgorithm, UnicodeEncodeError) as error:
        raise KeyFormatError(f"not a readable private key: {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise KeyFormatError(f"unsupported private key type {type(key).__name__}")
    return key


def load_public_key(pem: str | bytes) -> PublicKey:
    """Read a PEM public key (SubjectPublicKeyInfo, or the PKCS#1 ``RSA PUBLIC KEY`` some
    servers publish). Only RSA of at least 2048 bits and Ed25519 are accepted; anything
    else raises ``KeyFormatError``."""
    if isinstance(pem, bytes):
        try:
            pem = pem.decode("ascii")
        except UnicodeDecodeError:
            raise KeyFormatError("a public key PEM must be ASCII text") from None
    # Some servers publish PEM with escaped or Windows line breaks; the base64 is the same.
    text = pem.strip().replace("\\n", "\n").replace("\r\n", "\n")
    try:
        key = serialization.load_pem_public_key(text.encode("ascii"))
    except (ValueError, TypeError, UnsupportedAlgorithm, UnicodeEncodeError) as error:
        raise KeyFormatError(f"not a readable public key: {error}") from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_REMOTE_RSA_BITS:
            raise KeyFormatError(f"an RSA key of {key.key_size} bits is too weak")
        return key
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    raise KeyFormatError(f"unsupported public key type {type(key).__name__}")


def load_stored_public_key(value: str) -> PublicKey:
    """A public key kept as text: a PEM block, or a ``publicKeyMultibase`` value (``z…``),
    the two forms ``actor_public_keys`` reads. Raises ``KeyFormatError``."""
    if not isinstance(value, str):
        raise KeyFormatError("a stored public key is text")
    if value.lstrip().startswith("-----BEGIN"):
        return load_public_key(value)
    return decode_multikey(value.strip())


def stored_form(key: PublicKey) -> str:
    """The text to keep for a public key: Multikey for Ed25519, PEM for RSA (the inverse
    of ``load_stored_public_key``)."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return encode_multikey(key)
    return public_key_to_pem(key)


def same_public_key(a: PublicKey | None, b: PublicKey | None) -> bool:
    """Whether two public keys are the same key (for "did a refetch bring a new key?")."""
    if a is None or b is None:
        return a is b
    return public_key_to_pem(a) == public_key_to_pem(b)


# --- FEP-521a Multikey ---------------------------------------------------------------


def _base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, remainder = divmod(number, 58)
        out.append(_BASE58[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(out))


def _base58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _BASE58_INDEX:
            raise KeyFormatError(f"{char!r} is not a base58btc character")
        number = number * 58 + _BASE58_INDEX[char]
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def encode_multikey(key: ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey) -> str:
    """The ``publicKeyMultibase`` value of an Ed25519 key: ``z`` + base58btc of the
    multicodec prefix 0xed01 and the 32 raw key bytes (``z6Mk…``)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise KeyFormatError("only Ed25519 keys are published as Multikey")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + _base58_encode(ED25519_MULTICODEC + raw)


def decode_multikey(value: str) -> ed25519.Ed25519PublicKey:
    """The Ed25519 public key of a ``publicKeyMultibase`` value. Raises ``KeyFormatError``
    unless it is base58btc (``z``) with the ed25519-pub prefix and 32 key bytes."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 100:
        raise KeyFormatError("publicKeyMultibase must be base58btc (starting with z)")
    data = _base58_decode(value[1:])
    if not data.startswith(ED25519_MULTICODEC):
        raise KeyFormatError("publicKeyMultibase is not an Ed25519 key (prefix 0xed01)")
    raw = data[len(ED25519_MULTICODEC) :]
    if len(raw) != 32:
        raise KeyFormatError(f"an Ed25519 key has 32 bytes, not {len(raw)}")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw)


def multikey(key_id: str, controller: str, key: ed25519.Ed25519PublicKey) -> dict[str, str]:
    """One ``assertionMethod`` entry of an actor document (FEP-521a)."""
    return {
        "id": key_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": encode_multikey(key),
    }


def public_key_entry(key_id: str, owner: str, key: PublicKey) -> dict[str, str]:
    """The ``publicKey`` object of an actor document (the RSA key, for draft-cavage)."""
    return {"id": key_id, "owner": owner, "publicKeyPem": public_key_to_pem(key)}


# --- remote actors -------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _origin(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.scheme, parts.netloc.lower()


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def actor_public_keys(actor: dict[str, Any]) -> dict[str, PublicKey]:
    """The keys a remote actor document publishes, as ``{key_id: public key}``.

    Read: ``publicKey`` (an object or a list of them) with ``publicKeyPem``, and
    ``assertionMethod`` entries of type ``Multikey`` with an Ed25519 ``publicKeyMultibase``.
    A key counts only when it belongs to this actor: its ``owner`` / ``controller`` (when
    given) is the actor's id, and its id has the actor id's origin (scheme and host), so an
    actor cannot claim another server's key. Entries that are malformed, weak (RSA under
    2048 bits), of other types or only references are skipped without an error; an actor
    without any usable key gives ``{}``.
    """
    if not isinstance(actor, dict):
        return {}
    actor_id = actor.get("id")
    if not isinstance(actor_id, str) or _origin(actor_id) is None:
        return {}
    origin = _origin(actor_id)
    found: dict[str, PublicKey] = {}

    def belongs(entry: dict[str, Any], owner_field: str) -> str | None:
        key_id = entry.get("id")
        if not isinstance(key_id, str) or _origin(key_id) != origin:
            return None
        owner = _id_of(entry.get(owner_field))
        if entry.get(owner_field) is not None and owner != actor_id:
            return None
        return key_id

    for entry in _as_list(actor.get("publicKey")):
        if not isinstance(entry, dict):
            continue
        key_id = belongs(entry, "owner")
        pem = entry.get("publicKeyPem")
        if key_id is None or not isinstance(pem, str):
            continue
        try:
            found[key_id] = load_public_key(pem)
        except KeyFormatError:
            continue
    for entry in _as_list(actor.get("assertionMethod")):
        if not isinstance(entry, dict) or entry.get("type") != "Multikey":
            continue
        key_id = belongs(entry, "controller")
        value = entry.get("publicKeyMultibase")
        if key_id is None or not isinstance(value, str):
            continue
        try:
            found[key_id] = decode_multikey(value)
        except KeyFormatError:
            continue
    return found
