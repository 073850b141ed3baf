import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_member_logs_in_with_email_in_any_case(client, member, password):
    response = client.post(
        reverse("accounts:login"), {"username": "Member@Example.org", "password": password}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.mark.django_db
def test_wrong_password_is_explained_in_german(client, member):
    response = client.post(
        reverse("accounts:login"), {"username": member.email, "password": "falsch"}
    )

    assert response.status_code == 200
    assert "passen nicht zusammen" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_attempts_are_rate_limited(client, member, password, settings):
    settings.LOGIN_RATE = "3/m"
    for _attempt in range(3):
        client.post(reverse("accounts:login"), {"username": member.email, "password": "falsch"})

    response = client.post(
        reverse("accounts:login"), {"username": member.email, "password": password}
    )

    assert response.status_code == 429
    assert "Zu viele Anmeldeversuche" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_needs_post(member_client):
    response = member_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in member_client.session


@pytest.mark.django_db
def test_password_reset_mail_links_to_the_public_address(
    client, member, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.BASE_URL = "https://treffpunkt.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": member.email})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "https://treffpunkt.example.org/accounts/password/reset/" in body

    path = body.split("https://treffpunkt.example.org")[1].split()[0]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "ein-neues-passwort-77"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(new_password)


@pytest.mark.django_db
def test_password_reset_for_unknown_address_reveals_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "niemand@example.org"})

    assert response.status_code == 302
    assert mailoutbox == []
