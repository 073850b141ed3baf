import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from treffpunkt.accounts import actions
from treffpunkt.accounts.models import Invitation, User
from treffpunkt.core.models import Participant


def invitation_link(mail) -> str:
    return re.search(r"https?://\S+/accounts/invitation/\S+/", mail.body).group(0)


@pytest.mark.django_db
def test_admin_invites_and_the_invited_person_joins_with_roles(
    admin_client, client, mailoutbox, password, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:members"),
            {"email": "Neu@Example.org", "roles": ["author", "moderator"]},
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["neu@example.org"]
    link = invitation_link(mailoutbox[0])
    assert link.startswith("http://127.0.0.1:8000/")

    admin_client.logout()
    path = link.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    assert page.status_code == 200
    assert "neu@example.org" in page.content.decode()

    response = client.post(
        path, {"display_name": "Nele Neu", "password1": password, "password2": password}
    )
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    assert user.display_name == "Nele Neu"
    assert sorted(user.roles) == ["author", "moderator"]
    assert Participant.objects.filter(user=user, kind="member").exists()
    assert client.get(reverse("accounts:profile")).status_code == 200

    # The link works once.
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_expired_invitation_shows_a_clear_page(client):
    invitation, url = actions.invite_member("spaet@example.org", [], None)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))

    response = client.get(url.removeprefix("http://127.0.0.1:8000"))

    assert response.status_code == 404
    assert "Diese Einladung gilt nicht mehr" in response.content.decode()


@pytest.mark.django_db
def test_a_new_invitation_replaces_the_old_one(client):
    _first, old_url = actions.invite_member("zweimal@example.org", [], None)
    _second, new_url = actions.invite_member("zweimal@example.org", ["author"], None)

    assert client.get(old_url.removeprefix("http://127.0.0.1:8000")).status_code == 404
    assert client.get(new_url.removeprefix("http://127.0.0.1:8000")).status_code == 200


@pytest.mark.django_db
def test_revoked_invitation_no_longer_works(admin_client, client):
    invitation, url = actions.invite_member("weg@example.org", [], None)

    response = admin_client.post(reverse("accounts:revoke_invitation", args=[invitation.pk]))

    assert response.status_code == 302
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 404


@pytest.mark.django_db
def test_accepting_with_mismatched_passwords_shows_field_errors(client):
    _invitation, url = actions.invite_member("tippfehler@example.org", [], None)

    response = client.post(
        url.removeprefix("http://127.0.0.1:8000"),
        {"display_name": "Tina", "password1": "a-long-test-pass-42", "password2": "other-pass-42x"},
    )

    assert response.status_code == 200
    assert "Die beiden Passwörter sind nicht gleich" in response.content.decode()
    assert not User.objects.filter(email="tippfehler@example.org").exists()


@pytest.mark.django_db
def test_inviting_an_existing_member_is_refused(admin_client, member):
    response = admin_client.post(reverse("accounts:members"), {"email": member.email})

    assert response.status_code == 400
    assert "bereits Mitglied" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_inviting_with_a_malformed_email_is_refused(admin_client):
    response = admin_client.post(reverse("accounts:members"), {"email": "kein-at-zeichen"})

    assert response.status_code == 400
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_only_admins_may_invite(client, member_client):
    assert member_client.get(reverse("accounts:members")).status_code == 403
    client.logout()
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_admin_changes_roles_but_not_away_from_themselves(admin_client, admin_user, member):
    response = admin_client.post(
        reverse("accounts:member_roles", args=[member.pk]), {"roles": ["organizer"]}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.roles == ["organizer"]
    assert member.has_role("organizer")
    assert not member.has_role("author")

    response = admin_client.post(
        reverse("accounts:member_roles", args=[admin_user.pk]), {"roles": ["author"]}
    )
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.is_superuser


@pytest.mark.django_db
def test_members_page_query_count_does_not_grow_with_members(
    admin_client, django_assert_max_num_queries
):
    for number in range(30):
        User.objects.create_user(f"m{number}@example.org", None, display_name=f"M {number}")
        actions.invite_member(f"i{number}@example.org", ["author"], None)

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("accounts:members"))
    html = response.content.decode()
    assert "i29@example.org" in html
    assert "M 29" in html
