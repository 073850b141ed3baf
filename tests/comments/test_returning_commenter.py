"""A returning commenter finds their name filled in on the same device, and nobody else
does; the email address never appears in a page (the browser's autofill offers it)."""

import pytest
from django.test import Client

from .test_views import send

pytestmark = pytest.mark.django_db


def test_the_form_remembers_the_name_on_the_same_device(client, post):
    assert send(client, post).status_code == 302
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'value="Gerda Gast"' in html
    assert "gerda@example.org" not in html

    stranger = Client().get(post.get_absolute_url()).content.decode()
    assert "gerda@example.org" not in stranger
    assert 'value="Gerda Gast"' not in stranger
