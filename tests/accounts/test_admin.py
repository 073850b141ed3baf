"""The admin changes members and invitations only through accounts.actions."""

from pathlib import Path

from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.admin_forms import admin_url, change, form_data, post_form, run_action
from treffpunkt.accounts import actions
from treffpunkt.accounts.models import Invitation, User
from treffpunkt.accounts.queries import find_invitation
from treffpunkt.core.models import Participant

from .test_profile_and_registration import png_upload

COVERED_MODELS = {User, Invitation}


def test_a_member_added_in_the_admin_is_a_participant_without_roles(admin_client):
    post_form(
        admin_client,
        admin_url(User, "add"),
        {
            "email": "Neu@Example.org ",
            "display_name": "Nina Neu",
            "password1": "ein-langes-passwort-7",
            "password2": "ein-langes-passwort-7",
        },
    )
    member = User.objects.get(display_name="Nina Neu")
    assert member.email == "neu@example.org"  # as login looks it up
    assert member.roles == [] and not member.is_staff
    assert Participant.objects.filter(user=member, kind="member").exists()
    assert Client().login(email="neu@example.org", password="ein-langes-passwort-7")

    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "NEU@example.org",
            "display_name": "Doppelt",
            "password1": "ein-langes-passwort-7",
            "password2": "ein-langes-passwort-7",
        },
    )
    assert response.status_code == 200
    assert "Diese Person ist bereits Mitglied." in response.content.decode()


def test_roles_are_one_choice_saved_through_change_roles(admin_client, admin_user, member):
    page = admin_client.get(admin_url(User, "change", member.pk)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    change(admin_client, member, roles=["admin", "author"])
    member.refresh_from_db()
    assert member.is_staff and member.is_superuser  # always together
    assert member.roles == ["admin", "author"]
    change(admin_client, member, roles=["moderator"])
    member.refresh_from_db()
    assert not member.is_staff and not member.is_superuser and member.roles == ["moderator"]


def test_admins_cannot_lock_themselves_out(admin_client, admin_user):
    url = admin_url(User, "change", admin_user.pk)
    data = form_data(admin_client, url)
    data["roles"] = ["author"]
    response = admin_client.post(url, data)
    assert (
        "Sie können sich Ihre eigene Admin-Rolle nicht selbst entziehen."
        in response.content.decode()
    )
    data = form_data(admin_client, url)
    data.pop("is_active")
    response = admin_client.post(url, data)
    assert "Sie können sich nicht selbst deaktivieren." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_superuser and admin_user.is_active


def test_the_members_page_refuses_it_through_the_same_action(admin_client, admin_user):
    response = admin_client.post(
        reverse("accounts:member_roles", args=[admin_user.pk]), {"roles": ["author"]}
    )
    assert response.status_code == 400
    assert "Sie können sich Ihre eigene Admin-Rolle nicht selbst entziehen." in (
        response.content.decode()
    )
    admin_user.refresh_from_db()
    assert admin_user.is_superuser


def test_deactivating_a_member_goes_through_the_action(admin_client, member):
    change(admin_client, member, is_active=False)
    member.refresh_from_db()
    assert not member.is_active
    assert not Client().login(email=member.email, password="a-long-test-pass-42")
    change(admin_client, member, is_active=True)
    member.refresh_from_db()
    assert member.is_active


def test_profile_changes_are_announced_and_the_avatar_reencoded(
    admin_client, member, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, member, display_name="Max M.", bio="Kassenwart", avatar=png_upload())
    member.refresh_from_db()
    assert (member.display_name, member.bio) == ("Max M.", "Kassenwart")
    assert member.avatar.name.endswith(".webp")
    with Image.open(member.avatar.path) as image:
        assert image.size == (256, 256)
    assert [(c.subject, c.verb, c.object_id) for c in heard] == [("member", "updated", member.pk)]

    old_file = Path(member.avatar.path)
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, member, **{"avatar-clear": True})
    member.refresh_from_db()
    assert not member.avatar and not old_file.exists()

    not_an_image = SimpleUploadedFile("bild.png", b"kein Bild", content_type="image/png")
    response = admin_client.post(
        admin_url(User, "change", member.pk),
        {**form_data(admin_client, admin_url(User, "change", member.pk)), "avatar": not_an_image},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["avatar"]


def test_a_changed_address_is_stored_as_login_reads_it(admin_client, member, admin_user):
    change(admin_client, member, email=" Max.Neu@Example.org")
    member.refresh_from_db()
    assert member.email == "max.neu@example.org"
    assert Client().login(email="max.neu@example.org", password="a-long-test-pass-42")
    response = admin_client.post(
        admin_url(User, "change", member.pk),
        {
            **form_data(admin_client, admin_url(User, "change", member.pk)),
            "email": "ADMIN@example.org",
        },
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email == "max.neu@example.org"


def test_members_are_deactivated_not_deleted(admin_client, member):
    url = admin_url(User, "delete", member.pk)
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        admin_url(User, "changelist"),
        {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"},
    )
    assert User.objects.filter(pk=member.pk).exists()
    assert response.status_code in (200, 302)


def test_the_admin_sets_a_password_with_djangos_own_form(admin_client, member):
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    post_form(
        admin_client,
        url,
        {
            "password1": "neues-langes-pass-9",
            "password2": "neues-langes-pass-9",
            "usable_password": "true",
        },
    )
    assert Client().login(email=member.email, password="neues-langes-pass-9")


def test_groups_are_not_offered(admin_client):
    assert not admin.site.is_registered(Group)
    assert admin_client.get("/admin/auth/group/").status_code == 404


def test_invitations_are_read_and_revoked_only(admin_client, admin_user, member):
    invitation, link = actions.invite_member("gast@example.org", ["author"], admin_user)
    accepted, _link = actions.invite_member("angenommen@example.org", [], admin_user)
    assert find_invitation(link.rstrip("/").rsplit("/", 1)[1]) == invitation
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=accepted.created_at, user=member)
    url = admin_url(Invitation, "change", invitation.pk)
    assert 'name="revoked_at' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"revoked_at_0": "2026-01-01"}).status_code == 403
    assert admin_client.get(admin_url(Invitation, "add")).status_code == 403
    delete_page = admin_url(Invitation, "delete", invitation.pk)
    assert admin_client.post(delete_page, {"post": "yes"}).status_code == 403

    run_action(admin_client, Invitation, "revoke", [invitation, accepted])
    invitation.refresh_from_db()
    accepted.refresh_from_db()
    assert invitation.revoked_at is not None
    assert accepted.revoked_at is None  # an accepted invitation has nothing left to revoke
    assert find_invitation(link.rstrip("/").rsplit("/", 1)[1]) is None  # the link is dead
