"""Hostile and unlucky input gets a clear 4xx, never a server error (issue "Nothing lost,
nothing leaked, no server error"): each case below was a 500 or a misleading message."""

import struct
import zlib
from datetime import timedelta

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.submitting import comment_on_post, post_to_wall
from treffpunkt.accounts.actions import accept_invitation, create_member, invite_member
from treffpunkt.blog.actions import create_blog, publish_post, save_post
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.core.images import reencode_image
from treffpunkt.core.inputs import parse_id
from treffpunkt.events.actions import create_event, draft_post_from_recap, moderate_contribution
from treffpunkt.events.recap import recap_markdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return create_member("autorin@example.org", "Anna Autorin", ["author", "organizer"])


@pytest.fixture
def blog(author):
    return create_blog(title="Werkstatt", slug="werkstatt", authors=[author])


@pytest.fixture
def event(author):
    now = timezone.now()
    return create_event(
        organizer=author,
        title="Treffen",
        hashtag="Treffen",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        visibility="public",
        moderation="post",
    )


def test_control_characters_never_reach_a_feed(client, blog, author):
    body = "Erster Absatz mit \x0b Steuerzeichen \x1b und \x00 NUL.\n\nZweiter Absatz."
    post = save_post(editor=author, blog=blog, title="Titel\x07", body=body, excerpt="Kurz\x0c")
    publish_post(post, editor=author)
    post.refresh_from_db()
    assert "\x0b" not in post.body and "\x00" not in post.body and "\x07" not in post.title
    assert "\x0c" not in post.excerpt
    for url in ("/b/feed/atom/", "/b/feed/rss/", f"/b/{blog.slug}/feed/atom/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert feedparser.parse(response.content).entries[0].title == "Titel"


@pytest.mark.parametrize("raw", ["²", "³", "¹", "①", "1²", "-1", "0", "9" * 40, "\uff11"])
def test_a_strange_reply_number_shows_the_post(client, blog, author, raw):
    post = publish_post(save_post(editor=author, blog=blog, title="T", body="B"), editor=author)
    assert client.get(post.get_absolute_url(), {"replytocom": raw}).status_code == 200
    assert parse_id(raw) is None


@pytest.mark.parametrize(
    "path",
    [
        "/e/%00/",
        "/e/a%00b/wall/",
        "/j/%00",
        "/e/%00/recap.md",
        "/e/%00/qr.svg",
        "/b/%00/",
        "/search/?q=%00",
        "/e/Treffen/?x=%00",
    ],
)
def test_a_nul_byte_in_an_address_is_a_bad_request(client, event, path):
    assert client.get(path).status_code == 400


def test_a_nul_byte_in_an_admin_filter_is_a_bad_request(admin_client):
    assert admin_client.get("/admin/comments/comment/?status=%00").status_code == 400
    assert admin_client.get("/admin/comments/comment/?q=a%00").status_code == 400


def test_a_nul_byte_in_the_wall_stream_address_is_not_found(event):
    import asyncio

    from tests.events.streaming import Visitor

    async def scenario():
        visitor = Visitor("/e/%00/stream")
        visitor.scope["path"] = "/e/\x00/stream"
        visitor.start()
        await asyncio.wait_for(visitor.task, 5)
        return visitor.status

    assert asyncio.run(scenario()) == 404


@pytest.mark.parametrize(
    ("starts", "ends"),
    [("0001-01-01T10:00", "0001-01-01T12:00"), ("2026-05-01T10:00", "9999-12-31T23:59")],
)
def test_absurd_event_dates_are_refused_at_input(author, starts, ends):
    client = Client()
    client.force_login(author)
    response = client.post(
        "/events/new/",
        {
            "title": "Fest",
            "hashtag": "Fest",
            "starts_at": starts,
            "ends_at": ends,
            "visibility": "public",
            "moderation": "post",
        },
    )
    assert response.status_code == 400
    assert "2000" in response.content.decode()


def test_no_way_in_stores_an_event_ending_in_the_year_9999(event):
    from django.db import IntegrityError, transaction

    from treffpunkt.events.models import Event

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(
            ends_at=timezone.now().replace(year=9999, month=12, day=31, hour=20)
        )


def test_huge_ids_in_the_comment_queue_are_no_selection(admin_client):
    for value in ("approve:99999999999999999999", "approve:²", "approve:-3"):
        response = admin_client.post("/comments/moderate/", {"one": value})
        assert response.status_code == 302
    response = admin_client.post(
        "/comments/moderate/", {"bulk_action": "approve", "selected": ["1", "99999999999999999999"]}
    )
    assert response.status_code == 302


def test_an_invitation_whose_address_became_a_member_meanwhile(client, admin_user):
    invitation, url = invite_member("neu@example.org", ["author"], admin_user)
    create_member("neu@example.org", "Schon da", [])
    from treffpunkt.accounts.actions import InvitationUsed

    with pytest.raises(InvitationUsed):
        accept_invitation(invitation, "Neu", "a-long-test-pass-42")
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(
        f"/{path}",
        {
            "display_name": "Neu",
            "password1": "a-long-test-pass-42",
            "password2": "a-long-test-pass-42",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/login/")


def _png_header_only(width, height):
    """A PNG that says it is width x height (Pillow reads the size without decoding)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(20_000, 20_000), (7_000, 7_000)])
def test_an_image_with_too_many_pixels_says_so(size):
    upload = SimpleUploadedFile("gross.png", _png_header_only(*size), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        reencode_image(upload)
    assert refused.value.code == "too_many_pixels"


def test_a_preview_with_a_nul_says_what_is_wrong(author):
    client = Client()
    client.force_login(author)
    response = client.post("/en/b/write/preview/", {"body": "Text\x00mit NUL"})
    assert response.status_code == 400
    assert "too long" not in response.content.decode()
    assert "Null" in response.content.decode()


def test_guest_text_in_a_recap_draft_stays_plain_text(event, author, blog, settings):
    settings.MODERATION_MIN_SECONDS_TO_SUBMIT = 0
    guest = participant_for_guest("a" * 32)
    tricky = post_to_wall(
        event=event,
        participant=guest,
        text="# Überschrift\n[Klick mich](https://böse.example) ![x](https://böse.example/x.png)",
        author_name="Lena\n\n# Raus aus dem Zitat",
    )
    moderate_contribution(tricky, "approve", author)
    markdown = recap_markdown(event, [tricky])
    assert "\n# Überschrift" not in markdown
    assert "](https://böse.example)" not in markdown.replace("\\]", "")
    draft = draft_post_from_recap(event, blog=blog, editor=author)
    assert "<h2>Überschrift" not in draft.body_html
    assert 'href="https://böse.example"' not in draft.body_html
    assert "<img" not in draft.body_html
    assert "Raus aus dem Zitat</h" not in draft.body_html
    assert "# Raus aus dem Zitat" in draft.body_html  # shown as the name was written


def test_security_headers(client, settings):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_comments_with_a_control_character_keep_the_feed_valid(client, blog, author):
    post = publish_post(save_post(editor=author, blog=blog, title="T", body="B"), editor=author)
    comment_on_post(
        post=post,
        participant=participant_for_guest("b" * 32),
        body="Hallo\x0bWelt",
        author_name="Gast\x1b",
        email="g@example.org",
    )
    response = client.get(f"/comments/post/{post.pk}/feed/atom/")
    assert response.status_code == 200
