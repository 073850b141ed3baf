import re

import pytest
from django.test import override_settings
from django.urls import reverse

from treffpunkt.core.actions import save_legal_page
from treffpunkt.core.devices import COOKIE_NAME, ensure_device_id


@pytest.mark.django_db
def test_home_is_german_by_default_with_empty_states(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "Anstehende Veranstaltungen" in html
    assert "Noch sind keine Veranstaltungen geplant" in html


@pytest.mark.django_db
def test_english_home_under_en_prefix(client):
    response = client.get("/en/")

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Upcoming events" in html
    assert "No events are planned yet" in html


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_english_can_be_the_default_language(client):
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_language_switch_redirects_to_the_english_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/privacy/"})

    assert response.status_code == 302
    assert response["Location"] == "/en/privacy/"


@pytest.mark.django_db
def test_pages_make_no_third_party_requests(client):
    html = client.get("/").content.decode()

    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []


@pytest.mark.django_db
def test_legal_pages_show_default_text_until_written(client):
    privacy = client.get("/privacy/").content.decode()
    imprint = client.get("/imprint/").content.decode()

    assert "Datenschutz" in privacy
    assert "noch kein Impressum" in imprint


@pytest.mark.django_db
def test_legal_page_written_by_admin_is_rendered_safely(client):
    save_legal_page("imprint", "de", "**Verein e. V.**\n\n<script>alert(1)</script>")

    html = client.get("/imprint/").content.decode()

    assert "<strong>Verein e. V.</strong>" in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.django_db
def test_legal_page_falls_back_to_another_language(client):
    save_legal_page("imprint", "de", "Nur auf Deutsch")

    assert "Nur auf Deutsch" in client.get("/en/imprint/").content.decode()


@pytest.mark.django_db
def test_admin_sees_an_edit_link_on_legal_pages(admin_client):
    html = admin_client.get("/privacy/").content.decode()
    assert reverse("admin:core_legalpage_add") in html


@pytest.mark.django_db
def test_404_page_uses_the_site_layout(client):
    response = client.get("/gibt-es-nicht/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Seite nicht gefunden" in html
    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_500_page_is_rendered_in_the_layout(rf):
    from treffpunkt.core.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"site-header" in response.content


def test_500_page_survives_a_broken_database(rf, monkeypatch):
    from treffpunkt.core import views

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(views, "render", broken)
    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"<h1>" in response.content


@pytest.mark.django_db
def test_device_cookie_is_set_once_a_guest_acts(rf):
    from django.http import HttpResponse

    from treffpunkt.core.devices import DeviceCookieMiddleware, current_device_id

    request = rf.get("/")
    device_id = ensure_device_id(request)
    response = DeviceCookieMiddleware(lambda r: HttpResponse())(request)

    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    follow_up = rf.get("/")
    follow_up.COOKIES[COOKIE_NAME] = cookie.value
    assert current_device_id(follow_up) == device_id


def test_forged_device_cookie_is_ignored(rf):
    from treffpunkt.core.devices import current_device_id

    request = rf.get("/")
    request.COOKIES[COOKIE_NAME] = "deadbeef" * 4
    assert current_device_id(request) is None


@pytest.mark.django_db
def test_site_settings_are_cached_between_requests(client, django_assert_num_queries):
    client.get("/privacy/")
    with django_assert_num_queries(1):  # the legal page itself, not the site settings
        client.get("/privacy/")
