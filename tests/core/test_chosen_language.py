"""Language that sticks: the switch remembers the choice, addresses without a language
prefix follow it, the home page follows the browser on a first visit, and the page cache
never hands a stored German page to someone who chose English."""

import pytest
from django.conf import settings
from django.urls import reverse

from .test_pagecache import call


@pytest.mark.django_db
def test_the_switch_remembers_the_choice_and_goes_to_the_page_in_it(client):
    url = reverse("switch_language", args=["en"]) + "?next=/b/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/en/b/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) > 30 * 24 * 3600

    # From now on, addresses without a prefix lead to the English pages.
    assert client.get("/")["Location"] == "/en/"
    assert client.get("/b/?page=2")["Location"] == "/en/b/?page=2"
    assert client.get("/en/").status_code == 200

    # Back to German: it sticks too.
    assert client.get(reverse("switch_language", args=["de"]) + "?next=/en/b/")["Location"] == (
        "/b/"
    )
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_switch_goes_nowhere_else(client):
    response = client.get(reverse("switch_language", args=["en"]) + "?next=https://evil.example/")
    assert response["Location"] == "/en/"
    assert client.get(reverse("switch_language", args=["xx"])).status_code == 404


@pytest.mark.django_db
def test_the_home_page_follows_the_browser_on_a_first_visit(client):
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.status_code == 302
    assert english["Location"] == "/en/"
    assert "Accept-Language" in english["Vary"]
    assert client.get("/", headers={"Accept-Language": "de-AT,de;q=0.9"}).status_code == 200
    # Other pages keep the language their address names.
    assert client.get("/b/", headers={"Accept-Language": "en"}).status_code == 200


@pytest.mark.django_db
def test_the_switch_on_every_page_goes_through_the_remembering_address(client):
    html = client.get("/b/").content.decode()
    assert f'href="{reverse("switch_language", args=["en"])}?next=/en/b/"' in html


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_passes_chosen_and_preferred_languages_through():
    from django.core.asgi import get_asgi_application

    from treffpunkt.core.pagecache import PageCache

    app = PageCache(get_asgi_application(), seconds=60)
    assert call(app, "GET", "/")[0] == 200
    assert call(app, "GET", "/")[1].get(b"x-page-cache") == b"hit"
    cookie = f"{settings.LANGUAGE_COOKIE_NAME}=en".encode()
    status, headers, _body = call(app, "GET", "/", [(b"cookie", cookie)])
    assert status == 302 and location(headers) == b"/en/"
    status, headers, _body = call(app, "GET", "/", [(b"accept-language", b"en-US,en;q=0.8")])
    assert status == 302 and location(headers) == b"/en/"


def location(headers: dict[bytes, bytes]) -> bytes:
    return next(value for name, value in headers.items() if name.lower() == b"location")
