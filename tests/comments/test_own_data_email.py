"""The own-data email names the site (and reads naturally in German)."""

import base64

import pytest
from django.core import mail
from django.core.cache import cache

from tests.submitting import comment_on_post
from treffpunkt.comments.actions import send_own_data_link
from treffpunkt.core.actions import update_site_settings


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "de",
            "Ihre Kommentardaten bei Gartenverein Sonnenblume",
            "möchten wissen, was Gartenverein Sonnenblume zu Ihren Kommentaren speichert",
        ),
        (
            "en",
            "Your comment data on Gartenverein Sonnenblume",
            "asked to see what Gartenverein Sonnenblume stores about your comments",
        ),
    ],
)
def test_the_own_data_email_names_the_site(
    post, guest, django_capture_on_commit_callbacks, language, subject, sentence
):
    cache.clear()
    update_site_settings(name="Gartenverein Sonnenblume")
    comment_on_post(
        post=post, participant=guest, body="Schön!", author_name="Gerda", email="g@example.org"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_own_data_link("g@example.org", language)
    email = mail.outbox[-1]
    assert email.subject == subject
    assert sentence in email.body
    assert "dieser Website" not in email.body
    # The link carries a random token, not the address (links end up in access logs).
    assert "g@example.org" not in email.body
    assert base64.urlsafe_b64encode(b"g@example.org").decode().rstrip("=") not in email.body
