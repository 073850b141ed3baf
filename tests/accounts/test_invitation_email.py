"""The invitation says who invites, to which site, for which role, and what to do next."""

import pytest
from django.utils import translation

from treffpunkt.accounts import actions
from treffpunkt.core.actions import update_site_settings


@pytest.fixture
def named_site(db):
    update_site_settings(name="Gartenverein Sonnenblume")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "lines"),
    [
        (
            "de",
            "Ada Admin lädt Sie zu Gartenverein Sonnenblume ein",
            [
                "Ada Admin lädt Sie zu Gartenverein Sonnenblume ein",
                "Als Organisator*in legen Sie Veranstaltungen an",
                "So geht es weiter: Öffnen Sie diesen Link",
            ],
        ),
        (
            "en",
            "Ada Admin invites you to Gartenverein Sonnenblume",
            [
                "Ada Admin invites you to Gartenverein Sonnenblume",
                "As an organizer you create events",
                "What to do next: open this link",
            ],
        ),
    ],
)
def test_the_invitation_names_who_what_and_the_next_step(
    admin_user, named_site, mailoutbox, django_capture_on_commit_callbacks, language, subject, lines
):
    with translation.override(language), django_capture_on_commit_callbacks(execute=True):
        _invitation, url = actions.invite_member("neu@example.org", ["organizer"], admin_user)
    email = mailoutbox[-1]
    assert email.subject == subject
    for line in lines:
        assert line in email.body
    assert url in email.body
    assert "http://127.0.0.1:8000" in email.body  # the address, on a line of its own
    assert admin_user.email not in email.body  # who invites, by name only


@pytest.mark.django_db
def test_an_invitation_without_an_inviter_still_names_the_site(
    named_site, mailoutbox, django_capture_on_commit_callbacks
):
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        actions.invite_member("neu@example.org", [], None)
    email = mailoutbox[-1]
    assert email.subject == "Ihre Einladung zu Gartenverein Sonnenblume"
    assert "Sie sind zu Gartenverein Sonnenblume eingeladen" in email.body
    assert "&" not in email.body
