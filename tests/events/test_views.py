import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.submitting import post_to_wall
from treffpunkt.core.actions import participant_for_guest
from treffpunkt.core.devices import COOKIE_NAME
from treffpunkt.core.models import Participant
from treffpunkt.events import actions
from treffpunkt.events.models import Contribution, Event

from ..core.test_images import image_upload


def join_url(event):
    return reverse("events:join", args=[event.hashtag])


def started_token(client, event):
    html = client.get(join_url(event)).content.decode()
    return re.search(r'name="started" value="([^"]+)"', html).group(1)


def post(client, event, text="Toller Vortrag!", **extra):
    data = {"text": text, "started": started_token(client, event), **extra}
    return client.post(join_url(event), data)


@pytest.mark.django_db
def test_join_page_explains_what_happens_in_plain_words(client, event):
    html = client.get(join_url(event)).content.decode()

    assert "Was nehmen Sie mit?" in html
    assert html.count("<li>", html.index("compose__help")) >= 3
    assert reverse("core:privacy") in html
    assert 'name="website"' in html  # the honeypot


@pytest.mark.django_db
def test_guest_posts_without_account_and_sees_the_post_with_its_state(client, event):
    response = post(client, event, "Hallo #Jahrestreffen, siehe https://example.org")

    assert response.status_code == 302
    assert COOKIE_NAME in response.cookies
    contribution = Contribution.objects.get()
    assert contribution.participant.kind == "guest"
    assert contribution.state == "visible"

    html = client.get(join_url(event)).content.decode()
    assert "Ihre Beiträge" in html
    assert "sichtbar" in html
    assert 'href="https://example.org"' in html
    assert f'href="{join_url(event)}" class="hashtag"' in html


@pytest.mark.django_db
def test_guest_name_is_remembered_for_the_device(client, event):
    post(client, event, "Erster", author_name="Hanna")
    html = client.get(join_url(event)).content.decode()
    assert 'value="Hanna"' in html


@pytest.mark.django_db
def test_members_post_under_their_name(member_client, member, event):
    assert 'name="author_name"' not in member_client.get(join_url(event)).content.decode()
    post(member_client, event)
    contribution = Contribution.objects.get()
    assert contribution.participant.user == member
    assert contribution.public_name == "Max Mitglied"


@pytest.mark.django_db
def test_a_forged_or_missing_form_time_is_refused_kindly(client, event):
    response = client.post(join_url(event), {"text": "x", "started": "forged:value"})
    assert response.status_code == 400
    assert "zu alt" in response.content.decode()
    assert not Contribution.objects.exists()
    assert not Participant.objects.filter(kind=Participant.Kind.GUEST).exists()


@pytest.mark.django_db
def test_flood_from_one_device_is_rate_limited(client, event, settings):
    settings.WALL_RATE_PER_DEVICE = "2/m"
    assert post(client, event, "eins").status_code == 302
    assert post(client, event, "zwei").status_code == 302

    response = post(client, event, "drei")

    assert response.status_code == 429
    assert "Bitte warten Sie" in response.content.decode()
    assert Contribution.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Bitte schreiben Sie zuerst etwas"), ("z" * 600, "600 Zeichen")],
)
def test_empty_or_too_long_text_is_explained(client, event, text, message):
    response = post(client, event, text)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_invalid_utf8_does_not_break_the_form(client, event):
    token = started_token(client, event)
    body = b"text=%FF%FE%FDHallo&started=" + token.encode()
    response = client.post(join_url(event), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {302, 400}


@pytest.mark.django_db
def test_photo_upload_checks(client, event):
    ok = post(client, event, "Mit Foto", photo=image_upload(), photo_alt="Bühne")
    assert ok.status_code == 302
    assert Contribution.objects.get().photo

    no_alt = post(client, event, "Ohne Beschreibung", photo=image_upload())
    assert no_alt.status_code == 400
    assert "beschreiben" in no_alt.content.decode()

    fake = SimpleUploadedFile("x.jpg", b"<html>", content_type="image/jpeg")
    bad = post(client, event, "Kaputt", photo=fake, photo_alt="x")
    assert bad.status_code == 400
    assert "JPEG, PNG oder WebP" in bad.content.decode()


@pytest.mark.django_db
def test_decompression_bomb_is_refused(client, event, monkeypatch):
    from treffpunkt.core import images

    monkeypatch.setattr(images, "MAX_JPEG_PIXELS", 1000)
    response = post(client, event, "Riesig", photo=image_upload(size=(200, 200)), photo_alt="x")
    assert response.status_code == 400
    assert "zu viele Pixel" in response.content.decode()
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_upload_over_the_size_limit_is_refused(client, event, settings):
    settings.MAX_UPLOAD_MB = 0
    response = post(client, event, "Groß", photo=image_upload(), photo_alt="x")
    assert response.status_code == 400
    assert "zu groß" in response.content.decode()


@pytest.mark.django_db
def test_unknown_hashtag_is_404_and_case_is_forgiven(client, event):
    assert client.get("/e/GibtEsNicht/").status_code == 404
    response = client.get("/e/jahrestreffen/")
    assert response.status_code == 302
    assert response["Location"] == join_url(event)


@pytest.mark.django_db
def test_finished_event_says_so_and_refuses_posts(client, make_event, settings):
    settings.EVENT_POSTING_GRACE_MINUTES = 0
    now = timezone.now()
    event = make_event(
        hashtag="vorbei",
        starts_at=now - timedelta(days=1, hours=2),
        ends_at=now - timedelta(days=1),
    )

    html = client.get(join_url(event)).content.decode()
    assert "Diese Veranstaltung ist vorbei" in html
    response = client.post(join_url(event), {"text": "spät", "started": "x"})
    assert response.status_code in {400, 403}
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_guest_edits_and_deletes_own_post_but_not_others(client, event):
    post(client, event, "Mein Text")
    mine = Contribution.objects.get()
    edit_url = reverse("events:edit_contribution", args=[event.hashtag, mine.pk])
    delete_url = reverse("events:delete_contribution", args=[event.hashtag, mine.pk])

    other = participant_for_guest("e" * 32)
    theirs = post_to_wall(event=event, participant=other, text="Fremd")
    assert (
        client.get(reverse("events:edit_contribution", args=[event.hashtag, theirs.pk])).status_code
        == 403
    )

    assert client.post(edit_url, {"text": "Mein neuer Text"}).status_code == 302
    mine.refresh_from_db()
    assert mine.text == "Mein neuer Text"
    assert client.post(delete_url).status_code == 302
    assert not Contribution.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_wall_query_count_does_not_grow_with_posts(client, event, django_assert_num_queries):
    guest = participant_for_guest("d" * 32)
    post_to_wall(event=event, participant=guest, text="eins")
    url = reverse("events:wall", args=[event.hashtag])
    client.get(url)
    with django_assert_num_queries(4) as few:
        client.get(url)
    for number in range(30):
        post_to_wall(
            event=event, participant=participant_for_guest(f"{number:032d}"), text=f"Post {number}"
        )
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('class="post') >= 31


@pytest.mark.django_db
def test_join_page_query_count_does_not_grow_with_posts(
    client, event, django_assert_num_queries, django_assert_max_num_queries
):
    post(client, event, "mein Beitrag")
    client.get(join_url(event))
    with django_assert_max_num_queries(8) as few:
        client.get(join_url(event))
    for number in range(20):
        post_to_wall(
            event=event, participant=participant_for_guest(f"{number:032d}"), text=f"Post {number}"
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(join_url(event))


@pytest.mark.django_db
def test_wall_shows_qr_short_link_and_idle_state(client, event):
    html = client.get(reverse("events:wall", args=[event.hashtag])).content.decode()
    assert reverse("events:qr", args=[event.hashtag]) in html
    assert f"/j/{event.short_code}" in html
    assert "wall__idle" in html
    assert 'data-stream="/e/Jahrestreffen/stream"' in html


@pytest.mark.django_db
def test_short_link_qr_poster_and_handout(client, event):
    response = client.get(f"/j/{event.short_code}")
    assert response.status_code == 302
    assert response["Location"] == join_url(event)

    qr = client.get(reverse("events:qr", args=[event.hashtag]))
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.content

    poster = client.get(reverse("events:poster", args=[event.hashtag])).content.decode()
    assert "#Jahrestreffen" in poster
    assert poster.count("<li>") == 3
    handout = client.get(reverse("events:poster", args=[event.hashtag]) + "?variant=handout")
    assert handout.content.decode().count('class="sheet sheet--card"') == 4
    english = client.get("/en" + reverse("events:poster", args=[event.hashtag])).content.decode()
    assert "Scan the code" in english


@pytest.mark.django_db
def test_recap_and_markdown_export(client, event, admin_user):
    guest = participant_for_guest("c" * 32, display_name="Rita")
    first = post_to_wall(event=event, participant=guest, text="Start")
    post_to_wall(event=event, participant=guest, text="Mitte")
    hidden = post_to_wall(event=event, participant=guest, text="Versteckt")
    actions.moderate_contribution(first, "pin", admin_user)
    actions.moderate_contribution(hidden, "hide", admin_user)

    html = client.get(reverse("events:recap", args=[event.hashtag])).content.decode()
    assert "Versteckt" not in html
    assert "Highlights" in html

    markdown = client.get(reverse("events:recap_export", args=[event.hashtag]))
    text = markdown.content.decode()
    assert markdown["Content-Type"].startswith("text/markdown")
    assert text.startswith("# Jahrestreffen 2026")
    assert "2 Beiträge von 1 Personen" in text
    assert "> Mitte" in text
    assert "Versteckt" not in text


@pytest.mark.django_db
def test_moderation_needs_a_moderator(client, member, event):
    url = reverse("events:moderate", args=[event.hashtag])
    assert client.get(url).status_code == 302
    client.force_login(member)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_moderator_actions_and_json_answers(admin_client, event, django_assert_max_num_queries):
    guest = participant_for_guest("b" * 32)
    contribution = post_to_wall(event=event, participant=guest, text="Prüfen")

    def act(action, **headers):
        url = reverse("events:moderate_action", args=[event.hashtag, contribution.pk, action])
        return admin_client.post(url, {"reason": "Test"}, headers=headers)

    assert act("hide").status_code == 302
    assert act("approve", Accept="application/json").json() == {"ok": True}
    assert act("pin").status_code == 302
    contribution.refresh_from_db()
    assert contribution.pinned and contribution.state == "visible"
    assert act("explode").status_code == 404

    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("events:moderate", args=[event.hashtag]))
    assert "Prüfen" in page.content.decode()

    assert act("block").status_code == 302
    guest.refresh_from_db()
    assert guest.is_blocked
    assert act("delete").status_code == 302
    item = reverse("events:moderation_item", args=[event.hashtag, contribution.pk])
    assert admin_client.get(item).status_code == 404


@pytest.mark.django_db
def test_organizer_creates_and_edits_an_event(client, admin_user, member):
    member.is_organizer = True
    member.save()
    client.force_login(member)
    data = {
        "title": "Workshop",
        "hashtag": "Workshop_Süd",
        "description": "",
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-01T16:00",
        "place": "Raum 3",
        "visibility": "unlisted",
        "moderation": "pre",
        "guiding_question": "",
        "blocked_words": "",
    }
    response = client.post(reverse("events:create"), data)
    assert response.status_code == 302
    event = Event.objects.get(hashtag="Workshop_Süd")
    assert list(event.organizers.all()) == [member]

    duplicate = client.post(reverse("events:create"), {**data, "hashtag": "workshop_süd"})
    assert duplicate.status_code == 400
    assert "bereits" in duplicate.content.decode()

    backwards = client.post(
        reverse("events:create"), {**data, "hashtag": "x1", "ends_at": "2026-11-30T10:00"}
    )
    assert backwards.status_code == 400

    edit = client.post(
        reverse("events:edit", args=[event.hashtag]), {**data, "title": "Workshop Süd"}
    )
    assert edit.status_code == 302
    event.refresh_from_db()
    assert event.title == "Workshop Süd"


@pytest.mark.django_db
def test_only_organizers_create_events(member_client):
    assert member_client.get(reverse("events:create")).status_code == 403


@pytest.mark.django_db
def test_home_lists_upcoming_public_events_only(client, make_event):
    make_event(hashtag="oeffentlich", title="Offenes Treffen")
    make_event(hashtag="geheim", title="Geheimes Treffen", visibility="unlisted")

    html = client.get("/").content.decode()
    assert "Offenes Treffen" in html
    assert "Geheimes Treffen" not in html
