import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from treffpunkt.accounts import actions
from treffpunkt.accounts.models import User
from treffpunkt.core.models import SiteSettings


def png_upload(size=(400, 300)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_member_edits_profile_and_avatar_is_reencoded(member_client, member):
    response = member_client.post(
        reverse("accounts:profile"),
        {"display_name": "Max M.", "bio": "Kassenwart", "avatar": png_upload()},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Max M."
    assert member.bio == "Kassenwart"
    assert member.avatar.name.endswith(".webp")
    with Image.open(member.avatar.path) as image:
        assert image.size == (256, 256)


@pytest.mark.django_db
def test_a_file_that_is_no_image_is_refused_with_a_message(member_client, member):
    upload = SimpleUploadedFile("me.png", b"<?php echo 1; ?>", content_type="image/png")

    response = member_client.post(
        reverse("accounts:profile"), {"display_name": "Max", "avatar": upload}
    )

    assert response.status_code == 400
    assert "JPEG, PNG oder WebP" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Max Mitglied"
    assert not member.avatar


@pytest.mark.django_db
def test_avatar_can_be_removed(member_client, member, django_capture_on_commit_callbacks):
    actions.update_profile(member, display_name="Max", bio="", avatar=png_upload())
    old_path = member.avatar.path

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            reverse("accounts:profile"), {"display_name": "Max", "remove_avatar": "on"}
        )

    member.refresh_from_db()
    assert not member.avatar
    import os

    assert not os.path.exists(old_path)


@pytest.mark.django_db
def test_empty_display_name_is_refused(member_client):
    response = member_client.post(reverse("accounts:profile"), {"display_name": ""})

    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich" in response.content.decode()


@pytest.mark.django_db
def test_registration_is_closed_by_default(client):
    assert client.get(reverse("accounts:register")).status_code == 404


@pytest.mark.django_db
def test_registration_when_the_admin_opens_it(client, password):
    site = SiteSettings.load()
    site.registration_open = True
    site.save()

    response = client.post(
        reverse("accounts:register"),
        {
            "email": "Selbst@Example.org",
            "display_name": "Sam",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="selbst@example.org")
    assert user.roles == []
    duplicate = client.post(
        reverse("accounts:register"),
        {
            "email": "selbst@example.org",
            "display_name": "X",
            "password1": password,
            "password2": password,
        },
    )
    assert duplicate.status_code == 200
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_first_admin_link_works_only_while_no_admin_exists(client, password):
    token = actions.first_admin_token()
    url = reverse("accounts:setup", args=[token])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "email": "chefin@example.org",
            "display_name": "Chefin",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 302
    admin = User.objects.get(email="chefin@example.org")
    assert admin.is_superuser and admin.has_role("organizer")
    client.logout()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_forged_setup_token_is_refused(client):
    assert client.get(reverse("accounts:setup", args=["first-admin:forged:xyz"])).status_code == 404
