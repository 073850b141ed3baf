"""Our actors: one per blog and the instance actor, their ids, handles and JSON documents.

An actor's id is ``/ap/actors/<pk>``: it never changes, also when the blog gets another
address. Its handle is ``@<blog address>@<domain>``; WebFinger finds it under the current
address and under old ones (``BlogSlugRedirect``), and answers with the current handle, so
followers keep following and Mastodon shows the new name after its next refresh. Sending
``Move`` would make every follower move to a new actor for nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from treffpunkt.blog.models import Blog, BlogSlugRedirect
from treffpunkt.core.links import absolute_url
from treffpunkt.federation.models import LocalActor

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
ACTOR_CONTEXT: list[Any] = [
    AS_CONTEXT,
    SECURITY_CONTEXT,
    MULTIKEY_CONTEXT,
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "toot": "http://joinmastodon.org/ns#",
        "discoverable": "toot:discoverable",
        "indexable": "toot:indexable",
        "featured": {"@id": "toot:featured", "@type": "@id"},
        "schema": "http://schema.org#",
        "PropertyValue": "schema:PropertyValue",
        "value": "schema:value",
        "webfinger": "https://purl.archive.org/socialweb/webfinger#webfinger",
        "Hashtag": "as:Hashtag",
        "sensitive": "as:sensitive",
    },
]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def domain() -> str:
    """The host of TREFFPUNKT_BASE_URL with its port, if any: the part after the @."""
    return urlsplit(settings.BASE_URL).netloc


def federation_url(name: str, *args: Any) -> str:
    return absolute_url(reverse(f"federation:{name}", args=args))


def actor_url(actor: LocalActor) -> str:
    return federation_url("actor", actor.pk)


def key_id(actor: LocalActor) -> str:
    return f"{actor_url(actor)}#main-key"


def ed25519_key_id(actor: LocalActor) -> str:
    return f"{actor_url(actor)}#ed25519-key"


def handle(actor: LocalActor) -> str:
    return f"@{actor.username}@{domain()}"


def _new_keys() -> dict[str, Any]:
    from treffpunkt.federation import keys

    rsa = keys.generate_rsa_key()
    ed = keys.generate_ed25519_key()
    return {
        "private_key_pem": keys.private_key_to_pem(rsa),
        "public_key_pem": keys.public_key_to_pem(rsa.public_key()),
        "ed25519_private_pem": keys.private_key_to_pem(ed),
        "ed25519_public_multibase": keys.encode_multikey(ed.public_key()),
        "keys_rotated_at": timezone.now(),
    }


def actor_for_blog(blog: Blog) -> LocalActor:
    """The blog's actor, made (with its keys) the first time it is needed."""
    actor = LocalActor.objects.filter(blog=blog).first()
    if actor is not None:
        actor.blog = blog
        return actor
    try:
        with transaction.atomic():
            actor = LocalActor.objects.create(kind=LocalActor.Kind.BLOG, blog=blog, **_new_keys())
    except IntegrityError:  # made by another request a moment ago
        actor = LocalActor.objects.get(blog=blog)
    actor.blog = blog
    return actor


def instance_actor() -> LocalActor:
    """The instance's own actor (an ``Application``), which signs fetches."""
    actor = LocalActor.objects.filter(kind=LocalActor.Kind.INSTANCE).first()
    if actor is not None:
        return actor
    try:
        with transaction.atomic():
            return LocalActor.objects.create(kind=LocalActor.Kind.INSTANCE, **_new_keys())
    except IntegrityError:
        return LocalActor.objects.get(kind=LocalActor.Kind.INSTANCE)


def rotate_keys(actor: LocalActor) -> LocalActor:
    """New keys for an actor (the command line's ``federation rotate-keys``); servers fetch
    the new public key when a signature with it fails to verify against the old one."""
    for name, value in _new_keys().items():
        setattr(actor, name, value)
    actor.save()
    return actor


def actor_by_username(username: str) -> LocalActor | None:
    """The actor behind ``username``: a blog (current or earlier address) or the instance."""
    username = username.lower()
    if username == settings.BASE_HOST.lower() or username == domain().lower():
        return instance_actor()
    blog = Blog.objects.filter(slug=username).first()
    if blog is None:
        moved = BlogSlugRedirect.objects.select_related("blog").filter(old_slug=username).first()
        blog = moved.blog if moved else None
    if blog is None:
        from treffpunkt.federation.events import actor_by_hashtag

        return actor_by_hashtag(username)
    return actor_for_blog(blog)


def actor_from_url(url: str) -> LocalActor | None:
    """Our actor whose id is ``url``, if it is one of ours."""
    prefix = absolute_url("/ap/actors/")
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :].split("#")[0].split("/")[0]
    if not rest.isdigit() or not rest.isascii():
        return None
    return LocalActor.objects.select_related("blog", "event").filter(pk=int(rest)).first()


def actor_page(actor: LocalActor, *, absolute: bool = True) -> str:
    """The page of an actor for people: the blog, the event's join page, or the site."""
    if actor.blog is not None:
        path = actor.blog.get_absolute_url()
    elif actor.event is not None:
        path = actor.event.get_absolute_url()
    else:
        path = "/"
    return absolute_url(path) if absolute else path


def _image(url: str, media_type: str = "") -> dict[str, Any]:
    image = {"type": "Image", "url": url}
    if media_type:
        image["mediaType"] = media_type
    return image


def actor_document(actor: LocalActor, *, minimal: bool = False) -> dict[str, Any]:
    """The actor as JSON-LD: everything Mastodon reads (see issue 11, item 1).

    ``minimal``: only what a server needs to check our signatures (authorized fetch answers
    unsigned requests with this)."""
    from treffpunkt.core.markdown import render_markdown
    from treffpunkt.core.queries import site_settings

    url = actor_url(actor)
    document: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "id": url,
        "preferredUsername": actor.username,
        "inbox": federation_url("inbox", actor.pk),
        "outbox": federation_url("outbox", actor.pk),
        "followers": federation_url("followers", actor.pk),
        "following": federation_url("following", actor.pk),
        "endpoints": {"sharedInbox": federation_url("shared_inbox")},
        "publicKey": {"id": key_id(actor), "owner": url, "publicKeyPem": actor.public_key_pem},
        "assertionMethod": [
            {
                "id": ed25519_key_id(actor),
                "type": "Multikey",
                "controller": url,
                "publicKeyMultibase": actor.ed25519_public_multibase,
            }
        ],
        # FEP-844e: we take RFC 9421 signatures.
        "generator": {
            "type": "Application",
            "implements": [
                {
                    "name": "RFC 9421: HTTP Message Signatures",
                    "href": "https://datatracker.ietf.org/doc/html/rfc9421",
                }
            ],
        },
    }
    if actor.kind == LocalActor.Kind.INSTANCE:
        site = site_settings()
        document.update(
            type="Application",
            name=str(site.name),
            url=absolute_url("/"),
            manuallyApprovesFollowers=True,
            discoverable=False,
            indexable=False,
            webfinger=f"{actor.username}@{domain()}",
            published=actor.created_at.isoformat(),
        )
        return document
    if actor.kind == LocalActor.Kind.EVENT:
        from treffpunkt.federation.events import event_actor_document

        return event_actor_document(actor, document, minimal=minimal)
    blog = actor.blog
    if blog is None:
        raise ValueError("a blog actor without its blog")
    document["type"] = actor.actor_type
    document["webfinger"] = f"{actor.username}@{domain()}"
    if minimal:
        return document
    document.update(
        name=str(blog.title),
        summary=str(render_markdown(blog.description)) if blog.description else "",
        url=absolute_url(blog.get_absolute_url()),
        featured=federation_url("featured", actor.pk),
        manuallyApprovesFollowers=actor.manually_approves_followers,
        discoverable=actor.discoverable,
        indexable=actor.indexable,
        published=blog.created_at.isoformat(),
        attachment=[
            {
                "type": "PropertyValue",
                "name": "Blog",
                "value": f'<a href="{absolute_url(blog.get_absolute_url())}" rel="me">'
                f"{domain()}{blog.get_absolute_url()}</a>",
            }
        ],
    )
    icon = _site_icon()
    if icon:
        document["icon"] = _image(icon, "image/png")
    cover = _blog_cover(blog)
    if cover:
        document["image"] = _image(cover)
    return document


def _site_icon() -> str:
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        return absolute_url(staticfiles_storage.url("treffpunkt/img/icon-512.png"))
    except ValueError:
        return ""


def _blog_cover(blog: Blog) -> str:
    """The cover of the blog's latest post with one: blogs have no cover of their own."""
    post = blog.posts.visible().exclude(cover_image="").only("cover_image").first()
    return absolute_url(post.cover_image.url) if post else ""
