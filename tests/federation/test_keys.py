"""Our key pairs, their PEM and Multikey forms, and reading remote actors' keys."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from treffpunkt.federation import keys

# RFC 8032 section 7.1, test 1: the Ed25519 key pair, and its did:key / FEP-521a form as
# other implementations compute it (multicodec 0xed01 + key, base58btc, "z").
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_MULTIBASE = "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"

ACTOR = "https://mastodon.example/users/alice"


@pytest.fixture(scope="module")
def rsa_key():
    return keys.generate_rsa_key()


def test_rsa_keys_are_2048_bits_and_survive_pem(rsa_key):
    assert rsa_key.key_size == 2048
    private_pem = keys.private_key_to_pem(rsa_key)
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    loaded = keys.load_private_key(private_pem)
    assert keys.private_key_to_pem(loaded) == private_pem
    public_pem = keys.public_key_to_pem(rsa_key)
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert keys.public_key_to_pem(keys.load_public_key(public_pem)) == public_pem
    assert keys.same_public_key(keys.load_public_key(public_pem), rsa_key.public_key())


def test_ed25519_keys_survive_pem_and_multikey():
    key = keys.generate_ed25519_key()
    loaded = keys.load_private_key(keys.private_key_to_pem(key))
    assert isinstance(loaded, ed25519.Ed25519PrivateKey)
    assert isinstance(keys.load_public_key(keys.public_key_to_pem(key)), ed25519.Ed25519PublicKey)
    value = keys.encode_multikey(key.public_key())
    assert value.startswith("z6Mk")
    assert keys.same_public_key(keys.decode_multikey(value), key.public_key())
    assert keys.encode_multikey(key) == value  # a private key publishes its public half


def test_multikey_matches_the_rfc8032_vector():
    private = ed25519.Ed25519PrivateKey.from_private_bytes(RFC8032_SEED)
    public = ed25519.Ed25519PublicKey.from_public_bytes(RFC8032_PUBLIC)
    assert keys.same_public_key(private.public_key(), public)
    assert keys.encode_multikey(public) == RFC8032_MULTIBASE
    decoded = keys.decode_multikey(RFC8032_MULTIBASE)
    assert keys.same_public_key(decoded, public)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw",  # no multibase prefix
        "uO0BAQ",  # base64url, not base58btc
        "z0OIl",  # not base58 characters
        "z" + "1" * 10,  # zeros, no prefix
        "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # a secp256k1 key (0xe701)
        RFC8032_MULTIBASE[:-3],  # too short
        "z" + "2" * 200,
        None,
    ],
)
def test_broken_multikeys_are_refused(value):
    with pytest.raises(keys.KeyFormatError):
        keys.decode_multikey(value)


def test_unusable_pem_is_refused():
    with pytest.raises(keys.KeyFormatError):
        keys.load_public_key("not a key")
    with pytest.raises(keys.KeyFormatError):
        keys.load_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (a weak key on purpose)
    with pytest.raises(keys.KeyFormatError, match="too weak"):
        keys.load_public_key(keys.public_key_to_pem(weak))
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(keys.KeyFormatError, match="unsupported"):
        keys.load_private_key(keys.private_key_to_pem(other))  # type: ignore[arg-type]


def test_pem_with_escaped_line_breaks_is_read(rsa_key):
    pem = keys.public_key_to_pem(rsa_key).replace("\n", "\\n")
    assert keys.same_public_key(keys.load_public_key(pem), rsa_key.public_key())


def mastodon_actor(rsa_key, ed_key=None):
    """An actor document shaped like Mastodon 4.5's (publicKey plus FEP-521a Multikey)."""
    document = {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": ACTOR,
        "type": "Person",
        "preferredUsername": "alice",
        "inbox": ACTOR + "/inbox",
        "publicKey": keys.public_key_entry(ACTOR + "#main-key", ACTOR, rsa_key.public_key()),
    }
    if ed_key is not None:
        document["assertionMethod"] = [
            keys.multikey(ACTOR + "#ed25519-key", ACTOR, ed_key.public_key())
        ]
    return document


def test_remote_actor_keys_are_read_from_public_key_and_assertion_method(rsa_key):
    ed_key = keys.generate_ed25519_key()
    found = keys.actor_public_keys(mastodon_actor(rsa_key, ed_key))
    assert set(found) == {ACTOR + "#main-key", ACTOR + "#ed25519-key"}
    assert keys.same_public_key(found[ACTOR + "#main-key"], rsa_key.public_key())
    assert keys.same_public_key(found[ACTOR + "#ed25519-key"], ed_key.public_key())


def test_gotosocial_style_key_as_a_list_with_owner_object(rsa_key):
    actor = "https://gts.example/users/bob"
    document = {
        "id": actor,
        "type": "Person",
        "publicKey": [
            {
                "id": actor + "/main-key",
                "owner": {"id": actor},
                "publicKeyPem": keys.public_key_to_pem(rsa_key),
            }
        ],
    }
    assert list(keys.actor_public_keys(document)) == [actor + "/main-key"]


def test_keys_of_other_actors_or_servers_are_not_taken(rsa_key):
    ed_key = keys.generate_ed25519_key()
    document = mastodon_actor(rsa_key, ed_key)
    document["publicKey"]["owner"] = "https://mastodon.example/users/mallory"
    document["assertionMethod"] = [
        keys.multikey("https://elsewhere.example/keys/1", ACTOR, ed_key.public_key()),
        keys.multikey(ACTOR + "#k2", "https://mastodon.example/users/mallory", ed_key.public_key()),
        ACTOR + "#referenced-only",
        {"id": ACTOR + "#k3", "type": "Ed25519VerificationKey2020", "controller": ACTOR},
        {"id": ACTOR + "#k4", "type": "Multikey", "controller": ACTOR, "publicKeyMultibase": 7},
        {"id": ACTOR + "#k5", "type": "Multikey", "publicKeyMultibase": "zzz"},
    ]
    assert keys.actor_public_keys(document) == {}


@pytest.mark.parametrize(
    "document",
    [
        None,
        "https://mastodon.example/users/alice",
        {},
        {"id": 5, "publicKey": {}},
        {"id": "ftp://x.example/a", "publicKey": {"id": "ftp://x.example/a#k"}},
        {"id": ACTOR, "publicKey": "https://mastodon.example/users/alice#main-key"},
        {"id": ACTOR, "publicKey": {"id": ACTOR + "#main-key", "publicKeyPem": ["x"]}},
        {"id": ACTOR, "publicKey": [[], None, 3], "assertionMethod": {"type": []}},
    ],
)
def test_odd_actor_documents_give_no_keys(document):
    assert keys.actor_public_keys(document) == {}


def test_stored_forms_round_trip(rsa_key):
    ed_key = keys.generate_ed25519_key()
    for key in (rsa_key.public_key(), ed_key.public_key()):
        assert keys.same_public_key(keys.load_stored_public_key(keys.stored_form(key)), key)
    with pytest.raises(keys.KeyFormatError):
        keys.load_stored_public_key("")


@pytest.mark.parametrize(
    ("actor", "key_id", "extra"),
    [
        # Misskey: the key object has a type and its own context
        (
            "https://misskey.example/users/9abc",
            "https://misskey.example/users/9abc#main-key",
            {"type": "Key"},
        ),
        # Pixelfed
        (
            "https://pixelfed.example/users/alice",
            "https://pixelfed.example/users/alice#main-key",
            {},
        ),
        # WordPress ActivityPub plugin: a blog actor, the key id with a query string
        ("https://blog.example/?author=0", "https://blog.example/?author=0#main-key", {}),
        # GoToSocial: the key is a path of its own
        ("https://gts.example/users/bob", "https://gts.example/users/bob/main-key", {}),
    ],
)
def test_keys_of_other_servers_shapes(rsa_key, actor, key_id, extra):
    document = {
        "id": actor,
        "type": "Person",
        "publicKey": {
            "id": key_id,
            "owner": actor,
            "publicKeyPem": keys.public_key_to_pem(rsa_key).replace("\n", "\r\n"),
            **extra,
        },
    }
    found = keys.actor_public_keys(document)
    assert list(found) == [key_id]
    assert keys.same_public_key(found[key_id], rsa_key.public_key())
