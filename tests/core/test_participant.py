import pytest
from django.db import IntegrityError
from django.utils import translation

from treffpunkt.core import actions
from treffpunkt.core.models import Participant


@pytest.mark.django_db
def test_one_guest_participant_per_device_and_name_is_updated():
    first = actions.participant_for_guest("a" * 32, display_name="Ute")
    again = actions.participant_for_guest("a" * 32, display_name="Ute S.")
    other = actions.participant_for_guest("b" * 32)

    assert first.pk == again.pk
    assert Participant.objects.get(pk=first.pk).display_name == "Ute S."
    assert other.pk != first.pk
    assert other.public_name == "Gast"


@pytest.mark.django_db
def test_member_participant_shows_member_name_never_email(member):
    participant = actions.participant_for_member(member)

    assert actions.participant_for_member(member).pk == participant.pk
    assert participant.kind == Participant.Kind.MEMBER
    assert participant.public_name == "Max Mitglied"
    assert "@" not in str(participant)


@pytest.mark.django_db
def test_guest_email_is_stored_but_not_the_public_name():
    participant = actions.participant_for_guest("c" * 32, email="ute@example.org")

    assert participant.email == "ute@example.org"
    assert participant.public_name == "Gast"
    with translation.override("en"):
        assert participant.public_name == "Guest"


@pytest.mark.django_db
def test_remote_actor_is_keyed_by_actor_url():
    url = "https://social.example/users/ute"
    first = actions.participant_for_actor(url, handle="@ute@social.example")
    again = actions.participant_for_actor(url, handle="@ute@social.example", display_name="Ute 🌻")

    assert first.pk == again.pk
    assert again.public_name == "Ute 🌻"
    assert Participant.objects.filter(kind="remote").count() == 1


@pytest.mark.django_db
def test_block_and_unblock():
    participant = actions.participant_for_guest("d" * 32)

    actions.block_participant(participant, reason="Spam")
    participant.refresh_from_db()
    assert participant.is_blocked
    assert participant.blocked_reason == "Spam"

    actions.unblock_participant(participant)
    participant.refresh_from_db()
    assert not participant.is_blocked


@pytest.mark.django_db
def test_member_participant_requires_a_user():
    with pytest.raises(IntegrityError):
        Participant.objects.create(kind=Participant.Kind.MEMBER)
