"""The insights page of an event: figures, charts with tables, privacy, permissions."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from treffpunkt.accounts.models import User
from treffpunkt.core.actions import block_participant, participant_for_member
from treffpunkt.events.models import Contribution

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def url(event, **params):
    from urllib.parse import urlencode

    base = reverse("insights:event", args=[event.hashtag])
    return base + ("?" + urlencode(params) if params else "")


@pytest.fixture
def busy_wall(event, guests, post_on_wall):
    """Guest 1 writes 10 posts, guests 2..10 one each: 19 posts from 10 people."""
    for minute in range(10):
        post_on_wall(event, guests[0], 15 + minute)
    for index, guest in enumerate(guests[1:10]):
        post_on_wall(event, guest, 30 + index)
    return event


def test_organizer_sees_the_headline_figures_and_charts(client, organizer, busy_wall):
    client.force_login(organizer)
    response = client.get(url(busy_wall))
    assert response.status_code == 200
    page = response.content.decode()
    assert "10 Menschen haben etwas beigetragen, 10 davon zum ersten Mal." in page
    # The top 10 % is one person (guest 1) with 10 of 19 posts: 53 %.
    assert "Die aktivsten 10 % schrieben 53 % aller Beiträge." in page
    # CAF: guest 1 alone made more than half.
    assert "1 Person schrieb die Hälfte aller Beiträge" in page
    assert "(n = 10)" in page
    assert "15 Minuten nach dem Beginn" in page
    # Charts as SVG with their tables.
    assert page.count("<svg") == 2
    assert "Die Lorenzkurve in Zahlen" in page
    # Concentration is high: a hint for the organizers.
    assert "insights-hint" in page
    # No names, ever.
    assert "Gastname" not in page


def test_a_small_group_shows_counts_only(client, organizer, event, guests, post_on_wall):
    for guest in guests[:3]:
        post_on_wall(event, guest, 5)
    post_on_wall(event, guests[0], 6)
    client.force_login(organizer)
    page = client.get(url(event)).content.decode()
    assert "3 Menschen haben etwas beigetragen" in page
    assert "Weniger als 5 Menschen haben beigetragen" in page
    assert "Gini-Koeffizient</dt>" not in page
    assert "<svg" in page  # the bars of counts over time
    assert page.count("<svg") == 1  # but no Lorenz curve
    assert "aktivsten 10 %" not in page


def test_held_hidden_spam_and_blocked_never_count(
    client, organizer, event, guests, post_on_wall, admin_user
):
    post_on_wall(event, guests[0], 1)
    post_on_wall(event, guests[1], 2, state=Contribution.State.HELD)
    post_on_wall(event, guests[2], 3, state=Contribution.State.HIDDEN)
    post_on_wall(event, guests[3], 4, state=Contribution.State.SPAM)
    post_on_wall(event, guests[4], 5)
    block_participant(guests[4], reason="Werbung")
    client.force_login(organizer)
    page = client.get(url(event)).content.decode()
    assert "Eine Person hat etwas beigetragen" in page


def test_returning_voices_took_part_before(
    client, organizer, event, guests, post_on_wall, make_event_later
):
    later = make_event_later()
    post_on_wall(event, guests[0], 0)
    post_on_wall(event, guests[1], 0)
    post_on_wall(later, guests[0], 0)
    post_on_wall(later, guests[2], 0)
    client.force_login(organizer)
    page = client.get(url(later)).content.decode()
    assert "2 Menschen haben etwas beigetragen, 1 davon zum ersten Mal." in page


@pytest.fixture
def make_event_later(organizer):
    from treffpunkt.events.actions import create_event

    def make():
        start = __import__("tests.insights.conftest", fromlist=["START"]).START
        return create_event(
            organizer=organizer,
            title="Herbsttreffen",
            hashtag="Herbsttreffen",
            starts_at=start + timedelta(days=180),
            ends_at=start + timedelta(days=180, hours=3),
            place="",
            visibility="public",
            moderation="post",
            guiding_question="",
        )

    return make


def test_the_team_can_be_left_out(client, organizer, event, guests, post_on_wall):
    team = participant_for_member(organizer)
    for minute in range(3):
        post_on_wall(event, team, minute)  # testing the wall before the doors open
    post_on_wall(event, guests[0], 20)
    client.force_login(organizer)
    assert "2 Menschen haben" in client.get(url(event)).content.decode()
    page = client.get(url(event, team="on")).content.decode()
    assert "Eine Person hat etwas beigetragen" in page


def test_a_time_range_limits_what_counts(client, organizer, event, guests, post_on_wall):
    post_on_wall(event, guests[0], 0)
    post_on_wall(event, guests[1], 60 * 24 * 3)  # three days later
    client.force_login(organizer)
    page = client.get(url(event, start="2026-03-14", end="2026-03-14")).content.decode()
    assert "Eine Person hat etwas beigetragen" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-03-20", "end": "2026-03-01"}, "Das Ende liegt vor dem Beginn"),
        ({"start": "14.13.2026"}, "Bitte ein gültiges Datum eingeben."),
        ({"start": "0001-01-01"}, "Wählen Sie ein Datum zwischen den Jahren 2000 und 2100."),
        ({"end": "9999-12-31"}, "Wählen Sie ein Datum zwischen den Jahren 2000 und 2100."),
        ({"start": "x" * 5000}, "Bitte ein gültiges Datum eingeben."),
    ],
)
def test_bad_time_ranges_get_a_clear_message(client, organizer, event, params, message):
    client.force_login(organizer)
    response = client.get(url(event, **params))
    assert response.status_code == 400
    assert message in response.content.decode()
    csv_response = client.get(reverse("insights:event_csv", args=[event.hashtag]), params)
    assert csv_response.status_code == 400
    assert message in csv_response.content.decode()


def test_an_empty_range_and_an_empty_event_say_so(client, organizer, event):
    client.force_login(organizer)
    for params in ({}, {"start": "2030-01-01", "end": "2030-01-01"}, {"start": "", "end": ""}):
        response = client.get(url(event, **params))
        assert response.status_code == 200
        assert "Bisher hat in diesem Zeitraum niemand" in response.content.decode()


def test_who_may_see_it(client, event, organizer, member, admin_user, busy_wall):
    response = client.get(url(event))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member)
    assert client.get(url(event)).status_code == 403
    event.moderators.add(member)
    assert client.get(url(event)).status_code == 200
    client.force_login(admin_user)
    assert client.get(url(event)).status_code == 200
    assert client.get(reverse("insights:event", args=["gibtsnicht"])).status_code == 404


def test_the_query_count_does_not_grow_with_the_wall(
    client, organizer, event, guests, post_on_wall, django_assert_num_queries
):
    client.force_login(organizer)
    for guest in guests[:6]:
        post_on_wall(event, guest, 1)
    client.get(url(event))  # warm the session and caches
    # session, user, event, organizer check (view), voices, first seen (3), attendance,
    # first post after the start, timeline (first and last, buckets), organizer check
    # (attendees form)
    with django_assert_num_queries(13):
        client.get(url(event))
    for guest in guests:
        for minute in range(5):
            post_on_wall(event, guest, minute)
    with django_assert_num_queries(13):
        response = client.get(url(event))
    assert "12 Menschen" in response.content.decode()


def test_attendees_give_contributors_per_attendee(client, organizer, busy_wall, member):
    client.force_login(organizer)
    attendance = reverse("insights:event_attendance", args=[busy_wall.hashtag])
    response = client.post(attendance, {"attendees": "40"})
    assert response.status_code == 302
    page = client.get(url(busy_wall)).content.decode()
    assert "25 %" in page and "(von 40 Teilnehmenden)" in page
    # Nonsense is refused with a message, the number stays.
    response = client.post(attendance, {"attendees": "-3"}, follow=True)
    assert "größer oder gleich 1" in response.content.decode()
    assert "(von 40 Teilnehmenden)" in response.content.decode()
    # Emptied: forgotten.
    client.post(attendance, {"attendees": ""})
    assert "Teilnehmenden)" not in client.get(url(busy_wall)).content.decode()
    # Moderators see the page but do not count the people at the door.
    busy_wall.moderators.add(member)
    client.force_login(member)
    assert client.post(attendance, {"attendees": "5"}).status_code == 403
    assert client.get(attendance).status_code == 405


def test_csv_holds_the_measures_and_no_names(client, organizer, busy_wall):
    client.force_login(organizer)
    response = client.get(reverse("insights:event_csv", args=[busy_wall.hashtag]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "Gastname" not in text and "@" not in text
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "#Jahrestreffen"
    assert row["contributors"] == "10"
    assert row["contributions"] == "19"
    assert row["new_voices"] == "10"
    assert row["top10_share"] == f"{10 / 19:.4f}"
    assert row["absence_factor"] == "1"
    assert row["minutes_to_first_contribution"] == "15.0"


def test_csv_of_a_small_group_keeps_counts_only(client, organizer, event, guests, post_on_wall):
    post_on_wall(event, guests[0], 1)
    client.force_login(organizer)
    response = client.get(reverse("insights:event_csv", args=[event.hashtag]))
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["contributors"] == "1"
    assert row["gini"] == row["top10_share"] == row["absence_factor"] == ""


def test_the_event_page_links_to_it_for_its_team_only(client, organizer, event, member):
    client.force_login(organizer)
    target = url(event)
    assert target in client.get(reverse("events:join", args=[event.hashtag])).content.decode()
    other = User.objects.create_user("x@example.org", PASSWORD, display_name="X")
    client.force_login(other)
    assert target not in client.get(reverse("events:join", args=[event.hashtag])).content.decode()
