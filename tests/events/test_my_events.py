"""A home for organizers and moderators: "My events", moderators chosen in the event form,
the moderator role on every wall, a first step after joining, running events on the home page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.submitting import post_to_wall
from treffpunkt.accounts import actions as account_actions
from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_guest

PASSWORD = "a-long-test-pass-42"


def make_member(email: str, name: str, roles: list[str] = ()) -> User:
    user = User.objects.create_user(email, PASSWORD, display_name=name)
    user.set_roles(list(roles))
    user.save()
    return user


@pytest.fixture
def organizer(db):
    return make_member("orga@example.org", "Olga Orga", ["organizer"])


@pytest.fixture
def events(make_event, organizer, admin_user):
    now = timezone.now()
    running = make_event(hashtag="Jetzt")
    running.organizers.add(organizer)
    upcoming = make_event(
        hashtag="Bald",
        title="Sommerfest",
        visibility="unlisted",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
    )
    upcoming.organizers.add(organizer)
    past = make_event(
        hashtag="Vorbei",
        title="Frühjahrsputz",
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=9) + timedelta(hours=3),
    )
    past.organizers.add(organizer)
    others = make_event(hashtag="Fremd", title="Nicht meins")
    return {"running": running, "upcoming": upcoming, "past": past, "others": others}


@pytest.mark.django_db
def test_my_events_lists_running_upcoming_past_and_unlisted(client, organizer, events):
    guest = participant_for_guest("a" * 32)
    post_to_wall(event=events["running"], participant=guest, text="Schön!")
    events["running"].moderation = "pre"
    events["running"].save()
    post_to_wall(event=events["running"], participant=guest, text="Wartet noch")

    client.force_login(organizer)
    response = client.get(reverse("events:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Meine Veranstaltungen" in html
    running, upcoming, past = (
        html.index("Läuft gerade"),
        html.index("Demnächst"),
        html.index("Vorbei</h2>"),
    )
    assert running < html.index("#Jetzt") < upcoming < html.index("#Bald") < past
    assert past < html.index("#Vorbei")
    assert "nicht gelistet" in html  # the unlisted one is there, and says so
    assert "1 Beitrag wartet" in html
    assert "Nicht meins" not in html
    assert reverse("events:edit", args=["Bald"]) in html
    assert reverse("events:moderate", args=["Jetzt"]) in html
    # The menu leads there.
    assert f'href="{reverse("events:mine")}" aria-current="page"' in html


@pytest.mark.django_db
def test_an_events_moderator_sees_it_without_the_edit_link(client, events):
    helper = make_member("hilfe@example.org", "Hanna Hilfe")
    events["running"].moderators.add(helper)
    client.force_login(helper)
    html = client.get(reverse("events:mine")).content.decode()
    assert "#Jetzt" in html and "#Bald" not in html
    assert reverse("events:moderate", args=["Jetzt"]) in html
    assert reverse("events:edit", args=["Jetzt"]) not in html
    assert client.get(reverse("events:moderate", args=["Jetzt"])).status_code == 200
    assert client.get(reverse("events:moderate", args=["Bald"])).status_code == 403


@pytest.mark.django_db
def test_the_moderator_role_moderates_every_wall(client, events):
    moderator = make_member("mod@example.org", "Moritz Mod", ["moderator"])
    client.force_login(moderator)
    html = client.get(reverse("events:mine")).content.decode()
    assert "Alle Veranstaltungen" in html
    for hashtag in ("Jetzt", "Bald", "Vorbei", "Fremd"):
        assert f"#{hashtag}" in html
        assert client.get(reverse("events:moderate", args=[hashtag])).status_code == 200
    assert reverse("events:edit", args=["Fremd"]) not in html


@pytest.mark.django_db
def test_a_member_without_events_is_told_what_would_bring_them_here(member_client):
    html = member_client.get(reverse("events:mine")).content.decode()
    assert "als Moderator" in html
    assert reverse("events:create") not in html


@pytest.mark.django_db
def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("events:mine"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_my_events_query_count_does_not_grow_with_events(
    client, organizer, make_event, django_assert_num_queries
):
    client.force_login(organizer)
    guest = participant_for_guest("b" * 32)

    def add_events(start: int) -> None:
        for number in range(start, start + 5):
            event = make_event(hashtag=f"Treffen{number}")
            event.organizers.add(organizer)
            post_to_wall(event=event, participant=guest, text=f"Beitrag {number}")

    add_events(0)
    client.get(reverse("events:mine"))  # the site's settings are cached from now on
    # session, user, the events (one query for all, with their counts)
    with django_assert_num_queries(3):
        assert client.get(reverse("events:mine")).status_code == 200
    add_events(5)
    with django_assert_num_queries(3):
        html = client.get(reverse("events:mine")).content.decode()
    assert html.count('class="my-event panel') == 10


@pytest.mark.django_db
def test_organizers_choose_the_walls_moderators_in_the_event_form(client, organizer, events):
    helper = make_member("hilfe@example.org", "Hanna Hilfe")
    client.force_login(organizer)
    url = reverse("events:edit", args=["Bald"])
    form = client.get(url).content.decode()
    assert "Hanna Hilfe" in form
    assert "hilfe@example.org" not in form  # names only, never addresses
    assert "Text mit einfacher Formatierung" in form

    event = events["upcoming"]
    data = {
        "title": event.title,
        "hashtag": event.hashtag,
        "description": "",
        "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "place": "",
        "visibility": "unlisted",
        "moderation": "post",
        "guiding_question": "",
        "blocked_words": "",
        "moderators": [helper.pk],
    }
    assert client.post(url, data).status_code == 302
    assert list(event.moderators.all()) == [helper]

    data["moderators"] = []
    assert client.post(url, data).status_code == 302
    assert not event.moderators.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "lands_on"),
    [
        (["organizer"], "events:create"),
        (["author"], "blog:my_posts"),
        (["moderator"], "events:mine"),
        ([], "accounts:profile"),
    ],
)
def test_new_members_land_where_their_role_starts(client, roles, lands_on):
    _invitation, url = account_actions.invite_member("neu@example.org", roles, None)
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(
        f"/{path}", {"display_name": "Nele Neu", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(lands_on)
    page = client.get(response["Location"]).content.decode()
    assert "Willkommen" in page


@pytest.mark.django_db
def test_the_home_page_marks_running_events_and_offers_to_join(client, events):
    html = client.get("/").content.decode()
    assert "läuft gerade" in html
    assert "Mitmachen" in html
    assert "Jetzt und demnächst" in html or "Veranstaltungen" in html
