"""A commenter sees, downloads and erases their own data through an emailed link."""

import base64
import json
import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client, TestCase
from django.utils import timezone

from tests.submitting import comment_on_post
from treffpunkt.comments.actions.privacy import DATA_LINK_SALT
from treffpunkt.comments.models import Comment, OwnDataLink

URL = "/en/comments/my-data/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commented(post, guest):
    return comment_on_post(
        post=post,
        participant=guest,
        body="Mein Gedanke zum Beitrag.",
        author_name="Gerda Gast",
        email="gerda@example.org",
        website="https://gerda.example",
    )


def ask(client, email):
    """Ask for the link; the worker's part (a task, then the outbox) runs at once."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(URL, {"email": email}, follow=True)


def data_link():
    """The link in the email, in the language the visitor asked in."""
    body = mail.outbox[-1].body
    assert "It works for one day" in body
    return re.search(r"https://treffpunkt\.example\.org(/en/comments/my-data/\S+/)", body)[1]


def test_the_comment_form_links_to_the_own_data_page(client, post):
    html = client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/comments/my-data/"' in html or 'href="/en/comments/my-data/"' in html


def test_a_link_goes_only_to_addresses_with_data_and_the_answer_is_the_same(client, commented):
    unknown = ask(client, "fremd@example.org")
    known = ask(client, "Gerda@Example.org ")
    assert unknown.status_code == known.status_code == 200
    note = "If we store comments under this address, an email with a link is on its way."
    assert note in unknown.content.decode() and note in known.content.decode()
    assert [m.to for m in mail.outbox] == [["gerda@example.org"]]
    # Asking again at once sends nothing more.
    ask(client, "gerda@example.org")
    assert len(mail.outbox) == 1


def test_the_link_shows_downloads_and_erases_the_data(client, commented):
    ask(client, "gerda@example.org")
    link = data_link()
    reader = Client()  # the mail program's click: no session needed
    page = reader.get(link, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"  # the token never leaves in a Referer
    assert "1 comment and 0 reply subscriptions are stored for your address." in html
    assert "Mein Gedanke zum Beitrag." in html

    download = reader.post(link, {"action": "download"})
    data = json.loads(download.content)
    assert download["Content-Disposition"].startswith("attachment;")
    assert data["comments"][0]["website"] == "https://gerda.example"

    refused = reader.post(link, {"action": "erase", "mode": "anonymize"})
    assert refused.status_code == 400  # not confirmed
    assert Comment.objects.get().email == "gerda@example.org"
    erased = reader.post(link, {"action": "erase", "mode": "anonymize", "confirm": "on"})
    assert erased.status_code == 302
    comment = Comment.objects.get()
    assert (comment.email, comment.author_name, comment.website) == ("", "", "")
    assert comment.body == "Mein Gedanke zum Beitrag."
    after = reader.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing is stored for your address (any more)." in after


def test_the_link_carries_no_address_only_a_random_token(client, commented):
    ask(client, "gerda@example.org")
    link = data_link()
    token = link.removeprefix("/en/comments/my-data/").strip("/")
    assert "gerda" not in link.lower() and "example" not in link.lower()
    for encoded in (base64.urlsafe_b64encode, base64.b64encode):
        for text in ("gerda@example.org", "gerda@exa", "gerda"):
            assert encoded(text.encode()).decode().rstrip("=")[:6] not in link
    assert ":" not in token and len(token) >= 40
    # The database keeps the token's hash, not the token.
    row = OwnDataLink.objects.get()
    assert row.email == "gerda@example.org" and token not in row.token_hash


def test_after_erasing_the_link_says_nothing_is_stored_and_forgets_the_address(
    client, commented, post, guest
):
    # Someone else's erased comment has an empty address too: the link must not show it.
    other = comment_on_post(
        post=post, participant=guest, body="Von Otto.", author_name="Otto", email="o@example.org"
    )
    Comment.objects.filter(pk=other.pk).update(email="", author_name="")
    ask(client, "gerda@example.org")
    link = data_link()
    reader = Client()
    reader.post(link, {"action": "erase", "mode": "delete", "confirm": "on"})
    assert OwnDataLink.objects.get().email == ""
    page = reader.get(link, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nothing is stored for your address (any more)." in html
    assert "Von Otto." not in html
    download = json.loads(reader.post(link, {"action": "download"}).content)
    assert download == {"email": "", "comments": [], "reply_subscriptions": []}


def test_an_expired_link_is_410_with_a_clear_message(client, commented):
    ask(client, "gerda@example.org")
    link = data_link()
    OwnDataLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert "This link is older than a day and no longer works." in response.content.decode()
    assert "Mein Gedanke" not in response.content.decode()


def test_sending_a_link_removes_expired_ones(client, commented):
    OwnDataLink.objects.create(
        token_hash="0" * 64, email="old@example.org", expires_at=timezone.now()
    )
    ask(client, "gerda@example.org")
    assert list(OwnDataLink.objects.values_list("email", flat=True)) == ["gerda@example.org"]


def test_links_sent_before_tokens_keep_working_for_their_day(client, commented):
    old = signing.dumps("gerda@example.org", salt=DATA_LINK_SALT, compress=True)
    page = client.get(f"{URL}{old}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Mein Gedanke zum Beitrag." in page.content.decode()


@pytest.mark.parametrize("token", ["kaputt:123", "unbekanntertoken123"])
def test_a_forged_or_unknown_link_is_404(client, db, token):
    response = client.get(f"/en/comments/my-data/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "This link is not valid or is older than a day." in response.content.decode()


@pytest.mark.parametrize("email", ["", "keine-adresse"])
def test_bad_addresses_are_answered_with_400(client, db, email):
    response = client.post(URL, {"email": email}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert mail.outbox == []


def test_asking_too_often_from_one_address_gets_429(client, commented):
    for _ in range(10):
        assert ask(client, "fremd@example.org").status_code == 200
    response = client.post(URL, {"email": "gerda@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Please wait a while before asking again." in response.content.decode()
    assert mail.outbox == []
