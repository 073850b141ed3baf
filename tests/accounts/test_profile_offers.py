"""The profile offers only what applies: no "remove" without a picture, no author page for
members who do not write."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_no_remove_without_a_picture_and_no_author_page_for_non_authors(member_client):
    html = member_client.get(reverse("accounts:profile")).content.decode()
    assert 'name="remove_avatar"' not in html
    assert "Autorenseite" not in html
    response = member_client.post(reverse("accounts:profile"), {"display_name": "Max M"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_authors_read_about_their_author_page(client, member):
    member.set_roles(["author"])
    member.save()
    client.force_login(member)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Autorenseite" in html
